"""The demo queue: cases in every state, some breaching, and seeding twice changes nothing."""

from __future__ import annotations

import pytest
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
