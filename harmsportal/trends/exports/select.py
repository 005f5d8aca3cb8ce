"""What every trends export holds: one row per published figure of a force's month table.

A force's month table is what the dashboards and the API's monthly answer publish for one force
and one month: the month's total and each value of each dimension (harm category, platform,
online-to-offline impact, recording decision, reporter, outcome), audited as a whole by
`trends.figures.figures_by` (`harmsportal.disclosure.publish_table`). The rebuild stores those
figures as published in `PublishedMonthFigure`, so an export row is a figure the portal already
shows, written the way it shows it: a whole number, "<k" or "not shown" (decision 0012). No
true count is read and nothing is published here that the dashboards do not publish.

Without a category filter, `export_select_sql` is the one SELECT both formats read: the
published figures joined to the forces and to the labels (`figures.value_labels`, the
dashboards' words, passed in as a table of parameters), in the order rows are sent. The same
SELECT runs on Postgres (inside COPY, `csv_stream`) and on SQLite; only the month and time
formatting and the collation differ. With `?category=` the category's own month tables are
not stored: `computed_rows` publishes them force by force through `figures_by`, as the API's
monthly answer does for that category and force. It does the same for a file whose stored
figures are not what the pages publish now (`reads_stored`): built with another k (a change
of k waits for the nightly full rebuild), or a month the rollup holds that the rebuild has not
stored yet.

`for_csv` adds the apostrophe before any text a spreadsheet would read as a formula
(training.exports.FORMULA_STARTS), in the SQL for text from the database and in Python for the
labels passed in as parameters; the XLSX writes text cells instead, which are never formulas.

The SQL uses %s placeholders with literal percent signs doubled, as Django's cursors and
psycopg's `cursor.copy(statement, params)` take it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING

from django.db import connections, router
from django.db.models import Exists, OuterRef
from django.utils import timezone

from harmsportal.disclosure import Withheld, WithheldTotal, rounding_k
from harmsportal.people.models import Force
from harmsportal.trends.figures import (
    CATEGORY,
    COUNTS_MENTIONS,
    COUNTS_REPORTS,
    DIMENSION_LABELS,
    DIMENSIONS,
    IMPACT,
    MONTH,
    MULTI_SELECT,
    TOTAL,
    Scope,
    data_as_at,
    figures_by,
    first_month,
    value_labels,
)
from harmsportal.trends.models import DimensionRollup, PublishedMonthFigure, RollupState
from harmsportal.trends.periods import Period, month_start
from training.exports import FORMULA_STARTS, formula_safe

if TYPE_CHECKING:
    from collections.abc import Iterator

    from harmsportal.trends.exports.scope import ExportScope


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str


# The stable columns, in order (docs/trends-data-dictionary.md describes each and its values).
COLUMNS = (
    Column("month", "The month the reports were received, YYYY-MM (UK time)."),
    Column("force_id", "The force's id, as data.police.uk writes it."),
    Column("force_name", "The force's name."),
    Column(
        "within_category",
        "Empty: the figure counts every report. A harm category's id: the file was filtered "
        "to that category, and the figure counts only its reports.",
    ),
    Column(
        "measure",
        "What the figure counts: total (reports received), or a breakdown: harm_category, "
        "platform, offline_impact, recording_decision, reporter_kind or outcome.",
    ),
    Column("measure_name", "The measure in words, as the dashboards head its table."),
    Column("value", "The breakdown's value (its id); empty for the total and for 'none given'."),
    Column("value_name", "The value in words, as the dashboards write it."),
    Column(
        "counts",
        "reports: each report counted once (the total, and measures where a report has one "
        "value); mentions: a report counted once in each value it carries.",
    ),
    Column(
        "reports",
        "The figure as the dashboards and the API publish it: a whole number, or, when it is "
        "withheld, '<5' (1 to 4 reports) or 'not shown' (see Small numbers). Never blank.",
    ),
    Column("data_as_at", "When the figures were last built, UTC (ISO 8601)."),
)
HEADER = tuple(column.name for column in COLUMNS)
REPORTS_COLUMN = HEADER.index("reports")

# Each dimension's measure: (its id in the files, its name), in the order rows are sent.
MEASURES = {
    TOTAL: ("total", "Reports received"),
    **{
        dimension: (
            {CATEGORY: "harm_category", IMPACT: "offline_impact"}.get(dimension, dimension),
            DIMENSION_LABELS[dimension],
        )
        for dimension in DIMENSIONS
    },
}
TOTAL_VALUE_NAME = "All reports"
NOT_SHOWN = "not shown"

_PUBLISHED = PublishedMonthFigure._meta.db_table
_STATE = RollupState._meta.db_table
_FORCE = "people_force"
# A value the labels no longer know (a retired category) comes after every known one.
_UNKNOWN_RANK = 1_000_000


def read_alias() -> str:
    """The database alias the published figures are read from: the replica when one is
    configured and no transaction is open on the default (trends.router)."""
    return router.db_for_read(PublishedMonthFigure)


def counts_of(dimension: str) -> str:
    return COUNTS_MENTIONS if dimension in MULTI_SELECT else COUNTS_REPORTS


def figure_text(figure: int | Withheld) -> str:
    """A published figure as the files write it: as the dashboards and the API show it."""
    if isinstance(figure, WithheldTotal):
        return NOT_SHOWN
    if isinstance(figure, Withheld):
        return f"<{figure.k}"
    return str(figure)


def formula_safe_sql(expression: str) -> str:
    """`training.exports.formula_safe` as SQL over a text expression: an apostrophe before text
    beginning with a character a spreadsheet reads as a formula, from the same list."""
    starts = ", ".join(_literal(start) for start in FORMULA_STARTS)
    return (
        f"CASE WHEN substr({expression}, 1, 1) IN ({starts}) "
        f"THEN '''' || {expression} ELSE {expression} END"
    )


def _literal(text: str) -> str:
    # Only for the fixed characters above: values from people always go in as parameters.
    return "'" + text.replace("'", "''") + "'"


def _label_tables(*, for_csv: bool) -> tuple[str, list]:
    """Two CTEs of parameters: `m` (dimension, measure, measure_name, counts, rank) and `l`
    (dimension, value, value_name, rank), the dashboards' words and order."""
    safe = formula_safe if for_csv else (lambda text: text)
    measures, measure_params = [], []
    for rank, (dimension, (measure, name)) in enumerate(MEASURES.items()):
        measures.append(f"(%s, %s, %s, %s, {rank})")
        measure_params += [dimension, measure, safe(name), counts_of(dimension)]
    labels, label_params = ["(%s, %s, %s, 0)"], [TOTAL, "", safe(TOTAL_VALUE_NAME)]
    for dimension in DIMENSIONS:
        for rank, (value, label) in enumerate(value_labels(dimension).items()):
            labels.append(f"(%s, %s, %s, {rank})")
            label_params += [dimension, value, safe(label)]
    sql = (
        f"WITH m (dimension, measure, measure_name, counts, rank) AS (VALUES {', '.join(measures)})"
        f", l (dimension, value, value_name, rank) AS (VALUES {', '.join(labels)}) "
    )
    return sql, measure_params + label_params


