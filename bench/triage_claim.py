"""triage_claim: claims per second through `case_claim_next` against a raw SKIP LOCKED loop.

Always on Postgres (SKIP LOCKED is the point): a `bench_triage` database on the server named by
DATABASE_URL when that is Postgres, else by BENCH_POSTGRES_URL (default the local server), is
created and migrated if needed and holds 100k open cases in one force. The workload runs in a
child process pointed at that database, whatever database the harness set up, and reports a
FAIL line with the reason if Postgres cannot be reached.

Each side runs 8 claimer processes, each with its own connection, for a fixed time:

- service: `triage.services.claiming.case_claim_next(actor=…)`, exactly what "Claim next" runs in the
  portal (the user's forces, `Case.claim_head_of_queue`, the claimed case as a model object);
- raw: the bare minimum, `SELECT id … ORDER BY priority DESC, submitted_at, id LIMIT 1 FOR
  UPDATE SKIP LOCKED` and an UPDATE, in psycopg with no ORM. Since issue 7 the minimum a claim
  must do also includes what the portal now requires of every claim: leave out the cases the
  claimer stepped aside from (NOT EXISTS on triage_caseconflict) and write the claim's row in
  the case history (one INSERT into triage_caseevent), in the same transaction.

The ratio is service/raw claims per second (target >= 0.5). Every claim each process made is
checked afterwards: no case claimed twice and every claimed row assigned to its claimer.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from bench import BenchResult, median

NAME = "triage_claim"
TARGET = 0.5
CASES = int(os.environ.get("BENCH_TRIAGE_CASES", "100000"))
CLAIMERS = int(os.environ.get("BENCH_TRIAGE_CLAIMERS", "8"))
SECONDS = float(os.environ.get("BENCH_TRIAGE_SECONDS", "6"))
ROUNDS = int(os.environ.get("BENCH_TRIAGE_ROUNDS", "2"))
DATABASE = "bench_triage"
FORCE = "west-yorkshire"
CHILD_TIMEOUT = 900


# ---------------------------------------------------------------------------
# Parent: the harness calls run(), which runs the child against bench_triage
# ---------------------------------------------------------------------------


def _server_url() -> str:
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        return configured
    return os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _ensure_database(server_url: str) -> None:
    import psycopg

    with psycopg.connect(_with_database(server_url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')


def run() -> BenchResult:
    server = _server_url()
    try:
        _ensure_database(server)
    except Exception as exc:  # no Postgres: say so in the result line rather than crash
        parts = urlsplit(server)  # host and port only: the URL may hold a password
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return BenchResult(
            NAME,
            0.0,
            ">=",
            TARGET,
            f"skipped: Postgres unreachable at {parts.hostname}:{parts.port or 5432} ({reason})",
        )
    env = {**os.environ, "DATABASE_URL": _with_database(server, DATABASE)}
    env.setdefault("DJANGO_SETTINGS_MODULE", "harmsportal.settings")
    env.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnop")
    child = subprocess.run(
        [sys.executable, "-m", "bench.triage_claim"],
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    lines = [line for line in child.stdout.splitlines() if line.startswith("{")]
    if child.returncode != 0 or not lines:
        sys.stderr.write(child.stderr)
        raise RuntimeError(f"triage_claim child failed with exit status {child.returncode}")
    data = json.loads(lines[-1])
    details = (
        f"service {data['service']:.0f} claims/s vs raw SKIP LOCKED {data['raw']:.0f} claims/s, "
        f"{CLAIMERS} claimer processes, median of {ROUNDS}x{SECONDS:g}s on {data['cases']} open "
        f"cases; {data['double_claims']} double claims in {data['checked']} claims checked; "
        f"one claimer each: service {data['single_service']:.0f}/s vs raw "
        f"{data['single_raw']:.0f}/s; seeding {data['seed_seconds']:.0f}s"
    )
    return BenchResult(NAME, median(data["ratios"]), ">=", TARGET, details)


# ---------------------------------------------------------------------------
# Child: Django on bench_triage
# ---------------------------------------------------------------------------


def _seed() -> float:
    """Make sure there are exactly CASES cases in one force, all claimable. Returns seconds."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from harmsportal.people.models import Force, Membership, Role, User
    from reports.models import Report, ReportStatus
    from triage import sla
    from triage.models import Case

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    force = Force.objects.get(slug=FORCE)
    reporter, _ = User.objects.get_or_create(
        email="bench-reporter@example.police.uk", defaults={"full_name": "Bench Reporter"}
    )
    Membership.objects.get_or_create(user=reporter, force=force, role=Role.REPORTER)
    for index in range(CLAIMERS):
        claimer, _ = User.objects.get_or_create(
            email=f"bench-claimer-{index}@example.police.uk",
            defaults={"full_name": f"Claimer {index}", "kind": User.Kind.STAFF},
        )
        Membership.objects.get_or_create(user=claimer, force=force, role=Role.TRIAGE)
    if Case.objects.filter(force=force).count() != CASES:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE triage_caseaction, triage_casenote, triage_case_categories, "
                "triage_case, reports_reportstatusevent, reports_reportmessage, "
                "reports_evidence, reports_report_categories, reports_report_platforms, "
                "reports_report CASCADE"
            )
        now = timezone.now()
        batch = 10_000
        for start in range(0, CASES, batch):
            with transaction.atomic():
                reports = Report.objects.bulk_create(
                    Report(
                        reporter=reporter,
                        force=force,
                        status=ReportStatus.SUBMITTED,
                        reference=f"OH-BEN-2026-{n:07d}",
                        submitted_at=now - timedelta(seconds=n),
                        related_to_role=True,
                        taxonomy_version=1,
                    )
                    for n in range(start, min(start + batch, CASES))
                )
                Case.objects.bulk_create(
                    Case(
                        report=report,
                        force=force,
                        submitted_at=report.submitted_at,
                        # Mixed risks so the queue order is realistic: risk, then age.
                        risk="" if n % 4 else "medium",
                        status="new" if n % 4 else "assessed",
                        priority=3 if n % 4 else 2,
                        first_response_due=report.submitted_at + sla.HIGH_FIRST_RESPONSE,
                        next_update_due=sla.next_update_due(report.submitted_at),
                        outcome_due=sla.outcome_due(report.submitted_at),
                    )
                    for n, report in enumerate(reports, start=start)
                )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE triage_case")
            cursor.execute("ANALYZE reports_report")
    return time.perf_counter() - started


