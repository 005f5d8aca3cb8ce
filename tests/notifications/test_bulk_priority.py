"""Bulk invitations never starve the relay: an urgent email queued after them goes next run."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from harmsportal.notifications.models import Notification
from harmsportal.notifications.selectors import notification_ids_due_for_delivery
from harmsportal.notifications.services import (
    RELAY_BATCH_SIZE,
    notification_send,
    notifications_relay,
    notifications_send_bulk,
)

pytestmark = pytest.mark.django_db

BULK = 1_000


def queue_invitations(count: int = BULK) -> list[str]:
    """A roster import's invitations (to addresses only; the relay never reads the user)."""
    addresses = [f"invitee{n}@example.police.uk" for n in range(count)]
    written = notifications_send_bulk(
        recipients=[(None, address) for address in addresses],
        kind=Notification.Kind.ACCOUNT_INVITE,
        title="Added to the roster",
        link_path="/accounts/password/reset/",
    )
    assert written == count
    return addresses


def test_an_urgent_email_queued_after_a_thousand_invitations_goes_in_the_next_relay_run(
    officer, time_machine
):
    time_machine.move_to("2026-12-01 09:00", tick=False)
    invitations = queue_invitations()
    time_machine.shift(timedelta(minutes=5))
    # The broker was down when the alert committed (on-commit callbacks do not run here), so
    # only the relay can send it.
    alert = notification_send(
        user=officer, kind=Notification.Kind.ALERT, title="Immediate risk", link_path="/"
    )

    assert notifications_relay() == RELAY_BATCH_SIZE

    alert.refresh_from_db()
    assert alert.email_status == Notification.EmailStatus.SENT
    assert mail.outbox[0].to == [officer.email]

    # The invitations still all go, in later runs, each exactly once.
    runs = 1
    while notifications_relay():
        runs += 1
        assert runs < 20, "the relay stopped making progress"
    sent_to = Counter(message.to[0] for message in mail.outbox)
    assert sent_to == Counter([officer.email, *invitations])
    assert not Notification.objects.filter(email_status=Notification.EmailStatus.PENDING).exists()


def test_invitations_are_marked_bulk_and_ordinary_emails_are_not(officer):
    queue_invitations(3)
    notification_send(user=officer, kind=Notification.Kind.UPDATE, title="Update")

    kinds = dict(
        Notification.objects.values_list("kind", "bulk").distinct().order_by("kind", "bulk")
    )
    assert kinds == {Notification.Kind.ACCOUNT_INVITE: True, Notification.Kind.UPDATE: False}


def test_bulk_rows_go_oldest_first_once_nothing_else_is_waiting(time_machine):
    time_machine.move_to("2026-12-01 09:00", tick=False)
    first = queue_invitations(2)
    time_machine.shift(timedelta(minutes=1))
    notifications_send_bulk(
        recipients=[(None, "later@example.police.uk")],
        kind=Notification.Kind.ACCOUNT_INVITE,
        title="Added to the roster",
    )

    assert notifications_relay(limit=2) == 2

    assert sorted(message.to[0] for message in mail.outbox) == sorted(first)


def test_the_relays_work_list_is_read_in_order_from_its_index():
    """On Postgres the relay's query walks notification_pending_bulk_idx: no sort of the table."""
    if connection.vendor != "postgresql":
        pytest.skip("the plan is Postgres's")
    queue_invitations(50)
    now = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        ids = notification_ids_due_for_delivery(now=now, lease_expired_before=now, limit=200)
    assert len(ids) == 50
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {queries[-1]['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "notification_pending_bulk_idx" in plan
    assert "Sort" not in plan
