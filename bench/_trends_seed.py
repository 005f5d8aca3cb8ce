"""The trends benchmarks' own PostgreSQL databases, seeded once a run with COPY and shared.

`trends_dashboard`, `trends_export` and `trends_rollup` read 500,000 synthetic reports
(HARMSPORTAL_BENCH_TRENDS_REPORTS sets another size). Seeding that many takes a while, so the
first of them to run seeds and the others reuse it, through this module's cache (the harness
runs every workload in one process). The reports never touch the harness's own database, which
the other workloads share: three databases beside it, named `bench_trends_<pid>_<hex>_…`, are
dropped when the last trends workload of the run is done (or when the process exits):

- `full`: every report (FULL);
- `half`: the first half of them (HALF: `trends_export` measures memory at both sizes), a copy of
  `full` taken between its two seeding batches;
- `small`: the first 1/100 (SMALL: `trends_dashboard`'s page against its history).

Each database is migrated (once: the others are copies of the migrated, empty one), then every
table is filled by COPY (psycopg 3's `cursor.copy`) in one transaction: reporters and their
memberships, reports, their categories and platforms, cases (triage's categories too) and
wellbeing referrals (rows: bench/_trends_rows.py). Then VACUUM ANALYZE, as a live database
has planner statistics and a visibility map.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache

from bench import _trends_rows as rows

REPORTS_ENV = "HARMSPORTAL_BENCH_TRENDS_REPORTS"
DEFAULT_REPORTS = 500_000
WORKLOADS = ("trends_dashboard", "trends_export", "trends_rollup")


def full_size() -> int:
    return int(os.environ.get(REPORTS_ENV, DEFAULT_REPORTS))


def half_size() -> int:
    return full_size() // 2


def small_size() -> int:
    return max(full_size() // 100, 100)


# The run's databases (reports held → name), the seconds seeding took, which workloads are done.
_state: dict = {"databases": {}, "seconds": {}, "done": set(), "rebuilt": set()}


def seed_seconds() -> dict[str, float]:
    """Seconds spent making each database (migrate, COPY, VACUUM ANALYZE), by its size."""
    return dict(_state["seconds"])


@contextmanager
def using(reports: int) -> Iterator[str]:
    """Django's connections on the database holding `reports` reports (seeded on first use);
    the harness's own database again afterwards. Yields the database's name."""
    from django.db import connections

    name = _database(reports)
    aliases = [alias for alias in connections if alias in ("default", "replica")]
    saved = {alias: connections[alias].settings_dict["NAME"] for alias in aliases}
    _switch(dict.fromkeys(aliases, name))
    try:
        yield name
    finally:
        _switch(saved)


def rebuilt_once(reports: int, rebuild) -> float | None:
    """Run `rebuild()` on the database in use (holding `reports`) unless this run already has:
    the seconds it took, or None when it had been rebuilt before."""
    if reports in _state["rebuilt"]:
        return None
    started = time.perf_counter()
    rebuild()
    _state["rebuilt"].add(reports)
    return time.perf_counter() - started


def finished(workload: str) -> None:
    """A trends workload is done with the databases: drop them after the run's last one."""
    _state["done"].add(workload)
    planned = set(WORKLOADS)
    if os.path.basename(sys.argv[0]) in ("__main__.py", "bench") and sys.argv[1:]:
        planned &= set(sys.argv[1:])  # `python -m bench trends_export`: that one alone
    if planned <= _state["done"]:
        _drop_all()


def _switch(names: dict[str, str]) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections

    for alias, name in names.items():
        connections[alias].close()
        connections[alias].settings_dict["NAME"] = name
    ContentType.objects.clear_cache()


def _server(sql: str) -> None:
    """Run one statement outside any database (CREATE or DROP DATABASE)."""
    from django.db import connection

    with connection._nodb_cursor() as cursor:
        cursor.execute(sql)


def _database(reports: int) -> str:
    if not _state["databases"]:
        _make_all()
    if reports not in _state["databases"]:
        raise ValueError(f"no trends database holds {reports} reports: {_state['databases']}")
    return _state["databases"][reports]


def _make_all() -> None:
    from django.db import connection

    base = f"bench_trends_{os.getpid()}_{secrets.token_hex(3)}"
    full, half, small = f"{base}_full", f"{base}_half", f"{base}_small"
    original = connection.settings_dict["NAME"]
    atexit.register(_drop_all)
    now = time.time()
    started = time.perf_counter()
    _server(f'CREATE DATABASE "{full}"')
    made = _state.setdefault("made", [])
    made.append(full)
    _switch({"default": full})
    try:
        _migrate()
        _seed(0, 0, now, triagers=True)  # the forces' triagers, in every copy
        migrated = time.perf_counter() - started
        made.append(small)
        _copy_database(full, small)
        started = time.perf_counter()
        _switch({"default": small})
        _seed(0, small_size(), now)
        _state["seconds"][small_size()] = migrated + time.perf_counter() - started
        started = time.perf_counter()
        _switch({"default": full})
        _seed(0, half_size(), now)
        made.append(half)
        _copy_database(full, half)
        _state["seconds"][half_size()] = migrated + time.perf_counter() - started
        _switch({"default": full})
        _seed(half_size(), full_size() - half_size(), now)
        _state["seconds"][full_size()] = migrated + time.perf_counter() - started
    finally:
        _switch({"default": original})
    _state["databases"] = {full_size(): full, half_size(): half, small_size(): small}


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)


