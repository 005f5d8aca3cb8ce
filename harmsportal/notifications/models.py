"""The transactional outbox, which is also each person's in-portal inbox.

A `Notification` row is written in the same transaction as the event it announces. Its email
is delivered later by a Celery task that claims the row atomically (see services.py), so a
rollback sends nothing and a crash, redelivery or second relay never sends twice.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Notification(models.Model):
    class Kind(models.TextChoices):
        # Each kind has fixed email wording in templates/notifications/email/<kind>.txt.
        # None of them may carry report content: "there is an update — sign in to read it".
        UPDATE = "update", "Update"
        ACKNOWLEDGEMENT = "acknowledgement", "Report received"
        FAMILY_INVITE = "family_invite", "Family invitation"
        ALERT = "alert", "Staff alert"
        TRAINING = "training", "Training reminder"
        # A roster import added the person: the email tells them to set a password through
        # the portal's own "reset your password" page (no secret link in the email itself).
        ACCOUNT_INVITE = "account_invite", "Account invitation"
        # The one exception: allauth's own emails (confirm your address, reset your password,
        # password changed …). Their words come from allauth's templates and are stored on the
        # row to be sent verbatim; they carry no report content and never show in the inbox.
        ACCOUNT = "account", "Account email"

    class EmailStatus(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed after retries"
        NOT_REQUIRED = "not_required", "No email needed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        help_text="Whose inbox it appears in. Empty for an invitation to someone with no account.",
    )
    to_email = models.EmailField(blank=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # Shown in the portal only (behind sign-in); never put in an email.
    title = models.CharField(max_length=200)
    link_path = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    email_status = models.CharField(
        max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING, db_index=True
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # After a failed send, the relay leaves the row alone until then (exponential backoff), so
    # an SMTP outage of an hour does not use up every attempt in a few minutes.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    # Written by `notifications_send_bulk` (a roster import's invitations, up to tens of
    # thousands at once). The relay serves every due non-bulk email before any bulk one, so an
    # urgent email that fell back to the relay never waits behind a batch of invitations.
    bulk = models.BooleanField(default=False)

    # Only for Kind.ACCOUNT: the rendered email, sent verbatim. Every other kind leaves these
    # blank and gets the fixed wording of its kind. The body may hold a secret (a password-reset
    # or confirmation link), so delivery blanks body and html once the email is sent.
    email_subject = models.TextField(blank=True)
    email_body = models.TextField(blank=True)
    email_html = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(to_email=""),
                name="notification_has_recipient",
            ),
        ]
        indexes = [
            # The relay's work list: pending rows, non-bulk first, then oldest first.
            models.Index(
                fields=["bulk", "created_at", "id"],
                condition=Q(email_status="pending"),
                name="notification_pending_bulk_idx",
            ),
        ]

    def __str__(self) -> str:
        # Not the title: str() ends up in logs, error reports and the admin, and the title
        # may describe someone's report.
        return f"{self.get_kind_display()} notification {self.pk}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def mark_read(self) -> None:
        """Idempotent: reading twice keeps the first time."""
        if self.read_at is None:
            self.read_at = timezone.now()
            self.save(update_fields=["read_at"])
