"""The demo queue: cases in every state, some breaching, and seeding twice changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from harmsportal.notifications.models import Notification
from harmsportal.people.demo import seed_accounts
from reports import demo as reports_demo
from triage import demo as triage_demo
from triage.models import Case, CaseAction, CaseNote
from triage.selectors import breached_q

pytestmark = pytest.mark.django_db


def _seed() -> dict:
    accounts = seed_accounts("demo-harms-portal-2026")
    reports_demo.seed(accounts)
    triage_demo.seed(accounts)
    return accounts


def _state() -> tuple:
    return (
        sorted(Case.objects.values_list("report__demo_key", "status", "submitted_at")),
        CaseAction.objects.count(),
        CaseNote.objects.count(),
        Notification.objects.count(),
    )


def test_the_demo_queue_has_cases_in_varied_states_some_breaching():
    accounts = _seed()
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"new", "assessed", "action_under_way", "outcome_given"} <= statuses
    breached = Case.objects.filter(breached_q(timezone.now()))
    assert breached.count() >= 2
    supervisor_alerts = Notification.objects.filter(user=accounts["supervisor"], kind="alert")
    assert supervisor_alerts.exists()
    outcome = Case.objects.get(status="outcome_given").report
    assert outcome.reporter == accounts["officer"]
    assert outcome.outcome_explanation


def test_seeding_the_demo_twice_changes_nothing():
    _seed()
    before = _state()
    _seed()
    assert _state() == before


def test_each_demo_case_is_received_when_its_report_was_sent():
    _seed()
    for case in Case.objects.select_related("report"):
        report = case.report
        assert case.submitted_at == report.submitted_at, report.demo_key
        assert {e.at for e in case.events.filter(kind="opened")} <= {report.submitted_at}
        assert report.status_events.get(status="submitted").at == report.submitted_at
        assert report.created_at < report.submitted_at
        if report.started_on is not None:
            assert report.started_on <= timezone.localdate(report.submitted_at), report.demo_key
        acknowledgement = Notification.objects.get(
            user=report.reporter, kind="acknowledgement", link_path__contains=report.public_id
        )
        assert acknowledgement.created_at == report.submitted_at


def test_the_reporter_and_the_triager_read_the_same_sending_day(client, settings):
    settings.HARMSPORTAL_REQUIRE_STAFF_MFA = False  # as in the demo (make run)
    accounts = _seed()
    case = Case.objects.select_related("report").get(report__demo_key="demo-officer-doxxing")
    day = timezone.localtime(case.submitted_at)
    assert day.date() < timezone.localdate()  # sent days ago, not when seeded

    client.force_login(accounts["officer"])
    reporter_page = client.get(reverse("reports:detail", args=[case.report.public_id]))
    client.force_login(accounts["triage"])
    triage_page = client.get(reverse("triage:case", args=[case.public_id]))

    assert f"Sent on {day:%-d %B %Y} " in reporter_page.content.decode()
    assert f'<dd class="govuk-summary-list__value">{day:%-d %B %Y} at ' in (
        triage_page.content.decode()
    )
