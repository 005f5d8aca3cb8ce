"""Reading the rollups and publishing what may be shown: the one path from the rollup tables
to a dashboard, the pack, the API or an export's summary.

Every count leaves here through `harmsportal.disclosure` (`publish_count`, and `publish_total`
for a total, audited against every breakdown of it that the portal publishes), so one method
holds everywhere (decision 0011). Nothing here knows who is asking: callers pass a `Scope`
that `trends.selectors` has already limited to what the user may see.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from django.db.models import Sum

from harmsportal.disclosure import (
    Grid,
    Withheld,
    publish_breakdowns,
    publish_count,
    publish_table,
    publish_total,
)
from harmsportal.people.models import Force, User
from harmsportal.trends.models import (
    NO_CATEGORY,
    NO_IMPACT,
    NO_OUTCOME,
    NO_PLATFORM,
    DimensionRollup,
    RecordingDecision,
    ReportRollup,
    RollupState,
)
from harmsportal.trends.periods import quarter_of
from reports.models import HarmCategory, Platform
from reports.models.choices import OfflineImpact, OutcomeCategory

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date, datetime

    from harmsportal.trends.periods import Period

Figure = int | Withheld

# Dimensions of the main key. Multi-select ones count a report once in each value it carries,
# so their parts add up to more than the total; the others add up to it exactly.
CATEGORY = "category"
PLATFORM = "platform"
IMPACT = "impact"
RECORDING_DECISION = "recording_decision"
REPORTER_KIND = "reporter_kind"
OUTCOME = "outcome"
MULTI_SELECT = (CATEGORY, PLATFORM, IMPACT)
SINGLE_SELECT = (RECORDING_DECISION, REPORTER_KIND, OUTCOME)
DIMENSIONS = (*MULTI_SELECT, *SINGLE_SELECT)
TOTAL = "total"

DIMENSION_LABELS = {
    CATEGORY: "Harm category",
    PLATFORM: "Platform",
    IMPACT: "Online-to-offline impact",
    RECORDING_DECISION: "Recording decision",
    REPORTER_KIND: "Reporter",
    OUTCOME: "Outcome",
}

# What a table's figures count: said beside every table.
COUNTS_REPORTS = "reports"
COUNTS_MENTIONS = "mentions"
COUNTS_NOTES = {
    COUNTS_REPORTS: "Each figure counts reports; the parts add up to the total.",
    COUNTS_MENTIONS: (
        "A report can carry more than one value, so it is counted once in each: the parts can "
        "add up to more than the total, which counts each report once."
    ),
}


def value_labels(dimension: str) -> dict[str, str]:
    """The words for each value of a dimension, in the order tables list them."""
    if dimension == CATEGORY:
        labels = dict(
            HarmCategory.objects.order_by("sort_order", "name").values_list("slug", "name")
        )
        labels[NO_CATEGORY] = "No category given"
        return labels
    if dimension == PLATFORM:
        labels = dict(Platform.objects.order_by("sort_order", "name").values_list("slug", "name"))
        labels[NO_PLATFORM] = "No platform given"
        return labels
    if dimension == IMPACT:
        labels = {value: label for value, label in OfflineImpact.choices if value != "none"}
        labels[NO_IMPACT] = "No offline impact"
        return labels
    if dimension == RECORDING_DECISION:
        return dict(RecordingDecision.choices)
    if dimension == REPORTER_KIND:
        return {
            User.Kind.OFFICER: "Police officer",
            User.Kind.STAFF: "Police staff",
            User.Kind.VOLUNTEER: "Volunteer",
            User.Kind.FAMILY: "Family member",
        }
    if dimension == OUTCOME:
        labels = dict(OutcomeCategory.choices)
        labels[NO_OUTCOME] = "No outcome yet"
        labels["withdrawn"] = "Withdrawn by the reporter"
        return labels
    raise ValueError(f"unknown dimension {dimension!r}")


@dataclass(frozen=True)
class Scope:
    """What a figure covers: some forces (None: every force), a period, maybe one category."""

    forces: tuple[int, ...] | None
    period: Period
    category: str | None = None


@dataclass(frozen=True)
class Count:
    """A true count with its records' key sum: never shown as it is."""

    reports: int = 0
    key_sum: int = 0

    def __add__(self, other: Count) -> Count:
        return Count(self.reports + other.reports, self.key_sum + other.key_sum)

    def published(self) -> Figure:
        return publish_count(self.reports, self.key_sum)


