"""Reading notifications: the inbox, the one access chokepoint, and the relay's work list."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from harmsportal.notifications.models import Notification

if TYPE_CHECKING:
    from harmsportal.people.models import User


def notifications_for_user(user: User) -> QuerySet[Notification]:
    """The user's own inbox, newest first. Every inbox read starts here.

    Account emails (allauth's, Kind.ACCOUNT) are outbox rows only and never part of the inbox.
    """
    return (
        Notification.objects.filter(user=user)
        .exclude(kind=Notification.Kind.ACCOUNT)
        .order_by("-created_at", "-pk")
    )


def get_notification_for_user(user: User, pk: uuid.UUID | str) -> Notification:
    """The user's own notification, or 404 for one that is missing or anybody else's."""
    return get_object_or_404(notifications_for_user(user), pk=pk)


def notification_ids_due_for_delivery(
    *, now: datetime, lease_expired_before: datetime, limit: int
) -> list[uuid.UUID]:
    """Emails waiting to go: unclaimed (or whose claim has lapsed) and due.

    Every due non-bulk email comes before any bulk one (`Notification.bulk`, a roster import's
    invitations), then oldest first; `notification_pending_bulk_idx` serves this order. So an
    urgent email that fell back to the relay goes in the next run however many invitations are
    queued, and the invitations go in the runs' spare room.

    A snapshot only; each row is claimed atomically on delivery, so a row another deliverer
    takes in the meantime is simply skipped.
    """
    return list(
        Notification.objects.filter(email_status=Notification.EmailStatus.PENDING)
        .filter(sent_at=None)
        .filter(Q(claimed_at=None) | Q(claimed_at__lt=lease_expired_before))
        .filter(Q(next_attempt_at=None) | Q(next_attempt_at__lte=now))
        .order_by("bulk", "created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
