"""A missed deadline stays on the record as "Met late" after the clocks stop, in the badge, the
queue's filter and the SQL the supervisor view and trends share."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from reports.services.lifecycle import report_withdraw
from tests.triage.factories import AssessedCaseFactory, CaseFactory, ClaimedCaseFactory
from triage.models import Case
from triage.selectors import sla_state_q
from triage.services.working import (
    case_close,
    case_message_send,
    case_outcome_give,
)

pytestmark = pytest.mark.django_db

START = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Europe/London"))  # a Monday


def at(delta: timedelta):
    return time_machine.travel(START + delta, tick=False)


def state(case: Case, delta: timedelta) -> str:
    stored = Case.objects.get(pk=case.pk)
    with at(delta):
        key = stored.sla_state().key
        # The database agrees with the badge, for every state the filter offers.
        now = START + delta
        matching = [
            name
            for name in ("breached", "due_soon", "met_late", "on_time")
            if Case.objects.filter(pk=case.pk).filter(sla_state_q(name, now)).exists()
        ]
    assert matching == ([key] if key != "stopped" else []), (key, matching)
    return key


def test_a_late_first_response_stays_met_late_after_the_message_and_the_outcome():
    with at(timedelta()):
        case = AssessedCaseFactory(risk="high")  # first response due in 24 hours
    assert state(case, timedelta(hours=2)) == "due_soon"
    assert state(case, timedelta(hours=25)) == "breached"
    with at(timedelta(hours=30)):
        case_message_send(actor=case.assignee, case=case, body="Sorry for the wait.")
    # Today's bug: this turned into "On time" once the message was sent.
    assert state(case, timedelta(hours=31)) == "met_late"
    stored = Case.objects.get(pk=case.pk)
    with at(timedelta(hours=31)):
        assert stored.sla_state().clock.label == "First response"
    with at(timedelta(days=3)):
        case_outcome_give(
            actor=case.assignee, case=case, category="advice", explanation="Advice given."
        )
    assert state(case, timedelta(days=4)) == "met_late"
    with at(timedelta(days=5)):
        case_close(actor=case.assignee, case=case)
    assert state(case, timedelta(days=6)) == "met_late"


def test_a_response_in_time_ends_with_the_clocks_stopped():
    with at(timedelta()):
        case = AssessedCaseFactory(risk="high")
    with at(timedelta(hours=3)):
        case_message_send(actor=case.assignee, case=case, body="We have your report.")
        case_outcome_give(
            actor=case.assignee, case=case, category="advice", explanation="Advice given."
        )
    assert state(case, timedelta(hours=4)) == "stopped"


def test_a_late_update_stays_met_late_though_the_update_clock_restarts():
    with at(timedelta()):
        case = AssessedCaseFactory(risk="low")
    with at(timedelta(hours=1)):
        case_message_send(actor=case.assignee, case=case, body="We have your report.")
    assert state(case, timedelta(days=10)) == "on_time"
    # The update fell due 14 days after the first message; it went out a day late.
    with at(timedelta(days=15, hours=1)):
        case_message_send(actor=case.assignee, case=case, body="An update, late.")
    assert state(case, timedelta(days=16)) == "met_late"
    stored = Case.objects.get(pk=case.pk)
    assert stored.next_update_due > START + timedelta(days=28)  # the clock restarted
    with at(timedelta(days=16)):
        assert stored.sla_state().clock.label == "Update to the reporter"


def test_a_deadline_missed_before_a_withdrawal_stays_visible_on_the_closed_case():
    with at(timedelta()):
        case = ClaimedCaseFactory()  # unassessed: first response due in 24 hours
    with at(timedelta(days=2)):
        report_withdraw(actor=case.report.reporter, report=case.report)
    assert state(case, timedelta(days=3)) == "met_late"


def test_a_case_withdrawn_in_time_has_its_clocks_stopped():
    with at(timedelta()):
        case = CaseFactory()
    with at(timedelta(hours=2)):
        report_withdraw(actor=case.report.reporter, report=case.report)
    assert state(case, timedelta(days=30)) == "stopped"


def test_the_queue_tags_and_filters_a_met_late_case(client, triager):
    with at(timedelta()):
        late = AssessedCaseFactory(risk="high", assignee=triager)
        prompt = AssessedCaseFactory(risk="high", assignee=triager)
    with at(timedelta(hours=1)):
        case_message_send(actor=triager, case=prompt, body="We have your report.")
    with at(timedelta(hours=30)):
        case_message_send(actor=triager, case=late, body="Sorry for the wait.")
    client.force_login(triager)
    with at(timedelta(hours=31)):
        met_late = client.get("/triage/", {"sla": "met_late"}).content.decode()
        on_time = client.get("/triage/", {"sla": "on_time"}).content.decode()
        page = client.get(f"/triage/cases/{late.public_id}/").content.decode()
    assert late.report.reference in met_late
    assert prompt.report.reference not in met_late
    assert prompt.report.reference in on_time
    assert late.report.reference not in on_time
    clocks = page.split('id="clocks"', 1)[0].rsplit("Service clocks", 1)[1]
    assert "Met late" in clocks
    assert "First response" in clocks
