"""trends_export: the national CSV export against a bare COPY of the same published figures.

On the trends databases (bench/_trends_seed.py: 500,000 synthetic reports by default, seeded
with COPY in their own database, rolled up by `rollup_rebuild()`, which also stores each
force's month tables as published in `PublishedMonthFigure`), a national analyst (with TOTP, as
in production) downloads `/trends/export.csv` with no filter, every force and every month,
through the test client, and the bench reads the whole streamed body. That is the real view:
scope from the chokepoint, the audit row, then the database writing the CSV of the published
figures (decision 0012) with the dashboards' labels, the withheld figures' words and the formula
guard. The baseline, in the same run, is COPY (...) TO STDOUT of the same rows, joined and
ordered as the export's SELECT does (the published figures joined to their forces, by force in
byte order, month, dimension and value), with their stored columns as they are: no labels, no
figure text, no guard, no Django.
Ratio = median export / median COPY over BENCH_TRENDS_EXPORT_RUNS runs of each (default 5),
alternating; target <= 3.0.

Memory: the export's peak must be flat (within 20%) from 250,000 to 500,000 reports. Each size
is measured in a fresh Python process (`python -m bench.trends_export memory …`), as a web
worker would serve the download: it signs in, downloads one month's export to warm every code
path, resets the kernel's high-water mark of its resident set (/proc/self/clear_refs), then
downloads the national export; the figure is the peak resident set during that download less
the resident set just before it. Resident memory, not tracemalloc: an export that reads its
rows with an ordinary client-side cursor holds them all in libpq's C buffers, which tracemalloc
never sees; RSS sees everything the process holds. A fresh process, because in this one the
seeding's freed memory would be reused without the resident set growing. The median of
BENCH_TRENDS_EXPORT_MEMORY_RUNS processes (default 3) at each size is compared, the difference
as a share of the smaller size's figure, or of MEMORY_FLOOR_MIB (1 MiB) when that is less: a
streamed export's own peak is a few chunks, and a few pages more or less are not growth.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import BenchResult, _trends_seed, median

NAME = "trends_export"
TARGET = 3.0
FLAT_WITHIN = 0.20
# Below this the export's own peak is noise (pages, allocator arenas, a few 64 KiB chunks): a
# difference of up to FLAT_WITHIN of it still counts as flat when both figures are smaller.
MEMORY_FLOOR_MIB = 1.0
RUNS = int(os.environ.get("BENCH_TRENDS_EXPORT_RUNS", "5"))
MEMORY_RUNS = int(os.environ.get("BENCH_TRENDS_EXPORT_MEMORY_RUNS", "3"))
URL = "/trends/export.csv"
ANALYST = "trends-bench-analyst@example.police.uk"
ANALYST_FORCE = "west-yorkshire"
DATABASE_ENV = "BENCH_TRENDS_EXPORT_DATABASE"
ROOT = Path(__file__).resolve().parent.parent
# The export's rows as they are stored, joined and ordered as the export's SELECT does (forces
# joined first, the force's id in byte order): a bench baseline, not a copy of any rule.
BASELINE = """
COPY (
    SELECT to_char(p.month, 'YYYY-MM') AS month, f.slug AS force_id, f.name AS force_name,
           p.dimension, p.value, p.figure, p.withheld, p.k
    FROM trends_publishedmonthfigure p JOIN people_force f ON f.id = p.force_id
    ORDER BY f.slug COLLATE "C", p.month, p.dimension COLLATE "C", p.value COLLATE "C"
) TO STDOUT WITH (FORMAT csv, HEADER)"""


@dataclass(frozen=True)
class ExportBenchResult(BenchResult):
    """A ratio and flat memory: both must hold for a PASS."""

    flat: bool = True

    @property
    def passed(self) -> bool:
        return super().passed and self.flat


def _export(client, query: str = "") -> tuple[float, int, int]:
    """Seconds to download the export through the view, its bytes and its lines."""
    started = time.perf_counter()
    response = client.get(URL + query, secure=True)
    if response.status_code != 200 or not response.streaming:
        raise RuntimeError(f"{URL}{query} answered {response.status_code}")
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    return time.perf_counter() - started, size, lines


def _copy() -> tuple[float, int, int]:
    """Seconds for the baseline COPY read in full, its bytes and its lines."""
    from django.db import connection

    started = time.perf_counter()
    size = lines = 0
    with connection.cursor() as cursor, cursor.cursor.copy(BASELINE) as copy:
        for data in copy:
            size += len(data)
            lines += bytes(data).count(b"\n")
    return time.perf_counter() - started, size, lines


def _rebuild() -> None:
    from harmsportal.trends.rollup import rollup_rebuild

    rollup_rebuild()


def _memory(analyst_pk: int) -> dict:
    """The median figures of MEMORY_RUNS fresh processes exporting on the database in use."""
    from django.db import connection

    runs = []
    for _ in range(MEMORY_RUNS):
        done = subprocess.run(  # this interpreter, this module, our own arguments
            [sys.executable, "-m", "bench.trends_export", "memory", str(analyst_pk)],
            cwd=ROOT,
            env={**os.environ, DATABASE_ENV: str(connection.settings_dict["NAME"])},
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the fresh export failed: {done.stderr[-2000:]}")
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {key: median([run[key] for run in runs]) for key in runs[0]}


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        return int(re.search(rf"^{field}:\s+(\d+) kB", status.read(), re.M).group(1))


def _fresh_memory(analyst_pk: int) -> dict:
    """In the fresh process: sign in, warm on one month, then measure the national export."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harmsportal.settings")
    import django

    django.setup()
    from django.db import connections
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from harmsportal.people.models import User

    for alias in connections:
        connections[alias].settings_dict["NAME"] = os.environ[DATABASE_ENV]
    client = Client()
    client.force_login(User.objects.get(pk=analyst_pk))
    with override_settings(STORAGES=_trends_seed.plain_static()):
        _export(client, f"?period={timezone.localdate():%Y-%m}")
        before = _status_kib("VmRSS")
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # the high-water mark starts again from the resident set now
        seconds, size, lines = _export(client)
        peak = _status_kib("VmHWM")
    return {
        "before_mib": before / 1024,
        "peak_mib": peak / 1024,
        "export_mib": (peak - before) / 1024,
        "seconds": seconds,
        "bytes": size,
        "lines": lines,
    }


