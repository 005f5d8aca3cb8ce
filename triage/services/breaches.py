"""Breaches: flagged by the beat task, escalated to the force's supervisors once per breach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from triage import sla
from triage.models import OPEN_STATUSES, Case, CaseEvent
from triage.services._shared import alert_supervisors
from triage.services.history import case_event_record


@dataclass(frozen=True)
class _ClockFields:
    due: str
    breached: str
    escalated: str
    running: dict


CLOCK_FIELDS = {
    "first_response": _ClockFields(
        "first_response_due",
        "first_response_breached_at",
        "first_response_escalated_at",
        {"first_responded_at__isnull": True},
    ),
    "update": _ClockFields("next_update_due", "update_breached_at", "update_escalated_at", {}),
    "outcome": _ClockFields("outcome_due", "outcome_breached_at", "outcome_escalated_at", {}),
}


def _overdue(clock: str, now: datetime):
    fields = CLOCK_FIELDS[clock]
    return Case.objects.filter(
        status__in=OPEN_STATUSES, **fields.running, **{f"{fields.due}__lt": now}
    )


def cases_flag_breaches(*, now: datetime | None = None) -> int:
    """Flag every newly breached clock and escalate each breach once; return escalations sent.

    Safe to run on every beat and concurrently: flags are set by conditional UPDATEs, and each
    escalation first claims its `*_escalated_at` column, so a breach is escalated exactly once.
    """
    now = now or timezone.now()
    escalated = 0
    for clock, fields in CLOCK_FIELDS.items():
        _overdue(clock, now).filter(**{fields.breached: None}).update(**{fields.breached: now})
        pending = (
            _overdue(clock, now)
            .filter(**{f"{fields.breached}__isnull": False, fields.escalated: None})
            .values_list("pk", flat=True)
        )
        for case_id in list(pending):
            escalated += case_breach_escalate(case_id=case_id, clock=clock, now=now)
    return escalated


@transaction.atomic
def case_breach_escalate(*, case_id: int, clock: str, now: datetime | None = None) -> bool:
    """Tell the force's supervisors about one breach, unless someone already has.

    Only while the case is open: a case closed since the breach was found (the reporter
    withdrew, say) is never escalated.
    """
    now = now or timezone.now()
    fields = CLOCK_FIELDS[clock]
    won = Case.objects.filter(
        pk=case_id, status__in=OPEN_STATUSES, **{fields.escalated: None}
    ).update(**{fields.escalated: now})
    if not won:
        return False
    case = Case.objects.select_related("report", "force").get(pk=case_id)
    label = sla.CLOCK_LABELS[clock]
    alert_supervisors(case, title=f"{label} overdue on case {case.report.reference}")
    case_event_record(actor=None, case=case, kind=CaseEvent.Kind.ESCALATED, detail=label, at=now)
    return True
