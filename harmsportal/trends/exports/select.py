"""The one SELECT every trends export reads: one row per key cell of the rollup.

`ReportRollup` explodes the multi-select dimensions (a report is in one row per combination of
the categories, platforms and offline impacts it carries) and splits each combination by the
`first_*` flags. An export row is a key cell with the flags collapsed: GROUP BY month, force,
category, recording decision, reporter kind, platform, impact and outcome, summing the reports
and their key sums. So a row counts the reports that carry that combination, and the figure in
`reports` is `harmsportal.disclosure.publish_count_sql` over the cell's count and key sum: the
one rule, in the SQL, so the database writes the published figure and no true count leaves it.
Only cells of at least k reports are written (so every figure is a multiple of k): a cell of 1
to k-1 is left out like an empty one, never listed as "<k", since listing which rare
combinations exist would give their presence away (decision 0012).

The same SELECT runs on Postgres (inside COPY, `csv_stream`) and on SQLite; only the month and
time formatting and the collation differ. `for_csv` adds the apostrophe before any text a
spreadsheet would read as a formula (training.exports.FORMULA_STARTS), in the SQL for text from
the database and in Python for the labels passed in as parameters; the XLSX writes text cells
instead, which are never formulas.

The SQL uses %s placeholders with literal percent signs doubled, as Django's cursors and
psycopg's `cursor.copy(statement, params)` take it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connections, router

from harmsportal.disclosure import publish_count_sql, rounding_k
from harmsportal.trends.figures import (
    CATEGORY,
    IMPACT,
    OUTCOME,
    PLATFORM,
    RECORDING_DECISION,
    REPORTER_KIND,
    value_labels,
)
from harmsportal.trends.models import ReportRollup, RollupState
from harmsportal.trends.rollup.sql import REPORT_ROLLUP_COLUMNS
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
    Column("harm_category", "The harm category's id; empty when the report gave none."),
    Column("harm_category_name", "The harm category's name."),
    Column("recording_decision", "crime, non_crime or none."),
    Column("recording_decision_name", "The recording decision in words."),
    Column("reporter_kind", "officer, staff, volunteer or family."),
    Column("reporter_kind_name", "Who reported, in words."),
    Column("platform", "The platform's id; empty when the report named none."),
    Column("platform_name", "The platform's name."),
    Column("offline_impact", "The online-to-offline impact's id; none when there was none."),
    Column("offline_impact_name", "The online-to-offline impact in words."),
    Column("outcome", "The outcome category's id; pending when there is no outcome yet."),
    Column("outcome_name", "The outcome in words."),
    Column(
        "reports",
        "Reports carrying this combination, as published: rounded (see Small numbers); "
        "combinations with few reports have no row.",
    ),
    Column("data_as_at", "When the figures were last built, UTC (ISO 8601)."),
)
HEADER = tuple(column.name for column in COLUMNS)
REPORTS_COLUMN = HEADER.index("reports")

_ROLLUP = ReportRollup._meta.db_table
_STATE = RollupState._meta.db_table
_FORCE = "people_force"
# The key cell's columns, in the rollup and in the order rows are sorted (force by its slug).
_KEY = REPORT_ROLLUP_COLUMNS[:8]  # month, force and the six dimensions


def read_alias() -> str:
    """The database alias the rollup is read from: the replica when one is configured and no
    transaction is open on the default (trends.router)."""
    return router.db_for_read(ReportRollup)


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


def _labelled(column: str, dimension: str, *, for_csv: bool) -> tuple[str, list[str]]:
    """A CASE giving each value of `column` its label (`figures.value_labels`, the words the
    dashboards use); a value the labels no longer know is written as it is."""
    labels = value_labels(dimension)
    if not labels:
        return (formula_safe_sql(column) if for_csv else column), []
    params: list[str] = []
    for value, label in labels.items():
        params += [value, formula_safe(label) if for_csv else label]
    whens = " ".join("WHEN %s THEN %s" for _ in labels)
    fallback = formula_safe_sql(column) if for_csv else column
    return f"CASE {column} {whens} ELSE {fallback} END", params


def export_select_sql(scope: ExportScope, vendor: str, *, for_csv: bool = True):
    """(sql, params): the SELECT of an export's rows for `scope`, with columns named as
    `HEADER`, for `vendor` ("postgresql" or "sqlite"). For COPY:
    `cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)", params)`."""
    postgres = vendor == "postgresql"
    k = rounding_k()  # disclosure_k(), checked: an int, so written into the SQL as it is
    safe = formula_safe_sql if for_csv else (lambda expression: expression)
    if postgres:
        month = "to_char(c.month, 'YYYY-MM')"
        as_at = """to_char(completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""
        collate = ' COLLATE "C"'
    else:
        month = "substr(c.month, 1, 7)"
        as_at = "strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', completed_at)"
        collate = ""

    def label(column: str, dimension: str) -> tuple[str, list[str]]:
        return _labelled(column, dimension, for_csv=for_csv)

    # name: (expression, its parameters), in HEADER's order.
    columns: dict[str, tuple[str, list]] = {
        "month": (month, []),
        "force_id": ("c.force_slug", []),
        "force_name": ("c.force_name", []),
        "harm_category": (f"NULLIF({safe('c.category')}, '')", []),
        "harm_category_name": label("c.category", CATEGORY),
        "recording_decision": ("c.recording_decision", []),
        "recording_decision_name": label("c.recording_decision", RECORDING_DECISION),
        "reporter_kind": ("c.reporter_kind", []),
        "reporter_kind_name": label("c.reporter_kind", REPORTER_KIND),
        "platform": (f"NULLIF({safe('c.platform')}, '')", []),
        "platform_name": label("c.platform", PLATFORM),
        "offline_impact": ("c.impact", []),
        "offline_impact_name": label("c.impact", IMPACT),
        "outcome": ("c.outcome", []),
        "outcome_name": label("c.outcome", OUTCOME),
        "reports": (publish_count_sql("c.n", "c.k", k=k).replace("%", "%%"), []),
        "data_as_at": (f"(SELECT {as_at} FROM {_STATE} WHERE id = 1)", []),
    }
    if tuple(columns) != HEADER:
        raise AssertionError("the export's columns are out of step with HEADER")
    where, where_params = _where(scope)
    # The key cell, grouped in the order the rows are sent (byte order on Postgres, as SQLite
    # compares), so the sort that groups them is the only sort: half the work of grouping by
    # the rollup's own columns and sorting again by the force's slug.
    key = ["r.month", f"f.slug{collate}", *(f"r.{name}{collate}" for name in _KEY[2:])]
    names = ["month", "force_slug", *_KEY[2:]]
    grouped = (
        f"SELECT {', '.join(f'{expr} AS {name}' for expr, name in zip(key, names, strict=True))}"
        f", f.name AS force_name, SUM(r.reports) AS n, SUM(r.key_sum) AS k FROM {_ROLLUP} r"
        f" JOIN (SELECT id, {safe('slug')} AS slug, {safe('name')} AS name FROM {_FORCE}) f"
        f" ON f.id = r.force_id WHERE {where} GROUP BY {', '.join(key)}, f.name"
    )
    sql = (
        "SELECT "
        + ", ".join(f'{expression} AS "{name}"' for name, (expression, _) in columns.items())
        # Only cells of at least k reports are listed: a smaller one is left out, never "<k"
        # (decision 0012: an absent row stands for 0 to k-1, so it says nothing of presence).
        + f" FROM ({grouped}) c WHERE c.n >= {k}"
        + f" ORDER BY {', '.join(f'c.{name}' for name in names)}"
    )
    params = [param for _, column_params in columns.values() for param in column_params]
    return sql, params + where_params


def _where(scope: ExportScope) -> tuple[str, list]:
    conditions, params = ["1 = 1"], []
    if scope.period is not None:
        conditions.append("r.month >= %s AND r.month < %s")
        params += [scope.period.start, scope.period.end]
    if scope.force_ids is not None:
        if scope.force_ids:
            conditions.append(f"r.force_id IN ({', '.join('%s' for _ in scope.force_ids)})")
            params += list(scope.force_ids)
        else:
            conditions.append("1 = 0")
    if scope.category is not None:
        conditions.append("r.category = %s")
        params.append(scope.category)
    return " AND ".join(conditions), params


def export_rows(scope: ExportScope, *, for_csv: bool, chunk_size: int = 2000) -> Iterator[tuple]:
    """The export's rows as tuples of text (None for an empty cell), read a chunk at a time:
    on Postgres through COPY (text format), elsewhere through a cursor's fetchmany."""
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
