"""End to end on a real broker: commit → Redis → a Celery worker → one email, marked sent."""

from __future__ import annotations

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction

from harmsportal import celery_app
from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notification_send

WAIT_SECONDS = 15


@pytest.fixture
def real_worker(monkeypatch):
    """A Celery worker in a thread of this process, consuming from the real Redis broker.

    Tasks are not eager for this test: `.delay` publishes to Redis and the worker runs them,
    on its own database connection, against the test database (committed data only, hence
    transaction=True). The ping check is off, so the `celery.ping` test task is not needed.
    """
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs Redis (set REDIS_URL); CI runs it")
    monkeypatch.setenv("CELERY_SKIP_CHECKS", "1")  # the worker's Django fixup runs no checks
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("task_always_eager", "worker_hijack_root_logger")}
    conf.task_always_eager = False
    conf.worker_hijack_root_logger = False  # leave pytest's log capture alone
    try:
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30
        ) as worker:
            yield worker
    finally:
        conf.update(saved)


def wait_for_sent(notification: Notification) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        notification.refresh_from_db()
        if notification.email_status == Notification.EmailStatus.SENT:
            return
        time.sleep(0.1)


# serialized_rollback: the flush afterwards leaves the migrated data (forces, content types)
# for the next transactional test to restore, as every transactional test here does.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_real_worker_on_redis_delivers_a_committed_notification_once(officer, real_worker):
    with transaction.atomic():
        notification = notification_send(
            user=officer, kind=Notification.Kind.UPDATE, title="Update", link_path="/reports/1/"
        )

    wait_for_sent(notification)

    assert notification.email_status == Notification.EmailStatus.SENT
    assert notification.sent_at is not None
    assert [message.to for message in mail.outbox] == [[officer.email]]
