"""Writing notifications into the outbox, and delivering their emails exactly once.

Delivery contract
-----------------
`notification_send` writes the row in the caller's transaction and, after commit, asks a
worker to deliver it. `notification_deliver` does three separate, individually committed
steps, and must be called outside a transaction so that each step is visible to everyone:

1. **claim**: one conditional UPDATE that only succeeds on a row that is still pending, not
   sent, and unclaimed (or whose claim has lapsed). The database decides who wins, so of two
   deliverers racing for the same row exactly one changes it; the other gets 0 rows and stops.
2. **send** the fixed-wording email (or, for an account email, the stored one), holding the
   claim.
3. **mark** the row sent, only if the claim token is still ours, and blank a stored account
   email's body (it may hold a password-reset link).

A worker that dies between 1 and 3 leaves a claim that lapses after `LEASE`; the relay then
sends the email. The one case that can send twice is a crash after the mail server accepted
the message but before step 3 committed: no outbox can avoid that without the mail server's
help, and a duplicate "sign in to read it" email is harmless, whereas a lost one is not.

Bulk rows come last
-------------------
`notifications_send_bulk` (a roster import's invitations, up to tens of thousands) marks its
rows `bulk`. The relay takes every due non-bulk row before any bulk one, oldest first within
each, so an urgent email that fell back to the relay (an immediate-risk alert, a password
reset) goes in the next run instead of hours later behind the invitations; the invitations use
whatever room each run has left, and all of them still go, each once. Bulk rows would only
wait if more than RELAY_BATCH_SIZE non-bulk emails fell due every minute, which would be an
outage of its own.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from harmsportal.notifications.links import absolute_url, local_path_or_none
from harmsportal.notifications.models import Notification
from harmsportal.notifications.selectors import notification_ids_due_for_delivery

if TYPE_CHECKING:
    from harmsportal.people.models import User

logger = logging.getLogger(__name__)

# How long a claim keeps other deliverers away. It must be:
# - longer than one send can possibly take, or a second deliverer could take over a send that
#   is still in progress and send it again. A send is bounded by EMAIL_TIMEOUT (20 s) per SMTP
#   operation and, in a worker, by CELERY_TASK_TIME_LIMIT (300 s), which kills the task before
#   its lease runs out;
# - shorter than the broker's visibility timeout (CELERY_BROKER_TRANSPORT_OPTIONS, 3600 s), so
#   that after a worker crash the relay sends the email within minutes rather than waiting for
#   Redis to redeliver the task an hour later (which then finds it sent and does nothing).
# Ten minutes unless HARMSPORTAL_OUTBOX_LEASE_SECONDS says otherwise (the resilience tests use
# a few seconds so that a killed worker's claim lapses while they watch).
LEASE = timedelta(seconds=settings.HARMSPORTAL_OUTBOX_LEASE_SECONDS)

# Attempts across the task's own retries and the relay's. With the relay's backoff below
# (1, 2, 4 … 60 minutes) eight attempts ride out a mail outage of about two hours; after that
# the row is FAILED and a platform admin can retry it ("Retry failed emails" in the admin).
MAX_ATTEMPTS = 8
RETRY_BASE_DELAY = timedelta(minutes=1)
RETRY_MAX_DELAY = timedelta(hours=1)

# One relay run delivers at most this many (non-bulk first, then oldest first), and stops starting new sends after
# RELAY_TIME_BUDGET_SECONDS so it finishes well inside CELERY_TASK_SOFT_TIME_LIMIT (240 s).
RELAY_BATCH_SIZE = 200
RELAY_TIME_BUDGET_SECONDS = 120.0

# Set inside `emails_withheld()`: notifications written meanwhile get no email.
_emails_withheld: ContextVar[bool] = ContextVar("emails_withheld", default=False)

# Fixed subjects. Like the bodies, they never include the title or anything from a report:
# an inbox can be read over a shoulder or by someone else in the house.
EMAIL_SUBJECTS = {
    Notification.Kind.UPDATE: "There is an update for you",
    Notification.Kind.ACKNOWLEDGEMENT: "We have received your report",
    Notification.Kind.FAMILY_INVITE: "You have been invited to create an account",
    Notification.Kind.ALERT: "Something needs your attention",
    Notification.Kind.TRAINING: "You have training to do",
    Notification.Kind.ACCOUNT_INVITE: "You have been added to Harms Portal",
}


class NotificationSendError(Exception):
    """The email could not be sent. The failure is recorded on the row; the task retries."""


@contextmanager
def emails_withheld() -> Iterator[None]:
    """Inside the block, `notification_send` writes to the inbox only: no email is queued.

    For seeding demo data (`seed_demo`): its events happened to nobody, and their emails would
    only bury the demo's sign-in details on the console.
    """
    token = _emails_withheld.set(True)
    try:
        yield
    finally:
        _emails_withheld.reset(token)


@transaction.atomic
def notification_send(
    *,
    user: User | None = None,
    to_email: str = "",
    kind: str,
    title: str,
    link_path: str = "",
    email: bool = True,
) -> Notification:
    """Put a notification in `user`'s inbox and its email in the outbox, in the caller's transaction.

    `title` and `link_path` are shown only inside the portal. The email's words are fixed per
    `kind` (templates/notifications/email/) and never include `title` or any report content.
    If the caller's transaction rolls back, the row goes with it and nothing is ever sent.
    """
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if kind == Notification.Kind.ACCOUNT:
        raise ValueError("account emails go through notification_email_queue")
    email = email and not _emails_withheld.get()
    notification = Notification.objects.create(
        user=user,
        to_email=to_email or (user.email if user is not None else ""),
        kind=kind,
        title=title[:200],
        link_path=link_path,
        email_status=(
            Notification.EmailStatus.PENDING if email else Notification.EmailStatus.NOT_REQUIRED
        ),
    )
    if email:
        transaction.on_commit(partial(_enqueue_delivery, notification.pk))
    return notification


@transaction.atomic
def notification_email_queue(
    *,
    to_email: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    user: User | None = None,
) -> Notification:
    """Put an already-rendered account email (allauth's) in the outbox, in the caller's transaction.

    Delivered exactly like `notification_send`'s emails (after commit, relay as fallback, claimed
    once) but sent verbatim, because its words are allauth's: a confirmation or password-reset
    link, "your password was changed". It is an outbox row only: it never shows in the inbox,
    and is stored read so it never counts as unread. `user`, when known, ties the row to the
    account so that erasing the account erases it too.
    """
    if not to_email:
        raise ValueError("an account email needs an address to send to")
    notification = Notification.objects.create(
        user=user,
        to_email=to_email,
        kind=Notification.Kind.ACCOUNT,
        title="",
        read_at=timezone.now(),
        email_status=Notification.EmailStatus.PENDING,
        email_subject=subject,
        email_body=body_text,
        email_html=body_html,
    )
    transaction.on_commit(partial(_enqueue_delivery, notification.pk))
    return notification


# Rows written by one `notifications_send_bulk` INSERT.
BULK_BATCH_SIZE = 1_000


@transaction.atomic
def notifications_send_bulk(
    *,
    recipients: Iterable[tuple[int, str]],
    kind: str,
    title: str,
    link_path: str = "",
) -> int:
    """Put the same notification in many inboxes and outboxes at once; return how many.

    `recipients` are (user id, email address) pairs. For large batches (a roster import's
    invitations): the rows are bulk-inserted PENDING in the caller's transaction, and after
    commit ONE relay run is queued instead of one delivery task per row. The relay claims and
    delivers pending rows exactly as it does for `notification_send` (RELAY_BATCH_SIZE a run,
    every minute from beat), so thousands of emails go out steadily, each once, and a rollback
    sends none. The rows are marked `bulk`, so the relay serves every other due email first
    and an urgent one never queues behind them. Same fixed wording per kind; account emails are refused as in
    `notification_send`.
    """
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if kind == Notification.Kind.ACCOUNT:
        raise ValueError("account emails go through notification_email_queue")
    email = not _emails_withheld.get()
    status = Notification.EmailStatus.PENDING if email else Notification.EmailStatus.NOT_REQUIRED
    now = timezone.now()
    written = 0
    batch: list[Notification] = []
    for user_id, to_email in recipients:
        batch.append(
            Notification(
                user_id=user_id,
                to_email=to_email,
                kind=kind,
                title=title[:200],
                link_path=link_path,
                created_at=now,
                email_status=status,
                bulk=True,
            )
        )
        if len(batch) == BULK_BATCH_SIZE:
            written += len(Notification.objects.bulk_create(batch))
            batch = []
    if batch:
        written += len(Notification.objects.bulk_create(batch))
    if email and written:
        transaction.on_commit(_enqueue_relay)
    return written


def _enqueue_relay() -> None:
    """Ask a worker for one relay run now; if the broker is down, beat runs it within a minute."""
    from harmsportal.notifications.tasks import notifications_relay_task

    try:
        notifications_relay_task.delay()
    except Exception as exc:  # queueing must never fail the user's request; the rows are safe
        logger.warning(
            "notifications: could not queue a relay run (%s); beat will run it",
            type(exc).__name__,
        )


def _enqueue_delivery(notification_id) -> None:
    """Ask a worker to deliver now. If the broker is down, the periodic relay delivers later."""
    from harmsportal.notifications.tasks import notification_deliver_task

    try:
        notification_deliver_task.delay(str(notification_id))
    except Exception as exc:  # queueing must never fail the user's request; the row is safe
        logger.warning(
            "notifications: could not queue delivery of %s (%s); the relay will deliver it",
            notification_id,
            type(exc).__name__,
        )


def notification_deliver(notification_id: uuid.UUID | str) -> bool:
    """Send one notification's email unless it is sent or being sent. Safe to call repeatedly.

    Returns True if this call sent it, False if there was nothing to do (already sent, failed
    for good, not found, or another deliverer holds a live claim). Raises
    `NotificationSendError` if sending failed; by then the claim is released, the attempt is
    counted and, after MAX_ATTEMPTS, the row is FAILED.

    Call it outside any transaction: the claim must be committed before the send starts, or a
    concurrent deliverer could not see it.
    """
    token = uuid.uuid4()
    notification = _claim(notification_id, token)
    if notification is None:  # sent, failed for good, erased, or held by another deliverer
        return False
    try:
        _email_for(notification).send(fail_silently=False)
    except Exception as exc:  # any failure to render or send is one failed attempt
        _record_failed_attempt(notification, token, exc)
        raise NotificationSendError(f"notification {notification_id}: email not sent") from exc

    marked = Notification.objects.filter(pk=notification_id, claim_token=token).update(
        sent_at=timezone.now(),
        email_status=Notification.EmailStatus.SENT,
        next_attempt_at=None,
        last_error="",
        # A sent account email's body is no longer needed, and may hold a reset link: drop it.
        email_body="",
        email_html="",
    )
    if not marked:
        # Only possible if the send outlived LEASE and someone else claimed the row meanwhile.
        logger.warning("notifications: lease on %s lapsed during the send", notification_id)
    return True


def _claim(notification_id: uuid.UUID | str, token: uuid.UUID) -> Notification | None:
    """Step 1: claim the row if it is still pending, unsent and unclaimed (or its claim has
    lapsed), and return it as claimed; None when another deliverer won, or nothing is due.

    One conditional UPDATE decides, committed on its own (autocommit). On PostgreSQL it also
    returns the row (UPDATE … RETURNING: one round trip, not two) and its commit does not
    wait for the WAL to reach disk (`set_config('synchronous_commit', 'off', true)`, for
    this statement's own transaction). The claim is seen by every other deliverer at once
    either way; only a database crash in the next few hundred milliseconds could lose it,
    and then the email goes again only if it was sent and the mark did not commit, which is
    decision 0003's window already (with a durable claim the relay resends after the lease
    instead). The mark that ends a send keeps the full wait. This halves the disk flushes of
    a delivery: the flush was most of its time (22 ms to 10 ms a delivery here).
    Elsewhere the UPDATE is followed by a SELECT.
    """
    now = timezone.now()
    claimable = Notification.objects.filter(
        pk=notification_id, email_status=Notification.EmailStatus.PENDING, sent_at=None
    ).filter(Q(claimed_at=None) | Q(claimed_at__lt=now - LEASE))
    if connection.vendor != "postgresql":
        if not claimable.update(claimed_at=now, claim_token=token):
            return None
        return Notification.objects.filter(pk=notification_id).first()
    meta = Notification._meta
    column = {field.name: connection.ops.quote_name(field.column) for field in meta.concrete_fields}
    where, params = _where_sql(claimable)
    sql = (
        f"UPDATE {connection.ops.quote_name(meta.db_table)} "
        f"SET {column['claimed_at']} = %s, {column['claim_token']} = %s "
        f"WHERE {where} AND set_config('synchronous_commit', 'off', true) = 'off' RETURNING *"
    )
    return next(iter(Notification.objects.raw(sql, [now, token, *params])), None)


def _where_sql(queryset) -> tuple[str, tuple]:
    """The WHERE clause of `queryset` as SQL and its parameters (Django compiles it)."""
    query = queryset.query
    compiler = query.get_compiler(using=queryset.db)
    return query.where.as_sql(compiler, compiler.connection)


def _record_failed_attempt(notification: Notification, token: uuid.UUID, exc: Exception) -> None:
    """Release the claim and count the attempt; give up after MAX_ATTEMPTS."""
    attempts = notification.attempts + 1  # safe: nobody else can change the row while we hold it
    gave_up = attempts >= MAX_ATTEMPTS
    delay = min(RETRY_BASE_DELAY * 2 ** (attempts - 1), RETRY_MAX_DELAY)
    Notification.objects.filter(pk=notification.pk, claim_token=token).update(
        claimed_at=None,
        claim_token=None,
        attempts=attempts,
        last_error=_short_error(exc),
        email_status=(
            Notification.EmailStatus.FAILED if gave_up else Notification.EmailStatus.PENDING
        ),
        next_attempt_at=None if gave_up else timezone.now() + delay,
    )
    log = logger.error if gave_up else logger.warning
    log(
        "notifications: attempt %d of %d to email %s failed (%s)",
        attempts,
        MAX_ATTEMPTS,
        notification.pk,
        type(exc).__name__,
    )


def _short_error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]


def _email_for(notification: Notification) -> EmailMessage:
    """The fixed-wording email for a notification's kind. Never the title or report content.

    Account emails (allauth's) are the one exception: sent as stored, exactly as allauth
    rendered them.
    """
    if not notification.to_email:
        raise ValueError("no email address to send to")
    if notification.kind == Notification.Kind.ACCOUNT:
        return _account_email_for(notification)
    service_name = settings.HARMSPORTAL_SERVICE_NAME
    context = {
        "service_name": service_name,
        "site_url": settings.SITE_URL,
        "link": _absolute_link(notification),
        "invite_days": settings.HARMSPORTAL_FAMILY_INVITE_DAYS,
    }
    body = render_to_string(f"notifications/email/{notification.kind}.txt", context)
    subject = f"{service_name}: {EMAIL_SUBJECTS[notification.kind]}"
    return EmailMessage(
        subject=subject,
        body=body,
        to=[notification.to_email],
        # Tells mail servers and clients not to send auto-replies to an automated message.
        headers={"Auto-Submitted": "auto-generated"},
    )


def _account_email_for(notification: Notification) -> EmailMessage:
    if not notification.email_body and not notification.email_html:
        raise ValueError("account email has no body")
    if notification.email_body:
        message = EmailMultiAlternatives(
            subject=notification.email_subject,
            body=notification.email_body,
            to=[notification.to_email],
            headers={"Auto-Submitted": "auto-generated"},
        )
        if notification.email_html:
            message.attach_alternative(notification.email_html, "text/html")
        return message
    message = EmailMessage(
        subject=notification.email_subject,
        body=notification.email_html,
        to=[notification.to_email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.content_subtype = "html"
    return message


def _absolute_link(notification: Notification) -> str:
    path = local_path_or_none(notification.link_path)
    if path is None:
        path = reverse("notifications:inbox") if notification.user_id else "/"
    return absolute_url(path)


def notifications_relay(
    *, limit: int = RELAY_BATCH_SIZE, time_budget: float = RELAY_TIME_BUDGET_SECONDS
) -> int:
    """Deliver emails that are due but nobody is delivering; return how many this run sent.

    Catches what the queue missed: the broker was down at commit, a worker died mid-send (its
    claim lapses after LEASE), or a failed send is due again. Overlapping runs are harmless
    because every delivery claims its row first.
    """
    now = timezone.now()
    deadline = time.monotonic() + time_budget
    sent = 0
    due = notification_ids_due_for_delivery(now=now, lease_expired_before=now - LEASE, limit=limit)
    for notification_id in due:
        if time.monotonic() > deadline:
            break
        try:
            sent += notification_deliver(notification_id)
        except NotificationSendError:
            continue  # recorded on the row; a later run retries it when it is due
    return sent


def notifications_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification in `user`'s inbox read; return how many changed."""
    return (
        Notification.objects.filter(user=actor, read_at=None)
        .exclude(kind=Notification.Kind.ACCOUNT)
        .update(read_at=timezone.now())
    )


@transaction.atomic
def notifications_retry_failed(*, notification_ids: Iterable[uuid.UUID]) -> int:
    """Put FAILED emails back in the outbox with a fresh set of attempts; return how many.

    Rows in any other state are left alone, so retrying twice, or retrying a sent email,
    never sends anything twice.
    """
    ids = list(
        Notification.objects.filter(
            pk__in=list(notification_ids), email_status=Notification.EmailStatus.FAILED
        ).values_list("pk", flat=True)
    )
    reset = Notification.objects.filter(
        pk__in=ids, email_status=Notification.EmailStatus.FAILED
    ).update(
        email_status=Notification.EmailStatus.PENDING,
        attempts=0,
        claimed_at=None,
        claim_token=None,
        next_attempt_at=None,
        last_error="",
    )
    for notification_id in ids:
        transaction.on_commit(partial(_enqueue_delivery, notification_id))
    return reset
