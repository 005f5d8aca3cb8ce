"""A real prefork worker keeps its database connection between tasks, and recovers a cut one.

Celery's Django fixup closes every connection around every task; the portal turns that down
(CELERY_DB_REUSE_MAX) and closes them as Django does around a request instead
(harmsportal/celery.py): past DATABASE_CONN_MAX_AGE, after an error, or left in a
transaction. A connection cut while the worker is idle (a database failover,
pg_terminate_backend) is found by the health check at the next task's first query, which
then reconnects and delivers: no task fails and nothing waits for the relay.
"""

from __future__ import annotations

import pytest
from django.db import connection

from harmsportal.notifications.models import Notification
from tests.notifications.factories import NotificationFactory
from tests.resilience.procs import Processes, missing_binaries, subprocess_database_url, wait_until

DELIVER = "harmsportal.notifications.tasks.notification_deliver_task"

against_a_worker = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def procs(tmp_path, transactional_db):
    missing = missing_binaries()
    if missing:
        pytest.skip(f"needs {', '.join(missing)} installed (CI installs them)")
    database_url = subprocess_database_url()
    if database_url is None:
        pytest.skip("needs PostgreSQL: the worker must see the test's committed rows")
    processes = Processes(folder=tmp_path, database_url=database_url)
    try:
        yield processes
    finally:
        processes.close()


def _worker_backends() -> set[int]:
    """Server processes connected to the test database, other than this test's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return {pid for (pid,) in cursor.fetchall()}


def _deliver(procs: Processes, redis, count: int) -> list[Notification]:
    notifications = NotificationFactory.create_batch(count)
    procs.publish(redis, DELIVER, *([str(n.pk)] for n in notifications))
    sent = Notification.objects.filter(
        pk__in=[n.pk for n in notifications], email_status=Notification.EmailStatus.SENT
    )
    wait_until(
        lambda: sent.count() == count, what=f"{count} deliveries\n{procs.logs()}", timeout=30
    )
    return notifications


@against_a_worker
def test_a_worker_delivers_on_the_same_database_connection_task_after_task(procs):
    redis = procs.redis()
    # One pool child, no beat: every delivery below is a task of that one process.
    procs.worker(redis, concurrency=1, beat=False)

    _deliver(procs, redis, 5)
    after_first = _worker_backends()
    _deliver(procs, redis, 5)

    assert len(after_first) == 1
    assert _worker_backends() == after_first


@against_a_worker
def test_a_worker_whose_connection_was_cut_while_idle_reconnects_and_delivers(procs):
    redis = procs.redis()
    # No beat, so no relay: the tasks themselves must deliver.
    procs.worker(redis, concurrency=1, beat=False)
    before = _deliver(procs, redis, 3)
    cut = _worker_backends()
    with connection.cursor() as cursor:
        for pid in cut:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

    after = _deliver(procs, redis, 3)

    assert cut
    assert _worker_backends().isdisjoint(cut)
    # Each once: the cut cost no email and sent none twice.
    assert sorted(email["to"] for email in procs.sent_emails()) == sorted(
        [n.to_email] for n in before + after
    )
