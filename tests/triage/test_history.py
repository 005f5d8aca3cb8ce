"""Case history: every write to a case leaves a CaseEvent, and the case page lists them all."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from reports.intake import WROTE_EVIDENCE, intake_reporter_wrote
from reports.services.conversation import report_message_send
from reports.services.lifecycle import report_withdraw
from tests.triage.factories import AssessedCaseFactory, CaseFactory, triager_in
from triage.models import Case, CaseAction, CaseEvent
from triage.services.breaches import cases_flag_breaches
from triage.services.claiming import case_claim, case_claim_next, case_reassign, case_unclaim
from triage.services.history import case_event_record
from triage.services.working import (
    case_action_record,
    case_assess,
    case_close,
    case_message_send,
    case_note_add,
    case_outcome_give,
    case_reopen,
)

pytestmark = pytest.mark.django_db

Kind = CaseEvent.Kind


def kinds(case: Case) -> list[str]:
    return list(case.events.order_by("at", "id").values_list("kind", flat=True))


def test_every_write_to_a_case_is_in_its_history_and_on_its_page(
    client, triager, triage_supervisor
):
    colleague = triager_in(full_name="Col League")
    case = CaseFactory()
    reporter = case.report.reporter

    case_claim_next(actor=triager)
    case_unclaim(actor=triager, case=case)
    case_claim(actor=triager, case=Case.objects.get(pk=case.pk))
    case_reassign(actor=triage_supervisor, case=case, assignee=colleague)
    case_unclaim(actor=triage_supervisor, case=case)
    case_claim(actor=triager, case=Case.objects.get(pk=case.pk))
    case_assess(
        actor=triager,
        case=case,
        risk="medium",
        categories=case.categories.all(),
        recording_decision="non_crime_incident",
    )
    case_action_record(actor=triager, case=case, kind=CaseAction.Kind.SAFEGUARDING_ADVICE)
    case_note_add(actor=triager, case=case, body="Spoke to the neighbourhood team.")
    case_message_send(actor=triager, case=case, body="Are you safe at home tonight?")
    report_message_send(actor=reporter, report=case.report, body="Yes, thank you.")
    intake_reporter_wrote(case.report, actor=reporter, what=WROTE_EVIDENCE)
    case_outcome_give(
        actor=triager, case=case, category="advice", explanation="We gave you advice."
    )
    case_close(actor=triager, case=case)
    case_reopen(actor=triager, case=case, reason="The reporter asked for more help.")
    # Forty days on, the reopened case's clocks are past due; then the reporter withdraws.
    with time_machine.travel(timezone.now() + timedelta(days=40)):
        cases_flag_breaches()
        report_withdraw(actor=reporter, report=case.report, reason="")

        assert kinds(case) == [
            Kind.OPENED,
            Kind.CLAIMED,
            Kind.UNCLAIMED,
            Kind.CLAIMED,
            Kind.REASSIGNED,
            Kind.UNCLAIMED,
            Kind.CLAIMED,
            Kind.ASSESSED,
            Kind.ACTION_RECORDED,  # support offered: the reporter asked for it (decision 0008)
            Kind.ACTION_RECORDED,
            Kind.NOTE_ADDED,
            Kind.MESSAGE_SENT,
            Kind.REPORTER_MESSAGED,
            Kind.EVIDENCE_ADDED,
            Kind.OUTCOME_GIVEN,
            Kind.CLOSED,
            Kind.REOPENED,
            Kind.ESCALATED,
            Kind.ESCALATED,
            Kind.WITHDRAWN,
        ]

        client.force_login(triager)
        page = client.get(f"/triage/cases/{case.public_id}/").content.decode()
        history = page.split('id="case-history"', 1)[1].split("</ol>", 1)[0]
        for label in (
            "Report received",
            "Claimed",
            "Handed back to the queue",
            "Reassigned",
            "Risk assessed",
            "Action recorded",
            "Internal note added",
            "Message sent to the reporter",
            "Message from the reporter",
            "Reporter added evidence",
            "Outcome given",
            "Closed",
            "Reopened",
            "Missed deadline escalated to supervisors",
            "Withdrawn by the reporter",
        ):
            assert f">{label}</h3>" in history, label
        # Newest first; who, in words; the why where there is one.
        assert history.index("Withdrawn by the reporter") < history.index("Report received")
        assert "From Tri Ager to Col League" in history
        assert "Taken from Col League" in history
        assert "The reporter asked for more help." in history
        assert "Risk: Medium." in history
        assert "Harms Portal" in history  # the breach task
        # The history names that a note and messages were written, never their words.
        assert "Spoke to the neighbourhood team" not in history
        assert "Are you safe at home tonight" not in history
        assert "Yes, thank you" not in history


def test_reassign_and_unclaim_keep_who_held_the_case(triager, triage_supervisor):
    colleague = triager_in(full_name="Col League")
    case = AssessedCaseFactory(assignee=triager)
    case_reassign(actor=triage_supervisor, case=case, assignee=colleague)
    case_unclaim(actor=triage_supervisor, case=case)

    reassigned, unclaimed = case.events.filter(kind__in=[Kind.REASSIGNED, Kind.UNCLAIMED])
    assert (reassigned.actor, reassigned.from_user, reassigned.to_user) == (
        triage_supervisor,
        triager,
        colleague,
    )
    assert (unclaimed.actor, unclaimed.from_user) == (triage_supervisor, colleague)


def test_a_write_that_changes_nothing_adds_nothing_to_the_history(triager):
    case = AssessedCaseFactory(assignee=triager)
    before = kinds(case)
    case_claim(actor=triager, case=case)  # already theirs
    case_assess(
        actor=triager,
        case=case,
        risk="medium",
        categories=case.categories.all(),
        recording_decision="non_crime_incident",
    )  # the same assessment again
    assert kinds(case) == before


def test_a_refused_write_leaves_no_event(triager, other_force_triager):
    case = CaseFactory()
    with pytest.raises(Exception, match="Claim this case"):
        case_assess(
            actor=triager,
            case=case,
            risk="low",
            categories=case.categories.all(),
            recording_decision="no_recording",
        )
    assert kinds(case) == [Kind.OPENED]


def test_the_history_refuses_an_unknown_kind_and_keeps_details_short(triager):
    case = CaseFactory()
    with pytest.raises(ValueError, match="unknown case event kind"):
        case_event_record(actor=triager, case=case, kind="teleported")
    event = case_event_record(
        actor=triager, case=case, kind=Kind.TRANSFERRED, detail="To North Yorkshire " * 40
    )
    assert len(event.detail) == 300
