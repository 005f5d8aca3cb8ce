"""The draft: starting one under the right force, saving its answers, deleting it unsent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from harmsportal.people.selectors import reporting_force_of
from reports.models import Report, ReportStatus
from reports.services._shared import lock_draft
from reports.services.errors import NoForceError

if TYPE_CHECKING:
    from harmsportal.people.models import Force, User


def _reporting_force(reporter: User) -> Force:
    force = reporting_force_of(reporter)
    if force is not None:
        return force
    if reporter.kind == "family":
        raise NoForceError(
            "Your account is not linked to a family member who works in policing yet."
        )
    raise NoForceError("Your account is not linked to a police force yet.")


@transaction.atomic
def report_start(*, actor: User) -> Report:
    """Create an empty draft for `actor`. Raises NoForceError if they have no force."""
    report = Report.objects.create(reporter=actor, force=_reporting_force(actor))
    report.status_events.create(status=ReportStatus.DRAFT, note="You started this report.")
    return report


@transaction.atomic
def report_answers_save(*, actor: User, report: Report, answers: dict[str, Any]) -> Report:
    """Save one step's answers onto the draft. Many-to-many answers are sets of rows.

    Only the fields this step answered are written, so a step saved from another tab (or an
    older copy of the draft) never puts back answers given since. Raises Report.DoesNotExist
    when the draft is gone (erased by retention, deleted in another tab).
    """
    lock_draft(report)
    many = {"categories", "platforms"}
    fields = ["updated_at"]
    for name, value in answers.items():
        if name in many:
            getattr(report, name).set(value)
        else:
            setattr(report, name, value)
            fields.append(name)
    report.updated_at = timezone.now()
    report.save(update_fields=fields)
    return report


@transaction.atomic
def report_draft_delete(*, actor: User, report: Report) -> None:
    """Delete an unsent draft and its evidence; sent reports are never deleted this way.

    Raises Report.DoesNotExist when the draft is already gone (erased by retention, deleted in
    another tab). The files go after commit; a storage error then is logged, not raised, and the
    file is left to the evidence sweep (`delete_stored_after_commit`).
    """
    from reports.evidence.storage import delete_stored_after_commit

    if actor.pk != report.reporter_id:
        raise ValidationError("Only the person who started a draft can delete it.")
    # From the database, under the lock: a draft sent a moment ago in another tab is never
    # deleted, and one erased a moment ago is a DoesNotExist.
    lock_draft(report)
    paths = [
        path
        for pair in report.evidence.values_list("stored_path", "viewing_path")
        for path in pair
        if path
    ]
    report.delete()
    delete_stored_after_commit(paths)
