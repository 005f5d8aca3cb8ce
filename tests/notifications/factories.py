"""Outbox rows in each delivery state, written directly (no on-commit delivery)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from harmsportal.notifications.models import Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    """An email waiting to go to someone with no account (as an invitation would be)."""

    class Meta:
        model = Notification

    user = None
    to_email = factory.Sequence(lambda n: f"recipient{n}@example.police.uk")
    kind = Notification.Kind.UPDATE
    title = "Your report has an update"
    link_path = "/reports/1/"
    email_status = Notification.EmailStatus.PENDING


class ClaimedNotificationFactory(NotificationFactory):
    """Claimed by a deliverer `claimed_minutes_ago` (which may since have died)."""

    class Params:
        claimed_minutes_ago = 1

    claimed_at = factory.LazyAttribute(
        lambda o: timezone.now() - timedelta(minutes=o.claimed_minutes_ago)
    )
    claim_token = factory.LazyFunction(uuid.uuid4)


class SentNotificationFactory(NotificationFactory):
    email_status = Notification.EmailStatus.SENT
    sent_at = factory.LazyFunction(timezone.now)


class FailedNotificationFactory(NotificationFactory):
    email_status = Notification.EmailStatus.FAILED
    attempts = 8
    last_error = "SMTPServerDisconnected: mail server unavailable"
