"""The XLSX export, streamed: hand-written SpreadsheetML parts zipped by stream-zip as they are
made, so neither the workbook nor its rows are ever held whole (openpyxl and django-import-export
build the workbook in memory or in a file first: decision 0012).

Two sheets: "Trends", the same columns and rows as the CSV (text as inline strings, which a
spreadsheet never runs as a formula, and marked "quote prefix" when it looks like one, so even
editing it keeps it text; figures as numbers, and a withheld figure as right-aligned text, "<k"
or "not shown", exactly as in the CSV), and "About": what the file covers, the data as at, the
rows, what a row counts, how small numbers are published, and every column. "About" is written
after the rows, so it can say how many there were and which months they span.

A sheet holds at most 1,048,576 rows: an export with more data rows than fit stops there and
"About" says so (the CSV has no such limit).
"""

from __future__ import annotations

import re
import stat
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from stream_zip import ZIP_32, stream_zip

from harmsportal.disclosure import disclosure_k
from harmsportal.templatetags.govuk_time import govuk_datetime
from harmsportal.trends.exports.select import COLUMNS, HEADER, REPORTS_COLUMN, export_rows
from harmsportal.trends.figures import data_as_at
from training.exports import FORMULA_STARTS

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from harmsportal.trends.exports.scope import ExportScope

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows a sheet can hold, the header included (Excel's limit).
SHEET_ROWS = 1_048_576
CHUNK_BYTES = 64 * 1024
_MODE = stat.S_IFREG | 0o600
# zlib's level 6: nearly level 9's size for the repetitive XML, at a fraction of the time.
_LEVEL = 6
# Cell styles (styles.xml cellXfs): plain, bold, quote prefix, right-aligned text, wrapped.
BOLD, QUOTE_PREFIX, RIGHT, WRAP = 1, 2, 3, 4
DATA_SHEET, ABOUT_SHEET = "Trends", "About"

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

CONTENT_TYPES = (
    f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SHEET_TYPE}"/>'
    f'<Override PartName="/xl/worksheets/sheet2.xml" ContentType="{_SHEET_TYPE}"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/></Types>'
)
ROOT_RELS = (
    f'{_XML}<Relationships xmlns="{_PACKAGE_REL}"><Relationship Id="rId1" '
    f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
    f'<sheet name="{DATA_SHEET}" sheetId="1" r:id="rId1"/>'
    f'<sheet name="{ABOUT_SHEET}" sheetId="2" r:id="rId2"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'{_XML}<Relationships xmlns="{_PACKAGE_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/worksheet" Target="worksheets/sheet2.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
)
_XF = '<xf numFmtId="0" fontId="{font}" fillId="0" borderId="0" xfId="0"{extra}</xf>'
STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Arial"/></font>'
    '<font><b/><sz val="11"/><name val="Arial"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="5">'
    + _XF.format(font=0, extra=">")
    + _XF.format(font=1, extra=' applyFont="1">')
    + _XF.format(font=0, extra=' quotePrefix="1">')
    + _XF.format(font=0, extra=' applyAlignment="1"><alignment horizontal="right"/>')
    + _XF.format(font=0, extra=' applyAlignment="1"><alignment wrapText="1" vertical="top"/>')
    + '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)
