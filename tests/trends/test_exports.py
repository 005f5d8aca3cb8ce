"""Trends exports (/trends/export.csv and .xlsx): the documented columns, one row per figure of a
force's month table exactly as the dashboards and the API publish it ("<5" and "not shown"
included), formula-safe text, each user's scope only, a 400 with a message for a bad filter,
an access-log row, and streamed responses; nothing an attacker can combine with the dashboards
to pin a withheld count."""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import override_settings
from django.urls import reverse

from harmsportal.audit.models import AccessLog
from harmsportal.disclosure import Withheld, WithheldTotal, disclosure_k
from harmsportal.people.models import Force, Membership, Role
from harmsportal.trends.exports import csv_stream, xlsx
from harmsportal.trends.exports.scope import ExportScope
from harmsportal.trends.exports.select import HEADER, MEASURES, figure_text
from harmsportal.trends.figures import MONTH, TOTAL, Scope, figures_by
from harmsportal.trends.models import (
    DimensionRollup,
    PublishedMonthFigure,
    ReportRollup,
    RollupState,
)
from harmsportal.trends.periods import month_period, parse_period
from reports.models import HarmCategory, Platform
from tests.factories import enrol_totp, make_person

CSV_URL = reverse("trends:export_csv")
XLSX_URL = reverse("trends:export_xlsx")
MONTHLY_URL = reverse("trends:trends_api:monthly")
AS_AT = datetime(2026, 5, 14, 5, 0, tzinfo=UTC)
MARCH, APRIL, MAY = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)
DICTIONARY = Path(settings.BASE_DIR) / "docs" / "trends-data-dictionary.md"
REPORTS = HEADER.index("reports")
# A measure's id in the files, by the dimension it is in trends.figures.
DIMENSION_OF = {measure: dimension for dimension, (measure, _) in MEASURES.items()}


# --- helpers -----------------------------------------------------------------------------------


def built(at: datetime = AS_AT) -> None:
    RollupState.objects.update_or_create(pk=1, defaults={"started_at": at, "completed_at": at})


def cell(
    force: str = "west-yorkshire",
    month: date = APRIL,
    *,
    category: str = "doxxing",
    decision: str = "crime",
    kind: str = "officer",
    platform: str = "x",
    impact: str = "none",
    outcome: str = "pending",
    first: bool = True,
    reports: int = 7,
    key_sum: int = 0,
) -> ReportRollup:
    return ReportRollup.objects.create(
        month=month,
        force=Force.objects.get(slug=force),
        category=category,
        recording_decision=decision,
        reporter_kind=kind,
        platform=platform,
        impact=impact,
        outcome=outcome,
        first_category=first,
        first_platform=first,
        first_impact=first,
        reports=reports,
        key_sum=key_sum,
    )


def publish() -> None:
    """What the rebuild stores, from the ReportRollup rows the test made, by the rebuild's own
    steps: DimensionRollup, then PublishedMonthFigure (`published_month_figures_write`, which
    tests/trends/test_published_figures.py holds to `figures_by(Scope(forces=[force], month),
    by=MONTH)` for every force and month)."""
    from harmsportal.trends.rollup.published import published_month_figures_write
    from harmsportal.trends.rollup.sql import dimension_rollup_insert

    DimensionRollup.objects.all().delete()
    PublishedMonthFigure.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(dimension_rollup_insert(connection.vendor))
        published_month_figures_write(cursor, connection.vendor, None)


def figure_row(
    force: str = "west-yorkshire",
    month: date = APRIL,
    dimension: str = TOTAL,
    value: str = "",
    figure: int | None = 10,
    withheld: str = "",
) -> PublishedMonthFigure:
    """One stored figure, for tests of how the files write what is stored."""
    return PublishedMonthFigure.objects.create(
        month=month,
        force=Force.objects.get(slug=force),
        dimension=dimension,
        value=value,
        figure=figure,
        withheld=withheld,
        k=disclosure_k(),
    )


def body_of(response) -> bytes:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


def xlsx_rows(body: bytes, sheet: str = xlsx.DATA_SHEET) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    return [tuple(row) for row in workbook[sheet].iter_rows(values_only=True)]


def about(body: bytes) -> dict[str, str]:
    return {row[0]: row[1] for row in xlsx_rows(body, xlsx.ABOUT_SHEET) if row[0]}


def export(client, user, url: str = CSV_URL, **params):
    client.force_login(user)
    return client.get(url, params)


def documented_columns() -> list[str]:
    """The column names in the data dictionary's Columns table, in order."""
    text = DICTIONARY.read_text()
    table = text.split("## Columns", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE)


KEY = ("force_id", "month", "within_category", "measure", "value")


def keyed(rows: list[dict[str, str]]) -> dict[tuple, str]:
    return {tuple(row[name] for name in KEY): row["reports"] for row in rows}


def xlsx_as_csv(body: bytes) -> list[dict[str, str]]:
    """The data sheet's rows as the CSV writes them (numbers as their digits)."""
    return [
        dict(zip(HEADER, ("" if v is None else str(v) for v in row), strict=True))
        for row in xlsx_rows(body)[1:]
    ]


# --- columns -----------------------------------------------------------------------------------


def test_csv_and_xlsx_have_exactly_the_documented_columns_in_order(client, analyst):
    built()
    figure_row()
    documented = documented_columns()
    assert len(documented) == 11
    csv_body = body_of(export(client, analyst))
    assert csv_body.decode().splitlines()[0].split(",") == documented
    assert list(HEADER) == documented
    xlsx_body = body_of(export(client, analyst, XLSX_URL))
    assert list(xlsx_rows(xlsx_body)[0]) == documented
    # The About sheet describes every column too.
    described = [row[0] for row in xlsx_rows(xlsx_body, xlsx.ABOUT_SHEET)]
    assert described[-len(documented) :] == documented


def test_the_data_dictionary_lists_every_measure_value_and_label_an_export_can_hold(db):
    from harmsportal.trends.figures import DIMENSIONS, value_labels

    text = DICTIONARY.read_text()
    for dimension in DIMENSIONS:
        for value, label in value_labels(dimension).items():
            assert value == "" or f"`{value}`" in text, (dimension, value)
            assert label in text, (dimension, label)
    for measure, name in MEASURES.values():
        assert f"`{measure}`" in text
        assert name in text


def test_a_month_table_is_a_total_and_every_value_of_every_dimension_in_words(client, analyst):
    built()
    cell(category="", platform="", impact="home_visited", kind="family", outcome="advice")
    publish()
    rows = csv_rows(body_of(export(client, analyst)))
    total = rows[0]
    assert total == {
        "month": "2026-04",
        "force_id": "west-yorkshire",
        "force_name": "West Yorkshire Police",
        "within_category": "",
        "measure": "total",
        "measure_name": "Reports received",
        "value": "",
        "value_name": "All reports",
        "counts": "reports",
        "reports": total["reports"],
        "data_as_at": "2026-05-14T05:00:00Z",
    }
    assert total["reports"] in {"5", "10"}
    by = {(row["measure"], row["value"]): row for row in rows}
    assert by[("harm_category", "")]["value_name"] == "No category given"
    assert by[("harm_category", "")]["counts"] == "mentions"
    assert by[("harm_category", "doxxing")]["reports"] == "0"
    assert by[("offline_impact", "home_visited")]["value_name"] == "Someone came to the home"
    assert by[("offline_impact", "home_visited")]["measure_name"] == "Online-to-offline impact"
    assert by[("reporter_kind", "family")]["value_name"] == "Family member"
    assert by[("reporter_kind", "family")]["counts"] == "reports"
    assert by[("outcome", "advice")]["value_name"] == "Safety advice given"
    assert by[("recording_decision", "crime")]["reports"] == total["reports"]
    # Every value the dashboards list, 0 included: one row each, and the total.
    stored_rows = PublishedMonthFigure.objects.count()
    assert len(rows) == stored_rows > 40


# --- rows and figures --------------------------------------------------------------------------


