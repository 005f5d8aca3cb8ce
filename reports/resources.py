"""Import and export of the national harms taxonomy (django-import-export), keyed by slug.

A new taxonomy version is published by importing a sheet: rows are matched on `slug`, so
re-importing updates names and hints in place and never duplicates an entry. Retire an entry
by setting `retired_at`, never by deleting it: reports that chose it keep it.
"""

from __future__ import annotations

from import_export import fields, resources
from import_export.widgets import BooleanWidget, DateTimeWidget, IntegerWidget

from reports.models import HarmCategory, Platform

TAXONOMY_FIELDS = ("slug", "name", "description", "version", "sort_order", "retired_at")


class TaxonomyResource(resources.ModelResource):
    version = fields.Field(attribute="version", column_name="version", widget=IntegerWidget())
    sort_order = fields.Field(
        attribute="sort_order", column_name="sort_order", widget=IntegerWidget()
    )
    retired_at = fields.Field(
        attribute="retired_at", column_name="retired_at", widget=DateTimeWidget()
    )

    class Meta:
        import_id_fields = ("slug",)
        skip_unchanged = True
        report_skipped = True
        use_transactions = True


class HarmCategoryResource(TaxonomyResource):
    asks_characteristic = fields.Field(
        attribute="asks_characteristic", column_name="asks_characteristic", widget=BooleanWidget()
    )

    class Meta(TaxonomyResource.Meta):
        model = HarmCategory
        fields = (*TAXONOMY_FIELDS, "asks_characteristic")
        export_order = (*TAXONOMY_FIELDS, "asks_characteristic")


class PlatformResource(TaxonomyResource):
    class Meta(TaxonomyResource.Meta):
        model = Platform
        fields = TAXONOMY_FIELDS
        export_order = TAXONOMY_FIELDS
