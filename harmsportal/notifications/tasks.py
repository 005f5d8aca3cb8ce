"""Thin Celery tasks: they take ids, call a service, and hold only the retry policy."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from harmsportal.notifications.services import (
    NotificationSendError,
    notification_deliver,
    notifications_relay,
)


@shared_task(
    acks_late=True,
    ignore_result=True,
    # Only a failed send is retried here; anything else (the database being away, say) is
    # left to the relay, which picks the row up within a minute of it becoming due.
    autoretry_for=(NotificationSendError,),
    retry_backoff=60,  # about 1, 2, 4, 8 minutes …
    retry_backoff_max=15 * 60,
    retry_jitter=True,  # … each drawn at random below that, so a burst does not retry in step
    max_retries=4,  # the service's MAX_ATTEMPTS (8) bounds the total with the relay's retries
)
def notification_deliver_task(notification_id: str) -> bool:
    return notification_deliver(notification_id)


@shared_task(
    acks_late=True,
    ignore_result=True,
    # Beat queues one every HARMSPORTAL_OUTBOX_RELAY_SECONDS (60 s); if no worker was there to
    # run them, the stale ones are dropped instead of running back to back when a worker
    # returns. One fresh run is enough.
    expires=2 * settings.HARMSPORTAL_OUTBOX_RELAY_SECONDS,
)
def notifications_relay_task() -> int:
    return notifications_relay()