def test_each_row_is_the_month_tables_figure_as_figures_by_publishes_it(client, analyst):
    """Random rollups in two forces and three months: each row against figures_by for its
    force and month, in both formats, and withheld figures as the dashboards write them."""
    built()
    rng = random.Random(10)
    for _ in range(60):
        cell(
            rng.choice(["west-yorkshire", "north-yorkshire"]),
            rng.choice([MARCH, APRIL, MAY]),
            category=rng.choice(["doxxing", "threats", ""]),
            decision=rng.choice(["crime", "non_crime", "none"]),
            kind=rng.choice(["officer", "family"]),
            platform=rng.choice(["x", ""]),
            impact=rng.choice(["none", "approached"]),
            outcome=rng.choice(["pending", "advice"]),
            reports=rng.randint(0, 9),
            key_sum=rng.randint(0, 6000),
        )
    publish()
    expected = {}
    forces = {force.pk: force.slug for force in Force.objects.all()}
    for force_id, month in set(
        DimensionRollup.objects.filter(dimension=TOTAL).values_list("force_id", "month")
    ):
        found = figures_by(Scope(forces=(force_id,), period=month_period(month)), by=MONTH)[month]
        key = (forces[force_id], f"{month:%Y-%m}", "")
        expected[(*key, "total", "")] = figure_text(found.total)
        for dimension, breakdown in found.breakdowns.items():
            for row in breakdown.rows:
                expected[(*key, MEASURES[dimension][0], row.value)] = figure_text(row.figure)
    rows = csv_rows(body_of(export(client, analyst)))
    assert len(rows) == len(expected)
    assert keyed(rows) == expected
    texts = set(expected.values())
    assert "<5" in texts
    assert any(text.isdigit() and int(text) >= 5 for text in texts)
    # The XLSX holds the same rows: figures as numbers, withheld ones as the same text.
    xlsx_body = body_of(export(client, analyst, XLSX_URL))
    assert xlsx_as_csv(xlsx_body) == rows
    for row in xlsx_rows(xlsx_body)[1:]:
        figure = row[REPORTS]
        assert isinstance(figure, int) or figure in {"<5", "not shown"}


def test_withheld_figures_are_written_as_the_dashboards_write_them_never_blank_or_0(
    client, analyst
):
    built()
    figure_row(figure=None, withheld=PublishedMonthFigure.FEWER)
    figure_row(dimension="platform", value="x", figure=None, withheld="not shown")
    figure_row(dimension="platform", value="facebook", figure=0)
    figure_row(dimension="platform", value="instagram", figure=15)
    rows = csv_rows(body_of(export(client, analyst)))
    assert [row["reports"] for row in rows] == ["<5", "not shown", "0", "15"]
    body = body_of(export(client, analyst, XLSX_URL))
    assert [row[REPORTS] for row in xlsx_rows(body)[1:]] == ["<5", "not shown", 0, 15]
    sheet = openpyxl.load_workbook(io.BytesIO(body))[xlsx.DATA_SHEET]
    withheld = sheet.cell(row=2, column=REPORTS + 1)
    assert withheld.data_type == "s"
    assert withheld.alignment.horizontal == "right"
    assert sheet.cell(row=5, column=REPORTS + 1).data_type == "n"
    assert "a sum of this column is not a total" in about(body)["Small numbers"]


def test_rows_come_in_the_documented_order(client, analyst):
    built()
    figure_row("north-yorkshire", MAY)
    figure_row("west-yorkshire", APRIL, "outcome", "advice")
    figure_row("west-yorkshire", APRIL, "platform", "retired-platform")
    figure_row("west-yorkshire", APRIL, "platform", "facebook")
    figure_row("west-yorkshire", APRIL, "platform", "x")
    figure_row("west-yorkshire", APRIL, "platform", "")
    figure_row("west-yorkshire", APRIL)
    figure_row("north-yorkshire", APRIL, "category", "threats")
    figure_row("north-yorkshire", APRIL, "category", "abuse")
    rows = csv_rows(body_of(export(client, analyst)))
    assert [(r["force_id"], r["month"], r["measure"], r["value"]) for r in rows] == [
        ("north-yorkshire", "2026-04", "harm_category", "abuse"),
        ("north-yorkshire", "2026-04", "harm_category", "threats"),
        ("north-yorkshire", "2026-05", "total", ""),
        ("west-yorkshire", "2026-04", "total", ""),
        ("west-yorkshire", "2026-04", "platform", "x"),
        ("west-yorkshire", "2026-04", "platform", "facebook"),
        ("west-yorkshire", "2026-04", "platform", ""),
        ("west-yorkshire", "2026-04", "platform", "retired-platform"),
        ("west-yorkshire", "2026-04", "outcome", "advice"),
    ]
    # A value the labels no longer know is written as it is.
    assert rows[7]["value_name"] == "retired-platform"
    assert rows[6]["value_name"] == "No platform given"


# --- formula safety ----------------------------------------------------------------------------

FORMULA = '=HYPERLINK("https://example.com/steal","Click")'


def test_text_that_looks_like_a_formula_is_defused_in_csv_and_a_text_cell_in_xlsx(client, analyst):
    built()
    HarmCategory.objects.create(slug="formula", name=FORMULA, sort_order=1)
    Platform.objects.create(slug="-plus", name="+SUM(1,2)", sort_order=1)
    Force.objects.filter(slug="west-yorkshire").update(name="@West Yorkshire")
    figure_row(dimension="category", value="formula")
    figure_row(dimension="platform", value="-plus")
    figure_row(dimension="platform", value="=retired")
    category, plus, retired = csv_rows(body_of(export(client, analyst)))
    assert category["value_name"] == "'" + FORMULA
    assert plus["value"] == "'-plus"
    assert plus["value_name"] == "'+SUM(1,2)"
    assert retired["value"] == retired["value_name"] == "'=retired"
    assert category["force_name"] == "'@West Yorkshire"
    for row in (category, plus, retired):
        assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in row.values())

    workbook = openpyxl.load_workbook(io.BytesIO(body_of(export(client, analyst, XLSX_URL))))
    sheet = workbook[xlsx.DATA_SHEET]
    cells = {name: sheet.cell(row=2, column=i + 1) for i, name in enumerate(HEADER)}
    plus_cells = {name: sheet.cell(row=3, column=i + 1) for i, name in enumerate(HEADER)}
    # Text cells holding exactly what was typed, never formulas, kept text when edited.
    assert cells["value_name"].value == FORMULA
    assert plus_cells["value_name"].value == "+SUM(1,2)"
    assert cells["force_name"].value == "@West Yorkshire"
    for found in (cells["value_name"], cells["force_name"], plus_cells["value"]):
        assert found.data_type == "s"
        assert found.quotePrefix
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_text_that_looks_like_a_formula_is_defused_in_a_file_computed_as_it_streams(
    client, analyst
):
    """The same in a file filtered by category, whose rows are published in Python
    (`computed_rows`), not by the SELECT."""
    built()
    HarmCategory.objects.create(slug="-formula", name=FORMULA, sort_order=1)
    Platform.objects.create(slug="-plus", name="+SUM(1,2)", sort_order=1)
    Force.objects.filter(slug="west-yorkshire").update(name="@West Yorkshire")
    cell(category="-formula", platform="-plus", reports=6, key_sum=3)
    cell(category="-formula", platform="=retired", reports=6, key_sum=3)
    publish()
    rows = csv_rows(body_of(export(client, analyst, category="-formula")))
    plus = next(row for row in rows if row["value"] == "'-plus")
    retired = next(row for row in rows if row["value"] == "'=retired")
    assert plus["value_name"] == "'+SUM(1,2)"
    assert retired["value_name"] == "'=retired"
    assert {row["within_category"] for row in rows} == {"'-formula"}
    assert {row["force_name"] for row in rows} == {"'@West Yorkshire"}
    for row in rows:
        assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in row.values())
    body = body_of(export(client, analyst, XLSX_URL, category="-formula"))
    sheet = openpyxl.load_workbook(io.BytesIO(body))[xlsx.DATA_SHEET]
    names = {c.value: c for c in sheet["H"][1:]}  # value_name
    assert names["+SUM(1,2)"].quotePrefix
    assert names["+SUM(1,2)"].data_type == "s"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


# --- who sees what -----------------------------------------------------------------------------


