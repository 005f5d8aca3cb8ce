"""Moving a case away from someone: transfer to another force, and stepping aside.

A transfer moves the case and its report to the right force's queue: the sending force loses
sight of it (its triagers get 404), the receiving force's supervisors are told, and the
reporter sees which force handles their report. Stepping aside records that someone in triage
knows the person (CaseConflict): the case goes back to the queue if they held it, and is never
assigned to them again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notification_send
from reports.models import ReportStatus
from reports.services.lifecycle import report_transfer
from triage.models import Case, CaseConflict, CaseEvent, CaseNote
from triage.selectors import is_supervisor_of
from triage.services._shared import NOTE_MAX_CHARS, alert_supervisors, locked
from triage.services.history import case_event_record

if TYPE_CHECKING:
    from harmsportal.people.models import Force, User

REASON_MAX_CHARS = 1000


def _reason(reason: str, *, missing: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError(missing)
    if len(reason) > REASON_MAX_CHARS:
        raise ValidationError(f"The reason must be {REASON_MAX_CHARS:,} characters or fewer.")
    return reason


@transaction.atomic
def case_transfer(*, actor: User, case: Case, to_force: Force, reason: str) -> bool:
    """A supervisor sends an open case to `to_force`'s queue, unassigned and with fresh clocks.

    Raises PermissionDenied for anyone but a triage supervisor of the case's force, and
    ValidationError for the same force, a finished or withdrawn case, or no reason. The reason
    is kept as an internal note for the receiving team; the reporter is told only which force
    handles their report now (reports.services.lifecycle.report_transfer).
    """
    case = locked(case)
    if not is_supervisor_of(actor, case.force):
        raise PermissionDenied("Only a triage supervisor of this force can transfer cases.")
    reason = _reason(reason, missing="Enter why the case is being transferred.")
    if to_force.pk == case.force_id:
        raise ValidationError("Select a different force: the case is already in this one.")
    if case.report.status == ReportStatus.WITHDRAWN:
        raise ValidationError("The reporter withdrew this report, so it cannot be transferred.")
    from_force, holder = case.force, case.assignee
    case.transfer(to_force)
    case_event_record(
        actor=actor,
        case=case,
        kind=CaseEvent.Kind.TRANSFERRED,
        detail=f"From {from_force.name} to {to_force.name}: {reason}",
        from_user=holder,
    )
    report_transfer(actor=actor, report=case.report, to_force=to_force)
    CaseNote.objects.create(
        case=case,
        author=actor,
        body=f"Transferred from {from_force.name} to {to_force.name}: {reason}"[:NOTE_MAX_CHARS],
    )
    alert_supervisors(
        case,
        title=f"Case {case.report.reference} was transferred to {to_force.name} from "
        f"{from_force.name}",
    )
    if holder is not None and holder != actor:
        # The case is no longer theirs to open, so the notice leads to their own queue.
        notification_send(
            user=holder,
            kind=Notification.Kind.ALERT,
            title=f"Case {case.report.reference}, which you held, was transferred to "
            f"{to_force.name}",
            link_path=reverse("triage:queue"),
            email=False,
        )
    return True


@transaction.atomic
def case_step_aside(*, actor: User, case: Case, reason: str) -> bool:
    """`actor` knows the person: record the conflict and release the case if they held it.

    Declaring it again changes nothing and returns False. The case may never be claimed by,
    reassigned to or reopened for them afterwards (Case.claim, claim next, Case.reassign,
    Case.reopen), and they cannot work on it as a supervisor either.
    """
    case = locked(case)
    reason = _reason(reason, missing="Enter how you know the person.")
    _conflict, created = CaseConflict.objects.get_or_create(
        case=case, user=actor, defaults={"reason": reason}
    )
    released = case.step_aside(actor)
    if created:
        case_event_record(
            actor=actor,
            case=case,
            kind=CaseEvent.Kind.CONFLICT_DECLARED,
            # Never the reason (how they know the person): it stays on the CaseConflict row,
            # which no page shows, while the history travels with a transferred case.
            detail="Handed back to the queue." if released else "",
            from_user=actor if released else None,
        )
    return created or released
