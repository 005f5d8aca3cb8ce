from __future__ import annotations

from django.contrib import admin

from harmsportal.audit.models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the log can be searched but never changed, here or anywhere."""

    list_display = ("at", "actor", "actor_role", "force_slug", "action", "object_type", "object_id")
    list_filter = ("action", "actor_role", "object_type")
    search_fields = ("object_id", "force_slug", "reason")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
