"""Two retention runs at once remind and erase each case exactly once (Postgres row locks).

Each run claims an item with a conditional UPDATE that re-checks every condition; on Postgres
a second UPDATE of the same row waits for the first transaction and then sees its result (the
reminder time set, or the row gone), so it changes nothing and the run moves on.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from harmsportal.notifications.models import Notification
from privacy.models import ErasureRecord
from privacy.services import retention
from privacy.services.retention import case_erase, retention_run
from reports.models import Report
from tests.triage.factories import bulk_open_cases, reporter_in
from triage.models import Case, CaseStatus

DAYS = 400
NOTICE = 30

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=(
            "SQLite serialises every write to the whole file, so two runs cannot overlap; the "
            "row locks the claims rely on are tested on Postgres, as CI does"
        ),
    ),
]


@pytest.fixture(autouse=True)
def _periods(settings, tmp_path):
    settings.HARMSPORTAL_RETENTION_CASE_DAYS = DAYS
    settings.HARMSPORTAL_RETENTION_NOTICE_DAYS = NOTICE
    settings.MEDIA_ROOT = tmp_path / "private"


def closed_cases(count: int, *, closed_days_ago: int, reminded_days_ago: int | None = None):
    reporter = reporter_in()
    cases = bulk_open_cases(count, reporter=reporter)
    now = timezone.now()
    reminded = now - timedelta(days=reminded_days_ago) if reminded_days_ago is not None else None
    Case.objects.filter(pk__in=[case.pk for case in cases]).update(
        status=CaseStatus.CLOSED,
        closed_at=now - timedelta(days=closed_days_ago),
        close_reason="after_outcome",
        retention_reminded_at=reminded,
    )
    return reporter, cases


def in_threads(*targets):
    """Run each target in its own thread (its own connection), all released at once."""
    start = threading.Barrier(len(targets))
    results: list = [None] * len(targets)
    failures: list[BaseException] = []

    def wrap(index, target):
        try:
            start.wait()
            results[index] = target()
        except BaseException as exc:  # surfaced below, in the test's own thread
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrap, args=(n, t)) for n, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    return results


def test_two_runs_at_once_remind_each_reporter_once():
    reporter, _ = closed_cases(40, closed_days_ago=DAYS)

    first, second = in_threads(retention_run, retention_run)

    assert first.errors == second.errors == []
    assert first.reminded_cases + second.reminded_cases == 40
    reminders = Notification.objects.filter(user=reporter, title__startswith="We will delete")
    assert reminders.count() == 40


def test_two_runs_at_once_erase_each_case_once():
    _, cases = closed_cases(40, closed_days_ago=DAYS + 1, reminded_days_ago=NOTICE + 1)

    first, second = in_threads(retention_run, retention_run)

    assert first.errors == second.errors == []
    assert first.erased_cases + second.erased_cases == 40
    assert ErasureRecord.objects.count() == 40
    assert not Case.objects.filter(pk__in=[case.pk for case in cases]).exists()
    assert not Report.objects.filter(pk__in=[case.report_id for case in cases]).exists()


def test_a_second_claim_waits_for_the_first_and_then_finds_nothing(monkeypatch):
    _, [case] = closed_cases(1, closed_days_ago=DAYS + 1, reminded_days_ago=NOTICE + 1)
    claimed = threading.Event()
    pointing = retention.notifications_pointing_at

    def slow_after_claiming(*public_ids, **named):
        # The first erasure holds its claim (the row lock) while the second tries to claim.
        if not claimed.is_set():
            claimed.set()
            time.sleep(1.0)
        return pointing(*public_ids, **named)

    monkeypatch.setattr(retention, "notifications_pointing_at", slow_after_claiming)

    def second():
        claimed.wait(timeout=10)
        started = time.monotonic()
        return case_erase(case_id=case.pk), time.monotonic() - started

    first_record, (second_record, waited) = in_threads(lambda: case_erase(case_id=case.pk), second)

    assert first_record is not None
    assert second_record is None
    assert waited > 0.5  # it waited on the first run's row lock rather than erasing beside it
    assert ErasureRecord.objects.count() == 1


def _in_flight(change, done: threading.Event):
    """`change()` in a transaction that stays open (holding the case's row lock) for a second
    after it is made: an erasure claimed meanwhile must wait for it and then see it."""
    from django.db import transaction

    def run():
        with transaction.atomic():
            change()
            done.set()
            time.sleep(1.0)
        return True

    return run


def _erase_after(done: threading.Event, case: Case):
    def run():
        done.wait(timeout=10)
        return case_erase(case_id=case.pk)

    return run


def test_a_hold_placed_while_an_erasure_is_claimed_keeps_the_case():
    from harmsportal.people.models import Role, User
    from tests.factories import make_person
    from triage.services.legal_hold import case_legal_hold_place

    _, [case] = closed_cases(1, closed_days_ago=DAYS + 1, reminded_days_ago=NOTICE + 1)
    supervisor = make_person(Role.TRIAGE_SUPERVISOR, kind=User.Kind.STAFF)
    held = threading.Event()
    place = _in_flight(
        lambda: case_legal_hold_place(actor=supervisor, case=case, reason="Court order"), held
    )

    _, record = in_threads(place, _erase_after(held, case))

    assert record is None
    assert Case.objects.get(pk=case.pk).legal_hold_since is not None
    assert Report.objects.filter(pk=case.report_id).exists()
    assert not ErasureRecord.objects.exists()


def test_a_case_reopened_while_an_erasure_is_claimed_is_kept():
    from tests.triage.factories import ClosedCaseFactory
    from triage.services.working import case_reopen

    case = ClosedCaseFactory()  # closed properly: its report has an outcome, so it can reopen
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(
        closed_at=now - timedelta(days=DAYS + 1),
        retention_reminded_at=now - timedelta(days=NOTICE + 1),
    )
    case = Case.objects.get(pk=case.pk)
    triager = case.assignee
    reopened = threading.Event()
    reopen = _in_flight(
        lambda: case_reopen(actor=triager, case=case, reason="New evidence"), reopened
    )

    _, record = in_threads(reopen, _erase_after(reopened, case))

    assert record is None
    assert Case.objects.get(pk=case.pk).status != CaseStatus.CLOSED
    assert not ErasureRecord.objects.exists()
