"""A force's performance page and accountability pack, put together from `trends.performance`:
the headline figures with their comparisons in words, the trend by month, training by
audience, and (for the pack) the harms summary from the figures layer.

Nothing here decides what may be shown: every value arrives already published or withheld.
A comparison is only made between two figures that are both shown, so a withheld figure never
leaks through "better than".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from harmsportal.disclosure import Withheld, WithheldTotal
from harmsportal.templatetags.govuk_time import MONTHS as MONTH_NAMES
from harmsportal.trends.figures import (
    CATEGORY,
    MONTH,
    PLATFORM,
    RECORDING_DECISION,
    Scope,
    figures_by,
    first_month,
    scope_figures,
)
from harmsportal.trends.peers import PeerGroup, peer_group
from harmsportal.trends.performance import (
    COUNT,
    MEASURES,
    NO_GROUP_MEDIAN,
    Figures,
    GroupMedian,
    Measure,
    TrainingTable,
    Value,
    direction,
    every_force_rates,
    first_performance_month,
    force_figures,
    group_median,
    missing_text,
    period_word,
    raw_by,
    training_table,
    value_text,
)
from harmsportal.trends.periods import (
    CALENDAR_YEAR,
    FINANCIAL_YEAR,
    QUARTER,
    month_period,
    month_start,
)

if TYPE_CHECKING:
    from datetime import date

    from harmsportal.people.models import Force
    from harmsportal.trends.figures import Figure, ScopeFigures
    from harmsportal.trends.periods import Period

MEASURE = {measure.key: measure for measure in MEASURES}
# The monthly trend's columns.
MONTH_MEASURES = tuple(
    MEASURE[key]
    for key in (
        "received",
        "response_median",
        "response_in_target",
        "outcome_median",
        "outcome_in_28_days",
        "referrals_offered",
        "referrals_accepted",
    )
)


@dataclass(frozen=True)
class Cell:
    """A figure as a page shows it: `text` in words (read aloud, and printed), `short` shown in
    its place on screen when set ("<5" for "fewer than 5")."""

    text: str
    short: str = ""


def cell(value: Value, measure: Measure) -> Cell:
    if isinstance(value, WithheldTotal):
        return Cell("not shown")
    if isinstance(value, Withheld):
        if measure.kind == COUNT:
            return Cell(f"fewer than {value.k}", f"<{value.k}")
        return Cell("not shown")
    if value is None:
        return Cell("none")
    return Cell(value_text(value, measure))


def count_cell(figure: Figure) -> Cell:
    return cell(figure, MEASURE["received"])


def shown_text(value: Value, measure: Measure) -> str:
    """The figure in words, or why it is not shown."""
    return missing_text(value, measure) or cell(value, measure).text


def is_shown(value: Value) -> bool:
    return value is not None and not isinstance(value, Withheld)


@dataclass(frozen=True)
class Column:
    """Something each figure is compared with: a column of the pack's comparison table."""

    key: str  # "previous", "year_before", "national" or "peer"
    against: str  # in a sentence: "the previous quarter, April to June 2026"
    header: str  # as a column heading: "Previous quarter (April to June 2026)"


@dataclass(frozen=True)
class Comparison:
    column: Column
    other: str  # the other figure ("9 hours"), or why there is no comparison
    direction: str | None  # "better than", "about the same as"…; None: no comparison made

    @property
    def sentence(self) -> str:
        """ "Better than the previous quarter, April to June 2026 (9 hours)", or, with no
        comparison, "The national median: not shown, …"."""
        if self.direction:
            return f"{_capital(self.direction)} {self.column.against} ({self.other})"
        return f"{_capital(self.column.against)}: {self.other}"

    @property
    def short(self) -> str:
        """For a table cell under the column's heading: "Better than 9 hours"."""
        if self.direction:
            return f"{_capital(self.direction)} {self.other}"
        return _capital(self.other)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def when(period: Period) -> str:
    """A period's dates in a few words: "April to June 2026", "2025 to 2026", "May 2026"."""
    if period.kind == QUARTER:
        last = period.month_list()[-1]
        return f"{MONTH_NAMES[period.start.month - 1]} to {MONTH_NAMES[last.month - 1]} {last.year}"
    if period.kind == FINANCIAL_YEAR:
        return f"April {period.start.year} to March {period.start.year + 1}"
    return period.label


@dataclass(frozen=True)
class Headline:
    measure: Measure
    figure: Cell  # the figure, or (for a median or percentage) why it is not shown
    shown: bool
    comparisons: list[Comparison]  # the ones that apply, for the sentences
    cells: list[Comparison | None]  # one per column, None where it does not apply


@dataclass(frozen=True)
class MonthRow:
    month: date
    label: str
    cells: list[Cell]


@dataclass(frozen=True)
class TrainingLine:
    label: str
    assigned: Cell
    completed: Cell
    percent: Cell


def training_lines(table: TrainingTable) -> list[TrainingLine]:
    return [
        TrainingLine(
            row.label,
            count_cell(row.assigned),
            count_cell(row.completed),
            cell(row.percent, MEASURE["training"]),
        )
        for row in table.rows
    ]


@dataclass(frozen=True)
class HarmsTable:
    """One breakdown of the period's reports for the pack: the values with reports, the ones
    with none (listed in words, to keep the printed pack short), and the total."""

    key: str
    title: str
    note: str
    rows: list[tuple[str, Cell]]
    none: list[str]
    total: Cell


HARMS_DIMENSIONS = (CATEGORY, RECORDING_DECISION, PLATFORM)


