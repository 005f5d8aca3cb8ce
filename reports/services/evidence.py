"""Evidence: files and links on a draft, the reporter adding more after sending, removal."""

from __future__ import annotations

import errno
import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from reports.intake import WROTE_EVIDENCE, intake_reporter_wrote
from reports.models import Evidence, Report
from reports.models.choices import OPEN_STATUSES as REPORT_OPEN_STATUSES
from reports.services._shared import lock_draft, touch

if TYPE_CHECKING:
    from harmsportal.people.models import User

logger = logging.getLogger(__name__)

MAX_LINKS = 20


def report_evidence_add(*, actor: User, report: Report, data: bytes, filename: str) -> Evidence:
    """Check, encrypt and keep one uploaded file against the draft.

    Raises `reports.evidence.EvidenceRejected` (with a plain-English `.message`) for a file
    the pipeline refuses, or when the report already holds the most files allowed, and
    ReportNotEditableError once the report has been sent, and
    `reports.evidence.EvidenceNotStored` when the store cannot write it (disk full, volume
    gone): nothing is kept, and the draft's answers are untouched. The report's row is locked before
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
    from reports.evidence import check_count, inspect_upload, make_viewing_copy

    stored: list[str] = []
    try:
        with transaction.atomic():
            if sent:
                _lock_sent_for_adding(actor, report)
            else:
                lock_draft(report)
            check_count(report.evidence.exclude(kind=Evidence.Kind.LINK).count())
            accepted = inspect_upload(data, filename=filename)
            viewing_path, viewing_mime = "", ""
            if accepted.kind == Evidence.Kind.IMAGE:
                viewing_data, viewing_mime = make_viewing_copy(data)
                viewing_path = _store(viewing_data, stored, report=report)
            stored_path = _store(data, stored, report=report)
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
            touch(report)
    except BaseException:
        _forget(stored)
        raise
    return evidence


def _store(data: bytes, stored: list[str], *, report: Report) -> str:
    """Encrypt and write one file, noting its path in `stored` for the caller's cleanup.

    A storage failure (disk full, read-only or missing volume: any OSError from the store)
    becomes EvidenceNotStored, so the reporter gets an error on the field rather than a 500;
    the caller's transaction rolls back and its cleanup removes any file already written.
    """
    from reports.evidence import EvidenceNotStored, store_encrypted

    try:
        path = store_encrypted(data)
    except OSError as error:
        # The errno only: the file name and its bytes are the reporter's, never for logs.
        logger.error(
            "Evidence for report %s could not be stored: %s",
            report.pk,
            errno.errorcode.get(error.errno or 0, type(error).__name__),
        )
        raise EvidenceNotStored() from error
    stored.append(path)
    return path


def _forget(stored: list[str]) -> None:
    """Delete files written for an upload that was not kept; one failure does not stop the rest."""
    from reports.evidence import delete_stored

    for path in stored:
        try:
            delete_stored(path)
        except OSError:
            logger.exception("A stored evidence file could not be removed after a failed upload")


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
    # FOR NO KEY UPDATE: a concurrent message's key share lock on this row does not block it.
    status = (
        Report.objects.select_for_update(no_key=True)
        .values_list("status", flat=True)
        .get(pk=report.pk)
    )
    if status not in REPORT_OPEN_STATUSES:
        raise ValidationError(NOT_OPEN)


def _display_name(filename: str) -> str:
    # Only ever shown, never used as a path: keep the last segment, trimmed.
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return (name or "file")[:255]


@transaction.atomic
def report_link_add(*, actor: User, report: Report, url: str) -> Evidence:
    """Add a link to the draft. Raises ReportNotEditableError once it is sent, and
    Report.DoesNotExist when it is gone (erased by retention, deleted in another tab)."""
    # Locked as a file upload locks it: two links at once cannot pass the limit together.
    lock_draft(report)
    return _link_keep(actor=actor, report=report, url=url)


def _link_keep(*, actor: User, report: Report, url: str) -> Evidence:
    if report.evidence.filter(kind=Evidence.Kind.LINK).count() >= MAX_LINKS:
        raise ValidationError(f"You can add up to {MAX_LINKS} links.")
    evidence = Evidence.objects.create(
        report=report, kind=Evidence.Kind.LINK, link_url=url, uploaded_by=actor
    )
    touch(report)
    return evidence


@transaction.atomic
def report_link_add_after_send(*, actor: User, report: Report, url: str) -> Evidence:
    """The reporter adds a link to their sent, open report; triage is told as for a file."""
    _lock_sent_for_adding(actor, report)
    return _link_keep(actor=actor, report=report, url=url)


@transaction.atomic
def report_evidence_remove(*, actor: User, report: Report, evidence: Evidence) -> None:
    """Remove a file or link from the draft; the encrypted files go once the removal commits.

    Raises ReportNotEditableError once the report is sent, and Report.DoesNotExist when the
    draft is gone. A storage error deleting the files after commit is logged, not raised: the
    removal stands and the evidence sweep deletes the file later (`delete_stored_after_commit`).
    """
    from reports.evidence.storage import delete_stored_after_commit

    if evidence.report_id != report.pk:
        raise ValidationError("That evidence is not part of this report.")
    lock_draft(report)
    paths = [evidence.stored_path, evidence.viewing_path]
    evidence.delete()
    touch(report)
    delete_stored_after_commit(paths)
