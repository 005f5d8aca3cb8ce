"""The beat task: each due check-in is reminded of once, each missed one flagged once, however
often (or however many at once) the task runs."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection

from harmsportal.notifications.models import Notification
from tests.notifications.test_concurrency import run_together
from tests.triage.factories import OutcomeGivenCaseFactory
from tests.wellbeing.factories import (
    AcceptedReferralFactory,
    AssignedReferralFactory,
    ClosedReferralFactory,
    InSupportReferralFactory,
)
from triage.models import Case, CaseStatus
from triage.services.working import case_close
from wellbeing.models import ReferralEvent, SupportPlan
from wellbeing.services.checkins import checkin_record, checkins_sweep
from wellbeing.tasks import wellbeing_checkins_task

START = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Europe/London"))
DUE = START + timedelta(days=14)

due_title = "Check-in due on referral {}"
missed_title = "Check-in missed on referral {}"


def titles(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user)
        .order_by("created_at", "id")
        .values_list("title", flat=True)
    )


def assigned(**fields):
    with time_machine.travel(START, tick=False):
        return AssignedReferralFactory(**fields)


def sweep_at(moment: datetime) -> dict[str, int]:
    with time_machine.travel(moment, tick=False):
        return checkins_sweep()


def remind_person_in_plan(referral) -> None:
    SupportPlan.objects.create(referral=referral, by=referral.person, remind_person=True)


@pytest.mark.django_db
def test_a_due_checkin_is_reminded_once_however_often_the_task_runs():
    referral = assigned()
    for minutes in (0, 15, 30, 45):
        with time_machine.travel(DUE - timedelta(hours=20, minutes=-minutes), tick=False):
            wellbeing_checkins_task.delay()
    assert titles(referral.champion) == [due_title.format(referral.reference)]
    assert titles(referral.person) == []  # they did not ask to be reminded
    referral.refresh_from_db()
    assert referral.reminded_for == DUE


@pytest.mark.django_db
def test_nothing_is_sent_more_than_a_day_before_the_checkin_is_due():
    referral = assigned()
    assert sweep_at(DUE - timedelta(days=1, minutes=1)) == {
        "reminded": 0,
        "missed": 0,
        "crisis_alerts": 0,
    }
    assert titles(referral.champion) == []


@pytest.mark.django_db
def test_the_person_is_reminded_too_only_when_their_plan_says_so():
    chose = assigned()
    remind_person_in_plan(chose)
    did_not = assigned()
    SupportPlan.objects.create(referral=did_not, by=did_not.person, remind_person=False)
    sweep_at(DUE - timedelta(hours=1))
    sweep_at(DUE - timedelta(minutes=30))
    assert titles(chose.person) == ["Your wellbeing check-in is due soon"]
    assert Notification.objects.get(user=chose.person).link_path == (
        f"/wellbeing/mine/{chose.public_id}/"
    )
    assert titles(did_not.person) == []
    assert titles(chose.champion) == [due_title.format(chose.reference)]
    assert titles(did_not.champion) == [due_title.format(did_not.reference)]


@pytest.mark.django_db
def test_the_reminder_emails_say_nothing_about_the_referral(django_capture_on_commit_callbacks):
    referral = assigned()
    remind_person_in_plan(referral)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sweep_at(DUE - timedelta(hours=2))
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        [referral.champion.email, referral.person.email]
    )
    for email in mail.outbox:
        assert referral.reference not in email.body
        assert "check-in" not in email.subject.lower()


@pytest.mark.django_db
def test_the_next_due_checkin_is_a_new_reminder(champion):
    referral = assigned(champion=champion)
    sweep_at(DUE - timedelta(hours=3))
    with time_machine.travel(DUE, tick=False):
        checkin_record(actor=champion, referral=referral, score=4, in_crisis=False, note="")
    sweep_at(DUE + timedelta(days=13, hours=1))
    sweep_at(DUE + timedelta(days=13, hours=2))
    assert titles(champion) == [due_title.format(referral.reference)] * 2


@pytest.mark.django_db
def test_a_missed_checkin_is_flagged_once_with_its_history():
    referral = assigned()
    sweep_at(DUE + timedelta(hours=23))  # reminded, not yet missed: a day's grace
    for hours in (25, 26, 50):
        sweep_at(DUE + timedelta(hours=hours))
    assert titles(referral.champion) == [
        due_title.format(referral.reference),
        missed_title.format(referral.reference),
    ]
    missed = ReferralEvent.objects.filter(referral=referral, kind="checkin_missed")
    assert missed.count() == 1
    assert missed.get().by is None
    referral.refresh_from_db()
    assert referral.missed_for == DUE
    assert referral.checkin_overdue()


@pytest.mark.django_db
def test_a_long_missed_checkin_found_late_is_reminded_and_flagged_once_each():
    referral = assigned()
    assert sweep_at(DUE + timedelta(days=5)) == {"reminded": 1, "missed": 1, "crisis_alerts": 0}
    assert sweep_at(DUE + timedelta(days=6)) == {"reminded": 0, "missed": 0, "crisis_alerts": 0}
    assert len(titles(referral.champion)) == 2


@pytest.mark.django_db
def test_checkins_carry_on_after_the_case_closes_until_the_referral_closes():
    with time_machine.travel(START, tick=False):
        case = OutcomeGivenCaseFactory()
        referral = InSupportReferralFactory(case=case)
        case_close(actor=case.assignee, case=Case.objects.get(pk=case.pk))
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    sweep_at(DUE - timedelta(hours=1))
    assert titles(referral.champion) == [due_title.format(referral.reference)]


@pytest.mark.django_db
def test_closed_and_unassigned_referrals_are_not_reminded():
    with time_machine.travel(START, tick=False):
        closed = ClosedReferralFactory()
        # Unassigned: nobody holds it yet, so it has no check-ins (and no champion to remind).
        waiting = AcceptedReferralFactory()
    sweep_at(DUE + timedelta(days=30))
    assert titles(closed.champion) == []
    assert not Notification.objects.filter(link_path__contains=str(waiting.public_id)).exists()


def test_the_beat_runs_the_sweep_every_fifteen_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["wellbeing-checkins"]
    assert entry == {"task": "wellbeing.tasks.wellbeing_checkins_task", "schedule": 900.0}


# --- concurrent sweeps, on Postgres -------------------------------------------------------


def _at(moment: datetime):
    def sweep() -> dict[str, int]:
        return checkins_sweep(now=moment)

    return sweep


# serialized_rollback: the flush after the test must not re-run post_migrate (as in
# tests/notifications/test_concurrency.py).
@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, so it cannot show a race "
    "(set DATABASE_URL=postgres://…; CI runs it)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("threads", [2, 6])
def test_concurrent_sweeps_remind_and_flag_each_checkin_once(threads):
    referrals = [assigned() for _ in range(10)]
    for referral in referrals[:5]:
        remind_person_in_plan(referral)

    results = run_together(_at(DUE + timedelta(days=2)), threads=threads)

    assert sum(result["reminded"] for result in results) == 10
    assert sum(result["missed"] for result in results) == 10
    for referral in referrals:
        expected = [due_title.format(referral.reference), missed_title.format(referral.reference)]
        assert sorted(titles(referral.champion)) == sorted(expected)
        assert ReferralEvent.objects.filter(referral=referral, kind="checkin_missed").count() == 1
    for referral in referrals[:5]:
        assert titles(referral.person) == ["Your wellbeing check-in is due soon"]