def test_force_lead_exports_only_their_own_force(client, force_lead):
    built()
    figure_row("west-yorkshire")
    figure_row("north-yorkshire")
    body = body_of(export(client, force_lead))
    rows = csv_rows(body)
    assert [row["force_id"] for row in rows] == ["west-yorkshire"]
    assert b"north-yorkshire" not in body
    assert b"North Yorkshire" not in body
    xlsx_body = body_of(export(client, force_lead, XLSX_URL))
    assert [row[1] for row in xlsx_rows(xlsx_body)[1:]] == ["west-yorkshire"]
    assert about(xlsx_body)["Forces"] == "West Yorkshire Police"


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_a_lead_naming_another_force_gets_the_same_400_as_for_a_force_that_does_not_exist(
    client, force_lead, url
):
    built()
    figure_row("north-yorkshire")
    other = export(client, force_lead, url, force="north-yorkshire")
    missing = export(client, force_lead, url, force="atlantis")
    assert other.status_code == missing.status_code == 400
    assert other.content == missing.content
    assert b"no figures you can export for that force" in other.content
    assert other["Content-Type"] == "text/plain; charset=utf-8"
    assert not AccessLog.objects.filter(object_type="trends.export").exists()


def test_a_lead_may_name_their_own_force(client, force_lead):
    built()
    figure_row("west-yorkshire")
    response = export(client, force_lead, force="west-yorkshire")
    assert response.status_code == 200
    assert [row["force_id"] for row in csv_rows(body_of(response))] == ["west-yorkshire"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "2026-13"}, b"Enter a period like 2026-05"),
        ({"period": "fy2026-28"}, b"Enter a period like 2026-05"),
        ({"period": "2099-01"}, b"Enter a period that has started"),
        ({"period": "1999"}, b"Enter a period from 2000"),
        ({"period": "last week"}, b"Enter a period like 2026-05"),
        ({"category": "no-such-harm"}, b"no harm category with that id"),
        ({"category": "<script>"}, b"no harm category with that id"),
    ],
)
@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_a_bad_period_or_category_is_a_400_with_a_plain_message(
    client, analyst, url, params, message
):
    built()
    figure_row()
    response = export(client, analyst, url, **params)
    assert response.status_code == 400
    assert message in response.content
    assert b"west-yorkshire" not in response.content


def test_national_analyst_exports_every_force_and_may_narrow_to_one(client, analyst):
    built()
    figure_row("west-yorkshire")
    figure_row("north-yorkshire")
    figure_row("metropolitan")
    every = csv_rows(body_of(export(client, analyst)))
    assert [r["force_id"] for r in every] == ["metropolitan", "north-yorkshire", "west-yorkshire"]
    one = csv_rows(body_of(export(client, analyst, force="north-yorkshire")))
    assert [r["force_id"] for r in one] == ["north-yorkshire"]


def test_a_period_narrows_the_rows_and_keeps_each_figure(client, analyst):
    built()
    cell(month=MARCH, category="doxxing", reports=12, key_sum=5)
    cell(month=APRIL, category="doxxing", reports=13, key_sum=250)
    cell(month=APRIL, category="threats", reports=7, key_sum=77)
    cell(month=MAY, category="threats", reports=8)
    publish()
    every = keyed(csv_rows(body_of(export(client, analyst))))
    april = keyed(csv_rows(body_of(export(client, analyst, period="2026-04"))))
    assert {key[1] for key in april} == {"2026-04"}
    q1 = keyed(csv_rows(body_of(export(client, analyst, period="fy2026-27-q1"))))
    assert {key[1] for key in q1} == {"2026-04", "2026-05"}
    assert len(q1) == 2 * len(april)
    # The same figure in every file it is in.
    for narrowed in (april, q1):
        assert all(every[key] == figure for key, figure in narrowed.items())


# --- ?category=: the category's own month tables, force by force ------------------------------


def test_a_category_filter_gives_that_categorys_month_tables_for_each_force(client, analyst):
    built()
    cell("west-yorkshire", APRIL, category="doxxing", platform="x", reports=13, key_sum=250)
    cell("west-yorkshire", APRIL, category="doxxing", platform="facebook", reports=2)
    cell("west-yorkshire", APRIL, category="threats", platform="x", reports=9, key_sum=4)
    cell("north-yorkshire", MAY, category="doxxing", platform="x", reports=6, key_sum=1)
    cell("north-yorkshire", MAY, category="threats", platform="x", reports=6, key_sum=1)
    publish()
    body = body_of(export(client, analyst, category="doxxing"))
    rows = csv_rows(body)
    assert {row["within_category"] for row in rows} == {"doxxing"}
    assert [(r["force_id"], r["month"]) for r in rows if r["measure"] == "total"] == [
        ("north-yorkshire", "2026-05"),
        ("west-yorkshire", "2026-04"),
    ]
    # No table of categories inside a category's table: its figure is the month's total.
    assert "harm_category" not in {row["measure"] for row in rows}
    for force in ("west-yorkshire", "north-yorkshire"):
        pk = Force.objects.get(slug=force).pk
        for month in (APRIL, MAY):
            found = figures_by(
                Scope(forces=(pk,), period=month_period(month), category="doxxing"), by=MONTH
            ).get(month)
            mine = [r for r in rows if (r["force_id"], r["month"]) == (force, f"{month:%Y-%m}")]
            if found is None:
                assert mine == []
                continue
            assert mine[0]["reports"] == figure_text(found.total)
            expected = [
                (MEASURES[dimension][0], row.value, figure_text(row.figure))
                for dimension, breakdown in found.breakdowns.items()
                for row in breakdown.rows
            ]
            assert [(r["measure"], r["value"], r["reports"]) for r in mine[1:]] == expected
    # The category's figure is the one the unfiltered file gives it.
    every = keyed(csv_rows(body_of(export(client, analyst))))
    for row in rows:
        if row["measure"] == "total":
            key = (row["force_id"], row["month"], "", "harm_category", "doxxing")
            assert every[key] == row["reports"]
    # Both formats, the same rows.
    xlsx_body = body_of(export(client, analyst, XLSX_URL, category="doxxing"))
    assert xlsx_as_csv(xlsx_body) == rows
    assert about(xlsx_body)["Harm category"] == "Doxxing or malicious identification"
    assert "filtered to one harm category" in about(xlsx_body)["What a row is"]


def test_a_category_filter_keeps_to_the_leads_force_and_the_period(client, force_lead):
    built()
    cell("west-yorkshire", MARCH, reports=8)
    cell("west-yorkshire", APRIL, reports=8)
    cell("north-yorkshire", APRIL, reports=8)
    publish()
    body = body_of(export(client, force_lead, category="doxxing", period="2026-04"))
    rows = csv_rows(body)
    assert {(row["force_id"], row["month"]) for row in rows} == {("west-yorkshire", "2026-04")}
    assert b"north-yorkshire" not in body


# --- stored figures the pages no longer publish: a change of k, months not yet stored ---------


def _live(force: str, month: date, category: str | None = None) -> dict[tuple, str]:
    """{(measure, value): figure text} of a force's month table as figures_by publishes it now."""
    pk = Force.objects.get(slug=force).pk
    scope = Scope(forces=(pk,), period=month_period(month), category=category)
    found = figures_by(scope, by=MONTH)[month]
    return {("total", ""): figure_text(found.total)} | {
        (MEASURES[dimension][0], row.value): figure_text(row.figure)
        for dimension, breakdown in found.breakdowns.items()
        for row in breakdown.rows
    }


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_after_k_changes_the_files_give_the_figures_the_pages_give_now(client, analyst, url):
    """Figures stored under k = 5, then k set to 4 (settings allow it) before the next full
    rebuild: the pages publish 4 reports as "4" (4 to 7), and a file still writing the stored
    "<5" (1 to 4) beside them would say exactly 4. The files publish what the pages publish
    now, whatever k the stored rows were built with."""
    built()
    cell(reports=4, key_sum=0, kind="officer")
    cell(month=MAY, reports=9, key_sum=3, kind="staff")
    publish()
    assert set(PublishedMonthFigure.objects.values_list("k", flat=True)) == {5}
    with override_settings(HARMSPORTAL_DISCLOSURE_K=4):
        body = body_of(export(client, analyst, url))
        rows = csv_rows(body) if url == CSV_URL else xlsx_as_csv(body)
        for month in (APRIL, MAY):
            mine = {
                (r["measure"], r["value"]): r["reports"]
                for r in rows
                if r["month"] == f"{month:%Y-%m}"
            }
            assert mine == _live("west-yorkshire", month)
        april_total = next(r for r in rows if r["month"] == "2026-04" and r["measure"] == "total")
        assert april_total["reports"] == "4"
        assert "<5" not in {row["reports"] for row in rows}