def data_as_at() -> datetime | None:
    """When the rollup last read its sources: every page, pack, export and API answer says it."""
    state = RollupState.objects.filter(pk=1).first()
    return state.completed_at if state else None


def first_month() -> date | None:
    """The first month the rollup holds: where the period filter's choices start."""
    return DimensionRollup.objects.order_by("month").values_list("month", flat=True).first()


def _in_scope(queryset, scope: Scope):
    queryset = queryset.filter(month__gte=scope.period.start, month__lt=scope.period.end)
    if scope.forces is not None:
        queryset = queryset.filter(force_id__in=scope.forces)
    return queryset


def report_rows(scope: Scope, *, keep: tuple[str, ...] = ()):
    """The main rollup's rows in `scope`, with each report counted once in every multi-select
    dimension that is neither in `keep` (grouped by) nor filtered on."""
    rows = _in_scope(ReportRollup.objects.all(), scope)
    kept = set(keep)
    if scope.category is not None:
        rows = rows.filter(category=scope.category)
        kept.add(CATEGORY)
    for dimension in MULTI_SELECT:
        if dimension not in kept:
            rows = rows.filter(**{f"first_{dimension}": True})
    return rows


def counts(scope: Scope, dimension: str, *, by_month: bool = False, by_force: bool = False):
    """{(month?, force?, value): Count} for one dimension (TOTAL: value "")."""
    group = [*(["month"] if by_month else []), *(["force_id"] if by_force else [])]
    if scope.category is None:
        rows = _in_scope(DimensionRollup.objects.filter(dimension=dimension), scope)
        value = "value"
    else:
        rows = report_rows(scope, keep=() if dimension == TOTAL else (dimension,))
        value = None if dimension == TOTAL else dimension
    fields = [*group, *([value] if value else [])]
    found: dict[tuple, Count] = defaultdict(Count)
    for row in rows.values(*fields).annotate(n=Sum("reports"), k=Sum("key_sum")).order_by():
        key = tuple(row[f] for f in group) + ((row[value],) if value else ("",))
        found[key] += Count(row["n"], row["k"])
    return found


@dataclass
class Row:
    value: str
    label: str
    figure: Figure


@dataclass
class Breakdown:
    """One dimension's published figures over a scope, with the scope's total."""

    dimension: str
    label: str
    rows: list[Row]
    total: Figure
    counts: str  # COUNTS_REPORTS or COUNTS_MENTIONS
    exact: bool

    @property
    def note(self) -> str:
        return COUNTS_NOTES[self.counts]


@dataclass
class ScopeFigures:
    """Everything published about one scope: its total and a breakdown by each dimension.

    The total is audited against every breakdown (and the months and forces), so it is shown
    or withheld the same way wherever it appears.
    """

    scope: Scope
    total: Figure
    breakdowns: dict[str, Breakdown] = field(default_factory=dict)


MONTH = "month"
FORCE = "force"


MONTHS, QUARTERS, FORCES, BOTH = "months", "quarters", "forces", "months by force"


def _whole_quarters(period: Period) -> bool:
    """Whether the period holds several whole financial-year quarters (a financial or
    calendar year), each a page of its own."""
    return period.months > 3 and period.months % 3 == 0 and period.start.month in (1, 4, 7, 10)


