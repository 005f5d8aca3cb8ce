"""A roster file is read within fixed limits whatever it claims about itself (review of issue 9):
a small crafted CSV or XLSX cannot make the portal hold gigabytes. At most MAX_COLUMNS columns
and MAX_ROWS rows; an XLSX's declared size is ignored, and the zip is measured (parts, unpacked
bytes, XML elements) before openpyxl opens it. The import page and the admin's import both read
files through the same checks.
"""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError

from tests.factories import force
from tests.training.test_roster_import import HEADER, csv_bytes, snapshot, xlsx_bytes
from tests.training.test_roster_pages import _named, error_texts, upload
from training.models import RosterImport, TrainingProfile
from training.services import roster as roster_service
from training.services.roster import (
    COULD_NOT_OPEN,
    MAX_COLUMNS,
    TOO_BIG_UNPACKED,
    TOO_MANY_COLUMNS,
    TOO_MANY_ROWS,
    RosterCSV,
    RosterXLSX,
    roster_dataset,
    roster_preview,
)

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"
ROW = ["p@example.police.uk", "Pat Person", "officer", "frontline", "", ""]


def rows(count: int) -> list[list[str]]:
    return [[f"p{n}@example.police.uk", *ROW[1:]] for n in range(count)]


def with_part(content: bytes, name: str, change) -> bytes:
    """The XLSX `content` with part `name` replaced by change(its text) (added if missing)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    names = source.namelist()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in names:
            data = source.read(part)
            target.writestr(part, change(data.decode()) if part == name else data)
        if name not in names:
            target.writestr(name, change(""))
    return out.getvalue()


def peak_bytes(read) -> int:
    """The most memory Python held at once while `read()` ran."""
    tracemalloc.start()
    try:
        read()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def refused(content: bytes, file_format: str) -> list[str]:
    with pytest.raises(ValidationError) as error:
        roster_dataset(content=content, file_format=file_format)
    return error.value.messages


# --- columns -------------------------------------------------------------------------------------


def test_a_csv_header_of_100000_empty_columns_is_read_as_its_real_columns(trainer):
    """A 100 KB header of commas padded every row to 100,000 cells (466 MiB measured)."""
    content = (",".join(HEADER) + "," * 100_000 + "\r\n").encode()
    content += b"".join(",".join(row).encode() + b"\r\n" for row in rows(200))
    assert len(content) < 120_000
    holder = {}
    peak = peak_bytes(
        lambda: holder.setdefault("data", roster_dataset(content=content, file_format="csv"))
    )
    assert holder["data"].width == len(HEADER)
    assert holder["data"].height == 200
    assert peak < 20 * 2**20, f"{peak / 2**20:.0f} MiB"


def test_a_csv_with_more_than_50_named_columns_is_refused_and_nothing_is_kept(trainer):
    wide = HEADER + [f"extra {n}" for n in range(100_000)]
    content = csv_bytes(rows(3), header=wide)
    assert refused(content, "csv") == [TOO_MANY_COLUMNS]
    before = snapshot()
    with pytest.raises(ValidationError):
        roster_preview(actor=trainer, force=force(), file_name="r.csv", content=content)
    assert snapshot() == before
    assert not RosterImport.objects.exists()


def test_up_to_50_columns_are_read_and_a_value_in_the_51st_is_refused(trainer):
    header = HEADER + [f"note {n}" for n in range(MAX_COLUMNS - len(HEADER))]
    assert roster_dataset(content=csv_bytes(rows(2), header=header), file_format="csv").width == 50
    assert refused(csv_bytes(rows(2), header=[*header, "one too many"]), "csv") == [
        TOO_MANY_COLUMNS
    ]
    # A data row with a value past the limit is refused as well.
    content = csv_bytes([[*rows(1)[0], *[""] * 60, "far away"]])
    assert refused(content, "csv") == [TOO_MANY_COLUMNS]
    # Empty cells past the limit (a spreadsheet's padding) are only dropped.
    padded = csv_bytes([[*rows(1)[0], *[""] * 200]], header=[*HEADER, *[""] * 200])
    assert roster_dataset(content=padded, file_format="csv").width == len(HEADER)


def test_an_xlsx_declaring_columns_to_xfd_is_read_as_its_real_columns(trainer):
    """A sheet declaring A1:XFD3000 padded each of its rows to 16,384 cells (830 MiB for 3,000
    rows measured); the declared size is now ignored."""
    content = with_part(
        xlsx_bytes(rows(300)),
        SHEET,
        lambda xml: re.sub(r'<dimension ref="[^"]+"', '<dimension ref="A1:XFD1048576"', xml),
    )
    assert "A1:XFD1048576" in zipfile.ZipFile(io.BytesIO(content)).read(SHEET).decode()
    holder = {}
    peak = peak_bytes(
        lambda: holder.setdefault("data", roster_dataset(content=content, file_format="xlsx"))
    )
    assert holder["data"].width == len(HEADER)
    assert holder["data"].height == 300
    assert peak < 20 * 2**20, f"{peak / 2**20:.0f} MiB"


def test_an_xlsx_with_a_value_in_column_51_is_refused(trainer):
    header = HEADER + [None] * (MAX_COLUMNS - len(HEADER)) + ["one too many"]
    assert refused(xlsx_bytes(rows(2), header=header), "xlsx") == [TOO_MANY_COLUMNS]
    header = HEADER + [None] * (MAX_COLUMNS - len(HEADER) - 1) + ["the last one"]
    assert (
        roster_dataset(content=xlsx_bytes(rows(2), header=header), file_format="xlsx").width == 50
    )


def test_an_xlsx_row_of_millions_of_empty_cells_is_refused_before_it_is_read(trainer):
    """One row of 6,000 bare cells: openpyxl would hold the whole row (a 25 KB file holding a
    row of 5,000,000 took 1.6 GB)."""
    cells = "<c/>" * 6_000
    content = with_part(
        xlsx_bytes(rows(2)), SHEET, lambda xml: re.sub(r"(<row r=\"2\"[^>]*>)", rf"\1{cells}", xml)
    )
    assert refused(content, "xlsx") == [TOO_MANY_COLUMNS]


# --- rows ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_more_rows_than_the_limit_are_refused(trainer, monkeypatch, file_format):
    monkeypatch.setattr(roster_service, "MAX_ROWS", 5)
    make = csv_bytes if file_format == "csv" else xlsx_bytes
    assert roster_dataset(content=make(rows(5)), file_format=file_format).height == 5
    assert refused(make(rows(6)), file_format) == [TOO_MANY_ROWS]


# --- the zip an XLSX is --------------------------------------------------------------------------


def test_an_xlsx_that_unpacks_to_more_than_ten_times_the_upload_limit_is_refused(trainer, settings):
    settings.HARMSPORTAL_ROSTER_MAX_BYTES = 100 * 1024  # so 1 MB unpacked at most
    good = xlsx_bytes(rows(20))
    assert roster_dataset(content=good, file_format="xlsx").height == 20
    # 2 MB of spaces in the sheet compress to a few KB.
    bomb = with_part(
        good, SHEET, lambda xml: xml.replace("<sheetData>", " " * 2**21 + "<sheetData>")
    )
    assert len(bomb) < 20_000
    assert refused(bomb, "xlsx") == [TOO_BIG_UNPACKED]


def test_an_xlsx_of_more_than_1000_parts_is_refused(trainer):
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(rows(2))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.namelist():
            target.writestr(part, source.read(part))
        for n in range(1_000):
            target.writestr(f"xl/media/empty{n}.bin", b"")
    assert refused(out.getvalue(), "xlsx") == [TOO_BIG_UNPACKED]


def test_an_xlsx_whose_xml_holds_too_many_elements_is_refused(trainer, monkeypatch):
    # Outside a sheet's rows (styles, workbook, any part): a few thousand are real.
    junk = with_part(
        xlsx_bytes(rows(2)),
        "docProps/custom.xml",
        lambda _xml: "<Properties>" + "<x/>" * 100_001 + "</Properties>",
    )
    assert refused(junk, "xlsx") == [TOO_BIG_UNPACKED]
    # In all, rows included (the limit lowered: a real one needs a workbook of millions).
    monkeypatch.setattr(roster_service, "XLSX_MAX_ELEMENTS", 1_000)
    assert roster_dataset(content=xlsx_bytes(rows(10)), file_format="xlsx").height == 10
    assert refused(xlsx_bytes(rows(100)), "xlsx") == [TOO_BIG_UNPACKED]


def test_an_xlsx_declaring_xml_entities_cannot_be_opened(trainer):
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    )
    content = with_part(xlsx_bytes(rows(2)), SHEET, lambda xml: laughs + xml.split("?>", 1)[-1])
    assert refused(content, "xlsx") == [COULD_NOT_OPEN]


# --- the import page and the admin ---------------------------------------------------------------


def test_the_import_page_refuses_a_wide_file_with_a_govuk_message(client, trainer):
    client.force_login(trainer)
    wide = HEADER + [f"extra {n}" for n in range(1_000)]
    html = upload(client, csv_bytes(rows(2), header=wide)).content.decode()
    assert error_texts(html) == [TOO_MANY_COLUMNS]
    assert "There is a problem" in html
    assert not RosterImport.objects.exists()


def _admin_import(client, content: bytes, name: str):
    from tests.training.test_roster_pages import force_pk

    profile_admin = admin.site._registry[TrainingProfile]
    formats = profile_admin.get_import_formats()
    title = name.rsplit(".", 1)[-1]
    index = next(i for i, f in enumerate(formats) if f().get_title() == title)
    return client.post(
        "/admin/training/trainingprofile/import/",
        {"format": str(index), "force": force_pk(), "import_file": _named(content, name)},
    )


def test_the_admin_reads_roster_files_through_the_same_checks(client, platform_admin, settings):
    profile_admin = admin.site._registry[TrainingProfile]
    assert list(profile_admin.get_import_formats()) == [RosterCSV, RosterXLSX]
    client.force_login(platform_admin)
    before = snapshot()

    wide = HEADER + [f"extra {n}" for n in range(100_000)]
    response = _admin_import(client, csv_bytes(rows(2), header=wide), "roster.csv")
    assert response.status_code == 200
    assert TOO_MANY_COLUMNS in response.content.decode()

    declared = with_part(
        xlsx_bytes(rows(30)),
        SHEET,
        lambda xml: re.sub(r'<dimension ref="[^"]+"', '<dimension ref="A1:XFD1048576"', xml),
    )
    response = _admin_import(client, declared, "roster.xlsx")
    assert response.status_code == 200
    assert response.context["confirm_form"] is not None  # read as 6 columns, and checked

    settings.HARMSPORTAL_ROSTER_MAX_BYTES = 100 * 1024
    bomb = with_part(
        xlsx_bytes(rows(2)),
        SHEET,
        lambda xml: xml.replace("<sheetData>", " " * 2**21 + "<sheetData>"),
    )
    response = _admin_import(client, bomb, "roster.xlsx")
    assert TOO_BIG_UNPACKED in response.content.decode()
    response = _admin_import(client, csv_bytes(rows(3_000)), "roster.csv")
    assert "must be smaller than" in response.content.decode()
    assert snapshot() == before


def test_the_admin_still_imports_a_good_csv_and_xlsx(client, platform_admin):
    client.force_login(platform_admin)
    for name, content in [("r.csv", csv_bytes(rows(2))), ("r.xlsx", xlsx_bytes(rows(4)))]:
        checked = _admin_import(client, content, name)
        confirm = checked.context["confirm_form"]
        response = client.post(
            "/admin/training/trainingprofile/process_import/",
            {field: confirm[field].value() for field in confirm.fields},
        )
        assert response.status_code == 302
    assert TrainingProfile.objects.count() == 4
