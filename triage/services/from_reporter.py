"""What the reporter does after sending reaches the case: a withdrawal, a message, evidence.

Both handlers are registered with `reports.intake` in `TriageConfig.ready()` and run inside
the reporter's own transaction (docs/decisions/0002-report-intake-seam.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from reports.intake import WROTE_EVIDENCE
from reports.models import Report
from triage.models import Case, CaseEvent
from triage.selectors import supervisors_of
from triage.services._shared import locked, tell_staff
from triage.services.history import case_event_record

if TYPE_CHECKING:
    from harmsportal.people.models import User


def _case_of(report: Report) -> Case | None:
    case = Case.objects.filter(report=report).only("pk").first()
    return locked(case) if case is not None else None


@transaction.atomic
def case_close_withdrawn(report: Report, *, actor: User) -> Case | None:
    """The reporter withdrew the report: close its case with that reason, whatever its state.

    Its clocks stop and it leaves the open queue, so claim next never hands it out and the
    breach task never escalates it again. Whoever holds it is told, by case reference only.
    Called before the report's own row changes, so the case row is locked first, in the same
    order as every triage service (case, then report). Calling it again changes nothing.
    """
    case = _case_of(report)
    if case is None:
        return None
    if not case.close(report_withdrawn=True):
        return case
    case_event_record(actor=actor, case=case, kind=CaseEvent.Kind.WITHDRAWN)
    if case.assignee_id is not None:
        tell_staff(
            case.assignee,
            case,
            title=f"Case {report.reference} was withdrawn by the reporter and is closed",
        )
    return case


@transaction.atomic
def case_reporter_wrote(report: Report, *, actor: User, what: str) -> Case | None:
    """The reporter sent a message or added evidence: mark the case unread and tell its holder.

    With nobody holding the case, the force's queue shows the marker to everyone and the
    supervisors are told. A case with an outcome comes back to the team's attention
    ("Reporter replied"). The notification names the case, never what was written.
    """
    case = _case_of(report)
    if case is None:
        return None
    if not case.reporter_wrote():
        return case
    evidence = what == WROTE_EVIDENCE
    case_event_record(
        actor=actor,
        case=case,
        kind=CaseEvent.Kind.EVIDENCE_ADDED if evidence else CaseEvent.Kind.REPORTER_MESSAGED,
    )
    title = (
        f"The reporter added evidence to case {report.reference}"
        if evidence
        else f"The reporter sent a message on case {report.reference}"
    )
    people = (
        [case.assignee]
        if case.assignee_id is not None
        else list(supervisors_of(case.force, case=case))
    )
    for person in people:
        tell_staff(person, case, title=title)
    return case