def _cells(scope: Scope, dimension: str, by: str | None) -> dict[object, dict[str, tuple]]:
    """{key: {value: (Count, {split: {unit: Count}})}} for one dimension (TOTAL: value ""),
    where the splits are the figure's months (and quarters) unless each key is one month, and
    its forces unless each key is one force or the scope has one: every split of the same
    figure that another page publishes. A total also has its months (and quarters) by force."""
    month_split = by != MONTH and scope.period.months > 1
    force_split = by != FORCE and (scope.forces is None or len(scope.forces) > 1)
    quarters = month_split and _whole_quarters(scope.period)
    whole: dict[tuple, Count] = defaultdict(Count)
    units: dict[tuple, dict[str, dict]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(Count))
    )
    queries = [split for split, wanted in ((MONTHS, month_split), (FORCES, force_split)) if wanted]
    if dimension == TOTAL and month_split and force_split:
        queries.append(BOTH)
    for i, split in enumerate(queries or [None]):
        by_month = by == MONTH or split in (MONTHS, BOTH)
        by_force = by == FORCE or split in (FORCES, BOTH)
        for found, count in counts(scope, dimension, by_month=by_month, by_force=by_force).items():
            month = found[0] if by_month else None
            force = found[1 if by_month else 0] if by_force else None
            cell = (month if by == MONTH else force if by == FORCE else None, found[-1])
            if i == 0:
                whole[cell] += count
            if split == MONTHS:
                units[cell][MONTHS][month] += count
                if quarters:
                    units[cell][QUARTERS][quarter_of(month).start] += count
            elif split == FORCES:
                units[cell][FORCES][force] += count
            elif split == BOTH:
                units[cell][(MONTHS, FORCES)][(month, force)] += count
                if quarters:
                    units[cell][(QUARTERS, FORCES)][(quarter_of(month).start, force)] += count
    found_cells: dict[object, dict[str, tuple]] = defaultdict(dict)
    for (key, value), count in whole.items():
        found_cells[key][value] = (count, units[(key, value)])
    return found_cells


def _fixed_and_grids(
    total_units: dict[str, dict], tables: list[tuple[Breakdown, dict]]
) -> tuple[list[tuple[list[Figure], bool]], list[Grid]]:
    """The total's splits (months, quarters, forces: other pages' totals) as fixed breakdowns,
    and the grids each makes with every dimension and with the forces, as those pages publish
    them before their own audits (`publish_count`): an attacker is taken to know that much."""
    fixed: list[tuple[list[Figure], bool]] = []
    grids: list[Grid] = []
    placed: dict[str, tuple[int, list]] = {}
    empty: tuple[Count, dict] = (Count(), {})
    for split in (MONTHS, QUARTERS, FORCES):
        by_unit = total_units.get(split)
        if not by_unit:
            continue
        units = sorted(unit for unit, count in by_unit.items() if count.reports)
        placed[split] = (len(tables) + len(fixed), units)
        fixed.append(([by_unit[unit].published() for unit in units], True))
        for b, (table, values) in enumerate(tables):
            cells = [
                [
                    values.get(row.value, empty)[1].get(split, {}).get(unit, Count()).published()
                    for row in table.rows
                ]
                for unit in units
            ]
            grids.append(Grid(rows=placed[split][0], columns=b, cells=cells))
    if FORCES in placed:
        columns, forces = placed[FORCES]
        for split in (MONTHS, QUARTERS):
            if split in placed:
                both = total_units.get((split, FORCES), {})
                rows, units = placed[split]
                cells = [[both.get((u, f), Count()).published() for f in forces] for u in units]
                grids.append(Grid(rows=rows, columns=columns, cells=cells))
    return fixed, grids


# The value of a multi-select dimension that no report shares with another: a report with no
# category has no other category. The audit knows it, as an attacker would.
NONE_VALUES = {CATEGORY: NO_CATEGORY, PLATFORM: NO_PLATFORM, IMPACT: NO_IMPACT}


def _none(table: Breakdown) -> int | None:
    none = NONE_VALUES.get(table.dimension)
    return next((i for i, row in enumerate(table.rows) if row.value == none), None)


def breakdown_of(dimension: str, counted: dict[str, Count], labels: dict[str, str]) -> Breakdown:
    """One dimension's breakdown of a table before its audit: a row for every value the labels
    know (0 when no report has it), in their order, then the values they no longer know (a
    retired category still counts), in the values' order; each row's figure as `publish_count`
    gives it. `audit_table` then publishes the table as a whole."""
    exact = dimension in SINGLE_SELECT
    rows = [
        Row(value, label, counted.get(value, Count()).published())
        for value, label in labels.items()
    ]
    rows += [
        Row(value, value or "Not given", counted[value].published())
        for value in sorted(counted)
        if value not in labels
    ]
    return Breakdown(
        dimension=dimension,
        label=DIMENSION_LABELS[dimension],
        rows=rows,
        total=0,  # set by the table's audit
        counts=COUNTS_REPORTS if exact else COUNTS_MENTIONS,
        exact=exact,
    )


