"""Every write to a report: keyword-only, acting user first, atomic, audited where it reads."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from harmsportal.audit.services import access_record
from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notification_send
from harmsportal.people.selectors import live_links_as_family
from reports.intake import (
    WROTE_EVIDENCE,
    WROTE_MESSAGE,
    intake_reporter_wrote,
    intake_submitted_report,
    intake_withdrawn_report,
)
from reports.models import (
    ContactPreference,
    Evidence,
    ReferenceCounter,
    Report,
    ReportMessage,
    ReportStatus,
    current_taxonomy_version,
)
from reports.models.choices import OPEN_STATUSES as REPORT_OPEN_STATUSES
from reports.selectors import reader_role
from reports.steps import missing_steps

if TYPE_CHECKING:
    from harmsportal.people.models import Force, User

logger = logging.getLogger(__name__)

MAX_LINKS = 20
MESSAGE_MAX_CHARS = 5000


class ReportNotEditableError(ValidationError):
    """The report is no longer a draft, so its answers are fixed."""


class ReportIncompleteError(ValidationError):
    """Some questions are unanswered, or the harm is not connected to the policing role."""

    def __init__(self, message: str, *, steps: list[str]):
        super().__init__(message)
        self.steps = steps


class NoForceError(ValidationError):
    """The account is not linked to a force (or, for a family account, to a member)."""


# ---------------------------------------------------------------------------
# References
# ---------------------------------------------------------------------------


@transaction.atomic
def reference_allocate(*, force: Force, year: int) -> str:
    """The next reference for `force` in `year`, such as OH-WYP-2026-000123.

    The force's counter row is locked (SELECT … FOR UPDATE) for the rest of the caller's
    transaction, so two submissions at the same moment can never get the same number, and a
    rolled-back submission gives its number back.
    """
    ReferenceCounter.objects.get_or_create(force=force, year=year)
    counter = ReferenceCounter.objects.select_for_update().get(force=force, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"OH-{force.code}-{year}-{counter.last:06d}"


# ---------------------------------------------------------------------------
# The draft
# ---------------------------------------------------------------------------


def _reporting_force(reporter: User) -> Force:
    if reporter.kind == "family":
        # A family account reports under the force of the member whose role touches them.
        link = live_links_as_family(reporter).first()
        if link is not None:
            return link.force
        raise NoForceError(
            "Your account is not linked to a family member who works in policing yet."
        )
    force = reporter.home_force
    if force is None:
        raise NoForceError("Your account is not linked to a police force yet.")
    return force


@transaction.atomic
def report_start(*, actor: User) -> Report:
    """Create an empty draft for `actor`. Raises NoForceError if they have no force."""
    report = Report.objects.create(reporter=actor, force=_reporting_force(actor))
    report.status_events.create(status=ReportStatus.DRAFT, note="You started this report.")
    return report


NOT_EDITABLE = "This report has been sent, so its answers can no longer change."


def _require_draft(report: Report) -> None:
    if not report.is_draft:
        raise ReportNotEditableError(NOT_EDITABLE)


def _lock_draft(report: Report) -> None:
    """Lock the report's row for the rest of the transaction; refuse it unless still a draft.

    Asks the database, not `report`, which may have been read before the draft was sent.
    """
    status = Report.objects.select_for_update().values_list("status", flat=True).get(pk=report.pk)
    if status != ReportStatus.DRAFT:
        raise ReportNotEditableError(NOT_EDITABLE)


@transaction.atomic
def report_answers_save(*, actor: User, report: Report, answers: dict[str, Any]) -> Report:
    """Save one step's answers onto the draft. Many-to-many answers are sets of rows.

    Only the fields this step answered are written, so a step saved from another tab (or an
    older copy of the draft) never puts back answers given since.
    """
    _lock_draft(report)
    many = {"categories", "platforms"}
    fields = ["updated_at"]
    for name, value in answers.items():
        if name in many:
            getattr(report, name).set(value)
        else:
            setattr(report, name, value)
            fields.append(name)
    report.updated_at = timezone.now()
    report.save(update_fields=fields)
    return report


def report_evidence_add(*, actor: User, report: Report, data: bytes, filename: str) -> Evidence:
    """Check, encrypt and keep one uploaded file against the draft.

    Raises `reports.evidence.EvidenceRejected` (with a plain-English `.message`) for a file
    the pipeline refuses, or when the report already holds the most files allowed, and
    ReportNotEditableError once the report has been sent. The report's row is locked before
    the files are counted, so two uploads at once cannot go past the limit together.

    If anything fails after a file is stored, up to and including the commit, the stored
    files are deleted again. Call it outside a transaction (as the journey does): a caller's
    own transaction that rolls back later cannot take the files with it.
    """
    return _evidence_keep(actor=actor, report=report, data=data, filename=filename, sent=False)


def report_evidence_add_after_send(
    *, actor: User, report: Report, data: bytes, filename: str
) -> Evidence:
    """The reporter adds a file to their sent report, through the same pipeline as a draft's.

    Only the reporter, and only while the report is open (received, being looked at, or with
    its outcome, which invites a reply); ValidationError otherwise, and EvidenceRejected as
    for `report_evidence_add`. Triage is told in the same transaction
    (`intake_reporter_wrote(..., what="evidence")`): the holder of the case gets a
    notification naming the case, never the file. Call it outside a transaction.
    """
    return _evidence_keep(actor=actor, report=report, data=data, filename=filename, sent=True)


def _evidence_keep(
    *, actor: User, report: Report, data: bytes, filename: str, sent: bool
) -> Evidence:
    from reports.evidence import (
        check_count,
        delete_stored,
        inspect_upload,
        make_viewing_copy,
        store_encrypted,
    )

    stored: list[str] = []
    try:
        with transaction.atomic():
            if sent:
                _lock_sent_for_adding(actor, report)
            else:
                _lock_draft(report)
            check_count(report.evidence.exclude(kind=Evidence.Kind.LINK).count())
            accepted = inspect_upload(data, filename=filename)
            viewing_path, viewing_mime = "", ""
            if accepted.kind == Evidence.Kind.IMAGE:
                viewing_data, viewing_mime = make_viewing_copy(data)
                viewing_path = store_encrypted(viewing_data)
                stored.append(viewing_path)
            stored_path = store_encrypted(data)
            stored.append(stored_path)
            evidence = Evidence.objects.create(
                report=report,
                kind=accepted.kind,
                original_filename=_display_name(filename),
                mime=accepted.mime,
                size=accepted.size,
                sha256=accepted.sha256,
                stored_path=stored_path,
                viewing_path=viewing_path,
                viewing_mime=viewing_mime,
                uploaded_by=actor,
            )
            _touch(report)
    except BaseException:
        for path in stored:
            delete_stored(path)
        raise
    return evidence


NOT_OPEN = "This report is closed or withdrawn, so nothing more can be added to it."


def _refuse_adding_unless_open(actor: User, report: Report) -> None:
    if actor.pk != report.reporter_id:
        raise ValidationError("Only the person who made a report can add to it.")
    if report.status not in REPORT_OPEN_STATUSES:
        raise ValidationError(NOT_OPEN)


def _lock_sent_for_adding(actor: User, report: Report) -> None:
    """Tell triage, then lock the report's row and check, from the database, it is still open.

    Triage's handler locks the case row first, so the rows are locked in the order every
    triage service takes them (case, then report), and two writers never wait on each other.
    """
    _refuse_adding_unless_open(actor, report)
    intake_reporter_wrote(report, actor=actor, what=WROTE_EVIDENCE)
    status = Report.objects.select_for_update().values_list("status", flat=True).get(pk=report.pk)
    if status not in REPORT_OPEN_STATUSES:
        raise ValidationError(NOT_OPEN)


def _display_name(filename: str) -> str:
    # Only ever shown, never used as a path: keep the last segment, trimmed.
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return (name or "file")[:255]


def _touch(report: Report) -> None:
    report.updated_at = timezone.now()
    report.save(update_fields=["updated_at"])


@transaction.atomic
def report_link_add(*, actor: User, report: Report, url: str) -> Evidence:
    _require_draft(report)
    return _link_keep(actor=actor, report=report, url=url)


def _link_keep(*, actor: User, report: Report, url: str) -> Evidence:
    if report.evidence.filter(kind=Evidence.Kind.LINK).count() >= MAX_LINKS:
        raise ValidationError(f"You can add up to {MAX_LINKS} links.")
    evidence = Evidence.objects.create(
        report=report, kind=Evidence.Kind.LINK, link_url=url, uploaded_by=actor
    )
    _touch(report)
    return evidence


@transaction.atomic
def report_link_add_after_send(*, actor: User, report: Report, url: str) -> Evidence:
    """The reporter adds a link to their sent, open report; triage is told as for a file."""
    _lock_sent_for_adding(actor, report)
    return _link_keep(actor=actor, report=report, url=url)


@transaction.atomic
def report_evidence_remove(*, actor: User, report: Report, evidence: Evidence) -> None:
    """Remove a file or link from the draft; the encrypted files go once the removal commits."""
    from reports.evidence import delete_stored

    _require_draft(report)
    if evidence.report_id != report.pk:
        raise ValidationError("That evidence is not part of this report.")
    paths = [path for path in (evidence.stored_path, evidence.viewing_path) if path]
    evidence.delete()
    _touch(report)
    for path in paths:
        transaction.on_commit(lambda path=path: delete_stored(path))


@transaction.atomic
def report_draft_delete(*, actor: User, report: Report) -> None:
    """Delete an unsent draft and its evidence; sent reports are never deleted this way."""
    from reports.evidence import delete_stored

    _require_draft(report)
    if actor.pk != report.reporter_id:
        raise ValidationError("Only the person who started a draft can delete it.")
    paths = [
        path
        for pair in report.evidence.values_list("stored_path", "viewing_path")
        for path in pair
        if path
    ]
    report.delete()
    for path in paths:
        transaction.on_commit(lambda path=path: delete_stored(path))


# ---------------------------------------------------------------------------
# Submission
# ---------------------------------------------------------------------------


def _check_complete(report: Report) -> None:
    missing = missing_steps(report)
    if missing:
        raise ReportIncompleteError(
            "There are questions you have not answered yet.", steps=[s.slug for s in missing]
        )
    if report.related_to_role is not True:
        raise ReportIncompleteError(
            "This service is for harm connected to the policing role, so this report cannot "
            "be sent.",
            steps=["role"],
        )
    if report.family_link_id and report.family_link.revoked_at is not None:
        raise ReportIncompleteError("That family link has been withdrawn.", steps=["who"])


@transaction.atomic
def report_submit(*, actor: User, report: Report) -> Report:
    """Send the draft: reference, acknowledgement and the force's triage intake, all or nothing.

    Sending an already-sent report changes nothing. Raises ReportIncompleteError (with `.steps`)
    if questions are unanswered or the harm is not connected to the policing role.
    """
    report = Report.objects.select_for_update().select_related("force").get(pk=report.pk)
    if report.reporter_id != actor.pk:
        raise ValidationError("Only the person who made a report can send it.")
    if not report.is_draft:
        return report
    _check_complete(report)
    year = timezone.localtime().year
    report.submit(
        reference=reference_allocate(force=report.force, year=year),
        taxonomy_version=current_taxonomy_version(),
    )
    report.status_events.create(
        status=ReportStatus.SUBMITTED, note="We received your report and sent it to triage."
    )
    notification_send(
        user=actor,
        kind=Notification.Kind.ACKNOWLEDGEMENT,
        title=f"We have received your report {report.reference}",
        link_path=reverse("reports:detail", args=[report.public_id]),
        email=_wants_email(report),
    )
    intake_submitted_report(report)
    return report


def _wants_email(report: Report) -> bool:
    # Everyone gets the in-portal notification; only those who chose email are emailed. A
    # reporter who asked for phone calls, or for the portal only, may not want an email to
    # reach an inbox someone else can read.
    return report.contact_preference == ContactPreference.EMAIL


# ---------------------------------------------------------------------------
# Reading (audited) and messages
# ---------------------------------------------------------------------------


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
    message = report.messages.create(author=actor, from_reporter=from_reporter, body=body)
    if from_reporter:
        # Before the report's own row is touched: triage locks the case, then the report.
        intake_reporter_wrote(report, actor=actor, what=WROTE_MESSAGE)
    else:
        notification_send(
            user=report.reporter,
            kind=Notification.Kind.UPDATE,
            title=f"There is a new message about your report {report.reference}",
            link_path=reverse("reports:detail", args=[report.public_id]) + "#messages",
            email=_wants_email(report),
        )
    _touch(report)
    return message


@transaction.atomic
def report_messages_mark_read(*, actor: User, report: Report) -> int:
    """Mark the other side's messages read. Only the reporter marks triage's messages."""
    if actor.pk != report.reporter_id:
        return 0
    return report.messages.filter(from_reporter=False, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# ---------------------------------------------------------------------------
# Sharing a family account's report with the linked member
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Status changes: the reporter's withdrawal, and those triage makes
# ---------------------------------------------------------------------------


def _event(report: Report, changed: bool, note: str) -> None:
    if changed:
        report.status_events.create(status=report.status, note=note[:300])


@transaction.atomic
def report_withdraw(*, actor: User, report: Report, reason: str = "") -> Report:
    """The reporter withdraws their report, and its case closes. Withdrawing twice changes nothing.

    Triage hears first, through the intake seam in this transaction, so the case row is locked
    before the report's, in the same order as every triage service; if the withdrawal is then
    refused (a closed report), both roll back together.
    """
    if actor.pk != report.reporter_id:
        raise ValidationError("Only the person who made a report can withdraw it.")
    if report.status != ReportStatus.WITHDRAWN:
        intake_withdrawn_report(report, actor=actor)
    changed = report.withdraw(reason=reason.strip())
    _event(report, changed, "You withdrew this report.")
    return report


@transaction.atomic
def report_progress_start(*, actor: User, report: Report, note: str = "") -> Report:
    changed = report.start_progress()
    _event(report, changed, note or "Someone in your force's triage team is looking at it.")
    return report


@transaction.atomic
def report_outcome_record(
    *, actor: User, report: Report, category: str, explanation: str
) -> Report:
    """Give the reporter the outcome; they are told there is an update (never what it is)."""
    changed = report.give_outcome(category=category, explanation=explanation.strip())
    _event(report, changed, "We have told you the outcome.")
    if changed:
        notification_send(
            user=report.reporter,
            kind=Notification.Kind.UPDATE,
            title=f"There is an outcome for your report {report.reference}",
            link_path=reverse("reports:detail", args=[report.public_id]) + "#outcome",
            email=_wants_email(report),
        )
    return report


@transaction.atomic
def report_close(*, actor: User, report: Report, note: str = "") -> Report:
    changed = report.close()
    _event(report, changed, note or "This report is closed.")
    return report


@transaction.atomic
def report_reopen(*, actor: User, report: Report, note: str = "") -> Report:
    changed = report.reopen()
    _event(report, changed, note or "This report has been reopened.")
    return report


@transaction.atomic
def report_transfer(*, actor: User, report: Report, to_force: Force) -> bool:
    """Triage sent the report to another force: that force handles it from now on.

    The reporter sees the force's name on their report and in their timeline, and is told in
    the portal (by email too if they chose it). The reference stays as it was, so the one they
    were given still finds their report. Triage's reason never reaches the reporter.
    """
    if report.is_draft:
        raise ValidationError("A draft has not been sent to any force yet.")
    if report.force_id == to_force.pk:
        return False
    Report.objects.filter(pk=report.pk).update(force=to_force, updated_at=timezone.now())
    report.refresh_from_db(fields=["force", "updated_at"])
    report.status_events.create(
        status=report.status, note=f"Your report is now handled by {to_force.name}."[:300]
    )
    notification_send(
        user=report.reporter,
        kind=Notification.Kind.UPDATE,
        title=f"Your report {report.reference} is now handled by {to_force.name}",
        link_path=reverse("reports:detail", args=[report.public_id]),
        email=_wants_email(report),
    )
    return True