# Column widths of the data sheet, in characters, by column name.
_WIDTHS = {
    "month": 9,
    "force_name": 28,
    "measure_name": 24,
    "value_name": 40,
    "reports": 10,
    "data_as_at": 22,
}
_LETTERS = [chr(ord("A") + i) for i in range(len(HEADER))]
# Characters XML 1.0 cannot hold at all (a label with one would spoil the whole sheet).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: str) -> str:
    value = _NOT_XML.sub("", value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r", "&#13;")  # kept: XML readers turn a bare CR into a newline


def text_cell(ref: str, value: str, style: int = 0) -> str:
    """An inline-string cell: text, never a formula. Text that starts like a formula is also
    marked quote prefix, so editing it in a spreadsheet keeps it text."""
    return f'<c r="{ref}"{_text_tail(value, style)}'


def _text_tail(value: str, style: int = 0) -> str:
    if style == 0 and value.startswith(FORMULA_STARTS):
        style = QUOTE_PREFIX
    styled = f' s="{style}"' if style else ""
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f' t="inlineStr"{styled}><is><t{space}>{_text(value)}</t></is></c>'


def _row(number: int, cells: Iterable[str]) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


@dataclass
class _Progress:
    """What the data sheet saw, for the About sheet written after it."""

    rows: int = 0
    first_month: str = ""
    last_month: str = ""
    as_at: str = ""
    cut: bool = False


def xlsx_chunks(scope: ExportScope) -> Iterator[bytes]:
    """The export of `scope` as an XLSX workbook's bytes, a chunk at a time."""
    progress = _Progress()
    return stream_zip(
        _members(scope, progress),
        chunk_size=CHUNK_BYTES,
        get_compressobj=lambda: zlib.compressobj(wbits=-zlib.MAX_WBITS, level=_LEVEL),
    )


def _members(scope: ExportScope, progress: _Progress):
    # stream-zip asks for each member after sending the one before, so "About" is made after
    # every data row has gone.
    now = timezone.now()
    for name, text in (
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/styles.xml", STYLES),
    ):
        yield name, now, _MODE, ZIP_32, (text.encode(),)
    yield "xl/worksheets/sheet1.xml", now, _MODE, ZIP_32, _data_sheet(scope, progress)
    yield "xl/worksheets/sheet2.xml", now, _MODE, ZIP_32, _about_sheet(scope, progress)


def _data_sheet(scope: ExportScope, progress: _Progress) -> Iterator[bytes]:
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{_WIDTHS.get(name, max(12, len(name) + 2))}" '
        'customWidth="1"/>'
        for i, name in enumerate(HEADER, start=1)
    )
    header = _row(1, (text_cell(f"{_LETTERS[i]}1", name, BOLD) for i, name in enumerate(HEADER)))
    yield (
        f'{_XML}<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        f"</sheetView></sheetViews><cols>{widths}</cols><sheetData>{header}"
    ).encode()
    tails = _Tails()
    known = [made.get for made in tails.made]
    refs = [f'<c r="{letter}' for letter in _LETTERS]
    last = SHEET_ROWS - 1  # data rows a sheet can hold under its header
    parts, size = [], 0
    rows = export_rows(scope, for_csv=False)
    try:
        for row in rows:
            if progress.rows == last:
                progress.cut = True
                break
            progress.rows += 1
            number = str(progress.rows + 1)
            text = "".join(
                [
                    f'<row r="{number}">',
                    *[
                        refs[i] + number + (known[i](value) or tails.make(i, value))
                        for i, value in enumerate(row)
                        if value
                    ],
                    "</row>",
                ]
            )
            parts.append(text)
            size += len(text)
            if size >= CHUNK_BYTES:
                yield "".join(parts).encode()
                parts, size = [], 0
            # Rows go force by force, each force's months in order: the file's first and last
            # months are the least and greatest seen.
            if progress.rows == 1:
                progress.first_month, progress.last_month = row[0], row[0]
                progress.as_at = row[-1] or ""
            progress.first_month = min(progress.first_month, row[0])
            progress.last_month = max(progress.last_month, row[0])
    finally:
        rows.close()  # an export cut short (or abandoned) stops reading at once
    parts.append("</sheetData></worksheet>")
    yield "".join(parts).encode()


class _Tails:
    """Each column's cell XML after its reference (`" t="inlineStr">...</c>`), made once per
    value: the values repeat (labels, months, figures), so a national export escapes a few
    hundred strings, not millions. Bounded by the taxonomy and the months held."""

    LIMIT = 10_000

    def __init__(self) -> None:
        self.made: list[dict[str, str]] = [{} for _ in HEADER]

    def make(self, column: int, value: str) -> str:
        tail = '"' + _tail(column, value)
        if len(self.made[column]) < self.LIMIT:
            self.made[column][value] = tail
        return tail