def _copy_database(source: str, target: str) -> None:
    """`target` as a file copy of `source` (nobody may be connected to it meanwhile)."""
    from django.db import connection

    connection.close()
    _server(f'CREATE DATABASE "{target}" TEMPLATE "{source}" STRATEGY FILE_COPY')


def _drop_all() -> None:
    from django.db import connections

    made = _state.pop("made", [])
    if not made:
        return
    in_use = {connections[alias].settings_dict["NAME"] for alias in connections}
    for name in made:
        if name in in_use:  # still on it (an error mid-workload): leave it to exit
            _state.setdefault("made", []).append(name)
            continue
        _server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _state["databases"] = {} if not _state.get("made") else _state["databases"]


@cache
def _tables():
    """(model or through table, the columns a batch writes) for each table, in writing order."""
    from harmsportal.people.models import Membership, User
    from reports.models import Report
    from triage.models import Case
    from wellbeing.models import Referral

    def through(model, name):
        field = model._meta.get_field(name)
        m2m = field.remote_field.through
        return m2m, [field.m2m_column_name(), field.m2m_reverse_name()]

    return {
        "users": (User, rows.USER_COLUMNS),
        "memberships": (Membership, rows.MEMBERSHIP_COLUMNS),
        "reports": (Report, rows.REPORT_COLUMNS),
        "report_categories": through(Report, "categories"),
        "report_platforms": through(Report, "platforms"),
        "cases": (Case, rows.CASE_COLUMNS),
        "case_categories": through(Case, "categories"),
        "referrals": (Referral, rows.REFERRAL_COLUMNS),
    }


def _text(value) -> str:
    """A constant as COPY text."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list | dict):
        value = json.dumps(value)
    if isinstance(value, datetime):
        value = value.isoformat(" ")
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _defaults(model, written: list[str]) -> tuple[list[str], str]:
    """The model's other columns (not its serial id) and their defaults as one text tail."""
    from django.db import connection

    rest = [
        field
        for field in model._meta.concrete_fields
        if field.column not in written and not field.primary_key
    ]
    values = [_text(field.get_db_prep_save(field.get_default(), connection)) for field in rest]
    return [field.column for field in rest], "".join("\t" + value for value in values)


def _copy(cursor, model, columns: list[str], lines: list[str]) -> None:
    from django.db import connection

    rest, tail = _defaults(model, columns)
    quoted = ", ".join(connection.ops.quote_name(column) for column in [*columns, *rest])
    table = connection.ops.quote_name(model._meta.db_table)
    with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        chunk = []
        for line in lines:
            chunk.append(line + tail + "\n")
            if len(chunk) == 10_000:
                copy.write("".join(chunk))
                chunk = []
        copy.write("".join(chunk))


def _taxonomy() -> rows.Taxonomy:
    from harmsportal.people.models import Force
    from reports.models import HarmCategory, Platform

    forces = Force.objects.filter(slug__in=[slug for slug, _ in rows.FORCES])
    return rows.Taxonomy(
        force_ids={force.slug: force.pk for force in forces},
        force_codes={force.slug: force.code for force in forces},
        categories=dict(HarmCategory.objects.values_list("slug", "pk")),
        platforms=dict(Platform.objects.values_list("slug", "pk")),
    )


def _seed(first: int, count: int, now: float, *, triagers: bool = False) -> None:
    """COPY reports first..first+count-1 (or the triagers) into the database in use, in one
    transaction; then VACUUM ANALYZE and the tables' id sequences past what was written."""
    from django.db import connection, transaction

    taxonomy = _taxonomy()
    if triagers:
        users, memberships = rows.triager_rows(taxonomy, now)
        batch = {"users": users, "memberships": memberships}
    else:
        built = rows.Batch(taxonomy, first=first, count=count, total=full_size(), now=now).build()
        batch = vars(built)
    with transaction.atomic(), connection.cursor() as cursor:
        for key, (model, columns) in _tables().items():
            if batch.get(key):
                _copy(cursor.cursor, model, columns, batch[key])
    del batch
    with connection.cursor() as cursor:
        for model, _ in _tables().values():
            table = model._meta.db_table
            cursor.execute(f'VACUUM ANALYZE "{table}"')
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'GREATEST((SELECT max(id) FROM "{table}" WHERE id < %s), 1))',
                [rows.TRIAGER_ID_BASE],
            )


def staff(email: str, role: str, force_slug: str):
    """A staff account holding `role` in a force, with TOTP as production requires of staff
    (in the database in use; made once)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from harmsportal.people.models import Force, Membership, Role, User

    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, kind=User.Kind.STAFF, full_name="Trends Bench")
        force = Force.objects.get(slug=force_slug)
        Membership.objects.create(user=user, force=force, role=Role.REPORTER)
        Membership.objects.create(user=user, force=force, role=role)
        TOTP.activate(user, generate_totp_secret())
    return user


def plain_static() -> dict:
    """STORAGES without hashed static names, which need `collectstatic` (a bench does not)."""
    from django.conf import settings

    return {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
