"""The reporter and triage: messages, the audited record of each read, and sharing.

Sharing is a family account's report shown to the member they are linked to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from harmsportal.audit.services import access_record
from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notification_send
from reports.intake import WROTE_MESSAGE, intake_reporter_wrote
from reports.models import Evidence, Report, ReportMessage, ReportStatus
from reports.selectors import reader_role
from reports.services._shared import touch, wants_email

if TYPE_CHECKING:
    from harmsportal.people.models import User

MESSAGE_MAX_CHARS = 5000


@transaction.atomic
def report_access_record(
    *, actor: User, report: Report, action: str, evidence: Evidence | None = None
) -> None:
    """Record that `actor` read the report (or downloaded `evidence`), in the caller's transaction."""
    access_record(
        actor=actor,
        action=action,
        obj=evidence if evidence is not None else report,
        force=report.force,
        role=reader_role(actor, report),
    )


@transaction.atomic
def report_message_send(*, actor: User, report: Report, body: str) -> ReportMessage:
    """Add a message to the report's thread with the triage team.

    From the reporter, it goes to triage through the intake seam (in this transaction): the
    case is marked unread and whoever holds it is told. From triage, the reporter gets an
    in-portal notification and an email that says only that there is an update.
    """
    body = body.strip()
    if not body:
        raise ValidationError("Enter a message.")
    if len(body) > MESSAGE_MAX_CHARS:
        raise ValidationError(f"Your message must be {MESSAGE_MAX_CHARS:,} characters or fewer.")
    if report.is_draft or report.status == ReportStatus.WITHDRAWN:
        raise ValidationError("Messages can only be sent about a report that is open.")
    from_reporter = actor.pk == report.reporter_id
    if from_reporter:
        # Before anything touches the report's row (even the message's foreign key takes a key
        # share lock on it): triage locks the case, then the report, as every writer does.
        intake_reporter_wrote(report, actor=actor, what=WROTE_MESSAGE)
    message = report.messages.create(author=actor, from_reporter=from_reporter, body=body)
    if not from_reporter:
        notification_send(
            user=report.reporter,
            kind=Notification.Kind.UPDATE,
            title=f"There is a new message about your report {report.reference}",
            link_path=reverse("reports:detail", args=[report.public_id]) + "#messages",
            email=wants_email(report),
        )
    touch(report)
    return message


@transaction.atomic
def report_messages_mark_read(*, actor: User, report: Report) -> int:
    """Mark the other side's messages read. Only the reporter marks triage's messages."""
    if actor.pk != report.reporter_id:
        return 0
    return report.messages.filter(from_reporter=False, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def report_sharing_stop(*, actor: User, report: Report) -> bool:
    """Stop sharing the reporter's report with their linked member, whatever its status.

    Returns True if it was shared until now; stopping again changes nothing. Raises
    ValidationError for anyone but the reporter.
    """
    if actor.pk != report.reporter_id:
        raise ValidationError("Only the person who made a report can stop sharing it.")
    changed = Report.objects.filter(pk=report.pk, shared_with_member=True).update(
        shared_with_member=False, updated_at=timezone.now()
    )
    report.refresh_from_db(fields=["shared_with_member", "updated_at"])
    return bool(changed)