def _tail(column: int, value: str) -> str:
    """A cell's XML after `<c r="A2"`: figures as numbers, anything else as text."""
    if column == REPORTS_COLUMN and value.isdigit():
        return f"><v>{value}</v></c>"
    return _text_tail(value, RIGHT if column == REPORTS_COLUMN else 0)


def _about_rows(scope: ExportScope, progress: _Progress) -> list[tuple[str, str]]:
    k = disclosure_k()
    if progress.as_at:
        as_at = datetime.strptime(progress.as_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    else:
        as_at = data_as_at()
    period = scope.period_label
    if scope.period is None and progress.rows:
        period += f" the figures hold (in this file: {progress.first_month} to "
        period += f"{progress.last_month})"
    rows = f"{progress.rows:,}"
    if progress.cut:
        rows += (
            f" (a sheet holds no more: this workbook stops at row {SHEET_ROWS:,}. The CSV "
            "export holds every row, or narrow the export by period, force or category.)"
        )
    return [
        ("Forces", scope.forces_label),
        ("Period", period),
        ("Harm category", scope.category_label),
        (
            "Data as at",
            f"{govuk_datetime(as_at)} (UK time)" if as_at else "Figures have not been built yet",
        ),
        ("Rows", rows),
        (
            "What a row is",
            "One figure of a force's month, exactly as the portal's dashboards and API publish "
            "it: the reports the force received in the month (measure total), or their "
            "breakdown by harm category, platform, online-to-offline impact, recording "
            "decision, reporter or outcome (one row for each value, 0 included). A month in "
            "which the force received no reports has no rows."
            + (
                f" This file is filtered to one harm category: every figure counts only the "
                f"reports of {scope.category_label}, and the month's total is that category's "
                "figure."
                if scope.category
                else ""
            ),
        ),
        (
            "What a figure counts",
            "The counts column says: reports (each report once: the total, recording "
            "decision, reporter and outcome, whose values add up to the total before "
            "rounding) or mentions (harm category, platform and online-to-offline impact: a "
            "report that carries two values is counted in each, so they can add up to more "
            "than the total).",
        ),
        (
            "Small numbers",
            f"0 is shown as 0. A count from 1 to {k - 1} is withheld and written <{k}. Any "
            f"other count is rounded to a multiple of {k} ({k} or more), the same way every "
            "time it is asked for. A figure is written 'not shown' when showing it would let "
            "a withheld one be worked out from the figures beside it. Withheld figures are "
            "text, not numbers: a spreadsheet's SUM leaves them out, so a sum of this column "
            "is not a total. Each month's figures are checked together, as the dashboards "
            "check them: this file holds no figure that the dashboards and the portal's API "
            "do not publish.",
        ),
        ("Columns", "Described below and in the portal's trends data dictionary."),
    ]


def _about_sheet(scope: ExportScope, progress: _Progress) -> Iterator[bytes]:
    lines = [
        _row(1, [text_cell("A1", "Harms Portal: trends figures", BOLD)]),
        *(
            _row(n, [text_cell(f"A{n}", item, BOLD), text_cell(f"B{n}", detail, WRAP)])
            for n, (item, detail) in enumerate(_about_rows(scope, progress), start=3)
        ),
    ]
    top = len(lines) + 3  # a blank row, then the columns
    lines.append(
        _row(top, [text_cell(f"A{top}", "Column", BOLD), text_cell(f"B{top}", "Holds", BOLD)])
    )
    for n, column in enumerate(COLUMNS, start=top + 1):
        lines.append(
            _row(n, [text_cell(f"A{n}", column.name), text_cell(f"B{n}", column.meaning, WRAP)])
        )
    yield (
        f'{_XML}<worksheet xmlns="{_MAIN}"><cols><col min="1" max="1" width="24" '
        'customWidth="1"/><col min="2" max="2" width="100" customWidth="1"/></cols>'
        f"<sheetData>{''.join(lines)}</sheetData></worksheet>"
    ).encode()