def test_a_month_the_rebuild_has_not_stored_yet_is_still_in_the_file(client, analyst):
    """The rollup holds a month the published figures do not (PublishedMonthFigure came with
    a migration, and an incremental refresh only writes the months that changed): the file
    lists that month's table as the pages publish it, not nothing."""
    built()
    cell(reports=7, key_sum=40)
    cell("north-yorkshire", MAY, reports=3, key_sum=9)
    publish()
    PublishedMonthFigure.objects.filter(force__slug="north-yorkshire").delete()
    rows = csv_rows(body_of(export(client, analyst)))
    north = {
        (r["measure"], r["value"]): r["reports"] for r in rows if r["force_id"] == "north-yorkshire"
    }
    assert north == _live("north-yorkshire", MAY)
    west = {
        (r["measure"], r["value"]): r["reports"] for r in rows if r["force_id"] == "west-yorkshire"
    }
    assert west == _live("west-yorkshire", APRIL)


# --- every row is what the API's monthly answer publishes -------------------------------------


def _api_monthly(client, force: str, period: str, dimension: str, category: str = "") -> dict:
    """{month: {value: figure text}} from the API's monthly answer for one force (session)."""
    params = {"period": period, "force": force, "page_size": 100}
    if dimension != TOTAL:  # without one, the answer is each month's total
        params["dimension"] = dimension
    if category:
        params["category"] = category
    response = client.get(MONTHLY_URL, params)
    assert response.status_code == 200, response.content
    found = {}
    for month in response.json()["results"]:
        figures = (
            {"": month["total"]}
            if dimension == TOTAL
            else {row["value"]: row["figure"] for row in month["breakdown"]["rows"]}
        )
        found[month["month"][:7]] = {
            value: str(figure["value"]) if figure.get("value") is not None else figure["withheld"]
            for value, figure in figures.items()
        }
    return found


def _reports_through_the_services(rng: random.Random) -> None:
    from tests.trends.conftest import assess, at, give_outcome, submitted_report

    for _ in range(45):
        report = submitted_report(
            submitted_at=at(2026, rng.choice([3, 4]), rng.randint(2, 27)),
            force_slug=rng.choice(["west-yorkshire", "north-yorkshire"]),
            categories=tuple(rng.sample(["doxxing", "threats", "abuse"], rng.randint(0, 2))),
            platforms=tuple(rng.sample(["x", "facebook"], rng.randint(0, 2))),
            offline_impacts=(rng.choice(["none", "none", "approached"]),),
            kind=rng.choice(["officer", "officer", "staff", "family"]),
        )
        if report.categories.exists() and rng.random() < 0.5:  # triage needs a kind of harm
            assess(report, decision=rng.choice(["crime", "non_crime_incident"]))
            if rng.random() < 0.5:
                give_outcome(report, category=rng.choice(["advice", "takedown"]))


@pytest.mark.parametrize("category", ["", "doxxing"])
def test_every_export_row_is_the_api_monthly_figure_for_its_force_and_month(
    client, analyst, category
):
    """Reports through the real services, the real rebuild (which stores the month tables),
    then each row of the export against the API's monthly answer for that force, month and
    dimension (and category)."""
    from harmsportal.trends.rollup import rollup_rebuild

    _reports_through_the_services(random.Random(44))
    rollup_rebuild()
    params = {"period": "2026", **({"category": category} if category else {})}
    rows = csv_rows(body_of(export(client, analyst, **params)))
    assert len(rows) > 100
    assert {"<5", "0"} <= {row["reports"] for row in rows}
    api: dict[tuple, dict] = {}
    compared = 0
    for row in rows:
        dimension = DIMENSION_OF[row["measure"]]
        key = (row["force_id"], dimension)
        if key not in api:
            api[key] = _api_monthly(client, row["force_id"], "2026", dimension, category)
        assert row["reports"] == api[key][row["month"]][row["value"]], row
        compared += 1
    assert compared == len(rows)
    # And nothing the API publishes for those months is missing from the file.
    listed = {(r["force_id"], r["month"], DIMENSION_OF[r["measure"]], r["value"]) for r in rows}
    for (force, dimension), months in api.items():
        for month, values in months.items():
            if any((force, month, TOTAL, "") == item[:4] for item in listed):
                for value in values:
                    assert (force, month, dimension, value) in listed


# --- audit, headers, streaming -----------------------------------------------------------------


def test_every_export_is_in_the_access_log_before_a_row_is_sent(client, analyst, force_lead):
    built()
    figure_row()
    response = export(client, analyst, XLSX_URL, period="fy2026-27")
    log = AccessLog.objects.get(object_type="trends.export")
    assert log.actor == analyst
    assert log.actor_role == Role.NATIONAL_ANALYST
    assert log.action == AccessLog.Action.EXPORT
    assert log.force_slug == ""
    assert log.reason == (
        "Trends figures (xlsx) for all forces; period: Financial year 2026 to 2027; "
        "category: Every harm category"
    )
    body_of(response)

    export(client, force_lead, category="doxxing")
    log = AccessLog.objects.filter(object_type="trends.export").latest("id")
    assert (log.actor, log.actor_role, log.force_slug) == (
        force_lead,
        Role.FORCE_LEAD,
        "west-yorkshire",
    )
    assert log.object_id == "west-yorkshire"
    assert log.reason.startswith("Trends figures (csv) for West Yorkshire Police; period: Every")
    assert log.reason.endswith("category: Doxxing or malicious identification")


def test_oversight_exports_are_logged_in_the_oversight_role(client, oversight):
    built()
    figure_row()
    body_of(export(client, oversight))
    log = AccessLog.objects.get(object_type="trends.export")
    assert (log.actor_role, log.force_slug) == (Role.OVERSIGHT, "west-yorkshire")


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_exports_are_streamed_not_built_before_the_response_is_returned(client, analyst, url):
    built()
    figure_row(dimension="category", value="doxxing")
    response = export(client, analyst, url)
    assert isinstance(response, StreamingHttpResponse)
    assert response.streaming
    # Written after the view returned: a response built up front could not hold it.
    figure_row(dimension="category", value="threats")
    body = body_of(response)
    if url == CSV_URL:
        values = [row["value"] for row in csv_rows(body)]
    else:
        values = [row[HEADER.index("value")] for row in xlsx_rows(body)[1:]]
    assert values == ["threats", "doxxing"]


def test_a_large_export_arrives_in_chunks_of_bounded_size(analyst):
    built()
    force = Force.objects.get(slug="west-yorkshire")
    PublishedMonthFigure.objects.bulk_create(
        PublishedMonthFigure(
            month=APRIL,
            force=force,
            dimension="platform",
            value=f"platform-{n:05d}",
            figure=n % 9 * 5,
            k=5,
        )
        for n in range(3000)
    )
    scope = ExportScope(forces=None)
    chunks = list(csv_stream.csv_chunks(scope))
    assert len(chunks) > 3
    assert max(len(chunk) for chunk in chunks) < csv_stream.CHUNK_BYTES + 1024
    assert len(csv_rows(b"".join(chunks))) == 3000
    pieces = list(xlsx.xlsx_chunks(scope))
    assert len(pieces) > 1
    assert max(len(piece) for piece in pieces) <= xlsx.CHUNK_BYTES
    assert len(xlsx_rows(b"".join(pieces))) == 3001


@pytest.mark.parametrize(
    ("who", "params", "url", "filename"),
    [
        ("force_lead", {}, CSV_URL, "harms-portal-trends-west-yorkshire-all-months.csv"),
        (
            "force_lead",
            {"period": "fy2026-27-q1"},
            CSV_URL,
            "harms-portal-trends-west-yorkshire-fy2026-27-q1.csv",
        ),
        ("analyst", {}, XLSX_URL, "harms-portal-trends-all-forces-all-months.xlsx"),
        (
            "analyst",
            {"force": "north-yorkshire", "period": "2026", "category": "doxxing"},
            XLSX_URL,
            "harms-portal-trends-north-yorkshire-2026-doxxing.xlsx",
        ),
    ],
)
def test_downloads_are_named_for_their_scope_and_never_stored(
    client, persona, who, params, url, filename
):
    built()
    response = export(client, persona(who), url, **params)
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    expected = "text/csv; charset=utf-8" if url == CSV_URL else xlsx.CONTENT_TYPE
    assert response["Content-Type"] == expected
    body_of(response)


