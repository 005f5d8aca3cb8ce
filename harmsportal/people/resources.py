"""django-import-export resources for people."""

from __future__ import annotations

from import_export import resources

from harmsportal.people.models import Force


class ForceResource(resources.ModelResource):
    """The UK forces, keyed by data.police.uk slug, so re-importing the project CSV
    (harmsportal/people/data/uk_police_forces.csv) updates forces in place."""

    class Meta:
        model = Force
        import_id_fields = ["slug"]
        fields = ("slug", "name", "nation", "kind", "code")
        export_order = ("slug", "name", "nation", "kind", "code")
        skip_unchanged = True
        report_skipped = True
        # Validate nation and kind against their choices and keep names and codes unique.
        clean_model_instances = True
