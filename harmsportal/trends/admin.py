"""Administration of trends for platform admins (harmsportal.admin_site: audited, MFA): the peer
groups forces are compared with, loaded from CSV or XLSX (trends.resources)."""

from __future__ import annotations

from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX

from harmsportal.trends.models import PeerForce
from harmsportal.trends.resources import PeerForceResource


@admin.register(PeerForce)
class PeerForceAdmin(ImportExportModelAdmin):
    """One row per force and peer. Importing a file replaces the groups of the forces it
    names; nothing is loaded while any row is wrong."""

    resource_classes = [PeerForceResource]
    import_formats = [CSV, XLSX]
    export_formats = [CSV, XLSX]
    list_display = ("force", "peer", "source")
    search_fields = ("force__name", "force__slug", "peer__name", "source")
    autocomplete_fields = ("force", "peer")
    list_select_related = ("force", "peer")

    def get_import_data_kwargs(self, **kwargs) -> dict:
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs
