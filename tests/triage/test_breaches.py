"""Breaches: the beat task flags them and escalates each to the force's supervisors once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from harmsportal.notifications.models import Notification
from harmsportal.people.models import Role, User
from tests.factories import make_person
from tests.triage.factories import AssessedCaseFactory, CaseFactory, ClaimedCaseFactory
from triage.models import Case
from triage.services.breaches import cases_flag_breaches
from triage.services.working import case_message_send
from triage.tasks import triage_flag_breaches_task

pytestmark = pytest.mark.django_db

# A Monday, with no change of summer time in the month after (aware arithmetic is
# wall-clock arithmetic in Europe/London).
START = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Europe/London"))


def alerts_to(person: User) -> list[Notification]:
    return list(Notification.objects.filter(user=person, kind="alert").order_by("created_at"))


def test_a_breach_is_flagged_and_escalated_once_however_often_the_task_runs(triage_supervisor):
    with time_machine.travel(START, tick=False):
        case = CaseFactory()
    later = START + timedelta(hours=25)
    for minutes in (0, 5, 10, 15):
        with time_machine.travel(later + timedelta(minutes=minutes), tick=False):
            triage_flag_breaches_task.delay()
    stored = Case.objects.get(pk=case.pk)
    assert stored.first_response_breached_at == later
    assert stored.first_response_escalated_at == later
    alerts = alerts_to(triage_supervisor)
    assert [alert.title for alert in alerts] == [
        f"First response overdue on case {case.report.reference}"
    ]
    assert alerts[0].link_path == f"/triage/cases/{case.public_id}/"


def test_nothing_is_escalated_before_a_clock_runs_out(triage_supervisor):
    with time_machine.travel(START, tick=False):
        CaseFactory()
    with time_machine.travel(START + timedelta(hours=23), tick=False):
        assert cases_flag_breaches() == 0
    assert alerts_to(triage_supervisor) == []


def test_only_the_cases_own_force_supervisors_hear_about_its_breach(triage_supervisor):
    elsewhere = make_person(
        Role.TRIAGE_SUPERVISOR, force_slug="north-yorkshire", kind=User.Kind.STAFF
    )
    with time_machine.travel(START, tick=False):
        CaseFactory()
    with time_machine.travel(START + timedelta(days=2), tick=False):
        cases_flag_breaches()
    assert len(alerts_to(triage_supervisor)) == 1
    assert alerts_to(elsewhere) == []


def test_a_case_answered_in_time_never_escalates_its_first_response(triage_supervisor, client):
    with time_machine.travel(START, tick=False):
        case = AssessedCaseFactory(risk="high")
        case_message_send(actor=case.assignee, case=case, body="We have your report.")
    with time_machine.travel(START + timedelta(days=3), tick=False):
        cases_flag_breaches()
    stored = Case.objects.get(pk=case.pk)
    assert stored.first_response_breached_at is None
    assert alerts_to(triage_supervisor) == []


def test_each_missed_keep_in_touch_update_is_a_new_breach_escalated_once(triage_supervisor):
    with time_machine.travel(START, tick=False):
        case = ClaimedCaseFactory()
        case_message_send(actor=case.assignee, case=case, body="First reply.")
    first_miss = START + timedelta(days=14, minutes=1)
    with time_machine.travel(first_miss, tick=False):
        cases_flag_breaches()
        case = Case.objects.get(pk=case.pk)
        case_message_send(actor=case.assignee, case=case, body="Still on it.")
        cases_flag_breaches()
    with time_machine.travel(first_miss + timedelta(days=14, minutes=1), tick=False):
        cases_flag_breaches()
        cases_flag_breaches()
    titles = [alert.title for alert in alerts_to(triage_supervisor)]
    update_alerts = [title for title in titles if title.startswith("Update to the reporter")]
    assert len(update_alerts) == 2


def test_the_escalation_email_holds_no_case_details(
    triage_supervisor, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False):
        case = CaseFactory()
    mail.outbox.clear()
    with (
        time_machine.travel(START + timedelta(days=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        cases_flag_breaches()
    assert [email.to for email in mail.outbox] == [[triage_supervisor.email]]
    assert case.report.reference not in mail.outbox[0].body
    assert "Acacia" not in mail.outbox[0].body


def test_the_supervisor_view_lists_breaches_and_each_triagers_workload(
    client, triage_supervisor, triager
):
    with time_machine.travel(START, tick=False):
        late = ClaimedCaseFactory(assignee=triager)
        ClaimedCaseFactory(assignee=triager)
    with time_machine.travel(START + timedelta(hours=30), tick=False):
        on_time = CaseFactory()
        client.force_login(triage_supervisor)
        page = client.get("/triage/supervisor/").content.decode()
    breaches = page.split('id="breaches"', 1)[1].split('id="workload"', 1)[0]
    assert late.report.reference in breaches
    assert on_time.report.reference not in breaches
    workload = page.split('id="workload"', 1)[1]
    row = workload.split(triager.get_full_name(), 1)[1].split("</tr>", 1)[0]
    numbers = [cell.split(">")[-1] for cell in row.split("</td>") if "numeric" in cell]
    assert numbers[0] == "2"  # open cases
    assert "govuk-tag--red" in row  # breached count shown as a red tag
    assert ">2</strong>" in row