def _reset() -> None:
    """Put every case back in the queue, unclaimed, as before a round."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE triage_case SET assignee_id = NULL, claimed_at = NULL, "
            "status = CASE WHEN risk = '' THEN 'new' ELSE 'assessed' END "
            "WHERE assignee_id IS NOT NULL"
        )
        cursor.execute("UPDATE reports_report SET status = 'submitted' WHERE status <> 'submitted'")
        cursor.execute("DELETE FROM reports_reportstatusevent")
        cursor.execute("DELETE FROM triage_caseevent WHERE kind = 'claimed'")
        cursor.execute("VACUUM ANALYZE triage_case")


def _connect(*, autocommit: bool = False):
    """A plain psycopg connection to the benchmark database, without Django."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        host=db["HOST"],
        port=db["PORT"] or 5432,
        password=db.get("PASSWORD") or None,
        autocommit=autocommit,
    )


def _exclusive():
    """A session advisory lock on its own connection: two runs of this benchmark at once (say,
    `make bench` in two terminals) would reset and claim each other's cases."""
    conn = _connect(autocommit=True)
    conn.execute("SELECT pg_advisory_lock(hashtext('bench.triage_claim'))")
    return conn


RAW_CLAIM = """
SELECT id FROM triage_case
WHERE force_id = %s AND assignee_id IS NULL
  AND status IN ('new', 'claimed', 'assessed', 'action_under_way')
  AND NOT EXISTS (
    SELECT 1 FROM triage_caseconflict c WHERE c.case_id = triage_case.id AND c.user_id = %s
  )
ORDER BY priority DESC, submitted_at, id
LIMIT 1
FOR UPDATE SKIP LOCKED
"""
RAW_UPDATE = """
UPDATE triage_case
SET assignee_id = %s, claimed_at = now(), updated_at = now(),
    status = CASE WHEN status = 'new' THEN 'claimed' ELSE status END
WHERE id = %s
"""
RAW_RECORD = """
INSERT INTO triage_caseevent (case_id, kind, actor_id, detail, to_user_id, at)
VALUES (%s, 'claimed', %s, 'Claim next', %s, now())
"""


def _raw_claims(user_id: int, force_id: int, start) -> tuple[list[int], list[int], float]:
    conn = _connect()

    def claim_one() -> int | None:
        with conn.transaction():
            row = conn.execute(RAW_CLAIM, [force_id, user_id]).fetchone()
            if row is not None:
                conn.execute(RAW_UPDATE, [user_id, row[0]])
                conn.execute(RAW_RECORD, [row[0], user_id, user_id])
        return row[0] if row is not None else None

    warm = [claim_one()]
    start.wait()
    began, claimed = time.monotonic(), []
    while time.monotonic() < began + SECONDS and (pk := claim_one()) is not None:
        claimed.append(pk)
    elapsed = time.monotonic() - began
    conn.close()
    return warm, claimed, elapsed


