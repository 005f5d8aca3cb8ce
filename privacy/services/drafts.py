"""Unsent drafts: a report never sent is erased, with its answers and files, once nobody has saved
it for HARMSPORTAL_DRAFT_RETENTION_DAYS; its reporter is reminded HARMSPORTAL_DRAFT_NOTICE_DAYS
before, in fixed words with the date.

The clock is the draft's `updated_at`, which every saved page, added file or link and removed
one moves (reports/services). Saving the draft after the reminder gives it a fresh clock: it is
kept, and reminded again if it is left as long once more (`DraftReminder` keeps when the last
reminder went; a draft saved since is not "reminded"). Nothing is erased before expiry, nor
sooner than the notice period after the reminder.

National only, unlike closed cases (`ForceRetention`): a draft has reached no force, so no
force's records schedule covers it, and the portal can tell every reporter the same thing.

Each step locks the draft's row (as saving a draft does, `reports.services._shared.lock_draft`)
with its conditions re-checked, then reads the reminder afresh: a save and an erasure at once
wait for each other, and of two runs at once the second finds the reminder sent, or the draft
gone. Erasure leaves an `ErasureRecord` with metadata only, as a case's does, and the evidence
files go after commit (a crash in between is left to the sweep, privacy/services/orphans.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from harmsportal.audit.models import AccessLog
from harmsportal.audit.services import access_record
from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notification_send
from privacy.models import DraftReminder, ErasureRecord
from privacy.services.retention import evidence_files, notifications_pointing_at
from reports.evidence.storage import delete_stored_after_commit
from reports.models import Report, ReportStatus

logger = logging.getLogger(__name__)

DRAFT_REMINDER_TITLE = (
    "A report you started but have not sent will be deleted on {date}. "
    "To keep it, open it and save any page before then."
)


@dataclass
class DraftRetentionResult:
    reminded_drafts: int = 0
    erased_drafts: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "reminded_drafts": self.reminded_drafts,
            "erased_drafts": self.erased_drafts,
            "draft_errors": len(self.errors),
        }


def retention() -> timedelta:
    return timedelta(days=settings.HARMSPORTAL_DRAFT_RETENTION_DAYS)


def notice() -> timedelta:
    return timedelta(days=settings.HARMSPORTAL_DRAFT_NOTICE_DAYS)


def _drafts_unsaved_since(moment: datetime) -> QuerySet[Report]:
    return Report.objects.filter(status=ReportStatus.DRAFT, updated_at__lte=moment)


def _reminded_since_saved(*, before: datetime | None = None) -> Exists:
    """A reminder went after the draft was last saved (and, with `before`, no later than it)."""
    reminders = DraftReminder.objects.filter(
        report_id=OuterRef("pk"), reminded_at__gte=OuterRef("updated_at")
    )
    if before is not None:
        reminders = reminders.filter(reminded_at__lte=before)
    return Exists(reminders)


def drafts_due_reminder(now: datetime) -> QuerySet[Report]:
    """Drafts within the notice period of expiry (or past it) not reminded since last saved."""
    return _drafts_unsaved_since(now + notice() - retention()).exclude(_reminded_since_saved())


def drafts_due_erasure(now: datetime) -> QuerySet[Report]:
    """Drafts past expiry whose reminder, sent since they were last saved, is a notice old."""
    return _drafts_unsaved_since(now - retention()).filter(
        _reminded_since_saved(before=now - notice())
    )


def _lock_unsaved_draft(report_id: int, since: datetime) -> datetime | None:
    """Lock the draft's row if it is still a draft not saved since `since`; its `updated_at`.

    On Postgres a run that finds the row locked (a reporter saving, another run) waits, then
    re-checks these conditions on the row as it is after the other transaction."""
    return (
        _drafts_unsaved_since(since)
        .filter(pk=report_id)
        .select_for_update()
        .values_list("updated_at", flat=True)
        .first()
    )


@transaction.atomic
def draft_retention_remind(*, report_id: int, now: datetime | None = None) -> bool:
    """Tell the reporter their draft will be deleted. Once per time it is left unsaved."""
    now = now or timezone.now()
    saved_at = _lock_unsaved_draft(report_id, now + notice() - retention())
    if saved_at is None:
        return False
    # Read after the lock, so a run that waited for another sees the reminder it sent.
    reminded = DraftReminder.objects.filter(report_id=report_id, reminded_at__gte=saved_at)
    if reminded.exists():
        return False
    DraftReminder.objects.update_or_create(report_id=report_id, defaults={"reminded_at": now})
    reporter = Report.objects.select_related("reporter").get(pk=report_id).reporter
    erase_on = max(saved_at + retention(), now + notice())
    notification_send(
        user=reporter,
        # The email's words are the fixed "there is an update, sign in"; the title, in the
        # portal only, names no answer of the draft.
        kind=Notification.Kind.UPDATE,
        title=DRAFT_REMINDER_TITLE.format(date=date_format(timezone.localdate(erase_on), "j F Y")),
        link_path=reverse("reports:list"),
    )
    return True


@transaction.atomic
def draft_erase(*, report_id: int, now: datetime | None = None) -> ErasureRecord | None:
    """Erase an expired, reminded draft whole: answers, evidence rows and files, timeline. None
    if it is not due (any more): saved since, sent, already erased."""
    now = now or timezone.now()
    saved_at = _lock_unsaved_draft(report_id, now - retention())
    if saved_at is None:
        return None
    reminded_at = (
        DraftReminder.objects.filter(
            report_id=report_id, reminded_at__gte=saved_at, reminded_at__lte=now - notice()
        )
        .values_list("reminded_at", flat=True)
        .first()
    )
    if reminded_at is None:
        return None
    report = Report.objects.select_related("force").get(pk=report_id)
    evidence = list(report.evidence.all())
    paths = evidence_files(evidence)
    notifications = notifications_pointing_at(report.public_id)
    record = ErasureRecord.objects.create(
        kind=ErasureRecord.Kind.DRAFT,
        public_id=report.public_id,
        force=report.force,
        closed_at=saved_at,
        retention_days=settings.HARMSPORTAL_DRAFT_RETENTION_DAYS,
        reminded_at=reminded_at,
        erased_at=now,
        counts={
            "evidence_items": len(evidence),
            "evidence_files": len(paths),
            "status_events": report.status_events.count(),
            "notifications": notifications.count(),
        },
    )
    notifications.delete()
    report.delete()  # its answers, evidence rows, timeline and reminder go with it
    delete_stored_after_commit(paths)
    access_record(
        actor=None,
        action=AccessLog.Action.ERASE,
        object_type="reports.report",
        object_id=report_id,
        force=record.force,
        reason="Unsent draft not saved for the retention period",
    )
    return record


def draft_retention_run(*, now: datetime | None = None) -> DraftRetentionResult:
    """Send the draft reminders that are due, then erase the expired drafts; each in its own
    transaction, so one failure neither rolls back the others nor stops the run."""
    now = now or timezone.now()
    result = DraftRetentionResult()
    steps = (
        ("reminded_drafts", drafts_due_reminder, draft_retention_remind),
        ("erased_drafts", drafts_due_erasure, draft_erase),
    )
    for counter, due, act in steps:
        for pk in list(due(now).order_by("pk").values_list("pk", flat=True)):
            try:
                done = act(report_id=pk, now=now)
            except Exception as exc:  # one bad draft must not stop the others
                logger.exception("Draft retention step %s failed for id %s", counter, pk)
                result.errors.append(f"{counter} {pk}: {type(exc).__name__}")
                continue
            if done:
                setattr(result, counter, getattr(result, counter) + 1)
    return result


def drafts_due(*, now: datetime | None = None) -> dict[str, int]:
    """What a run now would do to drafts, without doing it."""
    now = now or timezone.now()
    return {
        "drafts_due_reminder": drafts_due_reminder(now).count(),
        "drafts_due_erasure": drafts_due_erasure(now).count(),
    }