def _parts(tables: list[Breakdown]) -> list[tuple[list[Figure], bool, int | None]]:
    return [([row.figure for row in table.rows], table.exact, _none(table)) for table in tables]


def _set_figures(tables: list[Breakdown], total: Figure, published: list[list[Figure]]) -> None:
    for table, figures in zip(tables, published, strict=True):
        table.total = total
        for row, published_figure in zip(table.rows, figures, strict=True):
            row.figure = published_figure


def audit_table(
    count: Count,
    tables: list[Breakdown],
    *,
    fixed: Sequence[tuple[list[Figure], bool]] = (),
    grids: Sequence[Grid] = (),
) -> Figure:
    """Publish one table, its total `count` with its breakdowns `tables` (from `breakdown_of`,
    in DIMENSIONS order), through `publish_table`: set each row's published figure and each
    breakdown's total, and return the total. `fixed` and `grids` are the total's splits that
    other pages publish (none for one force's month). The one audit of a table, for
    `figures_by` and for the rebuild's published month figures (`trends/rollup/published.py`)."""
    total, published = publish_table(
        count.reports, count.key_sum, _parts(tables), fixed=fixed, grids=grids
    )
    _set_figures(tables, total, published)
    return total


def figures_by(
    scope: Scope, *, by: str | None = None, dimensions: tuple[str, ...] = DIMENSIONS
) -> dict[object, ScopeFigures]:
    """Published figures for `scope` as a whole (`by` None: one entry, key None), or for each
    month (`by` MONTH) or force (`by` FORCE) in it.

    Each total is published with its breakdowns by every dimension and with each split of it
    that other pages publish (its months, its quarters, its forces, each with their own
    breakdowns) as one table (`publish_table`): so a grid of months by categories is audited
    with both its margins, whichever dimensions the caller shows and whatever page asks, and a
    figure is shown or withheld the same way everywhere.
    """
    audited = tuple(d for d in DIMENSIONS if scope.category is None or d != CATEGORY)
    totals = _cells(scope, TOTAL, by)
    keys = [None] if by is None else sorted(totals)
    breakdowns: dict[object, dict[str, Breakdown]] = defaultdict(dict)
    found: dict[object, dict[str, dict]] = defaultdict(dict)
    for dimension in audited:
        cells = _cells(scope, dimension, by)
        labels = value_labels(dimension)
        for key in keys:
            values = cells.get(key, {})
            found[key][dimension] = values
            counted = {value: count for value, (count, _) in values.items()}
            breakdowns[key][dimension] = breakdown_of(dimension, counted, labels)
    # A category's own table (the scope filtered to it) has for total the category's figure in
    # the scope's table: the same reports, so the same figure, as that table publishes it.
    base = None if scope.category is None else figures_by(replace(scope, category=None), by=by)
    result = {}
    for key in keys:
        count, total_units = totals.get(key, {}).get("", (Count(), {}))
        tables = list(breakdowns[key].values())
        fixed, grids = _fixed_and_grids(
            total_units, [(table, found[key][table.dimension]) for table in tables]
        )
        if base is None:
            total = audit_table(count, tables, fixed=fixed, grids=grids)
        else:
            outer = base[key]
            rows = outer.breakdowns[CATEGORY].rows
            total = next((row.figure for row in rows if row.value == scope.category), 0)
            outer_parts = []
            for table in tables:
                figures = {row.value: row.figure for row in outer.breakdowns[table.dimension].rows}
                outer_parts.append([figures.get(row.value, 0) for row in table.rows])
            published = publish_breakdowns(
                total, _parts(tables), fixed=fixed, grids=grids, within=(outer.total, outer_parts)
            )
            _set_figures(tables, total, published)
        shown = {d: breakdowns[key][d] for d in dimensions if d in breakdowns[key]}
        result[key] = ScopeFigures(scope=scope, total=total, breakdowns=shown)
    return result


def scope_figures(scope: Scope, *, dimensions: tuple[str, ...] = DIMENSIONS) -> ScopeFigures:
    """Published figures for `scope` as a whole."""
    return figures_by(scope, dimensions=dimensions)[None]