def _service_claims(user_id: int, start) -> tuple[list[int], list[int], float]:
    from django.db import connection

    from harmsportal.people.models import User
    from triage.services.claiming import case_claim_next

    user = User.objects.get(pk=user_id)
    warm = [case_claim_next(actor=user).pk]  # warms the connection and the query compiler
    start.wait()
    began, claimed = time.monotonic(), []
    while time.monotonic() < began + SECONDS and (case := case_claim_next(actor=user)):
        claimed.append(case.pk)
    elapsed = time.monotonic() - began
    connection.close()
    return warm, claimed, elapsed


def _claimer(kind: str, user_id: int, force_id: int, start, results) -> None:
    """One claimer process: claim for SECONDS, then send back what it claimed and how long.

    The claims made before the clock starts are verified with the rest, not counted in the rate.
    """
    import django

    django.setup()
    if kind == "raw":
        warm, claimed, elapsed = _raw_claims(user_id, force_id, start)
    else:
        warm, claimed, elapsed = _service_claims(user_id, start)
    results.put((user_id, warm, claimed, elapsed))


def _round(kind: str, claimer_ids: list[int], force_id: int) -> tuple[float, dict[int, list[int]]]:
    from django.db import connections

    connections.close_all()  # children must not share the parent's socket
    context = multiprocessing.get_context("fork")
    # Everyone starts the clock together, once all claimers are connected and warmed up.
    start = context.Barrier(len(claimer_ids))
    results = context.Queue()
    processes = [
        context.Process(target=_claimer, args=(kind, user_id, force_id, start, results))
        for user_id in claimer_ids
    ]
    for process in processes:
        process.start()
    timed, longest, claims = 0, 0.0, {}
    for _ in processes:
        user_id, warm, claimed, elapsed = results.get(timeout=SECONDS + 120)
        timed += len(claimed)
        longest = max(longest, elapsed)
        claims[user_id] = warm + claimed
    for process in processes:
        process.join(timeout=30)
    return timed / longest, claims


def _verify(claims: dict[int, list[int]]) -> tuple[int, int]:
    """(double claims, claims checked): each case once, each assigned to whoever claimed it."""
    from triage.models import Case

    every = [pk for pks in claims.values() for pk in pks]
    doubles = len(every) - len(set(every))
    owners = dict(Case.objects.filter(pk__in=every).values_list("pk", "assignee_id"))
    for user_id, pks in claims.items():
        doubles += sum(1 for pk in pks if owners.get(pk) != user_id)
    doubles += Case.objects.filter(assignee__isnull=False).count() - len(set(every))
    return doubles, len(every)


def _child() -> None:
    import django

    django.setup()
    from harmsportal.people.models import Force, User

    lock = _exclusive()  # held until this process exits
    seed_seconds = _seed()
    force_id = Force.objects.get(slug=FORCE).pk
    claimer_ids = list(
        User.objects.filter(email__startswith="bench-claimer-")
        .order_by("pk")
        .values_list("pk", flat=True)[:CLAIMERS]
    )
    ratios, raw_rates, service_rates = [], [], []
    doubles, checked = 0, 0
    for index in range(ROUNDS):
        rates = {}
        # Alternate which side goes first, so drift during a round favours neither.
        for kind in ("service", "raw") if index % 2 else ("raw", "service"):
            _reset()
            rates[kind], claims = _round(kind, claimer_ids, force_id)
            found, seen = _verify(claims)
            doubles += found
            checked += seen
        raw_rates.append(rates["raw"])
        service_rates.append(rates["service"])
        ratios.append(rates["service"] / rates["raw"])
    # For context: one claimer on each side, where the ORM's own cost per claim shows alone.
    single = {}
    for kind in ("raw", "service"):
        _reset()
        single[kind], claims = _round(kind, claimer_ids[:1], force_id)
        found, seen = _verify(claims)
        doubles += found
        checked += seen
    _reset()
    lock.close()
    print(
        json.dumps(
            {
                "ratios": ratios,
                "raw": median(raw_rates),
                "service": median(service_rates),
                "double_claims": doubles,
                "checked": checked,
                "cases": CASES,
                "seed_seconds": seed_seconds,
                "single_raw": single["raw"],
                "single_service": single["service"],
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    _child()
