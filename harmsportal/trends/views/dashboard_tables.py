"""The dashboards' tables: published figures laid out in rows and columns, each saying what it
counts, with the charts that are drawn from it in the browser (static/trends/charts.mjs).

Every figure here has already left `trends.figures` through `harmsportal.disclosure`; this
module only arranges them. A chart never has figures of its own: it reads its table's cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from harmsportal.trends.demographics import demographic_figures
from harmsportal.trends.figures import (
    CATEGORY,
    COUNTS_MENTIONS,
    COUNTS_NOTES,
    COUNTS_REPORTS,
    IMPACT,
    MONTH,
    OUTCOME,
    PLATFORM,
    RECORDING_DECISION,
    REPORTER_KIND,
    Breakdown,
    Figure,
    Scope,
    ScopeFigures,
    data_as_at,
    figures_by,
    scope_figures,
    value_labels,
)
from harmsportal.trends.models import NO_IMPACT, RecordingDecision
from harmsportal.trends.periods import Period, month_start
from harmsportal.trends.templatetags.trends_figures import month_short

BAR = "bar"
LINE = "line"
# A chart of one column read down the rows, or of one row read across the columns.
DOWN = "down"
ACROSS = "across"
TOTAL_ROW = "all"
ALL_REPORTS = "All reports"
WHOLE_PERIOD = "Whole period"
# The id of the note the demographic tables share (templates/trends/_dashboard.html).
DEMOGRAPHICS_NOTE = "about-note"


@dataclass
class Chart:
    kind: str
    name: str  # the chart's accessible name
    axis: str
    index: int  # the column (DOWN) or row (ACROSS) charted, from 0
    count: int | None = None  # ACROSS: how many columns from the first (the months)
    skip: tuple[str, ...] = ()  # DOWN: rows left out (their keys)
    # DOWN: bars largest first, zeros left out (a long list such as every force), said beside.
    ranked: bool = False


@dataclass
class TableRow:
    key: str
    label: str
    cells: list[Figure]
    total: bool = False


@dataclass
class Table:
    id: str
    caption: str
    note: str
    row_heading: str
    columns: list[str]
    rows: list[TableRow]
    charts: list[Chart] = field(default_factory=list)
    # The id of a note that several tables share (said once above them), instead of their own.
    shared_note: str = ""

    @property
    def note_id(self) -> str:
        return self.shared_note or f"{self.id}-note"

    @property
    def compact(self) -> bool:
        """One column of figures: the table sits beside its chart on a wide screen."""
        return len(self.columns) == 1


def figure_of(breakdown: Breakdown | None, value: str) -> Figure:
    if breakdown is None:
        return 0
    return next((row.figure for row in breakdown.rows if row.value == value), 0)


def months_so_far(period: Period, today: date) -> list[date]:
    """The period's months up to this one: later months have no reports yet, not zero."""
    return [month for month in period.month_list() if month <= month_start(today)]


def trend_table(scope: Scope, months: list[date], by_month: dict, whole: ScopeFigures) -> Table:
    """Months across, harm categories down, each month's reports (each once) at the foot; with
    a category chosen, that category's reports each month."""
    period = scope.period.label
    chosen = value_labels(CATEGORY).get(scope.category, scope.category) if scope.category else ""
    columns = [*(month_short(month) for month in months), WHOLE_PERIOD]
    rows = []
    categories = whole.breakdowns.get(CATEGORY)
    for row in categories.rows if categories else []:
        cells = [
            figure_of(by_month[m].breakdowns.get(CATEGORY) if m in by_month else None, row.value)
            for m in months
        ]
        rows.append(TableRow(row.value, row.label, [*cells, row.figure]))
    monthly = [by_month[m].total if m in by_month else 0 for m in months]
    rows.append(
        TableRow(TOTAL_ROW, chosen or ALL_REPORTS, [*monthly, whole.total], total=not chosen)
    )
    charts = []
    if len(months) > 1:
        charts.append(
            Chart(
                LINE,
                f"Line chart of reports{f' of {chosen}' if chosen else ''} each month, {period}",
                ACROSS,
                len(rows) - 1,
                count=len(months),
            )
        )
    if categories:
        charts.append(
            Chart(
                BAR,
                f"Bar chart of reports by harm category, {period}",
                DOWN,
                len(months),
                skip=(TOTAL_ROW,),
            )
        )
    return Table(
        id="trend",
        caption=(
            f"Reports of {chosen} each month, {period}"
            if chosen
            else f"Reports each month by harm category, {period}"
        ),
        note=COUNTS_NOTES[COUNTS_MENTIONS if categories else COUNTS_REPORTS],
        row_heading="Harm category",
        columns=columns,
        rows=rows,
        charts=charts,
    )


