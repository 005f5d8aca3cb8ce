"""Case metadata for platform administrators: status, clocks and flags, never report content.

Reports, notes and messages are read only through the triage pages, where every read is
audited; the admin shows what operations need (is the breach task keeping up?) and no more.
"""

from __future__ import annotations

from django.contrib import admin

from triage.models import Case, CaseEvent, TriagePreference


class CaseEventInline(admin.TabularInline):
    """What happened and when; never the detail, which can hold a triager's reason."""

    model = CaseEvent
    fields = ("at", "kind")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("pk", "force", "status", "risk", "priority", "submitted_at", "outcome_due")
    list_filter = ("status", "risk", "force")
    date_hierarchy = "submitted_at"
    ordering = ("-submitted_at",)
    fields = (
        "force",
        "status",
        "risk",
        "priority",
        "submitted_at",
        "claimed_at",
        "assessed_at",
        "first_response_due",
        "first_responded_at",
        "first_response_breached_at",
        "first_response_escalated_at",
        "next_update_due",
        "update_breached_at",
        "update_escalated_at",
        "outcome_due",
        "outcome_breached_at",
        "outcome_escalated_at",
        "update_met_late_at",
        "outcome_given_at",
        "closed_at",
        "close_reason",
        "reopened_at",
        "unread_since",
        "reporter_replied_at",
    )
    readonly_fields = fields
    inlines = (CaseEventInline,)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TriagePreference)
class TriagePreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email_when_reporter_writes")
    autocomplete_fields = ("user",)
    search_fields = ("user__email",)
