"""The incremental refresh equals a full rebuild, whatever happened in between (hypothesis),
and two runs at once on PostgreSQL leave what one run leaves."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harmsportal.people.models import Force, User
from harmsportal.trends.models import ReportRollup
from harmsportal.trends.rollup import rollup_rebuild, rollup_refresh
from reports.models import Report
from tests.trends.conftest import (
    assess,
    at,
    case_of,
    erase,
    give_outcome,
    reopen,
    respond,
    rollup_snapshot,
    submitted_report,
    withdraw,
    worker_for,
)
from triage.services.moving import case_transfer

START = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
MONTHS = ((2026, 3), (2026, 4), (2026, 5), (2026, 6))
FORCES = ("west-yorkshire", "north-yorkshire")


def subsets(values, min_size=0):
    return st.lists(st.sampled_from(values), unique=True, min_size=min_size, max_size=2)


reports = st.integers(min_value=0, max_value=30)
sends = st.tuples(
    st.just("send"),
    st.sampled_from(MONTHS),
    st.sampled_from(FORCES),
    subsets(("doxxing", "threats", "abuse")),
    subsets(("x", "facebook")),
    subsets(("none", "home_visited", "approached")),
    st.sampled_from((User.Kind.OFFICER, User.Kind.FAMILY)),
)
steps = st.one_of(
    sends,
    st.tuples(
        st.just("assess"),
        reports,
        st.sampled_from(("crime", "non_crime_incident", "no_recording")),
        subsets(("stalking", "threats", "hate"), min_size=1),
    ),
    st.tuples(st.just("outcome"), reports, st.sampled_from(("advice", "takedown"))),
    st.tuples(st.just("reopen"), reports),
    st.tuples(st.just("withdraw"), reports),
    st.tuples(st.just("respond"), reports),
    st.tuples(st.just("transfer"), reports),
    st.tuples(st.just("erase"), reports),
    st.tuples(st.just("refresh")),
)


def _send(month, force_slug, categories, platforms, impacts, kind) -> Report:
    return submitted_report(
        submitted_at=at(*month, day=28, hour=23),
        force_slug=force_slug,
        categories=tuple(categories),
        platforms=tuple(platforms),
        offline_impacts=tuple(impacts),
        kind=kind,
    )


def _transfer(report: Report) -> None:
    case = case_of(report)
    to = Force.objects.get(slug=FORCES[1] if case.force.slug == FORCES[0] else FORCES[0])
    case_transfer(actor=worker_for(report), case=case, to_force=to, reason="Lives there.")


def _apply(step, sent: list[Report]) -> None:
    kind, *args = step
    if kind == "send":
        sent.append(_send(*args))
        return
    if kind == "refresh":
        rollup_refresh()
        return
    if not sent:
        return
    report = sent[args[0] % len(sent)]
    if not Report.objects.filter(pk=report.pk).exists():
        return
    actions = {
        "assess": lambda: assess(report, decision=args[1], categories=tuple(args[2])),
        "outcome": lambda: give_outcome(report, category=args[1]),
        "reopen": lambda: reopen(report),
        "withdraw": lambda: withdraw(report),
        "respond": lambda: respond(report),
        "transfer": lambda: _transfer(report),
        "erase": lambda: erase(report),
    }
    try:
        with transaction.atomic():
            actions[kind]()
    except (ValidationError, PermissionDenied):
        pass  # a move the case's state refuses: nothing changed


@pytest.mark.django_db
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    first=st.lists(sends, min_size=1, max_size=4),
    later=st.lists(steps, min_size=1, max_size=10),
)
def test_the_incremental_refresh_equals_a_full_rebuild_after_any_changes(first, later):
    with transaction.atomic():
        sent: list[Report] = []
        with time_machine.travel(START, tick=False):
            for step in first:
                _apply(step, sent)
            rollup_rebuild()
        # Each change an hour after the last, so every refresh looks back only over its own.
        for hour, step in enumerate(later, start=1):
            with time_machine.travel(START + timedelta(hours=hour), tick=False):
                _apply(step, sent)
        with time_machine.travel(START + timedelta(hours=len(later) + 1), tick=False):
            rollup_refresh()
            refreshed = rollup_snapshot()
            rollup_rebuild()
        assert refreshed == rollup_snapshot()
        transaction.set_rollback(True)


def run_together(target, threads: int = 2) -> list:
    """Run `target` in `threads` threads released at once, each on its own connection."""
    barrier = threading.Barrier(threads)
    results, errors = [], []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(target())
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers), "a rollup run hung"
    assert errors == []
    return results


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, so it cannot show a race "
    "(set DATABASE_URL=postgres://…; CI runs it)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("run", ["rebuild", "refresh"])
def test_two_runs_at_once_on_postgres_leave_what_one_run_leaves(run):
    with time_machine.travel(START, tick=False):
        for n in range(12):
            report = submitted_report(
                submitted_at=at(*MONTHS[n % 4], day=10),
                force_slug=FORCES[n % 2],
                categories=("doxxing", "threats")[: 1 + n % 2],
                offline_impacts=("home_visited", "approached")[: n % 3],
            )
            if n % 3 == 0:
                assess(report, decision="crime")
        rollup_rebuild()
        expected = rollup_snapshot()
        ReportRollup.objects.all().delete()  # both runs below must put it back, once
    target = rollup_rebuild if run == "rebuild" else rollup_refresh

    with time_machine.travel(START + timedelta(minutes=5), tick=False):
        results = run_together(target, threads=2)

    assert len(results) == 2
    assert rollup_snapshot() == expected
