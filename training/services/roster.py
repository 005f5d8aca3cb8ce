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

A file is read within fixed limits whatever it claims about itself: at most MAX_COLUMNS
columns and MAX_ROWS rows, and an XLSX (a zip of XML files) is measured before it is opened
(`xlsx_package_check`), so a small file cannot unpack into gigabytes. The admin's import reads
files through the same checks (`ROSTER_IMPORT_FORMATS`).

The file is kept only while it waits to be applied: applying or discarding a roster blanks
it, and takes the names and emails out of its summary (the counts stay). A preview nobody
applies is discarded after PREVIEW_DAYS by `roster_imports_discard_stale`.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import zipfile
from collections import Counter
from xml.parsers import expat

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from import_export.formats import base_formats

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
# A roster needs six columns; an HR export may bring more, but never this many. Cells past it
# must be empty (a spreadsheet's trailing empty cells are dropped).
MAX_COLUMNS = 50
# An XLSX is a zip of XML files: limits on what it may unpack into, checked before openpyxl
# opens it. A 50,000-person roster unpacks to about 20 MB in some 1,000,000 XML elements.
XLSX_MAX_PARTS = 1_000
XLSX_UNPACKED_RATIO = 10  # unpacked bytes, at most this many times the upload limit
XLSX_MAX_ELEMENTS = 2_500_000  # XML elements in the whole file
# Elements outside a sheet's rows and a string table's strings (styles, workbook, themes…):
# openpyxl keeps each as an object, so few are allowed. A real workbook has a few thousand.
XLSX_MAX_STRUCTURE = 100_000
# Elements in one row (or one shared string): openpyxl holds a whole row at a time.
XLSX_MAX_ROW_ELEMENTS = 5_000
SHEET_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# How long a checked roster waits to be applied before it is discarded with its file.
PREVIEW_DAYS = 7
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
TOO_MANY_COLUMNS = (
    f"The selected file must have no more than {MAX_COLUMNS} columns. Remove the columns a "
    "roster does not use, then upload it again."
)
TOO_BIG_UNPACKED = (
    "The selected file is too big once it is unpacked. Copy the roster into a new Excel file, "
    "or save it as a CSV file, and upload it again."
)
NOT_DISCARDABLE = "This roster has been applied, so it cannot be discarded."
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
    width = len(headers)  # at most MAX_COLUMNS: every row was cut to it as it was read
    dataset = tablib.Dataset(headers=headers)
    for row in rows[1:]:
        dataset.append((list(row) + [None] * width)[:width])
    return dataset


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _within_columns(row) -> list:
    """The row's first MAX_COLUMNS cells, its trailing empty ones dropped. Raises
    ValidationError when a cell past the limit holds anything."""
    row = list(row)
    if len(row) > MAX_COLUMNS:
        if not all(_blank(cell) for cell in row[MAX_COLUMNS:]):
            raise ValidationError(TOO_MANY_COLUMNS)
        del row[MAX_COLUMNS:]
    while row and _blank(row[-1]):
        row.pop()
    return row


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
            rows.append(_within_columns(row))
            if len(rows) > MAX_ROWS + 1:
                raise ValidationError(TOO_MANY_ROWS)
    except csv.Error:
        raise ValidationError(NOT_UTF8) from None
    return rows


def _xlsx_rows(content: bytes) -> list[list]:
    import openpyxl

    if not content.startswith(XLSX_MAGIC):
        raise ValidationError(COULD_NOT_OPEN)
    xlsx_package_check(content)
    try:
        # read_only streams the sheet; data_only=False gives a formula's text, not its result.
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        try:
            sheet = book.worksheets[0]
            # The size a sheet declares (say A1:XFD1048576) is ignored, so no row is padded to
            # it: each row is read to one column past the limit, to see whether it is passed.
            sheet.reset_dimensions()
            rows = []
            for row in sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True):
                rows.append(_within_columns(row))
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


def xlsx_package_check(content: bytes) -> None:
    """Refuse an XLSX that would unpack into too much for openpyxl to hold, before it opens.

    Counts the zip's parts and their unpacked sizes, then reads every part through expat a
    chunk at a time (holding nothing) and counts its XML elements: in all, in one row of a
    sheet, and outside sheets' rows and shared strings, which openpyxl keeps as objects.
    Raises ValidationError (TOO_BIG_UNPACKED, or TOO_MANY_COLUMNS for an overlong row).
    """
    # Each part has a central-directory entry starting with this signature: count them
    # before zipfile builds an object for every one.
    if content.count(b"PK\x01\x02") > XLSX_MAX_PARTS:
        raise ValidationError(TOO_BIG_UNPACKED)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise ValidationError(COULD_NOT_OPEN) from None
    # zipfile never unpacks more than a part's recorded size (it checks the CRC at the end).
    unpacked = sum(part.file_size for part in parts)
    if len(parts) > XLSX_MAX_PARTS or unpacked > XLSX_UNPACKED_RATIO * roster_max_bytes():
        raise ValidationError(TOO_BIG_UNPACKED)
    counter = _XmlCounter()
    with archive:
        for part in parts:
            counter.count(archive, part)


