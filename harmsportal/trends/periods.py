"""Reporting periods as police forces and PCCs use them: months, financial-year quarters
(April to March), financial years and calendar years.

A period is a run of whole months, so every figure over it is a sum of monthly rollup rows.
Its `slug` is what the filter form and the API take:

- `2026-05`: May 2026;
- `fy2026-27-q1`: the first quarter of financial year 2026-27 (April to June 2026);
- `fy2026-27`: financial year 2026-27 (April 2026 to March 2027);
- `2026`: calendar year 2026.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from harmsportal.templatetags.govuk_time import MONTHS

MONTH = "month"
QUARTER = "quarter"
FINANCIAL_YEAR = "financial_year"
CALENDAR_YEAR = "calendar_year"

KIND_LABELS = {
    MONTH: "Month",
    QUARTER: "Financial-year quarter",
    FINANCIAL_YEAR: "Financial year",
    CALENDAR_YEAR: "Calendar year",
}

# The first year any period may start in, and how far ahead one may end: anything else is a
# typing slip, refused with a message rather than answered with an empty page.
EARLIEST_YEAR = 2000
_MONTH_NAMES = MONTHS


class PeriodError(ValueError):
    """A period the user typed or linked that does not exist. The message is for them."""


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_start(day: date) -> date:
    return day.replace(day=1)


def financial_year_start(day: date) -> int:
    """The year a day's financial year starts in (April)."""
    return day.year if day.month >= 4 else day.year - 1


@dataclass(frozen=True)
class Period:
    kind: str
    start: date  # first day of the first month
    months: int  # how many whole months

    @property
    def end(self) -> date:
        """The first day after the period."""
        return add_months(self.start, self.months)

    def month_list(self) -> list[date]:
        return [add_months(self.start, i) for i in range(self.months)]

    @property
    def slug(self) -> str:
        year = self.start.year
        if self.kind == MONTH:
            return f"{year}-{self.start.month:02d}"
        if self.kind == CALENDAR_YEAR:
            return f"{year}"
        fy = financial_year_start(self.start)
        fy_slug = f"fy{fy}-{(fy + 1) % 100:02d}"
        if self.kind == FINANCIAL_YEAR:
            return fy_slug
        quarter = (self.start.month - 4) % 12 // 3 + 1
        return f"{fy_slug}-q{quarter}"

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return f"{_MONTH_NAMES[self.start.month - 1]} {self.start.year}"
        if self.kind == CALENDAR_YEAR:
            return f"{self.start.year}"
        fy = financial_year_start(self.start)
        fy_label = f"{fy} to {fy + 1}"
        if self.kind == FINANCIAL_YEAR:
            return f"Financial year {fy_label}"
        last = add_months(self.start, 2)
        quarter = self.slug[-1]
        return (
            f"Quarter {quarter} {fy_label} ({_MONTH_NAMES[self.start.month - 1]} to "
            f"{_MONTH_NAMES[last.month - 1]} {last.year})"
        )

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        return Period(self.kind, add_months(self.start, -self.months), self.months)

    def year_before(self) -> Period:
        return Period(self.kind, add_months(self.start, -12), self.months)


def month_period(month: date) -> Period:
    return Period(MONTH, month_start(month), 1)


def quarter_of(day: date) -> Period:
    fy = financial_year_start(day)
    quarter = (day.month - 4) % 12 // 3
    return Period(QUARTER, add_months(date(fy, 4, 1), 3 * quarter), 3)


def financial_year_of(day: date) -> Period:
    return Period(FINANCIAL_YEAR, date(financial_year_start(day), 4, 1), 12)


def calendar_year_of(day: date) -> Period:
    return Period(CALENDAR_YEAR, date(day.year, 1, 1), 12)


def parse_period(value: str, *, today: date) -> Period:
    """The period named by `value`, or PeriodError with a message saying what to enter.

    A period that starts after the current month is refused: nothing has been received yet.
    """
    value = (value or "").strip().lower()
    try:
        period = _parse(value)
    except ValueError:  # year 0 (0000-05): no such date, a typing slip like any other
        period = None
    if period is None:
        raise PeriodError(
            "Enter a period like 2026-05 (a month), fy2026-27-q1 (a quarter), fy2026-27 (a "
            "financial year) or 2026 (a calendar year)"
        )
    if period.start.year < EARLIEST_YEAR:
        raise PeriodError(f"Enter a period from {EARLIEST_YEAR} onwards")
    if period.start > month_start(today):
        raise PeriodError("Enter a period that has started: there are no figures for it yet")
    return period


def _parse(value: str) -> Period | None:
    if match := re.fullmatch(r"fy(\d{4})-(\d{2})(?:-q([1-4]))?", value):
        year = int(match[1])
        if int(match[2]) != (year + 1) % 100:
            return None
        if match[3] is None:
            return Period(FINANCIAL_YEAR, date(year, 4, 1), 12)
        return Period(QUARTER, add_months(date(year, 4, 1), 3 * (int(match[3]) - 1)), 3)
    if match := re.fullmatch(r"(\d{4})-(\d{2})", value):
        if not 1 <= int(match[2]) <= 12:
            return None
        return Period(MONTH, date(int(match[1]), int(match[2]), 1), 1)
    if re.fullmatch(r"\d{4}", value):
        return Period(CALENDAR_YEAR, date(int(value), 1, 1), 12)
    return None


def default_period(today: date) -> Period:
    """The financial year to date: what a PCC's performance meeting looks at first."""
    return financial_year_of(today)


def period_choices(today: date, *, first_month: date | None) -> list[Period]:
    """The periods worth offering in the filter, newest first: every month, quarter, financial
    year and calendar year from the first month with data (or two years back) to today."""
    current = month_start(today)
    first = month_start(first_month) if first_month else add_months(current, -23)
    first = min(first, add_months(current, -23))
    periods: dict[str, Period] = {}
    month = current
    while month >= first:
        for period in (
            financial_year_of(month),
            calendar_year_of(month),
            quarter_of(month),
            month_period(month),
        ):
            periods.setdefault(period.slug, period)
        month = add_months(month, -1)
    order = {FINANCIAL_YEAR: 0, QUARTER: 1, CALENDAR_YEAR: 2, MONTH: 3}
    return sorted(periods.values(), key=lambda p: (order[p.kind], -p.start.toordinal()))
