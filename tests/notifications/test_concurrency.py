"""Two deliverers racing for the same emails send each one exactly once (real Postgres rows)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection, connections

from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notification_deliver, notifications_relay
from tests.notifications.factories import NotificationFactory

# serialized_rollback: the flush after each test must not re-run post_migrate, or the next
# transactional test that restores the migrated data (forces, content types) would collide.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so it cannot show a race "
        "(set DATABASE_URL=postgres://…; CI runs it)",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def run_together(target: Callable[[], int], threads: int = 2) -> list[int]:
    """Run `target` in `threads` threads released at the same instant, each with its own
    database connection; return what each returned, and fail on any thread's exception."""
    barrier = threading.Barrier(threads)
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            result = target()
            with lock:
                results.append(result)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()  # this thread's connection, or the test database lingers

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not any(worker.is_alive() for worker in workers), "a deliverer hung"
    assert errors == []
    return results


def test_two_relays_at_once_send_one_email_once(counting_mail):
    counting_mail.reset(delay=0.05)
    notification = NotificationFactory()

    results = run_together(notifications_relay)

    assert sorted(results) == [0, 1]
    assert [m.to for m in counting_mail.sent] == [[notification.to_email]]
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENT


def test_two_deliverers_of_the_same_notification_send_it_once(counting_mail):
    counting_mail.reset(delay=0.05)
    notification = NotificationFactory()

    results = run_together(lambda: notification_deliver(notification.pk))

    assert sorted(results) == [False, True]
    assert len(counting_mail.sent) == 1


def test_two_relays_over_fifty_emails_send_each_exactly_once(counting_mail):
    counting_mail.reset(delay=0.002)
    notifications = NotificationFactory.create_batch(50)

    results = run_together(notifications_relay)

    assert sum(results) == 50
    sends = Counter(m.to[0] for m in counting_mail.sent)
    assert sends == Counter(n.to_email for n in notifications)
    assert set(sends.values()) == {1}
    assert (
        Notification.objects.filter(email_status=Notification.EmailStatus.SENT)
        .exclude(sent_at=None)
        .count()
        == 50
    )


def test_many_relays_over_many_emails_still_send_each_exactly_once(counting_mail):
    notifications = NotificationFactory.create_batch(120)

    results = run_together(notifications_relay, threads=6)

    assert sum(results) == 120
    assert sorted(m.to[0] for m in counting_mail.sent) == sorted(n.to_email for n in notifications)
    assert Notification.objects.filter(email_status=Notification.EmailStatus.PENDING).count() == 0