def export_select_sql(scope: ExportScope, vendor: str, *, for_csv: bool = True):
    """(sql, params): the SELECT of an export's rows for `scope` (no category filter: see
    `computed_rows`), with columns named as `HEADER`, for `vendor` ("postgresql" or "sqlite").
    For COPY: `cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)", params)`."""
    if scope.category is not None:
        raise ValueError("a category's month tables are not stored: use computed_rows")
    postgres = vendor == "postgresql"
    safe = formula_safe_sql if for_csv else (lambda expression: expression)
    if postgres:
        month = "to_char(p.month, 'YYYY-MM')"
        as_at = """to_char(completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""
        collate = ' COLLATE "C"'
    else:
        month = "substr(p.month, 1, 7)"
        as_at = "strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', completed_at)"
        collate = ""
    # name: expression, in HEADER's order.
    columns = {
        "month": month,
        "force_id": "f.slug",
        "force_name": "f.name",
        "within_category": "NULL",
        "measure": "m.measure",
        "measure_name": "m.measure_name",
        "value": f"NULLIF({safe('p.value')}, '')",
        # A value the labels no longer know is written as it is, as the dashboards do.
        "value_name": (
            f"COALESCE(l.value_name, CASE WHEN p.value = '' THEN 'Not given' "
            f"ELSE {safe('p.value')} END)"
        ),
        "counts": "m.counts",
        # As the dashboards show it. A figure withheld in any other way than "fewer" is
        # "not shown": the safe reading of anything unexpected.
        "reports": (
            "CASE WHEN p.figure IS NOT NULL THEN CAST(p.figure AS TEXT) "
            f"WHEN p.withheld = %s THEN '<' || CAST(p.k AS TEXT) ELSE '{NOT_SHOWN}' END"
        ),
        "data_as_at": f"(SELECT {as_at} FROM {_STATE} WHERE id = 1)",
    }
    if tuple(columns) != HEADER:
        raise AssertionError("the export's columns are out of step with HEADER")
    labels, label_params = _label_tables(for_csv=for_csv)
    where, where_params = _where(scope)
    sql = (
        labels
        + "SELECT "
        + ", ".join(f'{expression} AS "{name}"' for name, expression in columns.items())
        + f" FROM {_PUBLISHED} p"
        + f" JOIN (SELECT id, slug AS raw_slug, {safe('slug')} AS slug, {safe('name')} AS name"
        + f" FROM {_FORCE}) f"
        + " ON f.id = p.force_id"
        + " JOIN m ON m.dimension = p.dimension"
        + " LEFT JOIN l ON l.dimension = p.dimension AND l.value = p.value"
        + f" WHERE {where}"
        # Byte order of the force's id (as SQLite compares), its months, then the dashboards'
        # order of measures and values.
        + f" ORDER BY f.raw_slug{collate}, p.month, m.rank, COALESCE(l.rank, {_UNKNOWN_RANK}),"
        + f" p.value{collate}"
    )
    return sql, [*label_params, PublishedMonthFigure.FEWER, *where_params]


def _where(scope: ExportScope) -> tuple[str, list]:
    conditions, params = ["1 = 1"], []
    if scope.period is not None:
        conditions.append("p.month >= %s AND p.month < %s")
        params += [scope.period.start, scope.period.end]
    if scope.force_ids is not None:
        if scope.force_ids:
            conditions.append(f"p.force_id IN ({', '.join('%s' for _ in scope.force_ids)})")
            params += list(scope.force_ids)
        else:
            conditions.append("1 = 0")
    return " AND ".join(conditions), params


def reads_stored(scope: ExportScope) -> bool:
    """Whether the file for `scope` is read from the stored figures (`export_select_sql`): no
    category filter, and `PublishedMonthFigure` holds, for every force's month in scope, the
    table the pages publish now. Not when a stored row was built with another k than today's
    (k changed since: until the nightly full rebuild the pages round with the new k, and a
    count published under both can be pinned, 4 as "<5" and as "4") or a month the rollup
    holds has no stored table (not written yet). Otherwise `computed_rows` publishes them."""
    if scope.category is not None:
        return False
    alias = read_alias()
    stored = _in_scope(PublishedMonthFigure.objects.using(alias), scope)
    if stored.exclude(k=rounding_k()).exists():
        return False
    held = _in_scope(DimensionRollup.objects.using(alias).filter(dimension=TOTAL), scope)
    table = stored.filter(dimension=TOTAL, force_id=OuterRef("force_id"), month=OuterRef("month"))
    return not held.exclude(Exists(table)).exists()


def _in_scope(queryset, scope: ExportScope):
    if scope.period is not None:
        queryset = queryset.filter(month__gte=scope.period.start, month__lt=scope.period.end)
    if scope.force_ids is not None:
        queryset = queryset.filter(force_id__in=scope.force_ids)
    return queryset


def export_rows(
    scope: ExportScope, *, for_csv: bool, chunk_size: int = 2000, stored: bool | None = None
) -> Iterator[tuple]:
    """The export's rows as tuples of text (None for an empty cell), read a chunk at a time:
    on Postgres through COPY (text format), elsewhere through a cursor's fetchmany; with a
    category filter, or when the stored figures are not the pages' (`reads_stored`, unless
    `stored` says), force by force (`computed_rows`)."""
    if stored is None:
        stored = reads_stored(scope)
    if not stored:
        yield from computed_rows(scope, for_csv=for_csv)
        return
    connection = connections[read_alias()]
    sql, params = export_select_sql(scope, connection.vendor, for_csv=for_csv)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy:
                yield from copy.rows()
            return
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            yield from rows


# --- computed as the file streams: ?category=, or stored figures out of date -------------------


def computed_rows(scope: ExportScope, *, for_csv: bool) -> Iterator[tuple]:
    """The rows of a file whose month tables are not read from the stored figures: for each
    force in scope (by its id), each month's table as `figures_by(Scope(forces=[force], period,
    category), by=MONTH)` publishes it: what the API's monthly answer gives for that force (and
    category), and the dashboards for that force. Published here one force at a time: memory
    holds one force's months. The same rows, in the same order, as `export_select_sql` reads
    from the stored figures when those are current (`reads_stored`).

    Filtered to a category, its figures are the category's figure in each month's table (the
    total) and that category's reports by every other dimension, audited within the month's
    table."""
    period = scope.period or _every_month()
    if period is None:
        return
    safe = formula_safe if for_csv else (lambda text: text)
    as_at = data_as_at()
    as_at_text = as_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if as_at else None
    labels = {dimension: value_labels(dimension) for dimension in DIMENSIONS}
    forces = scope.forces
    if forces is None:  # every force with figures in the period
        held = DimensionRollup.objects.filter(
            month__gte=period.start, month__lt=period.end, dimension=TOTAL
        )
        # Read where the router sends the rollup (the replica), not as a subquery of Force's.
        forces = Force.objects.filter(pk__in=set(held.values_list("force_id", flat=True)))
    for force in sorted(forces, key=lambda force: force.slug.encode()):
        found = figures_by(
            Scope(forces=(force.pk,), period=period, category=scope.category), by=MONTH
        )
        head = (safe(force.slug), safe(force.name))
        for month, figures in sorted(found.items()):
            start = (f"{month:%Y-%m}", *head, safe(scope.category))

            def row(dimension: str, value: str, label: str, figure, start=start) -> tuple:
                measure, measure_name = MEASURES[dimension]
                return (
                    *start,
                    measure,
                    safe(measure_name),
                    safe(value) or None,
                    safe(label),
                    counts_of(dimension),
                    figure_text(figure),
                    as_at_text,
                )

            yield row(TOTAL, "", TOTAL_VALUE_NAME, figures.total)
            for dimension in DIMENSIONS:
                # The category's own measure has no table: its figure is the total.
                if dimension in figures.breakdowns:
                    for each in _in_order(figures.breakdowns[dimension].rows, labels[dimension]):
                        yield row(dimension, each.value, each.label, each.figure)


def _in_order(rows: list, known: dict[str, str]) -> list:
    """A breakdown's rows as the SELECT orders them: the labels' order (`figures_by` keeps
    it), then values the labels no longer know, in byte order."""
    unknown = sorted(
        (row for row in rows if row.value not in known), key=lambda row: row.value.encode()
    )
    return [row for row in rows if row.value in known] + unknown


def _every_month():
    """Every month the figures hold, to this one: the period of a file asked for with none."""
    first = first_month()
    if first is None:
        return None
    this_month = month_start(timezone.localdate())
    months = (this_month.year - first.year) * 12 + this_month.month - first.month + 1
    return Period("months", first, max(months, 1))
