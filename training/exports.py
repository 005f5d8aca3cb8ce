"""Exports of compliance figures and a line manager's team, through django-import-export.

Each export is a `Resource` with stable, named columns, written as CSV or XLSX, in a sheet
named for what it holds ("Compliance", "Overdue", "Team"). Text that people typed (names,
module titles) could begin with a character a spreadsheet reads as the start of a formula (=,
+, -, @, or a tab or carriage return before one): opened in Excel, `=HYPERLINK(...)` in a name
would run. So:

- in CSV, which has no cell types, every text cell that begins with one is written with a
  leading apostrophe, which spreadsheets read as "this is text" (the OWASP advice for CSV
  injection), the value otherwise kept whole (`formula_safe`);
- in XLSX, every text cell is written as a text cell (never a formula, whatever it begins
  with) and marked "quote prefix", so even editing it in Excel keeps it text; its value is
  exactly what was typed, with no apostrophe added (`_text_cell`).

django-import-export's own setting, IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT, only strips a
leading "=" (leaving +, - and @, which Excel also runs from a CSV) and turns every cell, numbers
included, into text; so the files are written here, by the csv module and openpyxl, from the
resources' headers and cells, and the result is the same whether that setting is on or off.

The compliance table (one row per audience and module) and a team (one row per piece of a
line manager's team's work) are small by construction, so `export_response` builds them in
memory with `Resource.export()`. The overdue list grows with the size of a force, so
`streamed_export` writes it a row at a time (decision 0010): the same resource's headers and
`export_resource` for each row, into a streamed CSV, or an XLSX written by openpyxl's
write-only workbook into a temporary file that spills to disk when large.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV, XLSX
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from training.compliance import STATUS_LABELS, TeamMember

# A cell beginning with one of these could be read as a formula by a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {"csv": CSV, "xlsx": XLSX}


def formula_safe(value):
    """`value`, with an apostrophe before text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SheetResource(resources.Resource):
    """An export's resource; `sheet_title` names its sheet in an XLSX."""

    sheet_title = "Export"


def _number(attribute: str, column: str) -> fields.Field:
    return fields.Field(
        attribute=attribute,
        column_name=column,
        widget=widgets.IntegerWidget(coerce_to_string=False),
    )


def _date(attribute: str, column: str) -> fields.Field:
    return fields.Field(
        attribute=attribute,
        column_name=column,
        widget=widgets.DateWidget(format="%Y-%m-%d", coerce_to_string=False),
    )


class ComplianceResource(SheetResource):
    """A training admin's compliance table (`ComplianceRow`s of exact figures), one row per
    audience and module."""

    sheet_title = "Compliance"

    audience = fields.Field(attribute="audience_label", column_name="Audience")
    module = fields.Field(attribute="module_title", column_name="Module")
    assigned = _number("assigned", "Assigned")
    completed = _number("completed", "Completed")
    percent_complete = _number("percent_complete", "Per cent complete")
    overdue = _number("overdue", "Overdue")
    expiring = _number("expiring", "Expiring in 30 days")

    class Meta:
        export_order = (
            "audience",
            "module",
            "assigned",
            "completed",
            "percent_complete",
            "overdue",
            "expiring",
        )


