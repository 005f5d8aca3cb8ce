"""A delivery's claim on PostgreSQL: one statement that claims and returns the row, committed
without waiting for the disk flush; the mark that ends the send keeps the wait."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notification_deliver
from tests.notifications.factories import ClaimedNotificationFactory, NotificationFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: UPDATE … RETURNING and synchronous_commit are its own",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_delivery_is_two_statements_and_only_the_claim_skips_the_flush():
    row = NotificationFactory()

    with CaptureQueriesContext(connection) as queries:
        assert notification_deliver(row.pk) is True

    statements = [query["sql"] for query in queries.captured_queries]
    assert len(statements) == 2, statements  # claim (returning the row), then mark
    claim, mark = statements
    assert claim.startswith("UPDATE")
    assert "RETURNING" in claim
    assert "synchronous_commit" in claim
    assert "synchronous_commit" not in mark
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.email_status == Notification.EmailStatus.SENT


def test_the_session_keeps_its_own_synchronous_commit_after_a_claim():
    row = NotificationFactory()
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        before = cursor.fetchone()[0]

    notification_deliver(row.pk)

    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == before == "on"


def test_a_live_claim_is_still_refused_in_one_statement():
    row = ClaimedNotificationFactory()

    with CaptureQueriesContext(connection) as queries:
        assert notification_deliver(row.pk) is False

    assert len(queries.captured_queries) == 1
    assert len(mail.outbox) == 0
