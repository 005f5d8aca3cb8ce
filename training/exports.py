"""Exports of compliance figures and a line manager's team, through django-import-export.

Each export is a `Resource` with stable, named columns, written as CSV or XLSX by the
library's own formats. Text that people typed (names, module titles) could begin with a
character a spreadsheet reads as the start of a formula (=, +, -, @, or a tab or carriage
return before one): opened in Excel, `=HYPERLINK(...)` in a name would run. So every text cell
that begins with one is written with a leading apostrophe, which spreadsheets read as "this is
text" (the OWASP advice for CSV injection), and the value is otherwise kept whole.

django-import-export's own setting, IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT, only strips a
leading "=" (leaving +, - and @, which Excel also runs from a CSV) and turns every cell, numbers
included, into text; so the resources here escape each cell themselves (`FormulaSafeResource`),
and the result is the same whether that setting is on or off.

The compliance table (one row per audience and module) and a team (one row per piece of a
line manager's team's work) are small by construction, so `export_response` builds them in
memory with `Resource.export()`. The overdue list grows with the size of a force, so
`streamed_export` writes it a row at a time (decision 0010): the same resource's headers and
`export_resource` for each row, into a streamed CSV, or an XLSX written by openpyxl's
write-only workbook into a temporary file that spills to disk when large.
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass
from datetime import date

from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV, XLSX
from openpyxl import Workbook

from training.compliance import STATUS_LABELS, TeamMember

# A cell beginning with one of these could be read as a formula by a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {"csv": CSV, "xlsx": XLSX}


def formula_safe(value):
    """`value`, with an apostrophe before text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class FormulaSafeResource(resources.Resource):
    """A resource whose every exported cell goes through `formula_safe`."""

    def export_field(self, field, instance, **kwargs):
        return formula_safe(super().export_field(field, instance, **kwargs))


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


class ComplianceResource(FormulaSafeResource):
    """A training admin's compliance table (`ComplianceRow`s of exact figures), one row per
    audience and module."""

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


class OverdueResource(FormulaSafeResource):
    """A training admin's overdue list (`training.compliance.overdue_work` rows): who, which
    module, when it was due."""

    name = fields.Field(attribute="person__full_name", column_name="Name")
    email = fields.Field(attribute="person__email", column_name="Email")
    module = fields.Field(attribute="module__title", column_name="Module")
    audience = fields.Field(column_name="Audience")
    due_on = _date("due_on", "Was due")

    class Meta:
        export_order = ("name", "email", "module", "audience", "due_on")

    def dehydrate_audience(self, assignment) -> str:
        return assignment.get_audience_display()


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


class TeamResource(FormulaSafeResource):
    """A line manager's team: each person's current training, one row per module."""

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


def export_response(resource: resources.Resource, rows, *, name: str, filename: str):
    """`rows` (a small list) exported through `resource` as a download in format `name`."""
    # Empty cells stay empty, never "None"; numbers and dates keep their types in XLSX.
    dataset = _blank_nones(resource.export(rows))
    data = FORMATS[name]().export_data(dataset)
    response = HttpResponse(data, content_type=_content_type(name))
    return _as_download(response, name=name, filename=filename)


class _Echo:
    """A file-like object whose write returns what it was given (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


# Above this an XLSX being written moves from memory to a temporary file on disk.
XLSX_SPOOL_BYTES = 8 * 1024 * 1024


def streamed_export(resource: resources.Resource, rows, *, name: str, filename: str):
    """`rows` (an iterable, such as `queryset.iterator()`) exported through `resource` a row at
    a time, so memory does not grow with the number of rows."""
    headers = resource.get_export_headers()

    def cells(obj) -> list:
        return ["" if cell is None else cell for cell in resource.export_resource(obj)]

    if name == "csv":
        writer = csv.writer(_Echo())

        def lines():
            yield writer.writerow(headers)
            for obj in rows:
                yield writer.writerow(cells(obj))

        response = StreamingHttpResponse(lines(), content_type=_content_type(name))
        return _as_download(response, name=name, filename=filename)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers)
    for obj in rows:
        sheet.append(cells(obj))
    # Not a `with`: FileResponse closes the file once it has been sent.
    spool = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115
    workbook.save(spool)
    spool.seek(0)
    response = FileResponse(spool, content_type=_content_type(name))
    return _as_download(response, name=name, filename=filename)


def _blank_nones(dataset):
    for index in range(dataset.height):
        row = dataset[index]
        if any(cell is None for cell in row):
            dataset[index] = ["" if cell is None else cell for cell in row]
    return dataset
