"""Retention in the admin: each force's own periods (platform admins set them) and the
erasure records, which can be read but never changed or removed."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone

from privacy.models import ErasureRecord, ForceRetention


@admin.register(ForceRetention)
class ForceRetentionAdmin(admin.ModelAdmin):
    list_display = ("force", "closed_case_days", "closed_referral_days", "updated_at")
    search_fields = ("force__name",)
    exclude = ("updated_at",)

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
