"""Roster import: read an uploaded file, check it with a dry run, then apply it all or nothing.

1. `roster_preview` reads the file (CSV in UTF-8 with or without a byte-order mark, or XLSX),
   runs it through `RosterResource` as a dry run (everything is written and then rolled back,
   so the preview sees exactly what applying would do), and keeps a `RosterImport` with the
   file, its SHA-256 and what the check found. A file that cannot be read, or whose columns are
   wrong, is refused before anything is kept.
2. `roster_apply` runs the same file through the same resource for real, in one transaction:
   every row or none. Applying an applied roster does nothing, and a second upload of the same
   file finds every row unchanged, so nothing is made twice (accounts, memberships, profiles,
   assignments or invitations).

Every preview shown and every apply is recorded in the access log.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from collections import Counter

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from harmsportal.audit.models import AccessLog
from harmsportal.audit.services import access_record
from harmsportal.people.models import Force, Role, User
from training.models import RosterImport
from training.resources import RosterResource
from training.roster_rows import RosterRow, RowStatus, header_key, roster_header_problems

logger = logging.getLogger(__name__)

# Beyond the size cap, a limit on rows: an XLSX is compressed, so a small file could hold
# millions of rows. Reading stops as soon as a file passes it.
MAX_ROWS = 100_000
# The rows the preview shows in full, after the counts (every bad row is listed as well).
FIRST_ROWS = 10

XLSX_MAGIC = b"PK\x03\x04"
# Excel saves a password-protected workbook, and the old .xls format, as an OLE2 compound file.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

COULD_NOT_OPEN = (
    "The file could not be opened. If it is password protected, save a copy without a "
    "password and upload that."
)
WRONG_TYPE = "The selected file must be a CSV or an Excel (.xlsx) file."
EMPTY = "The selected file is empty."
NO_ROWS = "The selected file has headings but no people under them."
NOT_UTF8 = (
    "The selected file could not be read. Save it as a CSV UTF-8 file, or as an Excel "
    "(.xlsx) file, and upload it again."
)
TOO_MANY_ROWS = f"The selected file must have no more than {MAX_ROWS:,} rows."
NOT_APPLICABLE = (
    "This roster has problems, so it cannot be applied. Fix the rows listed and upload the "
    "file again."
)
CHECK_FAILED = (
    "The roster could not be checked, and nothing has changed. Try again, and if it happens "
    "again, contact the service desk."
)


def roster_max_bytes() -> int:
    return settings.HARMSPORTAL_ROSTER_MAX_BYTES


def roster_too_big_message() -> str:
    return f"The selected file must be smaller than {roster_max_bytes() // (1024 * 1024)} MB."


def roster_file_format(file_name: str) -> str | None:
    """ "csv" or "xlsx" from the file's name; None for anything else."""
    name = (file_name or "").lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".xlsx"):
        return "xlsx"
    return None


# --- reading a file ------------------------------------------------------------------------------


def roster_dataset(*, content: bytes, file_format: str) -> tablib.Dataset:
    """The file's first sheet as a Dataset of text and dates, its headings canonical.

    Raises ValidationError with a message for the person when the file cannot be read. Cells
    are read as written: an XLSX formula comes back as its text (`=HYPERLINK(…)`), never as
    its result, and nothing is ever evaluated. Empty lines at the end are dropped; those in
    the middle stay, so row numbers are the file's own.
    """
    if not content:
        raise ValidationError(EMPTY)
    if content.startswith(OLE2_MAGIC):
        raise ValidationError(COULD_NOT_OPEN)
    if file_format == "xlsx":
        rows = _xlsx_rows(content)
    elif content.startswith(XLSX_MAGIC):  # a workbook named .csv
        raise ValidationError(COULD_NOT_OPEN)
    else:
        rows = _csv_rows(content)
    while rows and all(_blank(cell) for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise ValidationError(EMPTY)
    headers = [header_key(cell) if not _blank(cell) else "" for cell in rows[0]]
    if len(rows) == 1:
        raise ValidationError(NO_ROWS)
    width = len(headers)
    dataset = tablib.Dataset(headers=headers)
    for row in rows[1:]:
        dataset.append((list(row) + [None] * width)[:width])
    return dataset


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _csv_rows(content: bytes) -> list[list]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(NOT_UTF8) from None
    if "\x00" in text:
        raise ValidationError(NOT_UTF8)
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise ValidationError(TOO_MANY_ROWS)
    except csv.Error:
        raise ValidationError(NOT_UTF8) from None
    return rows


def _xlsx_rows(content: bytes) -> list[list]:
    import openpyxl

    if not content.startswith(XLSX_MAGIC):
        raise ValidationError(COULD_NOT_OPEN)
    try:
        # read_only streams the sheet; data_only=False gives a formula's text, not its result.
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        try:
            sheet = book.worksheets[0]
            rows = []
            for row in sheet.iter_rows(values_only=True):
                rows.append(list(row))
                if len(rows) > MAX_ROWS + 1:
                    raise ValidationError(TOO_MANY_ROWS)
        finally:
            book.close()
    except ValidationError:
        raise
    except Exception as exc:  # a damaged zip, XML or workbook: all the same to the person
        logger.info("roster: an XLSX could not be opened (%s)", type(exc).__name__)
        raise ValidationError(COULD_NOT_OPEN) from None
    return rows


# --- preview and apply ---------------------------------------------------------------------------


def _run(*, force: Force, dataset: tablib.Dataset, dry_run: bool) -> tuple[RosterResource, dict]:
    resource = RosterResource(force=force)
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
        raise_errors=False,
    )
    problems = []
    for error in result.base_errors:
        if isinstance(error.error, ValidationError):
            problems += error.error.messages
        else:
            logger.error("roster: import failed", exc_info=error.error)
            problems.append(CHECK_FAILED)
    return resource, _summary(resource, result.totals, problems)


