"""Demo cases for `manage.py seed_demo`: West Yorkshire's queue in every state, some breaching.

reports.demo has already sent its reports, at the times their stories say, and the intake has
put each in the queue as a new case. Here each case is received when its report was sent (its
queue time and clocks follow), so triage's "received" matches the reporter's "sent on", and
it is worked through the real services as far as its story goes. Seeding again changes
nothing: a case is only moved while its time differs from its report's, and only worked while
it is still new.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from harmsportal.people.models import User
from reports.models import Report
from triage import sla
from triage.models import Case, CaseAction, CaseEvent, CaseStatus
from triage.services.breaches import cases_flag_breaches
from triage.services.claiming import case_claim, case_open_from_report
from triage.services.working import (
    case_action_record,
    case_assess,
    case_message_send,
    case_note_add,
    case_outcome_give,
)


@dataclass(frozen=True)
class DemoCase:
    report_key: str
    state: str  # new, claimed, assessed, action_under_way, outcome_given
    risk: str = ""
    recording: str = "non_crime_incident"
    actions: tuple[tuple[str, str], ...] = ()
    message: str = ""
    note: str = ""
    outcome: tuple[str, str] | None = None


DEMO_CASES: tuple[DemoCase, ...] = (
    DemoCase(
        # Nobody has picked it up for two days: its first response is overdue.
        report_key="demo-officer-child",
        state="new",
    ),
    DemoCase(
        # Just arrived.
        report_key="demo-staff-pile-on",
        state="new",
    ),
    DemoCase(
        report_key="demo-officer-doxxing",
        state="action_under_way",
        risk="high",
        recording="crime",
        actions=(
            ("safeguarding_advice", "Advised on home security and a marker on the address."),
            ("takedown_requested", "Asked X and Facebook to remove the posts with the street."),
        ),
        message=(
            "Thank you for telling us. We have asked both platforms to take the posts down and "
            "put a marker on your address. We will update you within a fortnight."
        ),
        note="Neighbourhood team asked to pass the address at the start of each late shift.",
    ),
    DemoCase(
        # Assessed but nobody has written to the family member in 16 days: two clocks breached.
        report_key="demo-family-harassment",
        state="assessed",
        risk="medium",
        note="Numbers checked: all pay-as-you-go, no subscriber details.",
    ),
    DemoCase(
        report_key="demo-officer-impersonation",
        state="outcome_given",
        risk="low",
        recording="no_recording",
        actions=(("takedown_requested", "Reported the account to Instagram as impersonation."),),
        outcome=(
            "takedown",
            "We reported the fake account to Instagram as impersonation and it has now been "
            "removed. If another one appears, send us the link through Harms Portal and we will "
            "ask for it to come down again.",
        ),
    ),
)


def _receive_when_sent(case: Case) -> Case:
    """Start a just-opened case, its clocks and its history from its report's sending time,
    which reports.demo has moved back after the intake opened the case (demo data only)."""
    received = case.report.submitted_at
    if case.submitted_at == received:
        return case  # already moved on an earlier run
    case.events.filter(kind=CaseEvent.Kind.OPENED).update(at=received)
    Case.objects.filter(pk=case.pk).update(
        submitted_at=received,
        created_at=received,
        first_response_due=sla.first_response_due(
            received, case.risk, subdivision=case.force.holiday_subdivision
        ),
        next_update_due=sla.next_update_due(received),
        outcome_due=sla.outcome_due(received),
    )
    return Case.objects.select_related("report", "force").get(pk=case.pk)


def _work(case: Case, spec: DemoCase, triager: User) -> None:
    if spec.state == CaseStatus.NEW:
        return
    case_claim(actor=triager, case=case)
    if spec.state == CaseStatus.CLAIMED:
        return
    case_assess(
        actor=triager,
        case=case,
        risk=spec.risk,
        categories=case.report.categories.all(),
        recording_decision=spec.recording,
    )
    if spec.note:
        case_note_add(actor=triager, case=case, body=spec.note)
    for kind, note in spec.actions:
        case_action_record(actor=triager, case=case, kind=CaseAction.Kind(kind), note=note)
    if spec.message:
        case_message_send(actor=triager, case=case, body=spec.message)
    if spec.outcome is not None:
        category, explanation = spec.outcome
        case_outcome_give(actor=triager, case=case, category=category, explanation=explanation)


@transaction.atomic
def seed(accounts: dict[str, User]) -> None:
    """Work the demo reports' cases into their states; flag and escalate the breaches."""
    triager = accounts.get("triage")
    if triager is None:
        return
    for spec in DEMO_CASES:
        report = Report.objects.filter(demo_key=spec.report_key).first()
        if report is None:
            continue
        case = case_open_from_report(report)
        if case.status != CaseStatus.NEW or case.assignee_id is not None:
            continue  # worked on an earlier run (or by someone trying the demo)
        case = _receive_when_sent(Case.objects.select_related("report", "force").get(pk=case.pk))
        _work(case, spec, triager)
    cases_flag_breaches()
