"""1,000 notifications queued, then the broker restarted mid-delivery: all delivered, none twice.

A worker is working through 1,000 queued delivery tasks when Redis restarts. Without
persistence the queue is simply gone (the rows in the outbox are not: the relay finds every
pending one); with an append-only file the queue comes back, including the tasks that were
taken but never acknowledged, which Redis hands out again after the visibility timeout and
which then find their rows already sent. The worker usually reconnects by itself; when it
dies instead (a Celery/kombu failure on acknowledgements cut off by the restart), it is
started again as its supervisor would (`Processes.supervised`), and nothing is lost either way.
"""

from __future__ import annotations

from collections import Counter

import pytest

from harmsportal.notifications.models import Notification
from tests.resilience.procs import Processes, wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DELIVER = "harmsportal.notifications.tasks.notification_deliver_task"
RELAY = "harmsportal.notifications.tasks.notifications_relay_task"
HOW_MANY = 1_000


def _sent() -> int:
    return Notification.objects.filter(email_status=Notification.EmailStatus.SENT).count()


def _relay_runs(procs: Processes) -> int:
    return sum(1 for e in procs.task_events() if e["event"] == "finish" and e["task"] == RELAY)


def _queue_drained(redis) -> bool:
    client = redis.client()
    try:
        return client.llen("celery") == 0 and client.hlen("unacked") == 0
    finally:
        client.close()


@pytest.mark.parametrize("persistent", [False, True], ids=["queue lost", "queue kept"])
def test_a_thousand_queued_emails_survive_a_broker_restart_and_each_goes_once(procs, persistent):
    redis = procs.redis(persistent=persistent)
    rows = Notification.objects.bulk_create(
        Notification(
            to_email=f"recipient{n}@example.police.uk",
            kind=Notification.Kind.UPDATE,
            title="Your report has an update",
            email_status=Notification.EmailStatus.PENDING,
        )
        for n in range(HOW_MANY)
    )
    procs.publish(redis, DELIVER, *([str(row.pk)] for row in rows))
    assert redis.queued() == HOW_MANY

    # The worker and beat (the relay) both deliver, racing each other for the rows as they
    # would in production; both started side by side to save their start-up time.
    beat = procs.beat(redis, wait=False)
    # Four children: a delivery mostly waits on the database, so more than the cores helps.
    worker = procs.worker(redis, concurrency=4, beat=False)
    procs.ready(beat)
    wait_until(lambda: _sent() >= 100, what=f"the first 100 sent\n{procs.logs()}", timeout=120)
    redis.shutdown()
    sent_before_restart = _sent()
    redis.start()  # the worker and beat reconnect by themselves, or the worker is restarted

    def all_sent() -> bool:
        nonlocal worker
        worker = procs.supervised(worker)
        return _sent() == HOW_MANY

    wait_until(
        all_sent,
        what=f"all {HOW_MANY} sent ({_sent()} so far)\n{procs.logs()}",
        timeout=180,
        interval=0.5,
    )
    # Let whatever is still queued, or handed back by the broker, run out, and the relay run
    # three more times: a second copy of any email would be in the mailbox by then.
    wait_until(lambda: _queue_drained(redis), what="the queue drained", timeout=60)
    runs = _relay_runs(procs)
    wait_until(lambda: _relay_runs(procs) >= runs + 3, what="three more relay runs", timeout=30)

    assert sent_before_restart < HOW_MANY  # the restart really came mid-delivery
    emails = procs.sent_emails()
    copies = Counter(m["to"][0] for m in emails)
    assert len(copies) == HOW_MANY
    assert [address for address, count in copies.items() if count > 1] == []
    assert len(emails) == HOW_MANY