# --- the workbook ------------------------------------------------------------------------------


def test_xlsx_opens_in_openpyxl_with_an_about_sheet_saying_what_it_covers(client, force_lead):
    built()
    figure_row(month=MAY, figure=10)
    figure_row(month=APRIL, figure=None, withheld=PublishedMonthFigure.FEWER)
    figure_row(month=MARCH, figure=20)
    body = body_of(export(client, force_lead, XLSX_URL, period="fy2026-27-q1"))
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    assert workbook.sheetnames == ["Trends", "About"]
    rows = xlsx_rows(body)
    assert [(row[0], row[REPORTS]) for row in rows[1:]] == [("2026-04", "<5"), ("2026-05", 10)]
    facts = about(body)
    assert facts["Forces"] == "West Yorkshire Police"
    assert facts["Period"].startswith("Quarter 1 2026 to 2027")
    assert facts["Harm category"] == "Every harm category"
    assert facts["Data as at"] == "14 May 2026 at 6am (UK time)"
    assert facts["Rows"] == "2"
    assert "written <5" in facts["Small numbers"]
    assert "not shown" in facts["Small numbers"]
    assert "exactly as the portal's dashboards and API publish it" in facts["What a row is"]
    assert "counted in each" in facts["What a figure counts"]
    every = about(body_of(export(client, force_lead, XLSX_URL)))
    assert every["Period"] == "Every month the figures hold (in this file: 2026-03 to 2026-05)"


def test_an_export_before_the_figures_are_built_has_the_header_and_says_so(client, analyst):
    for params in ({}, {"category": "doxxing"}):
        csv_body = body_of(export(client, analyst, **params))
        assert csv_body.decode() == ",".join(HEADER) + "\n"
        xlsx_body = body_of(export(client, analyst, XLSX_URL, **params))
        assert xlsx_rows(xlsx_body) == [HEADER]
        assert about(xlsx_body)["Data as at"] == "Figures have not been built yet"
        assert about(xlsx_body)["Rows"] == "0"


def test_an_xlsx_stops_at_a_sheets_last_row_and_says_so(client, analyst, monkeypatch):
    monkeypatch.setattr(xlsx, "SHEET_ROWS", 3)
    built()
    for category in ("abuse", "doxxing", "hate", "threats"):
        figure_row(dimension="category", value=category)
    body = body_of(export(client, analyst, XLSX_URL))
    assert [row[HEADER.index("value")] for row in xlsx_rows(body)[1:]] == ["abuse", "threats"]
    assert about(body)["Rows"].startswith("2 (a sheet holds no more: this workbook stops at row 3")
    assert len(csv_rows(body_of(export(client, analyst)))) == 4


# --- Postgres: COPY ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY needs Postgres")
def test_postgres_copy_writes_the_same_csv_as_the_row_by_row_writer(analyst):
    built()
    HarmCategory.objects.create(slug="quoted", name='Say "hello", then\nleave', sort_order=1)
    figure_row(dimension="category", value="quoted", figure=5)
    figure_row(figure=None, withheld=PublishedMonthFigure.FEWER)
    figure_row(dimension="platform", value="", figure=None, withheld="not shown")
    figure_row(dimension="platform", value="retired", figure=0)
    scope = ExportScope(forces=None)
    copied = b"".join(csv_stream.csv_chunks(scope))
    written = b"".join(csv_stream._written(scope))
    assert copied == written
    rows = csv_rows(copied)
    assert [row["value_name"] for row in rows][1] == 'Say "hello", then\nleave'
    assert [row["reports"] for row in rows] == ["<5", "5", "not shown", "0"]


def test_the_copy_statement_reads_only_published_figures(db):
    """The SQL reads what the rebuild published, never a rollup's true counts."""
    statement, _ = csv_stream.copy_statement(ExportScope(forces=None))
    assert statement.startswith("COPY (WITH ")
    assert statement.endswith(") TO STDOUT WITH (FORMAT csv, HEADER)")
    assert PublishedMonthFigure._meta.db_table in statement
    for table in (ReportRollup, DimensionRollup):
        assert table._meta.db_table not in statement
    assert "key_sum" not in statement


def test_exports_are_refused_to_everyone_without_an_aggregate_role(client, persona):
    for who, status in (("officer", 403), ("triager", 403), ("psd_officer", 404)):
        for url in (CSV_URL, XLSX_URL):
            client.force_login(persona(who))
            assert client.get(url).status_code == status, (who, url)
    assert not AccessLog.objects.filter(object_type="trends.export").exists()


def test_a_lead_of_two_forces_exports_both_and_only_those(client, db):
    built()
    lead = make_person(Role.FORCE_LEAD)
    Membership.objects.create(
        user=lead, force=Force.objects.get(slug="north-yorkshire"), role=Role.OVERSIGHT
    )
    lead.forget_roles()
    for slug in ("west-yorkshire", "north-yorkshire", "metropolitan"):
        figure_row(slug)
    response = export(client, lead)
    assert {row["force_id"] for row in csv_rows(body_of(response))} == {
        "west-yorkshire",
        "north-yorkshire",
    }
    log = AccessLog.objects.get(object_type="trends.export")
    assert (log.actor_role, log.force_slug) == (Role.OVERSIGHT, "")


# --- acceptance 3: no names, emails, free text or evidence -------------------------------------


def _fragments(text: str) -> list[str]:
    """Pieces of someone's free text long enough that finding one in an export means the text
    leaked (the labels a row carries are shorter than any of them)."""
    pieces = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(s.strip()) >= 20]
    return pieces or ([text.strip()] if len(text.strip()) >= 8 else [])


def _personal_texts() -> list[str]:
    """Everything in the database that names or describes a person or what happened to them."""
    from harmsportal.people.models import User
    from reports.models import Evidence, Report, ReportMessage
    from triage.models import Case, CaseNote

    texts: list[str] = []
    for email, name in User.objects.values_list("email", "full_name"):
        texts += [email, *([name] if len(name) >= 5 else [])]
    for report in Report.objects.all():
        for text in (
            report.description,
            report.perpetrator_details,
            report.withdrawal_reason,
            report.outcome_explanation,
        ):
            texts += _fragments(text)
        for value in (report.reference, report.phone, report.child_first_name):
            texts += [value] if len(value) >= 3 else []
        texts += [report.platform_other] if len(report.platform_other) >= 8 else []
    for value in Case.objects.exclude(crime_reference="").values_list("crime_reference", flat=True):
        texts.append(value)
    for filename, sha in Evidence.objects.values_list("original_filename", "sha256"):
        texts += [filename, *([sha] if sha else [])]
    for body in ReportMessage.objects.values_list("body", flat=True):
        texts += _fragments(body)
    for body in CaseNote.objects.values_list("body", flat=True):
        texts += _fragments(body)
    return texts