def harms_tables(harms: ScopeFigures) -> list[HarmsTable]:
    tables = []
    for dimension in HARMS_DIMENSIONS:
        breakdown = harms.breakdowns.get(dimension)
        if breakdown is None:
            continue
        tables.append(
            HarmsTable(
                key=dimension,
                title=breakdown.label,
                note=breakdown.note,
                rows=[
                    (row.label, count_cell(row.figure)) for row in breakdown.rows if row.figure != 0
                ],
                none=[row.label for row in breakdown.rows if row.figure == 0],
                total=count_cell(breakdown.total),
            )
        )
    return tables


@dataclass(frozen=True)
class Report:
    force: Force
    period: Period
    in_progress: bool  # the period has not ended: counts cover it so far
    columns: list[Column]
    headlines: list[Headline]
    months: list[MonthRow]
    training: list[TrainingLine]
    peers: PeerGroup
    harms_total: Cell
    harms: list[HarmsTable]


def _against_period(value: Value, other: Value, measure: Measure, column: Column, *, held: str):
    if held:
        return Comparison(column, held, None)
    if not is_shown(other):
        text = shown_text(other, measure)
        return Comparison(column, text[:1].lower() + text[1:], None)
    return Comparison(column, shown_text(other, measure), direction(value, other, measure))


def _against_group(value: Value, group: GroupMedian, measure: Measure, column: Column):
    # Never how many forces it is over: that would tell a lead which peers had fewer than k.
    if group.value is None:
        return Comparison(column, NO_GROUP_MEDIAN[column.key], None)
    return Comparison(
        column, value_text(group.value, measure), direction(value, group.value, measure)
    )


def _comparison(measure: Measure, value: Value, column: Column, context: dict) -> Comparison | None:
    """`value` against one column, None where that comparison does not apply to the measure."""
    key = column.key
    if key in context["figures"]:
        if not measure.over_period:
            return None
        held = ""
        if measure.kind == COUNT and context["in_progress"]:
            held = "not compared until this period is over"
        elif context["before_data"][key]:
            held = "no figures: the portal holds none from then"
        other = context["figures"][key].values.get(measure.key)
        return _against_period(value, other, measure, column, held=held)
    if not measure.compared_between_forces:
        return None
    return _against_group(value, context["groups"][key][measure.key], measure, column)


def _headline(measure: Measure, context: dict) -> Headline:
    value = context["figures"]["current"].values.get(measure.key)
    shown = is_shown(value)
    # A withheld figure is never compared: "better than" would tell something about it.
    cells = [
        _comparison(measure, value, column, context) if shown else None
        for column in context["columns"]
    ]
    missing = missing_text(value, measure)
    figure = Cell(missing) if missing else cell(value, measure)
    return Headline(measure, figure, shown, [c for c in cells if c is not None], cells)


def _month_rows(force: Force, period: Period, figures: Figures) -> list[MonthRow]:
    scope = Scope(forces=(force.pk,), period=period)
    totals = figures_by(scope, by=MONTH)
    raws = {month: raw for (_, month), raw in raw_by(period, (force.pk,)).items()}
    rows = []
    for month in period.month_list():
        rates = raws[month].rates() if month in raws else {}
        values = {
            "received": totals[month].total if month in totals else 0,
            "referrals_offered": figures.offered_by_month[month],
            "referrals_accepted": figures.accepted_by_month[month],
            **rates,
        }
        cells = [cell(values.get(m.key), m) for m in MONTH_MEASURES]
        rows.append(MonthRow(month, month_period(month).label, cells))
    return rows


def _columns(period: Period, peers: PeerGroup) -> tuple[list[Column], dict[str, Period]]:
    word = period_word(period)
    periods = {"previous": period.previous()}
    columns = [
        Column(
            "previous",
            f"the previous {word}, {when(periods['previous'])}",
            f"Previous {word} ({when(periods['previous'])})",
        )
    ]
    if period.kind not in (FINANCIAL_YEAR, CALENDAR_YEAR):  # else the same as the previous
        periods["year_before"] = before = period.year_before()
        columns.append(
            Column(
                "year_before",
                f"the same {word} a year before, {when(before)}",
                f"A year before ({when(before)})",
            )
        )
    columns.append(Column("national", "the national median", "National median"))
    if peers.peers:
        columns.append(Column("peer", peers.median_label, _capital(peers.median_label[4:])))
    return columns, periods


def accountability_report(force: Force, period: Period, *, today: date) -> Report:
    """Everything the performance page and the pack show for `force` over `period`."""
    harms = scope_figures(Scope(forces=(force.pk,), period=period))
    peers = peer_group(force)
    columns, periods = _columns(period, peers)
    figures = {"current": force_figures(force, period, received=harms)}
    figures.update({name: force_figures(force, other) for name, other in periods.items()})
    # Before the first month the rollups hold, a 0 would mean "before the portal", not "none".
    months = [m for m in (first_month(), first_performance_month()) if m is not None]
    earliest = min(months, default=None)
    rates = every_force_rates(period)
    # The force is compared with the others: its own figure is never in the group's median.
    group_ids = {
        "national": [pk for pk in rates if pk != force.pk],
        "peer": [p.pk for p in peers.peers if p.pk != force.pk],
    }
    context = {
        "columns": columns,
        "figures": figures,
        "groups": {
            name: {
                measure.key: group_median([rates.get(pk, {}).get(measure.key) for pk in ids])
                for measure in MEASURES
            }
            for name, ids in group_ids.items()
        },
        "in_progress": period.end > month_start(today),
        "before_data": {
            name: earliest is None or other.end <= earliest for name, other in periods.items()
        },
    }
    return Report(
        force=force,
        period=period,
        in_progress=context["in_progress"],
        columns=columns,
        headlines=[_headline(measure, context) for measure in MEASURES],
        months=_month_rows(force, period, figures["current"]),
        training=training_lines(training_table(force)),
        peers=peers,
        harms_total=count_cell(harms.total),
        harms=harms_tables(harms),
    )
