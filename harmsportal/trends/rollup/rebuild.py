"""Running the rollup: a full rebuild, a rebuild of chosen months, and the incremental refresh.

Every run holds the `RollupState` row (pk=1) with SELECT … FOR UPDATE inside one transaction
on the default database, so two runs never overlap: the second waits for the first and then
does its own work on what the first committed (SQLite serialises writers anyway, its
transactions opening IMMEDIATE). Recomputing a month deletes its rows in every monthly rollup
table and inserts them again from the sources, in that same transaction, so a run is
idempotent and a reader never sees a month half built.

Which months a refresh recomputes (decision 0013):
- the months of reports (by receipt) whose report or case was updated, and of referrals made,
  accepted, declined or closed, at or after the last run's start less `LATE_COMMIT_MARGIN`
  (a transaction that stamped `updated_at` before that start may have committed after it);
- the months whose fingerprint (submitted reports and referrals, and the sums of their ids)
  changed since the last run: a report or referral erased, or a report moved out of a month,
  leaves no timestamp behind.
What neither shows (a reporter's edited demographics or account kind, a renamed taxonomy
entry) waits for the nightly full rebuild.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from harmsportal.trends.models import (
    DemographicRollup,
    DimensionRollup,
    PerformanceRollup,
    PublishedMonthFigure,
    ReportRollup,
    RollupState,
)
from harmsportal.trends.rollup import sql
from harmsportal.trends.rollup.published import published_month_figures_write
from harmsportal.trends.rollup.training import training_snapshot

LATE_COMMIT_MARGIN = timedelta(minutes=10)
WORK_MEM = "128MB"
MONTHLY_TABLES = (
    ReportRollup,
    DimensionRollup,
    DemographicRollup,
    PerformanceRollup,
    PublishedMonthFigure,
)


@dataclass(frozen=True)
class RebuildResult:
    """What one run did. `months` is every month recomputed (all of them for a full run)."""

    full: bool
    months: tuple[date, ...]
    started_at: datetime
    finished_at: datetime
    rows: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        what = "Full rebuild" if self.full else "Refresh"
        if self.months:
            span = f"{len(self.months)} month(s), {self.months[0]:%Y-%m} to {self.months[-1]:%Y-%m}"
        else:
            span = "no months changed"
        seconds = (self.finished_at - self.started_at).total_seconds()
        written = ", ".join(f"{name} {count:,}" for name, count in self.rows.items())
        return (
            f"{what}: {span}; data as at {timezone.localtime(self.started_at):%d %B %Y %H:%M}; "
            f"rows written: {written}; took {seconds:.1f}s."
        )


def first_of_month(day: date) -> date:
    return date(day.year, day.month, 1)


def _month(value) -> date:
    """A month as the database returns it (a date on PostgreSQL, text on SQLite)."""
    return date.fromisoformat(str(value)[:10])


def rollup_rebuild(
    *, months: Iterable[date] | None = None, now: datetime | None = None
) -> RebuildResult:
    """Rebuild every rollup table from the sources (months None), or only `months`.

    A full rebuild is the new "data as at" and resets what the next refresh compares with.
    Rebuilding chosen months leaves both alone: the other months were not refreshed.
    """
    if months is None:
        return _run(mode="full", now=now)
    return _run(mode="months", months={first_of_month(month) for month in months}, now=now)


def rollup_refresh(*, now: datetime | None = None) -> RebuildResult:
    """Recompute only the months touched since the last run (everything on the first run)."""
    return _run(mode="refresh", now=now)


def _run(*, mode: str, months: set[date] | None = None, now: datetime | None = None):
    RollupState.objects.using(DEFAULT_DB_ALIAS).get_or_create(pk=1)
    connection = connections[DEFAULT_DB_ALIAS]
    with transaction.atomic(using=DEFAULT_DB_ALIAS):
        state = RollupState.objects.using(DEFAULT_DB_ALIAS).select_for_update().get(pk=1)
        # Taken once the lock is held: the moment this run starts reading its sources.
        started_at = now or timezone.now()
        with connection.cursor() as cursor:
            if connection.vendor == sql.POSTGRES:
                # For this transaction only: room to group in memory, not in sorted runs on disk;
                # and no JIT compilation. The planner's estimates for the multi-select joins
                # run to millions of rows, so each of the run's statements would spend seconds
                # compiling and optimising code (6 s for the main rollup's alone at 500,000
                # reports) to save less than that in execution (decision 0013).
                cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
                cursor.execute("SET LOCAL jit = off")
                # The run's temporary tables are ANALYZEd for their sizes and rough spreads
                # only: a sample of 3,000 rows, not 30,000 (a tenth of the time, same plans).
                cursor.execute("SET LOCAL default_statistics_target = 10")
            # A full run reads its reports' fingerprints from its own source table, once it
            # is filled (the reports it rolled up, without reading them again).
            fingerprints = {} if mode == "full" else _fingerprints(cursor, connection.vendor)
            if mode == "refresh" and state.started_at is None:
                mode = "full"
            if mode == "refresh":
                since = state.started_at - LATE_COMMIT_MARGIN
                months = _touched(cursor, connection.vendor, since=since)
                months |= _changed(state.fingerprints, fingerprints)
            chosen = None if mode == "full" else sorted(months)
            rows = {}
            if chosen != []:
                rows, found = _recompute(cursor, connection.vendor, chosen)
                fingerprints = fingerprints if found is None else found
        rows["training"] = training_snapshot(today=timezone.localdate(started_at))
        _remember(state, mode, started_at, fingerprints, months)
    return RebuildResult(
        full=mode == "full",
        months=tuple(sorted(_month(key) for key in fingerprints) if chosen is None else chosen),
        started_at=started_at,
        finished_at=timezone.now(),
        rows=rows,
    )


def _remember(state, mode, started_at, fingerprints, months) -> None:
    """Record the run: a refresh or full rebuild is the new "data as at" (every change
    committed before it began is in the rollup); a rebuild of chosen months only updates
    those months' fingerprints, as the other months were not looked at."""
    if mode == "months":
        kept = {
            key: value for key, value in state.fingerprints.items() if _month(key) not in months
        }
        fresh = {key: value for key, value in fingerprints.items() if _month(key) in months}
        state.fingerprints = kept | fresh
    else:
        state.fingerprints = fingerprints
        state.started_at = state.completed_at = started_at
    if mode == "full":
        state.full_rebuilt_at = started_at
    state.save()


