"""trends_dashboard: a force lead's trends page on 500,000 reports against the same page on 5,000.

The read cost of a dashboard must not grow with history. On the trends databases
(bench/_trends_seed.py, seeded with COPY in their own databases and rolled up by
`rollup_rebuild()`), a force lead of the Metropolitan Police (the biggest force, about 40% of
the reports), signed in with TOTP as in production, loads `/trends/forces/metropolitan/` with
the filters at their defaults (this financial year so far, every category) through the test
client: on the database of 500,000 reports, and on the one holding its first 5,000 (1/100,
the same forces, months and proportions). The ratio is the median page time on the large
database over the median on the small one (target <= 1.5), BENCH_TRENDS_DASHBOARD_REQUESTS
requests on each (default 20), in alternating blocks so drift favours neither.

Printed beside the verdict, not in it: the same page with a harm category chosen
(`?category=abuse`), which the figures layer answers from the main rollup (`ReportRollup`, a
row per combination of a report's values) rather than the dimension rollup, on both databases.
"""

from __future__ import annotations

import os
import time

from bench import BenchResult, _trends_seed, median

NAME = "trends_dashboard"
TARGET = 1.5
REQUESTS = int(os.environ.get("BENCH_TRENDS_DASHBOARD_REQUESTS", "20"))
BLOCKS = 4
FORCE = "metropolitan"
# Reported beside the verdict: a category chosen reads the main rollup, not the dimension one.
CATEGORY_QUERY = "?category=abuse"
CATEGORY_REQUESTS = 8
URL = f"/trends/forces/{FORCE}/"
LEAD = "trends-bench-lead@example.police.uk"


def _rebuild() -> None:
    from harmsportal.trends.rollup import rollup_rebuild

    rollup_rebuild()


def _time(client, query: str = "") -> float:
    started = time.perf_counter()
    response = client.get(URL + query, secure=True)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{URL}{query} answered {response.status_code}")
    if b"<strong>Data as at" not in response.content:
        raise RuntimeError(f"{URL}{query} shows no figures: the rollup is empty")
    return elapsed


def _client(reports: int):
    """A signed-in force lead's client on the database holding `reports` (in use)."""
    from django.test import Client

    from harmsportal.people.models import Role

    _trends_seed.rebuilt_once(reports, _rebuild)
    client = Client()
    client.force_login(_trends_seed.staff(LEAD, Role.FORCE_LEAD, FORCE))
    return client


def run() -> BenchResult:
    from django.db import connection
    from django.test.utils import override_settings

    small, full = _trends_seed.small_size(), _trends_seed.full_size()
    started = time.perf_counter()
    clients, times, filtered = {}, {small: [], full: []}, {small: [], full: []}
    try:
        with override_settings(STORAGES=_trends_seed.plain_static()):
            for block in range(BLOCKS):
                # Alternate which goes first, so drift favours neither.
                for reports in (small, full) if block % 2 else (full, small):
                    with _trends_seed.using(reports):
                        if reports not in clients:
                            clients[reports] = _client(reports)
                        for _ in range(3):  # warm templates, the query compiler, the connection
                            _time(clients[reports])
                        times[reports] += [
                            _time(clients[reports]) for _ in range(max(REQUESTS // BLOCKS, 1))
                        ]
                        _time(clients[reports], CATEGORY_QUERY)  # warm
                        filtered[reports] += [
                            _time(clients[reports], CATEGORY_QUERY)
                            for _ in range(max(CATEGORY_REQUESTS // BLOCKS, 1))
                        ]
        vendor = connection.vendor
    finally:
        _trends_seed.finished(NAME)
    ratio = median(times[full]) / median(times[small])
    details = (
        f"force lead's page ({FORCE}, this financial year) median "
        f"{median(times[full]) * 1000:.1f} ms on {full:,} reports vs "
        f"{median(times[small]) * 1000:.1f} ms on {small:,}, {len(times[full])} requests each on "
        f"{vendor}; not in the verdict, the same page with {CATEGORY_QUERY}: "
        f"{median(filtered[full]) * 1000:.1f} ms vs {median(filtered[small]) * 1000:.1f} ms "
        f"(ratio {median(filtered[full]) / median(filtered[small]):.2f}, {len(filtered[full])} "
        f"requests each); workload {time.perf_counter() - started:.0f}s in all"
    )
    return BenchResult(NAME, ratio, "<=", TARGET, details)