def decision_table(scope: Scope, months: list[date], by_month: dict, whole: ScopeFigures) -> Table:
    """Crime, non-crime incident and neither, month by month."""
    period = scope.period.label
    rows = []
    for row in whole.breakdowns[RECORDING_DECISION].rows:
        cells = [
            figure_of(
                by_month[m].breakdowns.get(RECORDING_DECISION) if m in by_month else None,
                row.value,
            )
            for m in months
        ]
        rows.append(TableRow(row.value, row.label, [*cells, row.figure]))
    monthly = [by_month[m].total if m in by_month else 0 for m in months]
    rows.append(TableRow(TOTAL_ROW, ALL_REPORTS, [*monthly, whole.total], total=True))
    return Table(
        id="recording",
        caption=f"Reports by recording decision, {period}",
        note=COUNTS_NOTES[COUNTS_REPORTS],
        row_heading="Recording decision",
        columns=[*(month_short(month) for month in months), WHOLE_PERIOD],
        rows=rows,
        charts=[
            Chart(
                BAR,
                f"Bar chart of reports by recording decision, {period}",
                DOWN,
                len(months),
                skip=(TOTAL_ROW,),
            )
        ],
    )


def breakdown_table(
    breakdown: Breakdown, *, id: str, caption: str, chart: bool = True, skip: tuple = ()
) -> Table:
    """One dimension over the whole period, with its total (each report once) at the foot."""
    rows = [TableRow(row.value, row.label, [row.figure]) for row in breakdown.rows]
    rows.append(TableRow(TOTAL_ROW, ALL_REPORTS, [breakdown.total], total=True))
    charts = []
    if chart:
        charts.append(
            Chart(
                BAR,
                f"Bar chart of {caption[0].lower()}{caption[1:]}",
                DOWN,
                0,
                skip=(TOTAL_ROW, *skip),
            )
        )
    return Table(
        id=id,
        caption=caption,
        note=breakdown.note,
        row_heading=breakdown.label,
        columns=["Reports"],
        rows=rows,
        charts=charts,
    )


def demographic_table(breakdown: Breakdown) -> Table:
    """One voluntary question's answers. Each adds up to all the reports (each report once, by
    its reporter's answer), said once for all of them (DEMOGRAPHICS_NOTE), so no total row."""
    return Table(
        id=f"about-{breakdown.dimension.replace('_', '-')}",
        caption=breakdown.label,
        note=breakdown.note,
        row_heading="Answer",
        columns=["Reports"],
        rows=[TableRow(row.value, row.label, [row.figure]) for row in breakdown.rows],
        shared_note=DEMOGRAPHICS_NOTE,
    )


def dashboard(scope: Scope, *, today: date) -> dict:
    """Everything a force's (or the nation's) trends page shows for `scope`."""
    as_at = data_as_at()
    if as_at is None:
        return {"as_at": None}
    period = scope.period
    months = months_so_far(period, today)
    whole = scope_figures(scope)
    by_month = figures_by(scope, by=MONTH)
    previous = scope_figures(Scope(scope.forces, period.previous(), scope.category))
    # Demographics are never by category: they sit beside the total of every category.
    everything = (
        whole if scope.category is None else scope_figures(Scope(scope.forces, period, None))
    )
    decisions = whole.breakdowns[RECORDING_DECISION]
    label = period.label
    return {
        "as_at": as_at,
        "period": period,
        "scope": scope,
        "whole": whole,
        "previous_figures": previous,
        "months": months,
        "partial": len(months) < period.months,
        "previous": period.previous(),
        "headline": {
            "total": whole.total,
            "previous": previous.total,
            "crime": figure_of(decisions, RecordingDecision.CRIME),
            "non_crime": figure_of(decisions, RecordingDecision.NON_CRIME),
        },
        "trend": trend_table(scope, months, by_month, whole),
        "recording": decision_table(scope, months, by_month, whole),
        "platforms": breakdown_table(
            whole.breakdowns[PLATFORM], id="platforms", caption=f"Reports by platform, {label}"
        ),
        "reporters": breakdown_table(
            whole.breakdowns[REPORTER_KIND],
            id="reporters",
            caption=f"Reports by who reported, {label}",
        ),
        "impacts": breakdown_table(
            whole.breakdowns[IMPACT],
            id="impacts",
            caption=f"Reports by online-to-offline impact, {label}",
            skip=(NO_IMPACT,),
        ),
        "outcomes": breakdown_table(
            whole.breakdowns[OUTCOME],
            id="outcomes",
            caption=f"Reports by outcome, {label}",
            chart=False,
        ),
        "demographics": [
            demographic_table(breakdown)
            for breakdown in demographic_figures(scope, total=everything.total)
        ],
    }
