"""Retention in the admin: each force's own periods (platform admins set them) and the
erasure records, which can be read but never changed or removed."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.utils import timezone

from privacy.models import ErasureRecord, ForceRetention


def _period(days: int | None, default: int) -> str:
    return f"{days} days" if days else f"National default ({default} days)"


@admin.register(ForceRetention)
class ForceRetentionAdmin(admin.ModelAdmin):
    list_display = ("force", "case_period", "referral_period", "updated_at")
    search_fields = ("force__name",)
    exclude = ("updated_at",)

    # An empty period is the national default: say so, and how long it is, rather than "-".
    @admin.display(description="Closed cases kept", ordering="closed_case_days")
    def case_period(self, obj: ForceRetention) -> str:
        return _period(obj.closed_case_days, settings.HARMSPORTAL_RETENTION_CASE_DAYS)

    @admin.display(description="Closed referrals kept", ordering="closed_referral_days")
    def referral_period(self, obj: ForceRetention) -> str:
        return _period(obj.closed_referral_days, settings.HARMSPORTAL_RETENTION_REFERRAL_DAYS)

    def save_model(self, request, obj, form, change) -> None:
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(ErasureRecord)
class ErasureRecordAdmin(admin.ModelAdmin):
    list_display = ("kind", "reference", "force", "closed_at", "erased_at")
    list_filter = ("kind", "force")
    search_fields = ("reference",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