def _recompute(
    cursor, vendor: str, months: list[date] | None
) -> tuple[dict[str, int], dict[str, list[int]] | None]:
    """Delete the months' rows (every row when `months` is None) and insert them afresh;
    return the rows written to each table, and for every month (`months` None) the
    fingerprints of the reports read and of the referrals."""
    full_postgres = months is None and vendor == sql.POSTGRES
    if full_postgres:
        # TRUNCATE refuses a table with foreign-key checks still pending in this transaction
        # (rows written earlier in it, as in a test): run them now, then defer again.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for model in MONTHLY_TABLES:
        cursor.execute(sql.delete_months(vendor, model._meta.db_table, months))
    if full_postgres:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    # Every report the months hold, read once into a temporary table that each rollup reads;
    # then its rows exploded by their multi-select values, which the main rollup groups.
    for table, statement in (
        (sql.SOURCE, sql.source_table(vendor, months)),
        (sql.ROWS, sql.rows_table(vendor)),
    ):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(statement)
        if vendor == sql.POSTGRES:
            cursor.execute(f"ANALYZE {table}")
    # A full run's fingerprints: its reports as read, and the referrals read before the
    # performance rollup reads them (so a referral erased meanwhile shows at the next refresh).
    found = None if months is not None else _fingerprints(cursor, vendor, from_source=True)
    written = {}
    for name, model, statement in (
        ("report", ReportRollup, sql.report_rollup_insert(vendor)),
        ("dimension", DimensionRollup, sql.dimension_rollup_insert(vendor, months)),
        ("demographic", DemographicRollup, sql.demographic_rollup_insert(vendor)),
        ("performance", PerformanceRollup, sql.performance_rollup_insert(vendor, months)),
    ):
        # A full rebuild on PostgreSQL fills emptied tables: each table's indexes (its
        # primary key's too) are dropped and built again after, in one pass, rather than
        # kept up row by row (decision 0013).
        rebuilt = _drop_indexes(cursor, model) if full_postgres else []
        cursor.execute(statement)
        written[name] = cursor.rowcount
        for definition in rebuilt:
            cursor.execute(definition)
    # The month tables as the dashboards publish them, from the dimension rollup just written.
    written["published"] = published_month_figures_write(cursor, vendor, months)
    _fill_histograms(cursor, vendor)
    cursor.execute(f"DROP TABLE {sql.ROWS}")
    cursor.execute(f"DROP TABLE {sql.SOURCE}")
    return written, found


