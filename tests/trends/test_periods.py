"""Reporting periods: months, financial-year quarters (April to March), financial years and
calendar years, and the messages for periods that do not exist."""

from __future__ import annotations

from datetime import date

import pytest

from harmsportal.trends.periods import (
    CALENDAR_YEAR,
    FINANCIAL_YEAR,
    MONTH,
    QUARTER,
    PeriodError,
    default_period,
    parse_period,
    period_choices,
    quarter_of,
)

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize(
    ("slug", "kind", "start", "end"),
    [
        ("2026-05", MONTH, date(2026, 5, 1), date(2026, 6, 1)),
        ("fy2026-27-q1", QUARTER, date(2026, 4, 1), date(2026, 7, 1)),
        ("fy2025-26-q4", QUARTER, date(2026, 1, 1), date(2026, 4, 1)),
        ("fy2026-27", FINANCIAL_YEAR, date(2026, 4, 1), date(2027, 4, 1)),
        ("2025", CALENDAR_YEAR, date(2025, 1, 1), date(2026, 1, 1)),
        (" FY2026-27-Q3 ", QUARTER, date(2026, 10, 1), date(2027, 1, 1)),
    ],
)
def test_each_kind_of_period_covers_its_whole_months(slug, kind, start, end):
    period = parse_period(slug, today=TODAY)

    assert (period.kind, period.start, period.end) == (kind, start, end)
    assert parse_period(period.slug, today=TODAY) == period


@pytest.mark.parametrize(
    "slug", ["2026-13", "2026-00", "fy2026-28", "fy2026-27-q5", "26-05", "2026-5", "", "x" * 500]
)
def test_a_period_that_does_not_exist_gets_a_message_saying_what_to_enter(slug):
    with pytest.raises(PeriodError, match="Enter a period like 2026-05"):
        parse_period(slug, today=TODAY)


def test_a_period_that_has_not_started_is_refused():
    with pytest.raises(PeriodError, match="has started"):
        parse_period("2026-12", today=TODAY)


def test_a_period_before_2000_is_refused():
    with pytest.raises(PeriodError, match="from 2000"):
        parse_period("1999", today=TODAY)


def test_quarters_run_april_to_march_as_police_and_pccs_report():
    assert quarter_of(date(2026, 4, 1)).slug == "fy2026-27-q1"
    assert quarter_of(date(2026, 3, 31)).slug == "fy2025-26-q4"
    assert quarter_of(date(2026, 12, 1)).label == (
        "Quarter 3 2026 to 2027 (October to December 2026)"
    )


def test_the_previous_period_is_the_same_kind_just_before():
    quarter = parse_period("fy2026-27-q1", today=TODAY)

    assert quarter.previous().slug == "fy2025-26-q4"
    assert quarter.year_before().slug == "fy2025-26-q1"


def test_the_default_is_the_financial_year_to_date():
    assert default_period(TODAY).slug == "fy2026-27"
    assert default_period(date(2027, 2, 1)).slug == "fy2026-27"


def test_choices_offer_every_kind_from_the_first_month_with_data_newest_first():
    choices = period_choices(TODAY, first_month=date(2024, 6, 1))
    slugs = [period.slug for period in choices]

    assert slugs[0] == "fy2026-27"
    assert "fy2024-25" in slugs
    assert "2024-06" in slugs
    assert "2024-05" not in slugs
    assert "2026-11" in slugs
    assert len(slugs) == len(set(slugs))
