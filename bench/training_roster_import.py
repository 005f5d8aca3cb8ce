"""training_roster_import: applying a 50,000-person roster against a bare bulk insert of it.

The measured step is the import page's own Apply (`training.services.roster.roster_apply`):
it reads the stored CSV again and runs it through `RosterResource` (django-import-export in
bulk mode) for real, in one transaction: every row checked, the new accounts made with their
reporter membership, the training profiles written, the force's audience rule applied
(assignments) and an invitation put in the outbox for each new account. The baseline, in the
same run, writes the same people as plainly as the database allows: users, memberships and
profiles from ready-made rows, with COPY on PostgreSQL (bulk_create elsewhere). Ratio =
apply / baseline, target <= 10. Also printed: the dry-run preview's time (`roster_preview`:
read, check, write everything and roll it back, keep the RosterImport), as a second figure.

Memory, which must stay under 512 MiB, is measured where nothing else has run before: the
preview, then the apply, each in a fresh Python process (`python -m
bench.training_roster_import preview|apply …`) on the same database, as a web worker would
serve the two requests. Each reports its own peak resident set (VmHWM on Linux; everything
the process held: Python objects, the database driver's buffers, the file, the interpreter and
Django themselves), and how much of it was there before the step began. Memory freed by an
earlier step in the same process cannot hide a later one's, and no tracer slows the timing.

Every step runs inside a transaction that is rolled back, so each starts from the same database
and no invitation is ever queued or sent (the fresh preview's RosterImport alone is kept, for
the fresh apply). BENCH_TRAINING_ROSTER_ROWS sets the size (default 50,000) for a quicker run.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import BenchResult

NAME = "training_roster_import"
TARGET = 10.0
MEMORY_TARGET_MIB = 512
ROWS = int(os.environ.get("BENCH_TRAINING_ROSTER_ROWS", "50000"))
FORCE = "west-yorkshire"
# The fresh processes find the bench's throwaway database by this name.
DATABASE_ENV = "BENCH_TRAINING_ROSTER_DATABASE"
ROOT = Path(__file__).resolve().parent.parent
TEAM = 10  # one person in ten is the line manager of the nine after them
AUDIENCES = ["induction;frontline", "frontline", "frontline;specialist", "leadership"]
KINDS = ["officer", "officer", "staff", "volunteer"]


@dataclass(frozen=True)
class RosterBenchResult(BenchResult):
    """A ratio and a memory ceiling: both must hold for a PASS."""

    peak_mib: float = 0.0

    @property
    def passed(self) -> bool:
        return super().passed and self.peak_mib <= MEMORY_TARGET_MIB


def _rows(prefix: str, count: int) -> list[list[str]]:
    """A force's roster: managers first in each team of TEAM, everyone else reporting to them."""
    start = datetime.date(2015, 1, 1)
    rows = []
    for n in range(count):
        manager = n - n % TEAM
        rows.append(
            [
                f"{prefix}-{n}@example.police.uk",
                f"Person {n} {prefix.title()}",
                KINDS[n % len(KINDS)],
                "line manager;leadership" if n == manager else AUDIENCES[n % len(AUDIENCES)],
                (start + datetime.timedelta(days=n % 4000)).strftime("%d/%m/%Y"),
                "" if n == manager else f"{prefix}-{manager}@example.police.uk",
            ]
        )
    return rows


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "name", "kind", "audiences", "start_date", "line_manager_email"])
    writer.writerows(rows)
    return out.getvalue().encode()


def _insert(model, objs: list) -> None:
    """COPY on PostgreSQL, in the caller's transaction; bulk_create elsewhere."""
    from django.db import connection

    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=2_000)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objs:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])