def _xlsx_texts(body: bytes) -> set[str]:
    """Every cell's text on both sheets, and every other part of the workbook whole."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = archive.namelist()
        others = {archive.read(name).decode() for name in names if "worksheets" not in name}
    assert names == [
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
    ]
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    cells = {str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row}
    return cells | others


def _assert_nothing_personal(client, user, texts: list[str]) -> int:
    """Export as `user` in both formats; fail on any of `texts` in any cell. Returns the CSV's
    rows. (Each distinct cell is searched once: the files repeat a few hundred values.)"""
    csv_body = body_of(export(client, user))
    rows = list(csv.reader(io.StringIO(csv_body.decode())))
    cells = {value for row in rows for value in row} | _xlsx_texts(
        body_of(export(client, user, XLSX_URL))
    )
    leaked = [text for text in set(texts) if any(text in cell for cell in cells)]
    assert not leaked, leaked
    return len(rows) - 1


def test_exports_of_a_real_rollup_hold_no_names_emails_free_text_or_evidence(client, analyst):
    """Reports sent, triaged and answered through the real services, rolled up by the real
    rebuild, then every export scanned for what people wrote and who they are."""
    from harmsportal.people.models import User
    from harmsportal.trends.rollup import rollup_rebuild
    from reports.services.evidence import report_evidence_add
    from reports.services.sending import report_submit
    from tests.factories import link_family
    from tests.reports import hostile_files
    from tests.reports.factories import DraftReportFactory
    from tests.trends.conftest import assess, at, case_of, give_outcome, submitted_report
    from triage.services.working import case_message_send, case_note_add

    people = [
        make_person(
            force_slug=slug,
            full_name=f"Quilla Marchbanks-{n}",
            email=f"quilla.marchbanks{n}@example.police.uk",
        )
        for n, slug in enumerate(["west-yorkshire", "north-yorkshire", "metropolitan"])
    ]
    family = make_person(
        kind=User.Kind.FAMILY, full_name="Ottoline Pevensey", email="op@example.org"
    )
    link_family(people[0], family)
    for n, reporter in enumerate([*people, family]):
        for month in (4, 5, 6):
            report = submitted_report(
                submitted_at=at(2026, month, 3 + n),
                reporter=reporter,
                categories=("doxxing", "threats") if n % 2 else ("abuse",),
                platforms=("x", "facebook") if month == 5 else ("instagram",),
                offline_impacts=("home_visited",) if n == 1 else ("none",),
            )
            report.description = (
                f"Report {n}-{month}: a man called Barnaby Thistlewood posted my address on "
                f"Lindenfield Crescent and said he would come round on the {month}th."
            )
            report.perpetrator_details = f"@thistlewood_{n}{month} on X, phone 07700 900{n}{month}1"
            report.save(update_fields=["description", "perpetrator_details"])
            if month >= 5:
                assess(report, decision="crime" if n % 2 else "non_crime_incident")
                case = case_of(report)
                case_note_add(
                    actor=case.assignee, case=case, body=f"Spoke to DS Wraxall-{n} about it."
                )
                case_message_send(
                    actor=case.assignee,
                    case=case_of(report),
                    body=f"Hello, we have asked the platform to remove post {n}{month}.",
                )
            if month == 6:
                give_outcome(report, category="takedown")
    # Five more alike from each force, in another month.
    for n, reporter in enumerate(people):
        for copy in range(5):
            report = submitted_report(submitted_at=at(2026, 7, 1 + copy), reporter=reporter)
            report.description = f"Again {n}-{copy}: Barnaby Thistlewood at Lindenfield Crescent."
            report.save(update_fields=["description"])
    draft = DraftReportFactory(reporter=people[1], description="Photographs of my front door.")
    report_evidence_add(
        actor=people[1], report=draft, data=hostile_files.jpeg(gps=True), filename="door-17.jpg"
    )
    report_submit(actor=people[1], report=draft)
    rollup_rebuild()

    texts = _personal_texts()
    assert "Barnaby Thistlewood" in " ".join(texts)
    assert "door-17.jpg" in texts
    assert "quilla.marchbanks0@example.police.uk" in texts
    rows = _assert_nothing_personal(client, analyst, texts)
    assert rows >= 3
    lead = make_person(Role.FORCE_LEAD, force_slug="north-yorkshire")
    assert _assert_nothing_personal(client, lead, texts) >= 1


def test_exports_of_the_seeded_demo_hold_no_demo_email_name_or_report_text(
    client, settings, monkeypatch, db
):
    """Acceptance 3: every demo user's email and name, and the text of every demo report,
    are absent from the CSV and the XLSX of the demo's figures.

    The whole demo is seeded (every app's seeder, every account and demo report), with the
    trends history at a fifth of its volume, as the browser tests take it: the same kinds of
    report and text, in a quarter of the time."""
    from dataclasses import replace

    from django.core.management import call_command

    from harmsportal.people.models import Membership, User
    from harmsportal.trends.demo import story
    from reports.models import Report

    smaller = tuple(
        replace(force, start=max(force.start / 5, 0.5), end=max(force.end / 5, 0.6))
        for force in story.FORCES
    )
    monkeypatch.setattr(story, "FORCES", smaller)
    settings.HARMSPORTAL_DEMO = True
    # The demo's last step is the rollup, so its figures are there to export.
    call_command("seed_demo", password="demo-password-123", stdout=io.StringIO())
    assert Report.objects.exclude(description="").exists()
    texts = _personal_texts()
    analyst = User.objects.get(
        pk=Membership.objects.filter(role=Role.NATIONAL_ANALYST).values("user")[:1]
    )
    lead = User.objects.get(pk=Membership.objects.filter(role=Role.FORCE_LEAD).values("user")[:1])
    for user in (analyst, lead):
        enrol_totp(user)  # the demo's staff enrol on first sign-in; the pages need it done
    # The files are scanned whole (header, About, every row): the demo's month tables give
    # every force with reports its rows (a small force's "<5" included).
    assert _assert_nothing_personal(client, analyst, texts) > 0
    assert _assert_nothing_personal(client, lead, texts) > 0


def test_the_scan_finds_personal_text_when_an_export_carries_it(client, analyst):
    """The scan above has teeth: a platform renamed to someone's email is caught."""
    built()
    figure_row(dimension="platform", value="x")
    Platform.objects.filter(slug="x").update(name=f"Ask {analyst.email}")
    with pytest.raises(AssertionError, match=re.escape(analyst.email)):
        _assert_nothing_personal(client, analyst, [analyst.email])


# --- the export beside the dashboards pins nothing (decision 0012) -----------------------------


def _parsed(text: str):
    """A figure as the files write it, back as `harmsportal.disclosure` gives it."""
    k = disclosure_k()
    if text == "not shown":
        return WithheldTotal(k)
    if text.startswith("<"):
        return Withheld(int(text[1:]))
    return int(text)


def _dashboard_figures(forces, period: str = "2026-04", category: str | None = None):
    from harmsportal.trends.figures import scope_figures

    scope = Scope(forces=forces, period=parse_period(period, today=MAY), category=category)
    return scope_figures(scope)


def test_four_one_report_combinations_are_exported_exactly_as_the_dashboards_show_them(
    client, analyst
):
    """The reviewer's case: four reports in West Yorkshire in a month, one in each of (crime,
    officer), (crime, staff), (non-crime, officer), (non-crime, staff). The dashboards say "<5"
    for the total and for each of the four values; the export says that and nothing more."""
    built()
    for decision in ("crime", "non_crime"):
        for kind in ("officer", "staff"):
            cell(decision=decision, kind=kind, reports=1, key_sum=17)
    publish()
    west_yorkshire = Force.objects.get(slug="west-yorkshire").pk
    shown = _dashboard_figures((west_yorkshire,))
    assert isinstance(shown.total, Withheld)
    expected = [("total", "", figure_text(shown.total))] + [
        (MEASURES[dimension][0], row.value, figure_text(row.figure))
        for dimension, breakdown in shown.breakdowns.items()
        for row in breakdown.rows
    ]
    rows = csv_rows(body_of(export(client, analyst)))
    assert [(r["measure"], r["value"], r["reports"]) for r in rows] == expected
    assert rows[0]["reports"] == "<5"


# The attacker's small worlds. A world is a list of cells, each some reports alike: a force, a
# month and one value of every dimension (what the cell does not say is `cell()`'s default), so
# every figure the files or the pages publish about the world is a sum of some of its cells.
DEFAULTS = {
    "force": "west-yorkshire",
    "month": APRIL,
    "category": "doxxing",
    "decision": "crime",
    "kind": "officer",
    "platform": "x",
    "impact": "none",
    "outcome": "pending",
}
# cell()'s argument for each dimension of trends.figures.
ARGUMENT = {
    "category": "category",
    "platform": "platform",
    "impact": "impact",
    "recording_decision": "decision",
    "reporter_kind": "kind",
    "outcome": "outcome",
}
WORLD = [
    {"decision": d, "platform": p}
    for d in ("crime", "non_crime")
    for p in ("x", "facebook", "instagram")
]
# Four values of one dimension: four "<5" beside a "<5" total say 1 each, which only the
# month table's audit prevents (the total is "not shown").
FOUR_REPORTERS = [{"kind": kind} for kind in ("officer", "staff", "volunteer", "family")]
# Two categories, so a file or a page filtered to one differs from the whole; a report can
# carry both (the attacker cannot tell it does not), so the cells of both are in the world too.
DECISION_BY_CATEGORY = [
    {"decision": d, "category": c}
    for d in ("crime", "non_crime")
    for c in ("doxxing", "threats", ("doxxing", "threats"))
]
# Every page period holding April 2026: the month, its quarter, its financial and calendar year.
PERIODS = ("2026-04", "fy2026-27-q1", "fy2026-27", "2026")
# A cell no figure bounds is searched up to this (more than any world here holds): a cap can
# only make the attacker find more pins, never fewer.
SEARCH_CAP = 60


def _value(spec: dict, name: str):
    return spec.get(name, DEFAULTS[name])


def _categories(spec: dict) -> tuple[str, ...]:
    """A cell's harm categories: a report can carry several (a multi-select dimension)."""
    categories = _value(spec, "category")
    return (categories,) if isinstance(categories, str) else tuple(categories)


def _make_world(world: list[dict], counts: list[int], keys: list[int]) -> None:
    """The world's cells as ReportRollup rows, as the rebuild makes them: a cell of several
    categories is a row for each, the first counting the reports for every other dimension."""
    ReportRollup.objects.all().delete()
    for spec, reports, key_sum in zip(world, counts, keys, strict=True):
        if reports:
            values = {name: _value(spec, name) for name in DEFAULTS}
            force, month = values.pop("force"), values.pop("month")
            first, *others = _categories(spec)
            values["category"] = first
            cell(force, month, **values, reports=reports, key_sum=key_sum)
            for other in others:
                row = cell(force, month, **values, reports=reports, key_sum=key_sum)
                ReportRollup.objects.filter(pk=row.pk).update(category=other, first_category=False)
    publish()


def _cells(
    world: list[dict],
    dimension: str = TOTAL,
    value: str = "",
    *,
    forces: set[str] | None = None,
    period=None,
    category: str | None = None,
) -> frozenset[int]:
    """The world's cells a figure adds up: of `forces` (None: all), in `period` (None: any
    month), of `category` (None: every report), with `dimension`'s `value` (TOTAL: all)."""

    def has(spec: dict) -> bool:
        if dimension == TOTAL:
            return True
        if dimension == "category":
            return value in _categories(spec)
        return _value(spec, ARGUMENT[dimension]) == value

    return frozenset(
        i
        for i, spec in enumerate(world)
        if (forces is None or _value(spec, "force") in forces)
        and (period is None or period.start <= _value(spec, "month") < period.end)
        and (category is None or category in _categories(spec))
        and has(spec)
    )


def _range(figure) -> tuple[int, int | None]:
    """The counts a figure can stand for, as an attacker reads it: a number the rule never
    publishes (not 0 and not a multiple of k, k or more) is read as the count itself."""
    from harmsportal.disclosure import true_range

    k = disclosure_k()
    if isinstance(figure, int) and figure and (figure % k or figure < k):
        return (figure, figure)
    return true_range(figure)


def _files(world: list[dict]) -> list[tuple]:
    """(cells, figure) for every row of the national file, unfiltered and filtered to each of
    the world's categories: every force's month tables."""
    from harmsportal.trends.exports.select import export_rows

    published = []
    for category in (None, *sorted({c for spec in world for c in _categories(spec)})):
        for row in export_rows(ExportScope(forces=None, category=category), for_csv=False):
            values = dict(zip(HEADER, row, strict=True))
            cells = _cells(
                world,
                DIMENSION_OF[values["measure"]],
                values["value"] or "",
                forces={values["force_id"]},
                period=month_period(date.fromisoformat(values["month"] + "-01")),
                category=category,
            )
            published.append((cells, _parsed(values["reports"])))
    return published


def _pages(world: list[dict]) -> list[tuple]:
    """(cells, figure) for every figure of the dashboards (and the API's figures answer) about
    the world: nationally and each force's, for every period holding April (the month, its
    quarter, its financial and calendar year), unfiltered and filtered to each category; the
    total and every row of every breakdown."""
    categories = sorted({c for spec in world for c in _categories(spec)})
    slugs = sorted({_value(spec, "force") for spec in world})
    pks = dict(Force.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    published = []
    for forces in (None, *({slug} for slug in slugs)):
        scope_forces = None if forces is None else tuple(pks[slug] for slug in forces)
        for period in PERIODS:
            for category in (None, *categories):
                shown = _dashboard_figures(scope_forces, period, category)
                where = {
                    "forces": forces,
                    "period": parse_period(period, today=MAY),
                    "category": category,
                }
                published.append((_cells(world, **where), shown.total))
                for dimension, breakdown in shown.breakdowns.items():
                    published += [
                        (_cells(world, dimension, row.value, **where), row.figure)
                        for row in breakdown.rows
                    ]
    return published


def _constraints(published: list[tuple]) -> tuple[list, list]:
    """(figures, protected): each published figure as (its cells, lowest, highest), once each;
    protected are the cells of the withheld ones."""
    figures, protected = set(), set()
    for cells, figure in published:
        if cells:
            figures.add((cells, *_range(figure)))
            if isinstance(figure, Withheld):
                protected.add(cells)
    in_order = sorted(figures, key=lambda f: (sorted(f[0]), f[1], -1 if f[2] is None else f[2]))
    return in_order, sorted(protected, key=sorted)


def _bounds(n: int, figures: list) -> list[list[int]]:
    """Each cell's lowest and highest count that the figures allow, tightened until they
    settle (an interval bound, so the search below only skips worlds none of them allow)."""
    bounds = [[0, SEARCH_CAP] for _ in range(n)]
    for _ in range(20):
        before = [list(b) for b in bounds]
        for cells, low, high in figures:
            for i in cells:
                others = [j for j in cells if j != i]
                if high is not None:
                    bounds[i][1] = min(bounds[i][1], high - sum(bounds[j][0] for j in others))
                bounds[i][0] = max(bounds[i][0], low - sum(bounds[j][1] for j in others))
        if bounds == before:
            break
    return bounds


def _pinned(n: int, figures: list, protected: list) -> list:
    """The protected figures every world of `n` cells consistent with `figures` gives the same
    count: an attacker trying every world (each cell's count within the bounds the figures
    allow)."""
    bounds = _bounds(n, figures)
    checks = [(cells, low, high) for cells, low, high in figures if cells]
    seen = {cells: set() for cells in protected}
    world = [0] * n

    def possible(i: int) -> bool:
        # With cells 0..i set: each figure's set cells must fit under its highest, and with its
        # unset cells at their highest must reach its lowest.
        for cells, low, high in checks:
            done = sum(world[j] for j in cells if j <= i)
            if high is not None and done > high:
                return False
            if done + sum(bounds[j][1] for j in cells if j > i) < low:
                return False
        return True

    class EnoughError(Exception):
        """Every protected figure has two possible counts: none is pinned, stop looking."""

    def walk(i: int) -> None:
        if i == n:
            for cells, found in seen.items():
                found.add(sum(world[j] for j in cells))
            if all(len(found) > 1 for found in seen.values()):
                raise EnoughError
            return
        low, high = bounds[i]
        for count in range(low, high + 1):
            world[i] = count
            if possible(i):
                walk(i + 1)

    try:
        walk(0)
    except EnoughError:
        return []
    assert all(seen.values()), "the true world is always consistent with its own figures"
    return [cells for cells, found in seen.items() if len(found) == 1]


def _pins(world: list[dict], worlds, *, files: bool = True, pages: bool = True) -> list:
    """For each world in which the attacker pins a withheld count: (counts, keys, the pinned
    figures' cells), reading the files, the pages or both."""
    pinned = []
    for counts, keys in worlds:
        _make_world(world, counts, keys)
        published = (_files(world) if files else []) + (_pages(world) if pages else [])
        figures, protected = _constraints(published)
        if found := _pinned(len(world), figures, protected):
            pinned.append((counts, keys, [sorted(cells) for cells in found]))
    return pinned


def _pins_the_files_add(world: list[dict], worlds) -> list:
    """For each world in which the files beside the pages pin a withheld count (of the files'
    or the pages') that the pages alone leave open: (counts, keys, those figures' cells)."""
    added = []
    for counts, keys in worlds:
        _make_world(world, counts, keys)
        pages = _pages(world)
        figures, protected = _constraints(_files(world) + pages)
        with_files = _pinned(len(world), figures, protected)
        without = _pinned(len(world), _constraints(pages)[0], protected) if with_files else []
        if found := [cells for cells in with_files if cells not in without]:
            added.append((counts, keys, [sorted(cells) for cells in found]))
    return added


def _random_worlds(world: list[dict], seed: int, many: int) -> list:
    rng = random.Random(seed)
    return [
        (
            [rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12]) for _ in world],
            [rng.randint(0, 255) for _ in world],
        )
        for _ in range(many)
    ]


