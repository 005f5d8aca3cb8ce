"""Administration of the national taxonomy. Reports themselves are not in the admin: they
are read only through the reporter's pages and the triage app, each audited."""

from __future__ import annotations

from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from reports.models import HarmCategory, Platform
from reports.resources import HarmCategoryResource, PlatformResource


class TaxonomyAdmin(ImportExportModelAdmin):
    list_display = ("name", "slug", "version", "sort_order", "retired_at")
    list_filter = ("version", ("retired_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "slug", "description")
    ordering = ("sort_order", "name")

    def has_delete_permission(self, request, obj=None) -> bool:
        # Retire instead: reports that chose an entry must keep it.
        return False


@admin.register(HarmCategory)
class HarmCategoryAdmin(TaxonomyAdmin):
    resource_classes = [HarmCategoryResource]
    list_display = (*TaxonomyAdmin.list_display, "asks_characteristic")


@admin.register(Platform)
class PlatformAdmin(TaxonomyAdmin):
    resource_classes = [PlatformResource]
