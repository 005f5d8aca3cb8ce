"""The admin shows delivery status read-only and can put failed emails back in the outbox."""

from __future__ import annotations

import pytest
from django.core import mail

from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notifications_relay
from tests.notifications.factories import (
    FailedNotificationFactory,
    NotificationFactory,
    SentNotificationFactory,
)

CHANGELIST = "/admin/notifications/notification/"

pytestmark = pytest.mark.django_db


def retry(client, *notifications):
    return client.post(
        CHANGELIST,
        {"action": "retry_failed_emails", "_selected_action": [str(n.pk) for n in notifications]},
    )


def test_platform_admin_sees_delivery_status_but_no_titles(client, platform_admin):
    FailedNotificationFactory(title="CANARY-7f3a report text")
    client.force_login(platform_admin)

    page = client.get(CHANGELIST).content.decode()

    assert "Failed after retries" in page
    assert "CANARY-7f3a" not in page


def test_notification_detail_in_the_admin_has_no_title_or_link(client, platform_admin):
    failed = FailedNotificationFactory(title="CANARY-7f3a report text", link_path="/reports/77/")
    client.force_login(platform_admin)

    response = client.get(f"{CHANGELIST}{failed.pk}/change/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "CANARY-7f3a" not in page
    assert "/reports/77/" not in page
    assert "SMTPServerDisconnected" in page


def test_admin_cannot_change_or_delete_notifications(client, platform_admin):
    sent = SentNotificationFactory()
    client.force_login(platform_admin)

    client.post(f"{CHANGELIST}{sent.pk}/change/", {"email_status": "pending", "attempts": 0})
    client.post(f"{CHANGELIST}{sent.pk}/delete/", {"post": "yes"})

    assert client.get(f"{CHANGELIST}add/").status_code == 403
    sent.refresh_from_db()
    assert sent.email_status == Notification.EmailStatus.SENT


def test_retry_failed_emails_puts_them_back_in_the_outbox_and_they_are_sent(
    client, platform_admin, django_capture_on_commit_callbacks
):
    failed = FailedNotificationFactory()
    client.force_login(platform_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = retry(client, failed)

    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.email_status == Notification.EmailStatus.SENT
    assert failed.attempts == 0
    assert failed.last_error == ""
    assert [m.to for m in mail.outbox] == [[failed.to_email]]


def test_retry_leaves_sent_and_waiting_emails_alone(
    client, platform_admin, django_capture_on_commit_callbacks
):
    sent = SentNotificationFactory()
    waiting = NotificationFactory(attempts=3)
    client.force_login(platform_admin)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        retry(client, sent, waiting)

    assert callbacks == []
    assert mail.outbox == []
    waiting.refresh_from_db()
    assert waiting.attempts == 3
    assert notifications_relay() == 1  # the waiting one, once, by the relay as usual
    assert [m.to for m in mail.outbox] == [[waiting.to_email]]


@pytest.mark.parametrize("who", ["officer", "triager", "force_lead"])
def test_notifications_admin_refuses_anyone_else(client, persona, who):
    failed = FailedNotificationFactory()
    client.force_login(persona(who))

    response = retry(client, failed)

    assert response.status_code == 403  # signed in without the platform admin role
    failed.refresh_from_db()
    assert failed.email_status == Notification.EmailStatus.FAILED
