"""Administration of what forces offer: national library resources, support services and
champions' directory entries. Referrals are not in the admin: a person's support is read only
through the champion's and the person's own pages, each audited and consent-scoped."""

from __future__ import annotations

from django.contrib import admin

from wellbeing.models import ChampionListing, Resource, SupportService


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    """National resources (no force) have no page in the portal: they are looked after here.
    The model's validator and database constraint keep every link https."""

    list_display = ("title", "kind", "force", "shared_with_all_forces", "withdrawn_at")
    list_filter = ("kind", ("force", admin.EmptyFieldListFilter), "shared_with_all_forces")
    search_fields = ("title", "summary")
    exclude = ("published_by",)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.published_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # withdraw instead (withdrawn_at): the library's history stays


@admin.register(SupportService)
class SupportServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "force", "support_type", "capacity", "target_wait_days", "active")
    list_filter = ("support_type", "active", "force")
    search_fields = ("name",)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # referrals point at it: mark it not active instead


@admin.register(ChampionListing)
class ChampionListingAdmin(admin.ModelAdmin):
    list_display = ("display_name", "force", "listed", "updated_at")
    list_filter = ("listed", "force")
    search_fields = ("display_name",)
    raw_id_fields = ("user",)