class _XmlCounter:
    """Counts the XML elements of an XLSX's parts against the limits."""

    ROW = f"{SHEET_MAIN_NS} row"
    STRING = f"{SHEET_MAIN_NS} si"

    def __init__(self) -> None:
        self.elements = 0
        self.structure = 0

    def count(self, archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
        depth = 0
        root = ""
        held_at = 0  # the depth of the row or shared string being read; 0 outside one
        held = 0

        def start(name, _attributes) -> None:
            nonlocal depth, root, held_at, held
            depth += 1
            self.elements += 1
            if self.elements > XLSX_MAX_ELEMENTS:
                raise ValidationError(TOO_BIG_UNPACKED)
            if depth == 1:
                root = name
            if held_at:
                held += 1
                if held > XLSX_MAX_ROW_ELEMENTS:
                    raise ValidationError(TOO_MANY_COLUMNS)
            elif (name == self.ROW and root == f"{SHEET_MAIN_NS} worksheet") or (
                name == self.STRING and root == f"{SHEET_MAIN_NS} sst"
            ):
                held_at, held = depth, 0
            else:
                self.structure += 1
                if self.structure > XLSX_MAX_STRUCTURE:
                    raise ValidationError(TOO_BIG_UNPACKED)

        def end(_name) -> None:
            nonlocal depth, held_at
            if held_at == depth:
                held_at = 0
            depth -= 1

        def entity(*_args) -> None:
            raise ValidationError(COULD_NOT_OPEN)  # openpyxl (defusedxml) refuses them too

        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.EntityDeclHandler = entity
        try:
            with archive.open(part) as stream:
                while chunk := stream.read(64 * 1024):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except expat.ExpatError:
            return  # not XML (an image, say): openpyxl reads no XML from it either
        except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError):
            raise ValidationError(COULD_NOT_OPEN) from None


def roster_upload_dataset(content: bytes | str, file_format: str) -> tablib.Dataset:
    """`roster_dataset` for a file from anywhere (the admin's import), refusing one over the
    size limit first."""
    if isinstance(content, str):
        content = content.encode("utf-8")
    if len(content) > roster_max_bytes():
        raise ValidationError(roster_too_big_message())
    return roster_dataset(content=content, file_format=file_format)


class RosterCSV(base_formats.CSV):
    """The admin's CSV import: read as bytes by `roster_dataset`, within the same limits as the
    import page (size, columns, rows), never by tablib's own reader."""

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream, **kwargs) -> tablib.Dataset:
        return roster_upload_dataset(in_stream, "csv")


class RosterXLSX(base_formats.XLSX):
    """The admin's XLSX import: measured before it is opened, as on the import page."""

    def create_dataset(self, in_stream, **kwargs) -> tablib.Dataset:
        return roster_upload_dataset(in_stream, "xlsx")


# For TrainingProfileAdmin.import_formats.
ROSTER_IMPORT_FORMATS = (RosterCSV, RosterXLSX)


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
        # Only a roster that may be applied keeps its file: nothing reads a bad one's again.
        content=content if valid else b"",
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
        roster.content = b""  # applied or not, the file is never read again
        if summary[RowStatus.ERROR] or summary["problems"]:
            roster.status = RosterImport.Status.INVALID
            roster.save(update_fields=["status", "summary", "content"])
            return roster
        roster.status = RosterImport.Status.APPLIED
        roster.applied_at = timezone.now()
        roster.summary = _without_people(summary)
        roster.save(update_fields=["status", "summary", "applied_at", "content"])
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


def _without_people(summary: dict) -> dict:
    """A summary without the names and emails of the people in the file: the counts, the
    file's own problems and its unused headings stay."""
    return {**summary, "first_rows": [], "errors": []}


def _discard(roster: RosterImport) -> None:
    roster.status = RosterImport.Status.DISCARDED
    roster.content = b""
    roster.summary = _without_people(roster.summary)
    roster.save(update_fields=["status", "content", "summary"])


def roster_discard(*, actor: User, roster: RosterImport) -> RosterImport:
    """Discard a roster that was checked but not applied: its file and the people in its
    summary go; it stays listed as discarded. Discarding it again does nothing. Raises
    ValidationError for an applied roster."""
    with transaction.atomic():
        roster = RosterImport.objects.select_for_update().select_related("force").get(pk=roster.pk)
        if roster.status == RosterImport.Status.APPLIED:
            raise ValidationError(NOT_DISCARDABLE)
        if roster.status != RosterImport.Status.DISCARDED:
            _discard(roster)
        return roster


def roster_imports_discard_stale(*, now: dt.datetime | None = None) -> int:
    """Discard every roster checked more than PREVIEW_DAYS ago and never applied, and blank
    any applied roster's file still kept (rosters applied before files were blanked on apply).
    For the training beat; safe to run at any time and more than once. Returns how many
    rosters were changed."""
    now = now or timezone.now()
    waiting = (RosterImport.Status.PREVIEWED, RosterImport.Status.INVALID)
    stale = RosterImport.objects.filter(
        status__in=waiting, created_at__lt=now - dt.timedelta(days=PREVIEW_DAYS)
    )
    kept = RosterImport.objects.filter(status=RosterImport.Status.APPLIED).exclude(content=b"")
    changed = 0
    for pk in [*stale.values_list("pk", flat=True), *kept.values_list("pk", flat=True)]:
        with transaction.atomic():
            # Locked and checked again: a trainer may apply it at this very moment.
            roster = RosterImport.objects.select_for_update().filter(pk=pk).first()
            if roster is None:
                continue
            if roster.status in waiting:
                _discard(roster)
            elif roster.status == RosterImport.Status.APPLIED and bytes(roster.content):
                roster.content = b""
                roster.summary = _without_people(roster.summary)
                roster.save(update_fields=["content", "summary"])
            else:
                continue
            changed += 1
    return changed
