"""trends_rollup: a full rebuild of the trends rollups against the raw GROUP BY it rests on.

On the trends databases (bench/_trends_seed.py: 500,000 synthetic reports by default, seeded
with COPY in their own database), the measured step is `harmsportal.trends.rollup.rollup_rebuild()`
as the nightly task and `manage.py trends_rebuild` run it: under the RollupState lock, in one
transaction, every monthly rollup table emptied and filled again (the main rollup with its
multi-select rows, the dimension, demographic and performance rollups, the histograms) and the
training snapshot. The baseline, in the same run, is the main rollup's bare SELECT … GROUP BY
(`rollup_select_sql`), computed in full and read as one row: `SELECT count(*), sum(reports),
sum(key_sum) FROM (<select>) s`, so every group and both sums are worked out and nothing is
written or sent, in a transaction with the same `SET LOCAL` settings the rebuild makes in its
own (such as its work_mem: caught as the rebuild runs), so the ratio measures the
rebuild's work, not a memory budget only one side has. Ratio = median rebuild / median GROUP BY over BENCH_TRENDS_ROLLUP_RUNS runs of
each (default 3), alternating; target <= 1.5.
"""

from __future__ import annotations

import os
import time

from bench import BenchResult, _trends_seed, median

NAME = "trends_rollup"
TARGET = 1.5
RUNS = int(os.environ.get("BENCH_TRENDS_ROLLUP_RUNS", "3"))


# The rebuild's own session settings (SET LOCAL …), caught as it runs.
_settings: list[str] = []


def _catch_settings(execute, sql, params, many, context):
    if sql.lstrip().upper().startswith("SET LOCAL") and sql not in _settings:
        _settings.append(sql)
    return execute(sql, params, many, context)


def _group_by() -> tuple[float, int]:
    """Seconds for the main rollup's raw GROUP BY, and the groups it made."""
    from django.db import connection, transaction

    from harmsportal.trends.rollup import rollup_select_sql

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in _settings:
            cursor.execute(statement)
        cursor.execute(
            "SELECT count(*), sum(reports), sum(key_sum) "
            f"FROM ({rollup_select_sql(connection.vendor)}) s"
        )
        groups, _, _ = cursor.fetchone()
    return time.perf_counter() - started, groups


def _rebuild() -> tuple[float, dict[str, int]]:
    from harmsportal.trends.rollup import rollup_rebuild

    started = time.perf_counter()
    result = rollup_rebuild()
    return time.perf_counter() - started, result.rows


def run() -> BenchResult:
    from django.db import connection

    reports = _trends_seed.full_size()
    started = time.perf_counter()
    try:
        with _trends_seed.using(reports), connection.execute_wrapper(_catch_settings):
            _trends_seed.rebuilt_once(reports, _rebuild)  # warm: plans, caches, the tables
            rebuilds, selects = [], []
            for index in range(RUNS):
                # Alternate which goes first, so drift favours neither; a rebuild first, so
                # the GROUP BY knows the rebuild's settings.
                for step in (_group_by, _rebuild) if index % 2 else (_rebuild, _group_by):
                    seconds, found = step()
                    (rebuilds if step is _rebuild else selects).append(seconds)
                    if step is _rebuild:
                        written = found
                    else:
                        groups = found
            vendor = connection.vendor
    finally:
        _trends_seed.finished(NAME)
    ratio = median(rebuilds) / median(selects)
    rows = ", ".join(f"{name} {count:,}" for name, count in written.items())
    details = (
        f"full rebuild median {median(rebuilds):.1f}s (runs {_list(rebuilds)}) vs raw GROUP BY "
        f"median {median(selects):.1f}s (runs {_list(selects)}) for {reports:,} reports on "
        f"{vendor} (both with {'; '.join(_settings) or 'the server defaults'}); {groups:,} "
        f"groups; rows written: {rows}; seeding "
        f"{_trends_seed.seed_seconds().get(reports, 0):.0f}s (shared with the other trends "
        f"workloads), workload {time.perf_counter() - started:.0f}s in all"
    )
    return BenchResult(NAME, ratio, "<=", TARGET, details)


def _list(values: list[float]) -> str:
    return "/".join(f"{value:.1f}" for value in values)
