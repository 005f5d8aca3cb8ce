"""django-import-export resources for trends: peer groups.

`PeerForceResource` loads peer groups from CSV or XLSX in the admin (a platform admin loads, for
example, the Home Office's most similar groups). One row is one force and one of its peers:

    force, peer, source

`force` and `peer` take a force's slug (data.police.uk id, such as `west-yorkshire`) or its full
name (`West Yorkshire Police`), in any case. An unknown force, a force named as its own peer or a
source over 120 characters is a clear error on that row, and nothing is loaded while any row is
wrong (`rollback_on_validation_errors`, set by the admin).

A file replaces the groups of the forces it names: a peer that a force had before and the file
no longer lists is removed, so a refreshed group never keeps a stale member. Forces the file
does not name keep their groups.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from harmsportal.people.models import Force
from harmsportal.trends.models import PeerForce

COLUMNS = ("force", "peer", "source")


class ForceWidget(widgets.ForeignKeyWidget):
    """A force by slug or full name (either case); a clear ValueError for any other text."""

    def __init__(self) -> None:
        super().__init__(Force, field="slug")
        self._forces: dict[str, Force] | None = None

    def _lookup(self) -> dict[str, Force]:
        if self._forces is None:  # 48 forces: read once per import, not once per row
            self._forces = {}
            for force in Force.objects.all():
                self._forces[force.slug.lower()] = force
                self._forces[force.name.lower()] = force
        return self._forces

    def clean(self, value, row=None, **kwargs) -> Force:
        text = "" if value is None else " ".join(str(value).split())
        if not text:
            raise ValueError(
                "Enter a force: its slug, such as west-yorkshire, or its full name, such as "
                "West Yorkshire Police"
            )
        force = self._lookup().get(text.lower())
        if force is None:
            raise ValueError(
                f"No force is called “{text[:80]}”. Use a force's slug, such as west-yorkshire, "
                "or its full name, such as West Yorkshire Police"
            )
        return force

    def render(self, value, obj=None, **kwargs) -> str:
        return value.slug if value else ""


class PeerForceResource(resources.ModelResource):
    force = fields.Field(attribute="force", column_name="force", widget=ForceWidget())
    peer = fields.Field(attribute="peer", column_name="peer", widget=ForceWidget())
    source = fields.Field(attribute="source", column_name="source", default="")

    class Meta:
        model = PeerForce
        fields = COLUMNS
        export_order = COLUMNS
        import_id_fields = ("force", "peer")
        skip_unchanged = True
        report_skipped = True
        # Field lengths and the model's constraints checked on every row.
        clean_model_instances = True
        use_transactions = True

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            # An unknown force: a new row, whose import reports the error on the field.
            return None

    def import_instance(self, instance, row, **kwargs) -> None:
        super().import_instance(instance, row, **kwargs)
        if instance.force_id is not None and instance.force_id == instance.peer_id:
            raise ValidationError({"peer": "A force cannot be its own peer"})

    def before_import(self, dataset, **kwargs) -> None:
        """Note each force the file names and the peers it lists for it."""
        super().before_import(dataset, **kwargs)
        widget = ForceWidget()
        self.listed: dict[int, set[int]] = defaultdict(set)
        if "force" not in (dataset.headers or ()) or "peer" not in dataset.headers:
            return
        for row in dataset.dict:
            try:
                force, peer = widget.clean(row["force"]), widget.clean(row["peer"])
            except ValueError:
                continue  # that row's own error stops the whole import
            self.listed[force.pk].add(peer.pk)

    def after_import(self, dataset, result, **kwargs) -> None:
        """Remove the peers of the forces in the file that the file no longer lists."""
        super().after_import(dataset, result, **kwargs)
        if result.has_errors() or result.has_validation_errors():
            return
        for force_id, peer_ids in getattr(self, "listed", {}).items():
            PeerForce.objects.filter(force_id=force_id).exclude(peer_id__in=peer_ids).delete()
