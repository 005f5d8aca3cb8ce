"""allauth's own emails (confirm your address, reset your password …) go through the outbox.

So a mail outage neither fails the request nor loses the email, and each is sent once.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import (
    notification_deliver,
    notification_email_queue,
    notification_send,
    notifications_relay,
)
from harmsportal.people.models import Force
from tests.notifications.factories import NotificationFactory

PASSWORD_RESET = "/accounts/password/reset/"
SIGNUP = "/accounts/signup/"
INBOX = "/notifications/"
RESET_LINK = re.compile(r"https?://\S+/accounts/password/reset/key/\S+/")
CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")

pytestmark = pytest.mark.django_db


def account_rows():
    return Notification.objects.filter(kind=Notification.Kind.ACCOUNT)


# --- password reset ------------------------------------------------------------------------


def test_password_reset_writes_one_outbox_row_and_after_commit_sends_one_email_with_the_link(
    client, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(PASSWORD_RESET, {"email": officer.email})
        # Written in the request's transaction; nothing is sent before commit.
        assert mail.outbox == []
        [row] = account_rows()
        assert row.email_status == Notification.EmailStatus.PENDING
        assert RESET_LINK.search(row.email_body)

    assert response.status_code == 302
    for callback in callbacks:
        callback()

    [message] = mail.outbox
    assert message.to == [officer.email]
    assert message.subject.startswith("Harms Portal: ")
    assert RESET_LINK.search(message.body), message.body
    row.refresh_from_db()
    assert row.email_status == Notification.EmailStatus.SENT
    assert row.user == officer
    assert notifications_relay() == 0
    assert len(mail.outbox) == 1


def test_password_reset_succeeds_with_the_mail_server_down_and_the_relay_sends_it_once(
    client, officer, settings, failing_mail, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PASSWORD_RESET, {"email": officer.email})

    assert response.status_code == 302
    [row] = account_rows()
    assert row.email_status == Notification.EmailStatus.PENDING
    assert row.sent_at is None
    assert row.attempts == 1
    assert RESET_LINK.search(row.email_body)  # kept until it is sent

    # The mail server comes back; the relay picks the row up once its backoff has passed.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert notifications_relay() == 1
        assert notifications_relay() == 0
        assert notification_deliver(row.pk) is False

    [message] = mail.outbox
    assert message.to == [officer.email]
    assert RESET_LINK.search(message.body)
    row.refresh_from_db()
    assert row.email_status == Notification.EmailStatus.SENT


def test_sent_account_email_keeps_no_body(client, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PASSWORD_RESET, {"email": officer.email})

    [row] = account_rows()
    assert row.email_status == Notification.EmailStatus.SENT
    assert (row.email_body, row.email_html) == ("", "")
    assert row.email_subject  # not secret; kept so the admin can tell what was sent
    assert len(mail.outbox) == 1


def test_password_reset_for_an_unknown_address_is_queued_too(
    client, db, django_capture_on_commit_callbacks
):
    # ACCOUNT_PREVENT_ENUMERATION: an "unknown account" email, with no user to tie it to.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PASSWORD_RESET, {"email": "nobody@example.police.uk"})

    assert response.status_code == 302
    [row] = account_rows()
    assert row.user is None
    assert row.to_email == "nobody@example.police.uk"
    assert [m.to for m in mail.outbox] == [["nobody@example.police.uk"]]


# --- sign-up -------------------------------------------------------------------------------


def test_signup_confirmation_email_goes_through_the_outbox(
    client, db, django_capture_on_commit_callbacks
):
    password = "kettle-orchard-lantern-93"
    data = {
        "full_name": "Robin Newcomer",
        "email": "robin.newcomer@example.police.uk",
        "kind": "staff",
        "force": str(Force.objects.get(slug="police-scotland").pk),
        "password1": password,
        "password2": password,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP, data)

    assert response.status_code == 302
    [row] = account_rows()
    assert row.to_email == "robin.newcomer@example.police.uk"
    assert row.email_status == Notification.EmailStatus.SENT
    assert row.email_body == ""
    [message] = mail.outbox
    assert message.to == ["robin.newcomer@example.police.uk"]
    assert CONFIRM_LINK.search(message.body), message.body


# --- the service itself --------------------------------------------------------------------


def test_queued_account_email_is_sent_verbatim_with_its_html_alternative(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        notification_email_queue(
            to_email="someone@example.police.uk",
            subject="Harms Portal: Exactly this",
            body_text="Exactly these words.",
            body_html="<p>Exactly these words.</p>",
        )

    [message] = mail.outbox
    assert message.subject == "Harms Portal: Exactly this"
    assert message.body == "Exactly these words."
    assert message.alternatives[0][0] == "<p>Exactly these words.</p>"
    assert message.alternatives[0][1] == "text/html"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_account_email_is_neither_stored_nor_sent_when_its_transaction_rolls_back(
    django_capture_on_commit_callbacks,
):
    def signup_that_fails_after_queueing():
        with transaction.atomic():
            notification_email_queue(to_email="a@example.police.uk", subject="s", body_text="b")
            raise RuntimeError("the sign-up failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        signup_that_fails_after_queueing()

    assert callbacks == []
    assert not account_rows().exists()
    assert mail.outbox == []


def test_other_kinds_keep_their_fixed_wording_whatever_the_row_holds(settings):
    notification = NotificationFactory(
        kind=Notification.Kind.UPDATE, email_subject="INJECTED", email_body="INJECTED"
    )

    assert notification_deliver(notification.pk) is True

    [message] = mail.outbox
    assert "INJECTED" not in message.subject
    assert "INJECTED" not in message.body


def test_notification_send_refuses_the_account_kind(officer):
    with pytest.raises(ValueError, match="notification_email_queue"):
        notification_send(user=officer, kind=Notification.Kind.ACCOUNT, title="x")


# --- never in the inbox --------------------------------------------------------------------


def test_account_emails_are_not_in_the_inbox(client, officer, django_capture_on_commit_callbacks):
    NotificationFactory(
        user=officer,
        to_email=officer.email,
        title="Your report has an update",
        email_status=Notification.EmailStatus.SENT,
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PASSWORD_RESET, {"email": officer.email})
    [account_email] = account_rows()
    assert account_email.user == officer
    client.force_login(officer)

    page = client.get(INBOX).content.decode()

    assert "Your report has an update" in page
    assert f"/notifications/{account_email.pk}/" not in page
    assert "You have 1 unread notification." in page
    assert client.get(f"/notifications/{account_email.pk}/").status_code == 404