def _baseline(force, rows: list[list[str]]) -> float:
    """The same people written plainly: users, memberships, then profiles with their managers."""
    from django.db import transaction
    from django.utils import timezone

    from harmsportal.people.models import Membership, Role, User
    from training.models import TrainingProfile

    with transaction.atomic():
        started = time.perf_counter()
        now = timezone.now()
        _insert(
            User,
            [
                User(email=r[0], full_name=r[1], kind=r[2], password="!", date_joined=now)
                for r in rows
            ],
        )
        ids = dict(User.objects.filter(email__in=[r[0] for r in rows]).values_list("email", "pk"))
        _insert(
            Membership,
            [Membership(user_id=ids[r[0]], force=force, role=Role.REPORTER) for r in rows],
        )
        _insert(
            TrainingProfile,
            [
                TrainingProfile(
                    person_id=ids[r[0]],
                    force=force,
                    audiences=r[3].split(";"),
                    start_date=datetime.datetime.strptime(r[4], "%d/%m/%Y").date(),  # noqa: DTZ007
                    line_manager_id=ids.get(r[5]),
                    updated_at=now,
                )
                for r in rows
            ],
        )
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def _preview_and_apply(trainer, force, content: bytes) -> dict:
    """Preview then apply one roster as the import page does, timing each; roll it all back."""
    from django.db import transaction

    from training.models import RosterImport
    from training.services.roster import roster_apply, roster_preview

    figures = {}
    with transaction.atomic():
        started = time.perf_counter()
        roster = roster_preview(actor=trainer, force=force, file_name="roster.csv", content=content)
        figures["preview"] = time.perf_counter() - started
        if roster.status != RosterImport.Status.PREVIEWED:
            raise RuntimeError(f"the bench roster did not pass its check: {roster.summary}")
        started = time.perf_counter()
        roster = roster_apply(actor=trainer, roster=roster)
        figures["apply"] = time.perf_counter() - started
        if roster.status != RosterImport.Status.APPLIED:
            raise RuntimeError(f"the bench roster was not applied: {roster.summary['problems']}")
        figures["summary"] = roster.summary
        transaction.set_rollback(True)
    return figures


