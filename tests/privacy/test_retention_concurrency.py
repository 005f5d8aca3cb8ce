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
    pointing = retention._notifications_pointing_at

    def slow_after_claiming(*public_ids):
        # The first erasure holds its claim (the row lock) while the second tries to claim.
        if not claimed.is_set():
            claimed.set()
            time.sleep(1.0)
        return pointing(*public_ids)

    monkeypatch.setattr(retention, "_notifications_pointing_at", slow_after_claiming)

    def second():
        claimed.wait(timeout=10)
        started = time.monotonic()
        return case_erase(case_id=case.pk), time.monotonic() - started

    first_record, (second_record, waited) = in_threads(lambda: case_erase(case_id=case.pk), second)

    assert first_record is not None
    assert second_record is None
    assert waited > 0.5  # it waited on the first run's row lock rather than erasing beside it
    assert ErasureRecord.objects.count() == 1
