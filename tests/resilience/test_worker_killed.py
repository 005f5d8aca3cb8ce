"""A worker killed with SIGKILL during delivery: the email still goes, and only once.

Three notifications are each caught at a different point of `notification_deliver`, all
outside the one window decision 0003 names (after the mail server accepted, before the commit):

- "task_start": the task was taken from the queue, nothing claimed yet;
- "send": the row is claimed and the send has begun, but the mail server accepted nothing;
- "after_mark": the email was accepted and the row marked sent, but the task is not yet
  acknowledged, so the broker still holds it and will hand it out again.

Then the worker is killed, whole (SIGKILL to its process group, as when a container or host
dies), or only the pool children holding the tasks (as the kernel's out-of-memory killer
does). The settings that make the outcome right (docs/operations.md, "Delivery guarantees"):
acks_late keeps the task in Redis until it finished, reject_on_worker_lost requeues it at
once when only a child died, prefetch 1 means a dying worker holds no other tasks, the
visibility timeout hands back a dead worker's tasks, and the lease lets the relay take over a
claim whose holder died.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter

import pytest

from harmsportal.notifications.models import Notification
from tests.notifications.factories import NotificationFactory
from tests.resilience.procs import Processes, wait_until

# Committed rows only: the worker subprocesses read them on their own connections.
against_workers = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DELIVER = "harmsportal.notifications.tasks.notification_deliver_task"


def _three_caught_mid_delivery(procs: Processes, redis):
    """Three pending notifications, a worker (no beat), and each task stopped at its point."""
    early, mid, late = NotificationFactory.create_batch(3)
    points = [("task_start", str(early.pk)), ("send", mid.to_email), ("after_mark", str(late.pk))]
    hang: dict[str, list[str]] = {point: [key] for point, key in points}
    # No beat yet: the relay would deliver a row before its task reached the hang point.
    worker = procs.worker(redis, concurrency=3, beat=False, hang=hang)
    procs.publish(redis, DELIVER, *([str(n.pk)] for n in (early, mid, late)))

    def hung_pids() -> list[int] | None:
        pids = [procs.hung(point, key) for point, key in points]
        return pids if all(pids) else None

    pids = wait_until(
        hung_pids, what=f"three tasks at their hang points\n{procs.logs()}", timeout=30
    )
    return worker, (early, mid, late), pids


def _status(notification: Notification) -> tuple[str, bool]:
    notification.refresh_from_db()
    return notification.email_status, notification.claimed_at is not None


def _starts(procs: Processes, notification: Notification) -> int:
    return sum(
        1
        for event in procs.task_events()
        if event["event"] == "start"
        and event["task"] == DELIVER
        and event["args"] == [str(notification.pk)]
    )


def _all_sent_and_redelivered(procs: Processes, notifications) -> bool:
    if Notification.objects.filter(
        pk__in=[n.pk for n in notifications], email_status=Notification.EmailStatus.SENT
    ).count() != len(notifications):
        return False
    # Each task ran again after the kill (the broker handed it back), so a duplicate from the
    # redelivered task, had there been one, would already be in the mailbox.
    return all(_starts(procs, n) >= 2 for n in notifications)


@against_workers
def test_a_whole_worker_killed_at_any_point_outside_the_window_delivers_each_email_once(procs):
    redis = procs.redis()
    worker, notifications, _ = _three_caught_mid_delivery(procs, redis)
    early, mid, late = notifications

    worker.kill(signal.SIGKILL)

    # At the moment of the kill: one email accepted, one claim held by a dead worker.
    assert [m["to"] for m in procs.sent_emails()] == [[late.to_email]]
    assert _status(early) == (Notification.EmailStatus.PENDING, False)
    assert _status(mid) == (Notification.EmailStatus.PENDING, True)
    assert _status(late)[0] == Notification.EmailStatus.SENT

    procs.worker(redis, concurrency=2, beat=True)  # a new worker with beat (the relay)
    wait_until(
        lambda: _all_sent_and_redelivered(procs, notifications),
        what=f"every email sent and every task redelivered\n{procs.logs()}",
        timeout=60,
    )

    sent = Counter(m["to"][0] for m in procs.sent_emails())
    assert sent == Counter({n.to_email: 1 for n in notifications}), procs.logs()


@against_workers
def test_pool_children_killed_mid_delivery_are_requeued_and_each_email_goes_once(procs):
    redis = procs.redis()
    worker, notifications, pids = _three_caught_mid_delivery(procs, redis)

    for pid in pids:  # the parent survives and sees WorkerLostError for each task
        os.kill(pid, signal.SIGKILL)
    procs.beat(redis)  # the relay, for the claim the requeued task finds still held

    wait_until(
        lambda: _all_sent_and_redelivered(procs, notifications),
        what=f"every email sent and every task requeued\n{procs.logs()}",
        timeout=60,
    )

    assert worker.running()
    sent = Counter(m["to"][0] for m in procs.sent_emails())
    assert sent == Counter({n.to_email: 1 for n in notifications}), procs.logs()


def _settings_in_a_fresh_process(**env: str) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from harmsportal.notifications.services import LEASE; "
        "from harmsportal.notifications.tasks import notifications_relay_task as relay; "
        "print(LEASE.total_seconds(), "
        "settings.CELERY_BEAT_SCHEDULE['notifications-relay']['schedule'], relay.expires)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "harmsportal.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_lease_and_relay_interval_come_from_settings_and_a_lease_past_the_broker_is_refused():
    tuned = _settings_in_a_fresh_process(
        HARMSPORTAL_OUTBOX_LEASE_SECONDS="7", HARMSPORTAL_OUTBOX_RELAY_SECONDS="5"
    )
    assert tuned.stdout.split() == ["7.0", "5.0", "10"], tuned.stderr

    # A lease the visibility timeout does not outlast would leave a crashed send to Redis.
    refused = _settings_in_a_fresh_process(HARMSPORTAL_OUTBOX_LEASE_SECONDS="3600")
    assert refused.returncode != 0
    assert "HARMSPORTAL_OUTBOX_LEASE_SECONDS must be above 0 and below" in refused.stderr