def _in_fresh_process(step: str, *args: str) -> dict:
    """Run `step` ("preview" or "apply") in a new Python process on this database; its figures:
    peak_mib (its whole peak resident set), ready_mib (its peak before the step began)."""
    from django.db import connection

    done = subprocess.run(  # this interpreter, this module, our own arguments
        [sys.executable, "-m", "bench.training_roster_import", step, *args],
        cwd=ROOT,
        env={**os.environ, DATABASE_ENV: str(connection.settings_dict["NAME"])},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the fresh {step} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fresh_step(step: str, args: list[str]) -> dict:
    """In the fresh process: set Django up on the bench's database, then run one step."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harmsportal.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    connection.settings_dict["NAME"] = os.environ[DATABASE_ENV]
    from harmsportal import celery_app
    from harmsportal.people.models import Force, User
    from training.models import RosterImport
    from training.services.roster import roster_apply, roster_preview

    celery_app.conf.task_always_eager = False
    figures = {}
    if step == "preview":  # kept (committed): the fresh apply applies it
        trainer = User.objects.get(pk=int(args[0]))
        force = Force.objects.get(slug=FORCE)
        content = Path(args[1]).read_bytes()
        figures["ready_mib"] = _maxrss_mib()
        roster = roster_preview(actor=trainer, force=force, file_name="roster.csv", content=content)
        figures["roster"] = str(roster.public_id)
        figures["status"] = roster.status
    else:
        roster = RosterImport.objects.select_related("uploaded_by").get(public_id=args[0])
        figures["ready_mib"] = _maxrss_mib()
        with transaction.atomic():
            roster = roster_apply(actor=roster.uploaded_by, roster=roster)
            figures["status"] = roster.status
            transaction.set_rollback(True)
    figures["peak_mib"] = _maxrss_mib()
    return figures


def _fresh_memory(trainer, content: bytes) -> dict:
    """The preview's and the apply's peak memory, each in a process of its own."""
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".csv") as upload:
        upload.write(content)
        upload.flush()
        preview = _in_fresh_process("preview", str(trainer.pk), upload.name)
    if preview["status"] != "previewed":
        raise RuntimeError(f"the fresh preview did not pass its check: {preview['status']}")
    apply = _in_fresh_process("apply", preview["roster"])
    if apply["status"] != "applied":
        raise RuntimeError(f"the fresh apply was not applied: {apply['status']}")
    return {"preview": preview, "apply": apply}


def _maxrss_mib() -> float:
    """This process's own peak resident set so far, in MiB.

    On Linux, from VmHWM in /proc/self/status: the high-water mark of the memory this program
    has had since it started. Not getrusage's ru_maxrss, which a new process inherits: Linux
    starts it at the resident set its parent had when it forked (270 MiB here, after the
    timed run), so it would report the parent, not the step. Elsewhere, ru_maxrss.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB else


def _trainer_and_rule(force):
    """The force's training admin and one audience rule (new joiners: induction in 30 days)."""
    from django.utils import timezone

    from harmsportal.people.models import Membership, Role, User
    from training.models import (
        Audience,
        AudienceRule,
        Module,
        ModuleVersion,
        VersionStatus,
    )

    trainer, created = User.objects.get_or_create(
        email="bench-roster-trainer@example.police.uk",
        defaults={"full_name": "Roster Bench Trainer", "kind": User.Kind.STAFF},
    )
    if created:
        Membership.objects.create(user=trainer, force=force, role=Role.REPORTER)
        Membership.objects.create(user=trainer, force=force, role=Role.TRAINING_ADMIN)
    module, created = Module.objects.get_or_create(
        slug="bench-roster-induction",
        defaults={
            "title": "Bench induction",
            "summary": "A module for the roster bench.",
            "owner_force": force,
            "audiences": [Audience.INDUCTION],
            "review_due": timezone.localdate() + datetime.timedelta(days=365),
        },
    )
    if created:
        ModuleVersion.objects.create(
            module=module,
            number=1,
            status=VersionStatus.PUBLISHED,
            estimated_minutes=20,
            published_at=timezone.now(),
        )
    AudienceRule.objects.get_or_create(
        force=force, audience=Audience.INDUCTION, module=module, defaults={"within_days": 30}
    )
    return trainer


def run() -> BenchResult:
    from django.db import connection

    from harmsportal import celery_app
    from harmsportal.people.models import Force

    celery_app.conf.task_always_eager = False  # nothing is queued anyway: every step rolls back
    force = Force.objects.get(slug=FORCE)
    trainer = _trainer_and_rule(force)
    content = _csv(_rows("roster", ROWS))

    # Warm the query compiler, the connection and the import machinery on a small roster.
    _preview_and_apply(trainer, force, _csv(_rows("warm", 200)))
    _baseline(force, _rows("warmbase", 200))

    baseline = _baseline(force, _rows("roster", ROWS))
    measured = _preview_and_apply(trainer, force, content)
    memory = _fresh_memory(trainer, content)

    summary = measured["summary"]
    ratio = measured["apply"] / baseline
    peak = max(memory["apply"]["peak_mib"], memory["preview"]["peak_mib"])
    verdict = "PASS" if peak <= MEMORY_TARGET_MIB else "FAIL"
    details = (
        f"apply {measured['apply']:.1f}s vs bulk insert {baseline:.1f}s for {ROWS:,} rows on "
        f"{connection.vendor}; dry-run preview {measured['preview']:.1f}s; peak memory in a "
        f"fresh process: apply {memory['apply']['peak_mib']:.0f} MiB (of which "
        f"{memory['apply']['ready_mib']:.0f} MiB before it began), preview "
        f"{memory['preview']['peak_mib']:.0f} MiB (of which "
        f"{memory['preview']['ready_mib']:.0f} MiB before it began), target "
        f"<={MEMORY_TARGET_MIB} MiB {verdict}; {summary['new_account']:,} accounts, "
        f"{summary['invitations']:,} invitations, {summary['assignments']:,} assignments"
    )
    return RosterBenchResult(NAME, ratio, "<=", TARGET, details, peak_mib=peak)


if __name__ == "__main__":  # a fresh process for one step: see _in_fresh_process
    print(json.dumps(_fresh_step(sys.argv[1], sys.argv[2:])))