def _summary(resource: RosterResource, totals: dict, problems: list[str]) -> dict:
    rows = [row for row in resource.rows if not row.blank]
    counts = Counter(row.status for row in rows)
    return {
        "rows": len(rows),
        RowStatus.NEW_ACCOUNT: counts[RowStatus.NEW_ACCOUNT],
        RowStatus.NEW_PROFILE: counts[RowStatus.NEW_PROFILE],
        RowStatus.UPDATE: counts[RowStatus.UPDATE],
        RowStatus.UNCHANGED: counts[RowStatus.UNCHANGED],
        RowStatus.ERROR: counts[RowStatus.ERROR],
        "assignments": resource.stats["assignments"],
        "invitations": resource.stats["invitations"],
        # import-export's own count of new, updated and skipped profiles, kept to cross-check.
        "totals": dict(totals),
        "problems": problems,
        "ignored_columns": resource.ignored_columns,
        "first_rows": [_shown(row) for row in rows[:FIRST_ROWS]],
        "errors": [
            {"row": row.number, "email": row.email, "messages": row.errors}
            for row in rows
            if row.errors
        ],
    }


def _shown(row: RosterRow) -> dict:
    return {
        "row": row.number,
        "email": row.email,
        "name": row.name,
        "kind": row.kind,
        "audiences": list(row.audiences),
        "start_date": row.start_date.isoformat() if row.start_date else "",
        "line_manager_email": row.line_manager_email,
        "status": row.status,
    }


def roster_check_columns(dataset: tablib.Dataset) -> None:
    """Refuse a file without the columns a roster needs, before anything is kept."""
    problems = roster_header_problems(dataset.headers)
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def roster_preview(*, actor: User, force: Force, file_name: str, content: bytes) -> RosterImport:
    """Check an uploaded roster with a dry run and keep it for the trainer to apply.

    Raises ValidationError, keeping nothing, when the file cannot be read or its columns are
    wrong. A file with bad rows is kept (status INVALID) so the preview can list every one.
    """
    file_format = roster_file_format(file_name)
    if file_format is None:
        raise ValidationError(WRONG_TYPE)
    if len(content) > roster_max_bytes():
        raise ValidationError(roster_too_big_message())
    dataset = roster_dataset(content=content, file_format=file_format)
    roster_check_columns(dataset)
    _resource, summary = _run(force=force, dataset=dataset, dry_run=True)
    digest = hashlib.sha256(content).hexdigest()
    applied_before = (
        RosterImport.objects.filter(force=force, sha256=digest, status=RosterImport.Status.APPLIED)
        .order_by("-applied_at")
        .values_list("applied_at", flat=True)
        .first()
    )
    summary["applied_before"] = applied_before.isoformat() if applied_before else ""
    valid = not summary[RowStatus.ERROR] and not summary["problems"]
    return RosterImport.objects.create(
        force=force,
        uploaded_by=actor,
        file_name=file_name[:200],
        file_format=file_format,
        content=content,
        sha256=digest,
        status=RosterImport.Status.PREVIEWED if valid else RosterImport.Status.INVALID,
        summary=summary,
    )


def roster_apply(*, actor: User, roster: RosterImport) -> RosterImport:
    """Apply a checked roster, all or nothing; return it with its new status.

    APPLIED: every row was written, in one transaction with its access-log row. INVALID:
    something changed since the check (say, a line manager's account was closed), nothing was
    written, and the summary lists the rows now at fault. Applying an applied roster again
    does nothing. Raises ValidationError for a roster that had problems when it was checked.
    """
    with transaction.atomic():
        roster = RosterImport.objects.select_for_update().select_related("force").get(pk=roster.pk)
        if roster.status == RosterImport.Status.APPLIED:
            return roster
        if roster.status != RosterImport.Status.PREVIEWED:
            raise ValidationError(NOT_APPLICABLE)
        dataset = roster_dataset(content=bytes(roster.content), file_format=roster.file_format)
        _resource, summary = _run(force=roster.force, dataset=dataset, dry_run=False)
        summary["applied_before"] = roster.summary.get("applied_before", "")
        roster.summary = summary
        if summary[RowStatus.ERROR] or summary["problems"]:
            roster.status = RosterImport.Status.INVALID
            roster.save(update_fields=["status", "summary"])
            return roster
        roster.status = RosterImport.Status.APPLIED
        roster.applied_at = timezone.now()
        roster.save(update_fields=["status", "summary", "applied_at"])
        access_record(
            actor=actor,
            action=AccessLog.Action.CREATE,
            obj=roster,
            force=roster.force,
            role=Role.TRAINING_ADMIN,
            reason=f"Roster applied: {summary['rows']} rows",
        )
        return roster


@transaction.atomic
def roster_preview_seen(*, actor: User, roster: RosterImport) -> None:
    """Record that a trainer saw a roster's preview: the names and emails of its people."""
    access_record(
        actor=actor,
        action=AccessLog.Action.READ,
        obj=roster,
        force=roster.force,
        role=Role.TRAINING_ADMIN,
        reason="Roster preview",
    )