def force_names(force_ids) -> dict[int, str]:
    forces = Force.objects.all() if force_ids is None else Force.objects.filter(pk__in=force_ids)
    return dict(forces.values_list("pk", "name"))


# --- the national non-crime view (demographics: trends/demographics.py) ------------------------


@dataclass
class CrossTable:
    """Counts by two multi-select dimensions at once, with each row's and column's figure."""

    rows: list[Row]
    columns: list[Row]
    cells: dict[tuple[str, str], Figure]

    def row_cells(self, value: str) -> list[Figure]:
        return [self.cells.get((value, column.value), 0) for column in self.columns]


@dataclass
class NonCrimeFigures:
    """Reports recorded as non-crime incidents over a scope: by category, by platform and by
    both, as evidence of harms that no offence covers."""

    scope: Scope
    total: Figure
    categories: Breakdown
    platforms: Breakdown
    cross: CrossTable


def _non_crime_counts(scope: Scope, keep: tuple[str, ...]) -> dict[tuple, Count]:
    rows = report_rows(scope, keep=keep).filter(recording_decision=RecordingDecision.NON_CRIME)
    found: dict[tuple, Count] = defaultdict(Count)
    for row in rows.values(*keep).annotate(n=Sum("reports"), k=Sum("key_sum")).order_by():
        found[tuple(row[name] for name in keep)] += Count(row["n"], row["k"])
    return found


def non_crime_figures(scope: Scope) -> NonCrimeFigures:
    """Non-crime incidents in `scope` by harm category, by platform and by both.

    Each figure leaves through `publish_total`, audited against the breakdowns published beside
    it: the total against the categories and the platforms, a category's (or platform's) figure,
    the total of its row (or column) of the category-by-platform table, against that row (or
    column). Categories and platforms are multi-select, so none of these add up exactly.
    """
    category_labels = value_labels(CATEGORY)
    if scope.category is not None:
        category_labels = {scope.category: category_labels.get(scope.category, scope.category)}
    platform_labels = value_labels(PLATFORM)
    total = _non_crime_counts(scope, ()).get((), Count())
    by_category = {key[0]: count for key, count in _non_crime_counts(scope, (CATEGORY,)).items()}
    by_platform = {key[0]: count for key, count in _non_crime_counts(scope, (PLATFORM,)).items()}
    both = _non_crime_counts(scope, (CATEGORY, PLATFORM))
    # Values the labels no longer know (a retired category or platform) still count.
    for value in by_category:
        category_labels.setdefault(value, value or "Not given")
    for value in by_platform:
        platform_labels.setdefault(value, value or "Not given")
    cells = {key: count.published() for key, count in both.items()}

    def audited(counts: dict[str, Count], labels: dict[str, str], parts_of) -> list[Row]:
        rows = []
        for value, label in labels.items():
            count = counts.get(value, Count())
            parts = parts_of(value)
            rows.append(Row(value, label, publish_total(count.reports, count.key_sum, [parts])))
        return rows

    category_rows = audited(
        by_category,
        category_labels,
        lambda value: ([cells.get((value, p), 0) for p in platform_labels], False),
    )
    platform_rows = audited(
        by_platform,
        platform_labels,
        lambda value: ([cells.get((c, value), 0) for c in category_labels], False),
    )
    # Audited against the figures as published before their own audit: withholding one of
    # them afterwards only tells less.
    raw_categories = [by_category.get(v, Count()).published() for v in category_labels]
    raw_platforms = [by_platform.get(v, Count()).published() for v in platform_labels]
    published_total = publish_total(
        total.reports, total.key_sum, [(raw_categories, False), (raw_platforms, False)]
    )

    def breakdown(dimension: str, rows: list[Row]) -> Breakdown:
        return Breakdown(
            dimension=dimension,
            label=DIMENSION_LABELS[dimension],
            rows=rows,
            total=published_total,
            counts=COUNTS_MENTIONS,
            exact=False,
        )

    return NonCrimeFigures(
        scope=scope,
        total=published_total,
        categories=breakdown(CATEGORY, category_rows),
        platforms=breakdown(PLATFORM, platform_rows),
        cross=CrossTable(rows=category_rows, columns=platform_rows, cells=cells),
    )
