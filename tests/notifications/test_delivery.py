"""The outbox: a notification's email goes once, only after commit, and never says what happened."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import (
    LEASE,
    MAX_ATTEMPTS,
    NotificationSendError,
    notification_deliver,
    notification_send,
    notifications_relay,
)
from harmsportal.notifications.tasks import notification_deliver_task, notifications_relay_task
from tests.notifications.factories import ClaimedNotificationFactory, NotificationFactory

CANARY = "CANARY-7f3a report text"
SITE_URL = "https://portal.example.org"

pytestmark = pytest.mark.django_db


# --- only after commit, exactly once ------------------------------------------------------


def test_notification_is_neither_stored_nor_sent_when_its_transaction_rolls_back(
    officer, django_capture_on_commit_callbacks
):
    def event_that_fails_after_notifying():
        with transaction.atomic():
            notification_send(user=officer, kind=Notification.Kind.UPDATE, title="Update")
            raise RuntimeError("the event that caused it failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        event_that_fails_after_notifying()

    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_committed_notification_is_emailed_once_and_marked_sent(
    officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_send(
            user=officer, kind=Notification.Kind.UPDATE, title="Update", link_path="/reports/1/"
        )

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [officer.email]
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENT
    assert notification.sent_at is not None
    assert notification.attempts == 0


def test_delivering_again_after_sending_sends_nothing(officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_send(user=officer, kind=Notification.Kind.UPDATE, title="x")

    assert notification_deliver(notification.pk) is False
    notification_deliver_task.delay(str(notification.pk))
    assert notifications_relay() == 0

    assert len(mail.outbox) == 1


def test_notification_without_email_goes_to_the_inbox_only(
    officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notification_send(
            user=officer, kind=Notification.Kind.UPDATE, title="x", email=False
        )

    assert callbacks == []
    assert notification_deliver(notification.pk) is False
    assert notifications_relay() == 0
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.NOT_REQUIRED


def test_unknown_kind_is_refused(officer):
    with pytest.raises(ValueError, match="unknown notification kind"):
        notification_send(user=officer, kind="gossip", title="x")
    assert Notification.objects.count() == 0


def test_invitation_goes_to_an_address_with_no_account(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(
            to_email="partner@example.com",
            kind=Notification.Kind.FAMILY_INVITE,
            title="Invitation",
            link_path="/people/family/accept/abc/",
        )

    assert [message.to for message in mail.outbox] == [["partner@example.com"]]


# --- what the email says -------------------------------------------------------------------


# Every kind with fixed wording; account emails (allauth's, sent verbatim) are in
# test_account_emails.py.
FIXED_WORDING_KINDS = [k for k in Notification.Kind.values if k != Notification.Kind.ACCOUNT]


@pytest.mark.parametrize("kind", FIXED_WORDING_KINDS)
def test_email_contains_no_report_text(kind, settings):
    settings.SITE_URL = SITE_URL
    notification = NotificationFactory(
        kind=kind, title=f"Your report about {CANARY} was updated", link_path="/reports/42/"
    )

    assert notification_deliver(notification.pk) is True

    [message] = mail.outbox
    assert CANARY not in message.subject
    assert CANARY not in message.body
    assert "CANARY" not in message.message().as_string()
    assert message.subject.startswith("Harms Portal: ")
    assert f"{SITE_URL}/reports/42/" in message.body


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (
            Notification.Kind.UPDATE,
            "There is an update for you on Harms Portal. Sign in to read it",
        ),
        (Notification.Kind.ACKNOWLEDGEMENT, "We have received your report. Sign in to see what"),
        (Notification.Kind.ALERT, "There is something that needs your attention on Harms Portal"),
        (Notification.Kind.FAMILY_INVITE, "invited to create a Harms Portal family account"),
    ],
)
def test_each_kind_has_its_own_fixed_wording(kind, words):
    notification = NotificationFactory(kind=kind)

    notification_deliver(notification.pk)

    assert words in mail.outbox[0].body


def test_family_invitation_says_when_the_link_expires_and_nothing_about_policing(settings):
    settings.SITE_URL = SITE_URL
    settings.HARMSPORTAL_FAMILY_INVITE_DAYS = 5
    notification = NotificationFactory(
        kind=Notification.Kind.FAMILY_INVITE,
        title="Sergeant Sam Officer invited you",
        link_path="/people/family/accept/token-123/?step=1&next=2",
    )

    notification_deliver(notification.pk)

    [message] = mail.outbox
    assert f"{SITE_URL}/people/family/accept/token-123/?step=1&next=2" in message.body
    assert "The link expires in 5 days" in message.body
    text = f"{message.subject} {message.body}".lower()
    for word in ("police", "officer", "sergeant", "sam", "staff", "force"):
        assert word not in text


@pytest.mark.parametrize(
    "unsafe_path",
    ["https://phish.example/sign-in", "//phish.example/sign-in", "/\\phish.example", "reports/1"],
)
def test_email_links_only_to_this_site(unsafe_path, officer, settings):
    settings.SITE_URL = SITE_URL
    notification = NotificationFactory(user=officer, to_email=officer.email, link_path=unsafe_path)

    notification_deliver(notification.pk)

    body = mail.outbox[0].body
    assert "phish" not in body
    assert f"{SITE_URL}/notifications/" in body


# --- broker outage and crashed workers -----------------------------------------------------


def test_broker_outage_does_not_fail_the_transaction_and_the_relay_sends_later(
    officer, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(type(notification_deliver_task._get_current_object()), "delay", broker_down)

    with (
        caplog.at_level(logging.WARNING),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        notification = notification_send(user=officer, kind=Notification.Kind.UPDATE, title="x")

    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.PENDING
    assert mail.outbox == []
    assert "the relay will deliver it" in caplog.text

    notifications_relay_task.delay()
    notifications_relay_task.delay()

    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENT


def test_relay_sends_an_email_whose_deliverer_crashed_after_claiming_it():
    orphan = ClaimedNotificationFactory(claimed_minutes_ago=11)

    assert notifications_relay() == 1

    assert [message.to for message in mail.outbox] == [[orphan.to_email]]
    orphan.refresh_from_db()
    assert orphan.email_status == Notification.EmailStatus.SENT


def test_relay_leaves_alone_an_email_someone_is_delivering_right_now():
    in_progress = ClaimedNotificationFactory(claimed_minutes_ago=1)
    token = in_progress.claim_token

    assert notifications_relay() == 0
    assert notification_deliver(in_progress.pk) is False

    assert mail.outbox == []
    in_progress.refresh_from_db()
    assert in_progress.email_status == Notification.EmailStatus.PENDING
    assert in_progress.claim_token == token


def test_lease_outlasts_a_task_and_ends_before_the_broker_redelivers(settings):
    assert timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) < LEASE
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert timedelta(seconds=visibility) > LEASE


def test_relay_sends_the_oldest_first_and_no_more_than_its_batch():
    now = timezone.now()
    newest = NotificationFactory(created_at=now)
    oldest = NotificationFactory(created_at=now - timedelta(minutes=3))
    middle = NotificationFactory(created_at=now - timedelta(minutes=2))

    assert notifications_relay(limit=2) == 2

    assert [m.to[0] for m in mail.outbox] == [oldest.to_email, middle.to_email]
    newest.refresh_from_db()
    assert newest.email_status == Notification.EmailStatus.PENDING


def test_relay_starts_no_new_send_once_its_time_is_up():
    waiting = NotificationFactory()

    assert notifications_relay(time_budget=-1) == 0

    assert mail.outbox == []
    waiting.refresh_from_db()
    assert waiting.email_status == Notification.EmailStatus.PENDING


# --- failed sends --------------------------------------------------------------------------


def test_failed_send_counts_the_attempt_releases_the_claim_and_backs_off(failing_mail):
    notification = NotificationFactory()

    with pytest.raises(NotificationSendError):
        notification_deliver(notification.pk)

    notification.refresh_from_db()
    assert notification.attempts == 1
    assert notification.claimed_at is None
    assert notification.claim_token is None
    assert notification.email_status == Notification.EmailStatus.PENDING
    assert notification.last_error.startswith("SMTPServerDisconnected")
    assert notification.next_attempt_at > timezone.now()
    assert notification.sent_at is None


def test_email_fails_for_good_after_max_attempts(failing_mail):
    notification = NotificationFactory()

    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(NotificationSendError):
            notification_deliver(notification.pk)

    notification.refresh_from_db()
    assert notification.attempts == MAX_ATTEMPTS
    assert notification.email_status == Notification.EmailStatus.FAILED
    assert notification.claimed_at is None
    assert notification_deliver(notification.pk) is False
    assert notifications_relay() == 0


def test_relay_retries_a_failed_send_only_when_it_is_due(settings, failing_mail, time_machine):
    notification = NotificationFactory()
    with pytest.raises(NotificationSendError):
        notification_deliver(notification.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    assert notifications_relay() == 0

    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    assert notifications_relay() == 1
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENT
    assert notification.next_attempt_at is None
    assert notification.last_error == ""


def test_relay_carries_on_past_an_email_that_fails(settings, monkeypatch):
    first = NotificationFactory(created_at=timezone.now() - timedelta(minutes=1))
    second = NotificationFactory()
    real_send = mail.EmailMessage.send

    def refuse_first(message, *args, **kwargs):
        if message.to == [first.to_email]:
            raise ConnectionRefusedError("no route to the mail server")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", refuse_first)

    assert notifications_relay() == 1

    assert [m.to for m in mail.outbox] == [[second.to_email]]
    first.refresh_from_db()
    assert (first.attempts, first.email_status) == (1, Notification.EmailStatus.PENDING)


def test_delivery_task_asks_celery_to_retry_a_failed_send_after_a_backoff(failing_mail):
    notification = NotificationFactory()

    # Run eagerly, Celery hands back the retry it would schedule instead of scheduling it.
    with pytest.raises(Retry) as retry:
        notification_deliver_task.delay(str(notification.pk))

    assert isinstance(retry.value.exc, NotificationSendError)
    assert 0 <= retry.value.when <= 60  # the first backoff, jittered
    notification.refresh_from_db()
    assert (notification.attempts, notification.email_status) == (1, "pending")
    task = notification_deliver_task._get_current_object()
    assert task.acks_late is True
    assert task.max_retries + 1 < MAX_ATTEMPTS  # the relay gets the remaining attempts
