"""django-import-export resources for training: the roster.

`RosterResource` is the one way a roster enters the portal. The trainer's import page
(`training.services.roster`) and the Django admin both run it, so both check the same rules
and write the same rows. One file row is one person in one force:

    email, name, kind, audiences, start_date, line_manager_email

Before any row is imported, `before_import` reads the whole file once: it checks every row
(and the file as a whole: duplicates, line managers), looks up who already has an account in
chunks, and, when nothing is wrong anywhere, creates the new accounts in one bulk insert with
their reporter membership. The rows then go through import-export in bulk mode as
`TrainingProfile`s (new, updated, or skipped when unchanged). If any row is wrong, nothing is
written at all, even outside a transaction: the resource itself is all or nothing, and the
callers also roll back (`use_transactions`, `rollback_on_validation_errors`).

What a roster may never do: grant any role but `reporter` (whatever columns the file has: an
unknown column such as `role` is ignored), change an existing account's name, kind or email,
or reach a person outside the force it is imported into. Cells are kept as text exactly as
written; a cell such as `=HYPERLINK(…)` is never evaluated, and exports pass every cell through
`training.exports.formula_safe`, so none turns back into a formula.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.results import RowResult

from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notifications_send_bulk
from harmsportal.people.models import Force
from training.exports import formula_safe
from training.models import TrainingProfile
from training.roster_rows import (
    BATCH_SIZE,
    COLUMNS,
    RosterRow,
    RowStatus,
    canonical_audiences,
    create_accounts,
    header_key,
    plan_rows,
    roster_header_problems,
    text_of,
)
from training.services.audience_rules import rules_apply


class RosterRowResult(RowResult):
    """Keeps a row's id, never its instance's str(): that would read the person and force for
    every row, 50,000 queries for a large roster."""

    def add_instance_info(self, instance) -> None:
        self.object_id = getattr(instance, "pk", None)


class RosterResource(resources.ModelResource):
    """A force's roster: one `TrainingProfile` per row. Pass the force it is for:
    `RosterResource(force=force)`; without one it can only export (every force's profiles,
    with a force column, for the admin)."""

    email = fields.Field(attribute="person__email", column_name="email", readonly=True)
    name = fields.Field(attribute="person__full_name", column_name="name", readonly=True)
    kind = fields.Field(attribute="person__kind", column_name="kind", readonly=True)
    audiences = fields.Field(attribute="audiences", column_name="audiences", readonly=True)
    start_date = fields.Field(
        attribute="start_date",
        column_name="start_date",
        widget=widgets.DateWidget("%Y-%m-%d"),
        readonly=True,
    )
    line_manager_email = fields.Field(
        attribute="line_manager__email", column_name="line_manager_email", readonly=True
    )
    force = fields.Field(attribute="force__slug", column_name="force", readonly=True)

    class Meta:
        model = TrainingProfile
        fields = (*COLUMNS, "force")
        export_order = (*COLUMNS, "force")
        import_id_fields = ("email",)
        use_bulk = True
        batch_size = BATCH_SIZE
        # No per-row copies or HTML diffs: the preview shows counts, the first rows and every
        # bad row, all from the checked rows, so a 50,000-row import keeps little per row.
        skip_diff = True
        skip_unchanged = True
        report_skipped = False
        use_transactions = True

    def __init__(self, *, force: Force | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.force = force
        self.rows: list[RosterRow] = []
        self.header_problems: list[str] = []
        self.ignored_columns: list[str] = []
        self.stats = {"accounts": 0, "assignments": 0, "invitations": 0}
        self._blocked = True
        self._current: RosterRow | None = None

    @classmethod
    def get_row_result_class(cls):
        return RosterRowResult

    # --- export ------------------------------------------------------------------------------

    def get_queryset(self):
        profiles = TrainingProfile.objects.select_related("person", "line_manager", "force")
        if self.force is not None:
            profiles = profiles.filter(force=self.force)
        return profiles.order_by("person__email")

    def dehydrate_audiences(self, profile: TrainingProfile) -> str:
        return ";".join(canonical_audiences(profile.audiences))

    def export_field(self, field, instance, **kwargs):
        return formula_safe(super().export_field(field, instance, **kwargs))

    # --- import ------------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs) -> None:
        if self.force is None:
            raise ValidationError("Choose the force this roster is for.")
        original = [text_of(h) for h in dataset.headers or []]
        headers = [header_key(h) for h in original]
        self.ignored_columns = [
            o for o, h in zip(original, headers, strict=True) if h not in COLUMNS and o
        ]
        self.header_problems = roster_header_problems(headers)
        if self.header_problems:
            dataset.wipe()  # no rows are read from a file whose columns are wrong
            dataset.headers = headers
            raise ValidationError(self.header_problems)
        dataset.headers = headers
        self.now = timezone.now()
        self.rows = plan_rows(dataset, self.force)
        self._blocked = any(row.errors for row in self.rows)
        if not self._blocked:
            self.stats["accounts"] = create_accounts(self.rows, self.force, self.now)

    def import_row(self, row, instance_loader, **kwargs):
        # The admin asks to keep each row's instance; never needed here, and 50,000 of them
        # would be kept in memory (import-export copies the wish onto the class's options).
        kwargs.pop("retain_instance_in_row_result", None)
        self._current = self.rows[kwargs["row_number"] - 1]
        row_result = super().import_row(row, instance_loader, **kwargs)
        row_result.object_repr = self._current.email
        return row_result

    def before_import_row(self, row, **kwargs) -> None:
        if self._current.errors:
            raise ValidationError(self._current.errors)

    def get_or_init_instance(self, instance_loader, row):
        planned = self._current
        if planned.existing is None:
            return TrainingProfile(person_id=planned.person_id, force=self.force), True
        pk, audiences, start_date, line_manager_id = planned.existing
        profile = TrainingProfile(
            pk=pk,
            person_id=planned.person_id,
            force=self.force,
            audiences=audiences,
            start_date=start_date,
            line_manager_id=line_manager_id,
        )
        return profile, False

    def import_instance(self, instance, row, **kwargs) -> None:
        planned = self._current
        if planned.blank:
            return
        instance.audiences = list(planned.audiences)
        instance.start_date = planned.start_date
        instance.line_manager_id = planned.line_manager_id
        instance.updated_at = self.now

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        if import_validation_errors:
            return False
        return self._current.blank or self._current.unchanged

    def save_instance(self, instance, is_create, row, **kwargs) -> None:
        if self._blocked:
            return  # one bad row anywhere: nothing is written
        super().save_instance(instance, is_create, row, **kwargs)

    def get_bulk_update_fields(self) -> list[str]:
        return ["audiences", "start_date", "line_manager", "updated_at"]

    def after_import(self, dataset, result, **kwargs) -> None:
        """Assign the force's rules to everyone added or changed and, for real (not in a dry
        run), invite the new accounts. Nothing at all when any row or write failed."""
        if self._blocked or result.has_errors() or result.has_validation_errors():
            return
        changed = [
            row.person_id
            for row in self.rows
            if row.status in (RowStatus.NEW_ACCOUNT, RowStatus.NEW_PROFILE, RowStatus.UPDATE)
        ]
        if changed:
            self.stats["assignments"] = rules_apply(force=self.force, person_ids=changed)
        if not kwargs.get("dry_run"):
            self.stats["invitations"] = notifications_send_bulk(
                recipients=[(row.person_id, row.email) for row in self.rows if row.new_account],
                kind=Notification.Kind.ACCOUNT_INVITE,
                title=f"{self.force.name} has added you to its training roster",
                link_path=reverse("account_reset_password"),
            )