class OverdueResource(SheetResource):
    """A training admin's overdue list (`training.compliance.overdue_work` rows): who, which
    module, when it was due."""

    sheet_title = "Overdue"

    name = fields.Field(attribute="person__full_name", column_name="Name")
    email = fields.Field(attribute="person__email", column_name="Email")
    module = fields.Field(attribute="module__title", column_name="Module")
    audience = fields.Field(column_name="Audience")
    due_on = _date("due_on", "Was due")
    days_overdue = fields.Field(
        column_name="Days overdue", widget=widgets.IntegerWidget(coerce_to_string=False)
    )

    class Meta:
        export_order = ("name", "email", "module", "audience", "due_on", "days_overdue")

    def __init__(self, *, today: date | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.today = today or timezone.localdate()

    def dehydrate_audience(self, assignment) -> str:
        return assignment.get_audience_display()

    def dehydrate_days_overdue(self, assignment) -> int:
        """As the compliance page shows it: whole days since the due date."""
        return (self.today - assignment.due_on).days


@dataclass(frozen=True)
class TeamExportRow:
    name: str
    email: str
    force: str
    module: str
    audience: str
    due_on: date
    status: str
    completed_on: date | None
    expires_on: date | None


def team_export_rows(members: list[TeamMember]) -> list[TeamExportRow]:
    """One row per piece of each team member's current work (a member with none: one row)."""
    rows = []
    for member in members:
        for work in member.work:
            rows.append(
                TeamExportRow(
                    name=member.name,
                    email=member.email,
                    force=member.force_name,
                    module=work.module_title,
                    audience=work.audience_label,
                    due_on=work.due_on,
                    status=STATUS_LABELS[work.status],
                    completed_on=work.completed_on,
                    expires_on=work.expires_on,
                )
            )
    return rows


class TeamResource(SheetResource):
    """A line manager's team: each person's current training, one row per module."""

    sheet_title = "Team"

    name = fields.Field(attribute="name", column_name="Name")
    email = fields.Field(attribute="email", column_name="Email")
    force = fields.Field(attribute="force", column_name="Force")
    module = fields.Field(attribute="module", column_name="Module")
    audience = fields.Field(attribute="audience", column_name="Audience")
    due_on = _date("due_on", "Due")
    status = fields.Field(attribute="status", column_name="Status")
    completed_on = _date("completed_on", "Completed on")
    expires_on = _date("expires_on", "Expires on")

    class Meta:
        export_order = (
            "name",
            "email",
            "force",
            "module",
            "audience",
            "due_on",
            "status",
            "completed_on",
            "expires_on",
        )


def export_format(request: HttpRequest) -> str:
    """The `?format=` asked for, csv or xlsx; anything else is a page that is not there."""
    name = request.GET.get("format", "")
    if name not in FORMATS:
        raise Http404
    return name


def _content_type(name: str) -> str:
    content_type = FORMATS[name]().get_content_type()
    return f"{content_type}; charset=utf-8" if name == "csv" else content_type


def _as_download(response, *, name: str, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}.{name}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_response(resource: SheetResource, rows, *, name: str, filename: str):
    """`rows` (a small list) exported through `resource` as a download in format `name`."""
    dataset = resource.export(rows)
    headers, cells = list(dataset.headers), [_cells(row) for row in dataset]
    if name == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerows(_csv_cells(row) for row in cells)
        response = HttpResponse(buffer.getvalue(), content_type=_content_type(name))
    else:
        spool = _xlsx(resource.sheet_title, headers, cells)
        response = HttpResponse(spool.read(), content_type=_content_type(name))
        spool.close()
    return _as_download(response, name=name, filename=filename)


class _Echo:
    """A file-like object whose write returns what it was given (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


# Above this an XLSX being written moves from memory to a temporary file on disk.
XLSX_SPOOL_BYTES = 8 * 1024 * 1024


def streamed_export(resource: SheetResource, rows, *, name: str, filename: str):
    """`rows` (an iterable, such as `queryset.iterator()`) exported through `resource` a row at
    a time, so memory does not grow with the number of rows."""
    headers = resource.get_export_headers()
    cells = (_cells(resource.export_resource(obj)) for obj in rows)
    if name == "csv":
        writer = csv.writer(_Echo())

        def lines():
            yield writer.writerow(headers)
            for row in cells:
                yield writer.writerow(_csv_cells(row))

        response = StreamingHttpResponse(lines(), content_type=_content_type(name))
        return _as_download(response, name=name, filename=filename)
    # FileResponse closes the file once it has been sent.
    response = FileResponse(
        _xlsx(resource.sheet_title, headers, cells), content_type=_content_type(name)
    )
    return _as_download(response, name=name, filename=filename)


def _cells(row) -> list:
    """Empty cells stay empty, never "None"; numbers and dates keep their types."""
    return ["" if cell is None else cell for cell in row]


def _csv_cells(row: list) -> list:
    return [formula_safe(cell) for cell in row]


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    """`value` as a text cell: never a formula, whatever it begins with, and kept whole."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True  # Excel keeps it text even when someone edits the cell
    return cell


def _xlsx(title: str, headers: list, rows: Iterable[list]):
    """A workbook of one sheet named `title`, written a row at a time, in a temporary file
    (rewound) that spills to disk when large."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    sheet.append([_text_cell(sheet, str(header)) for header in headers])
    for row in rows:
        sheet.append([_text_cell(sheet, c) if isinstance(c, str) else c for c in row])
    spool = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115
    workbook.save(spool)
    spool.seek(0)
    return spool