def test_the_attackers_search_finds_a_pin_when_the_figures_give_one_away(db):
    """The search has teeth: a "<5" beside figures that leave it one count is found."""
    n = len(WORLD)
    everything = frozenset(range(n))
    crime = frozenset(range(3))
    figures = [(everything, 10, 10), (crime, 9, 9), (everything - crime, 1, 4)]
    assert _pinned(n, figures, [everything - crime]) == [everything - crime]
    assert _pinned(n, [(everything, 10, 12), (crime, 8, 9)], [everything - crime]) == []


def _unaudited(count, tables, **_):
    """`figures.audit_table` taken out: each figure as `publish_count` gives it on its own."""
    for table in tables:
        table.total = count.published()
    return count.published()


def test_the_attacker_pins_a_count_when_the_stored_month_tables_are_not_audited(db, monkeypatch):
    """The attack has teeth through the rebuild's own step and the real export: four reporter
    kinds of one report each are four "<5" under a total "not shown"; with the month table's
    audit taken out of the rebuild, the file's own total "<5" says 1 each."""
    built()
    one_each = [([1, 1, 1, 1], [17, 40, 99, 200])]
    assert _pins(FOUR_REPORTERS, one_each, pages=False) == []
    monkeypatch.setattr("harmsportal.trends.rollup.published.audit_table", _unaudited)
    assert _pins(FOUR_REPORTERS, one_each, pages=False) == [
        ([1, 1, 1, 1], [17, 40, 99, 200], [[0], [0, 1, 2, 3], [1], [2], [3]])
    ]