def run() -> BenchResult:
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from harmsportal.people.models import Role

    half, full = _trends_seed.half_size(), _trends_seed.full_size()
    started = time.perf_counter()
    memory = {}
    try:
        for reports in (half, full):
            with _trends_seed.using(reports):
                _trends_seed.rebuilt_once(reports, _rebuild)
                analyst = _trends_seed.staff(ANALYST, Role.NATIONAL_ANALYST, ANALYST_FORCE)
                memory[reports] = _memory(analyst.pk)
        with _trends_seed.using(full), override_settings(STORAGES=_trends_seed.plain_static()):
            client = Client()
            client.force_login(analyst)
            for _ in range(2):  # warm templates, the query compiler, the connection, the cache
                _export(client)
                _copy()
            exports, copies = [], []
            for index in range(RUNS):
                # Alternate which goes first, so drift favours neither.
                for step in (_export, _copy) if index % 2 else (_copy, _export):
                    seconds, size, lines = step(client) if step is _export else step()
                    if step is _export:
                        exports.append(seconds)
                        export_size, export_lines = size, lines
                    else:
                        copies.append(seconds)
                        copy_size, copy_lines = size, lines
            vendor = connection.vendor
    finally:
        _trends_seed.finished(NAME)
    ratio = median(exports) / median(copies)
    low, high = memory[half]["export_mib"], memory[full]["export_mib"]
    growth = (high - low) / max(low, MEMORY_FLOOR_MIB)
    flat = abs(growth) <= FLAT_WITHIN
    details = (
        f"national CSV export median {median(exports):.3f}s ({export_lines - 1:,} rows, "
        f"{export_size / 2**20:.1f} MiB) vs COPY of the same published figures median "
        f"{median(copies):.3f}s ({copy_lines - 1:,} rows, {copy_size / 2**20:.1f} MiB) for "
        f"{full:,} reports on {vendor}; export peak memory above its resident set in a fresh "
        f"process: {low:.1f} MiB at {half:,} reports, {high:.1f} MiB at {full:,} "
        f"({growth:+.0%} of max(the first, {MEMORY_FLOOR_MIB:.0f} MiB), flat within "
        f"{FLAT_WITHIN:.0%}: {'PASS' if flat else 'FAIL'}; "
        f"peak resident {memory[half]['peak_mib']:.0f} / {memory[full]['peak_mib']:.0f} MiB, "
        f"exports of {memory[half]['lines'] - 1:,.0f} / {memory[full]['lines'] - 1:,.0f} rows); "
        f"workload {time.perf_counter() - started:.0f}s in all"
    )
    return ExportBenchResult(NAME, ratio, "<=", TARGET, details, flat=flat)


if __name__ == "__main__":  # a fresh process for the memory of one export: see _memory
    if sys.argv[1:2] != ["memory"]:
        sys.exit("usage: python -m bench.trends_export memory <analyst pk>")
    print(json.dumps(_fresh_memory(int(sys.argv[2]))))