def _drop_indexes(cursor, model) -> list[str]:
    """Drop the indexes of `model`'s table, its primary key's and unique constraints' with
    their constraints (PostgreSQL: the table is held by this transaction's TRUNCATE, so
    nobody else can read it meanwhile), but none that a foreign key relies on; return the
    statements that make them again, as they were."""
    table = model._meta.db_table
    cursor.execute(
        """
        SELECT index_class.relname, pg_get_indexdef(i.indexrelid),
               k.conname, pg_get_constraintdef(k.oid)
        FROM pg_index i
        JOIN pg_class index_class ON index_class.oid = i.indexrelid
        LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid
        WHERE i.indrelid = %s::regclass
          AND NOT EXISTS (
              SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid
          )
        """,
        [table],
    )
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    again = []
    for index, index_definition, constraint, constraint_definition in cursor.fetchall():
        if constraint is None:
            cursor.execute(f"DROP INDEX {quote(index)}")
            again.append(index_definition)
        else:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(constraint)}")
            again.append(
                f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(constraint)} "
                f"{constraint_definition}"
            )
    return again


def _fill_histograms(cursor, vendor: str) -> None:
    """Fold (month, force, bucket, count) rows into each PerformanceRollup row's lists."""
    cursor.execute(sql.histogram_select(vendor))
    found: dict[tuple[date, int], dict[str, dict[int, int]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for histogram, month, force_id, bucket, count in cursor.fetchall():
        found[(_month(month), force_id)][histogram][int(bucket)] = count
    if not found:
        return
    rows = PerformanceRollup.objects.using(DEFAULT_DB_ALIAS).filter(
        month__in={month for month, _ in found}
    )
    changed = []
    for row in rows:
        buckets = found.get((row.month, row.force_id))
        if buckets is None:
            continue
        row.response_hours = _dense(buckets["response_hours"])
        row.outcome_days = _dense(buckets["outcome_days"])
        changed.append(row)
    PerformanceRollup.objects.using(DEFAULT_DB_ALIAS).bulk_update(
        changed, ["response_hours", "outcome_days"], batch_size=500
    )


def _dense(buckets: dict[int, int]) -> list[int]:
    """[count at 0, count at 1, …] up to the last bucket with a count ([] when none)."""
    if not buckets:
        return []
    return [buckets.get(index, 0) for index in range(max(buckets) + 1)]


def _fingerprints(cursor, vendor: str, *, from_source: bool = False) -> dict[str, list[int]]:
    cursor.execute(sql.fingerprint_select(vendor, from_source=from_source), [])
    return {
        _month(month).isoformat(): [int(value) for value in values]
        for month, *values in cursor.fetchall()
    }


def _changed(before: dict[str, list[int]], now: dict[str, list[int]]) -> set[date]:
    return {_month(key) for key in before.keys() | now.keys() if before.get(key) != now.get(key)}


def _touched(cursor, vendor: str, *, since: datetime) -> set[date]:
    cursor.execute(sql.touched_months_select(vendor), [since] * 6)
    return {_month(month) for (month,) in cursor.fetchall()}
