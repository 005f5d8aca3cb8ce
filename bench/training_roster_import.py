"""training_roster_import: applying a 50,000-person roster against a bare bulk insert of it.

The measured step is the import page's own Apply (`training.services.roster.roster_apply`):
it reads the stored CSV again and runs it through `RosterResource` (django-import-export in
bulk mode) for real, in one transaction: every row checked, the new accounts made with their
reporter membership, the training profiles written, the force's audience rule applied
(assignments) and an invitation put in the outbox for each new account. The baseline, in the
same run, writes the same people as plainly as the database allows: users, memberships and
profiles from ready-made rows, with COPY on PostgreSQL (bulk_create elsewhere). Ratio =
apply / baseline, target <= 10.

Also printed: the dry-run preview's time (`roster_preview`: read, check, write everything and
roll it back, keep the RosterImport), as a second figure, and the apply's peak memory, which
must stay under 512 MiB: how far the process's resident set rose above where it stood before
the preview (freed memory stays with the process, so the apply reuses what the preview took),
sampled every 10 ms from /proc by a thread while they ran: everything they held (Python
objects, the database driver's buffers, the file), printed beside the process's absolute
peak. No tracer runs, so measuring does not slow the timing.

Every step runs inside a transaction that is rolled back, so each starts from the same database
and no invitation is ever queued or sent. BENCH_TRAINING_ROSTER_ROWS sets the size (default
50,000) for a quicker run.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import resource
import sys
import threading
import time
from dataclasses import dataclass

from bench import BenchResult

NAME = "training_roster_import"
TARGET = 10.0
MEMORY_TARGET_MIB = 512
ROWS = int(os.environ.get("BENCH_TRAINING_ROSTER_ROWS", "50000"))
FORCE = "west-yorkshire"
SAMPLE_SECONDS = 0.01
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
    """Preview then apply one roster as the import page does, timing each and sampling the
    apply's memory; roll it all back."""
    from django.db import transaction

    from training.models import RosterImport
    from training.services.roster import roster_apply, roster_preview

    figures = {}
    # Memory is measured from before the preview: freed memory stays with the process, so an
    # apply after a preview of the same file reuses what the preview took. The peak of the two
    # is what the page needs (and, the apply doing more, the apply's own).
    with transaction.atomic(), _PeakRss() as memory:
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
    figures["rss_before_mib"] = memory.before
    figures["rss_peak_mib"] = memory.peak
    return figures


class _PeakRss:
    """The process's resident set before a block and its highest point during it (MiB),
    sampled by a thread every SAMPLE_SECONDS; the high-water mark of getrusage is read at the
    end too, in case a peak fell between two samples."""

    def __enter__(self) -> _PeakRss:
        self.before = _rss_mib()
        self.peak = self.before
        self.maxrss_before = _maxrss_mib()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._done.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, _rss_mib())

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mib())
        if _maxrss_mib() > self.maxrss_before:  # a new high-water mark was set inside
            self.peak = max(self.peak, _maxrss_mib())


def _rss_mib() -> float:
    """The resident set now, from /proc (Linux); the high-water mark where there is none."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except OSError:
        return _maxrss_mib()
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _maxrss_mib() -> float:
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

    summary = measured["summary"]
    ratio = measured["apply"] / baseline
    grew = measured["rss_peak_mib"] - measured["rss_before_mib"]
    memory = "PASS" if grew <= MEMORY_TARGET_MIB else "FAIL"
    details = (
        f"apply {measured['apply']:.1f}s vs bulk insert {baseline:.1f}s for {ROWS:,} rows on "
        f"{connection.vendor}; dry-run preview {measured['preview']:.1f}s; peak memory "
        f"{grew:.0f} MiB (process {measured['rss_before_mib']:.0f} -> "
        f"{measured['rss_peak_mib']:.0f} MiB resident), target <={MEMORY_TARGET_MIB} MiB "
        f"{memory}; {summary['new_account']:,} accounts, {summary['invitations']:,} "
        f"invitations, {summary['assignments']:,} assignments"
    )
    return RosterBenchResult(NAME, ratio, "<=", TARGET, details, peak_mib=grew)