def test_the_attacker_pins_a_count_the_file_writes_as_it_is(db, monkeypatch):
    """A file that wrote one withheld figure's true count (the stored row's count instead of
    "<5") pins it beside the dashboards' "<5" of the same reports, which the dashboards alone
    leave open: the attacker reads a number the rule never publishes as the count itself."""
    built()
    stored_by_the_rebuild = publish

    def leaky() -> None:
        stored_by_the_rebuild()
        leaked = PublishedMonthFigure.objects.get(
            dimension="recording_decision", value="non_crime", withheld=PublishedMonthFigure.FEWER
        )
        true = DimensionRollup.objects.get(
            force_id=leaked.force_id,
            month=leaked.month,
            dimension=leaked.dimension,
            value="non_crime",
        ).reports
        PublishedMonthFigure.objects.filter(pk=leaked.pk).update(figure=true, withheld="")

    world = ([6, 6, 6, 1, 0, 0], [0, 0, 0, 210, 0, 0])
    assert _pins_the_files_add(WORLD, [world]) == []
    monkeypatch.setattr(f"{__name__}.publish", leaky)
    added = _pins_the_files_add(WORLD, [world])
    assert len(added) == 1
    assert [3, 4, 5] in added[0][2]  # non-crime: one report


@pytest.mark.parametrize(
    ("world", "seed"),
    [(WORLD, 2026), (FOUR_REPORTERS, 2027), (DECISION_BY_CATEGORY, 2028)],
    ids=["decision-by-platform", "four-reporters", "decision-by-category"],
)
def test_the_export_pins_nothing_the_dashboards_do_not_in_random_small_worlds(db, world, seed):
    """An attacker with every file (unfiltered and filtered to each category) beside every
    dashboard figure about small random worlds (every period holding their month, nationally
    and the force's, unfiltered and filtered), so both attacks: a table's own figures, and two
    requests with different periods or filters, subtracted. Trying every world they allow,
    the files pin no withheld figure that the dashboards alone leave open (decision 0012), and
    the files alone pin none."""
    built()
    worlds = [([1] * len(world), [17] * len(world)), *_random_worlds(world, seed, 12)]
    assert _pins_the_files_add(world, worlds) == []
    assert _pins(world, worlds, pages=False) == []


def test_the_export_beside_the_dashboards_pins_no_withheld_count_in_random_small_worlds(db):
    """The same attacker, every file and every dashboard figure, in worlds of two decisions by
    three platforms: no withheld figure ("<5") comes out as one count at all."""
    built()
    worlds = [([1, 1, 0, 1, 1, 0], [17] * 6), *_random_worlds(WORLD, 2026, 16)]
    assert _pins(WORLD, worlds) == []


def test_four_one_report_kinds_are_pinned_by_no_dashboard(db):
    """Four reports in West Yorkshire in April, one of each reporter kind. The force's April
    page withholds its total ("not shown"): "<5" beside four "<5" would say 1 each. The
    national April page, and the force's quarter and years, show that same total as "<5"."""
    built()
    assert _pins(FOUR_REPORTERS, [([1, 1, 1, 1], [17, 40, 99, 200])], files=False) == []


def test_several_listed_cells_against_a_total_rounded_down_pin_nothing(db):
    """Three crime cells of 6 and one non-crime report: when the export listed each cell
    rounded on its own (10, 10, 10: at least 18), the total 19 rounded down to 15 (11 to 19)
    left at most 1 for non-crime, shown as "<5": exactly 1. The export now publishes the month
    table the dashboards publish, audited as a whole, and the dashboards alone do not pin it."""
    built()
    assert _pins(WORLD, [([6, 6, 6, 1, 0, 0], [0, 0, 0, 210, 0, 0])]) == []


# Two forces, two months of a quarter: doxxing reports in each force's month (6, 6, 6 and 1),
# and other reports beside the first.
THREE_WAY = [
    {"force": "west-yorkshire", "month": APRIL},
    {"force": "west-yorkshire", "month": MAY},
    {"force": "north-yorkshire", "month": APRIL},
    {"force": "north-yorkshire", "month": MAY},
    {"force": "west-yorkshire", "month": APRIL, "category": "threats", "platform": "facebook"},
]


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="trends.figures audits a national (or several forces') quarter or year with its "
    "two-way faces (months by forces, months by values, forces by values), not with the "
    "months-by-forces-by-values cells that each force's month tables publish (decision 0011, "
    "What is not guaranteed: the three-way table)",
)
def test_the_force_month_tables_beside_a_national_quarter_pin_nothing(db):
    """The files (and the API's monthly answer for each force) publish doxxing in each force's
    month: 10, 10, 10 (6 to 14 each, so at least 18) and "<5". The national quarter's doxxing,
    19 rounded down to 15 (11 to 19), leaves at most 1 for the "<5": exactly 1. The national
    quarter's audit sees its months and its forces, not these cells."""
    built()
    assert _pins(THREE_WAY, [([6, 6, 6, 1, 20], [0, 0, 0, 210, 77])]) == []


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
@pytest.mark.parametrize("value", ["\x00", "doxxing\x00"])
def test_a_category_with_a_nul_is_the_portals_400_and_no_export(client, analyst, url, value):
    """A NUL never reaches the export: the portal refuses it at the door (its 400 page)."""
    built()
    figure_row()
    response = export(client, analyst, url, category=value)
    assert response.status_code == 400
    assert b"Sorry, there is a problem with that request" in response.content
    assert not AccessLog.objects.filter(object_type="trends.export").exists()


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
@pytest.mark.parametrize("value", ["\x01\x7f", "d" * 5000])
def test_a_category_with_control_characters_or_too_long_is_the_unknown_category_400(
    client, analyst, url, value
):
    """`?category=%00` was a 500 on Postgres (a NUL cannot go into a query)."""
    built()
    figure_row()
    response = export(client, analyst, url, category=value)
    assert response.status_code == 400
    assert b"no harm category with that id" in response.content
    assert not AccessLog.objects.filter(object_type="trends.export").exists()
