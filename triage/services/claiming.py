"""Intake and claiming: a submitted report becomes a case; triage claims, hands back and
reassigns cases. Claim next is in docs/decisions/0006-triage-claiming-and-sla.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notification_send
from reports.models import Report
from triage import sla
from triage.models import Case, CaseConflict, CaseEvent, ClaimConflictError
from triage.selectors import (
    claimable_cases_for,
    is_supervisor_of,
    queue_force_ids,
    triagers_of,
)
from triage.services._shared import CLAIM_ATTEMPTS, case_url, locked, require_worker
from triage.services.history import case_event_record

if TYPE_CHECKING:
    from harmsportal.people.models import User


# ---------------------------------------------------------------------------
# Intake: the handler reports.intake calls inside the submit transaction
# ---------------------------------------------------------------------------


@transaction.atomic
def case_open_from_report(report: Report) -> Case:
    """Put a just-submitted report in its force's queue. Calling it again returns the same case.

    Clocks run from the submission time, with the first response due as for high risk until
    someone has assessed the case.
    """
    existing = Case.objects.filter(report=report).first()
    if existing is not None:
        return existing
    submitted_at = report.submitted_at or timezone.now()
    subdivision = report.force.holiday_subdivision
    try:
        with transaction.atomic():
            case = Case.objects.create(
                report=report,
                force_id=report.force_id,
                submitted_at=submitted_at,
                first_response_due=sla.first_response_due(
                    submitted_at, "", subdivision=subdivision
                ),
                next_update_due=sla.next_update_due(submitted_at),
                outcome_due=sla.outcome_due(submitted_at),
            )
    except IntegrityError:
        # Another intake for the same report won the race; the one-case-per-report
        # constraint made sure there is exactly one.
        return Case.objects.get(report=report)
    case.categories.set(report.categories.all())
    _conflicts_of_the_report(case, report)
    case_event_record(actor=report.reporter, case=case, kind=CaseEvent.Kind.OPENED, at=submitted_at)
    return case


def _conflicts_of_the_report(case: Case, report: Report) -> None:
    """Nobody triages their own report, nor one their family link makes or is about.

    A family account reports under the linked member's force, where that member may work in
    triage; the report may not even be shared with them. The same CaseConflict rows as a
    declared conflict keep the case out of their queue, claim next, reassignment and alerts.
    """
    people = {report.reporter_id}
    if report.family_link_id is not None:
        people |= {report.family_link.member_id, report.family_link.family_user_id}
    CaseConflict.objects.bulk_create(
        [
            CaseConflict(
                case=case,
                user_id=user_id,
                source=CaseConflict.Source.REPORT,
                reason="The reporter, or linked to the reporter",
            )
            for user_id in sorted(people - {None})
        ]
    )


# ---------------------------------------------------------------------------
# Claiming
# ---------------------------------------------------------------------------


def case_claim_next(*, actor: User) -> Case | None:
    """Claim the highest-priority, oldest unassigned case in the actor's queues; None if none.

    Two claimers never get the same case. On Postgres it is one statement: an UPDATE of the
    row that SELECT … FOR UPDATE SKIP LOCKED finds at the head of the queue
    (`Case.claim_head_of_queue`), so concurrent claimers each take a different row without
    waiting for one another. SQLite has no row locks: there each attempt is a conditional
    UPDATE … WHERE assignee IS NULL in its own transaction, and a claimer that loses the race
    moves on to the next case.
    """
    if connection.features.has_select_for_update_skip_locked:
        # The claim and its history row are one statement (Case.claim_head_of_queue), atomic
        # on its own: no transaction around it, so no BEGIN and COMMIT round trips either.
        return Case.claim_head_of_queue(
            actor, force_ids=queue_force_ids(actor), detail=CLAIM_NEXT_DETAIL
        )
    return _claim_next_optimistic(actor)


CLAIM_NEXT_DETAIL = "Claim next"


def _record_claim(actor: User, case: Case, *, detail: str = "") -> None:
    case_event_record(
        actor=actor, case=case, kind=CaseEvent.Kind.CLAIMED, detail=detail, to_user=actor
    )


def _claim_next_optimistic(actor: User) -> Case | None:
    for _attempt in range(CLAIM_ATTEMPTS):
        case = claimable_cases_for(actor).first()
        if case is None:
            return None
        try:
            # The UPDATE is the transaction's first statement, so SQLite takes its write lock
            # with a fresh view of the table rather than failing on a stale snapshot.
            with transaction.atomic():
                case.claim(actor)
                _record_claim(actor, case, detail=CLAIM_NEXT_DETAIL)
        except ClaimConflictError:
            continue
        return case
    raise ClaimConflictError(
        "Other people are claiming cases at the same moment. Try again in a few seconds."
    )


@transaction.atomic
def case_claim(*, actor: User, case: Case) -> bool:
    """Claim one particular case. Raises ValidationError if someone else holds it."""
    changed = case.claim(actor)
    if changed:
        _record_claim(actor, case)
    return changed


@transaction.atomic
def case_unclaim(*, actor: User, case: Case) -> bool:
    """Hand the case back to the queue (its assignee, or a supervisor of its force)."""
    case = locked(case)
    if case.assignee_id is not None:
        require_worker(actor, case)
    holder = case.assignee
    changed = case.unclaim()
    if changed:
        case_event_record(actor=actor, case=case, kind=CaseEvent.Kind.UNCLAIMED, from_user=holder)
    return changed


@transaction.atomic
def case_reassign(*, actor: User, case: Case, assignee: User) -> bool:
    """A supervisor gives the case to someone in the force's triage team."""
    case = locked(case)
    if not is_supervisor_of(actor, case.force):
        raise PermissionDenied("Only a triage supervisor of this force can reassign cases.")
    if not triagers_of(case.force).filter(pk=assignee.pk).exists():
        raise ValidationError("Select someone in this force's triage team.")
    holder = case.assignee
    changed = case.reassign(assignee)
    if changed:
        case_event_record(
            actor=actor,
            case=case,
            kind=CaseEvent.Kind.REASSIGNED,
            from_user=holder,
            to_user=assignee,
        )
    if changed and assignee.pk != actor.pk:
        notification_send(
            user=assignee,
            kind=Notification.Kind.ALERT,
            title=f"Case {case.report.reference} has been assigned to you",
            link_path=case_url(case),
        )
    return changed
