"""The month tables' published figures, stored by the rebuild for the exports to copy.

For each force and month with reports, `PublishedMonthFigure` holds exactly what
`figures_by(Scope(forces=(force,), period=<any period holding the month>), by=MONTH)[month]`
publishes, which is what the dashboards and the API's monthly answer show: the month's total
(dimension "total", value "") and a row for every row of every dimension's breakdown, in the
order `figures_by` lists them, rows of 0 included (every value the labels know, then any value
they no longer know). One force's month table has no splits that another page publishes (no
months, quarters or forces inside it), so it depends only on its own counts: each table is
built and audited here by the same functions `figures_by` calls (`breakdown_of`, `audit_table`),
from the `DimensionRollup` rows just written, read in one query.

What is not stored: a force's month with no report at all (`figures_by` has no entry for it;
the API shows it as 0, with every value 0). What the stored figures depend on besides the
counts, each fixed until the next rebuild of the month: k (`disclosure_k()`, stored in every
row), and the harm categories and platforms the taxonomy lists (which rows of 0 there are, and
their order; the nightly full rebuild picks up a change, as it does for a renamed entry).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from itertools import groupby

from harmsportal.disclosure import Withheld, WithheldTotal, rounding_k
from harmsportal.trends.figures import (
    DIMENSIONS,
    TOTAL,
    Count,
    Figure,
    audit_table,
    breakdown_of,
    value_labels,
)
from harmsportal.trends.models import DimensionRollup, PublishedMonthFigure
from harmsportal.trends.rollup.sql import POSTGRES

COLUMNS = ("month", "force_id", "dimension", "value", "figure", "withheld", "k")


def _month(value) -> date:
    """A month as the database returns it (a date on PostgreSQL, text on SQLite)."""
    return date.fromisoformat(str(value)[:10])


def _stored(figure: Figure) -> tuple[int | None, str]:
    """(figure, withheld) as the model keeps a published figure."""
    if isinstance(figure, WithheldTotal):
        return None, PublishedMonthFigure.NOT_SHOWN
    if isinstance(figure, Withheld):
        return None, PublishedMonthFigure.FEWER
    return figure, PublishedMonthFigure.SHOWN


def published_month_figures(cursor, months: list[date] | None) -> list[tuple]:
    """The rows to store for `months` (None: every month), as (month, force_id, dimension,
    value, figure, withheld, k), each force's months in order, each table in `figures_by`'s
    order. Reads `DimensionRollup` through `cursor` in one query."""
    where = ""
    if months is not None:
        # Dates of ours, never input, as ISO literals (as rollup/sql.py writes its filters).
        listed = ", ".join(f"'{month.isoformat()}'" for month in months)
        where = f" WHERE month IN ({listed})" if listed else " WHERE 1 = 0"
    cursor.execute(
        "SELECT force_id, month, dimension, value, reports, key_sum"
        f" FROM {DimensionRollup._meta.db_table}{where} ORDER BY force_id, month"
    )
    k = rounding_k()
    labels = {dimension: value_labels(dimension) for dimension in DIMENSIONS}
    rows: list[tuple] = []
    for (force_id, month), found in groupby(cursor.fetchall(), key=lambda row: row[:2]):
        counted: dict[str, dict[str, Count]] = defaultdict(dict)
        for _, _, dimension, value, reports, key_sum in found:
            counted[dimension][value] = Count(reports, key_sum)
        count = counted.get(TOTAL, {}).get("")
        if count is None:
            continue  # figures_by lists the months with a total only
        tables = [breakdown_of(d, counted.get(d, {}), labels[d]) for d in DIMENSIONS]
        total = audit_table(count, tables)
        month = _month(month)
        rows.append((month, force_id, TOTAL, "", *_stored(total), k))
        # str(): a value from the labels may be a TextChoices member; the row keeps its text.
        rows += [
            (month, force_id, table.dimension, str(row.value), *_stored(row.figure), k)
            for table in tables
            for row in table.rows
        ]
    return rows


def published_month_figures_write(cursor, vendor: str, months: list[date] | None) -> int:
    """Write `PublishedMonthFigure` for `months` (None: every month) from the
    `DimensionRollup` rows of this run, through the run's `cursor` (in its transaction, after
    the months' rows were deleted); return the rows written."""
    rows = published_month_figures(cursor, months)
    table = PublishedMonthFigure._meta.db_table
    columns = ", ".join(COLUMNS)
    if vendor == POSTGRES:
        # COPY: one statement for the rows, however many (psycopg 3's cursor under Django's).
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    elif rows:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(COLUMNS))})",
            [(row[0].isoformat(), *row[1:]) for row in rows],
        )
    return len(rows)
