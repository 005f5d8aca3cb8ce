"""Report references: OH-<force code>-<year>-<sequence>, per force per year, never repeated."""

from __future__ import annotations

import threading

import pytest
import time_machine
from django.db import IntegrityError, connection, connections, transaction

from harmsportal.people.models import Force
from reports.intake import intake_handler_replaced
from reports.models import ReferenceCounter, Report
from reports.services.sending import reference_allocate, report_submit
from tests.factories import make_person
from tests.reports.factories import DraftReportFactory, SubmittedReportFactory

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason=(
        "SQLite serialises every write to the whole file, so threads cannot race for the "
        "counter row; the row lock (SELECT … FOR UPDATE) is tested on Postgres, as CI does"
    ),
)


def _force(slug: str) -> Force:
    return Force.objects.get(slug=slug)


def test_the_sequence_counts_up_per_force(db):
    wyp, nyp = _force("west-yorkshire"), _force("north-yorkshire")
    assert reference_allocate(force=wyp, year=2026) == "OH-WYP-2026-000001"
    assert reference_allocate(force=wyp, year=2026) == "OH-WYP-2026-000002"
    assert reference_allocate(force=nyp, year=2026) == "OH-NYP-2026-000001"
    assert reference_allocate(force=wyp, year=2026) == "OH-WYP-2026-000003"


def test_the_sequence_starts_again_each_year(db):
    wyp = _force("west-yorkshire")
    reference_allocate(force=wyp, year=2026)
    reference_allocate(force=wyp, year=2026)
    assert reference_allocate(force=wyp, year=2027) == "OH-WYP-2027-000001"
    assert ReferenceCounter.objects.get(force=wyp, year=2026).last == 2


def test_a_rolled_back_submission_gives_its_number_back(db):
    wyp = _force("west-yorkshire")

    def submission_that_fails_after_allocating() -> None:
        with transaction.atomic():
            reference_allocate(force=wyp, year=2026)
            raise RuntimeError("the submission failed after allocating")

    with pytest.raises(RuntimeError):
        submission_that_fails_after_allocating()
    assert reference_allocate(force=wyp, year=2026) == "OH-WYP-2026-000001"


def test_submitting_uses_the_reporters_force_and_the_year_in_london(officer):
    other = make_person(force_slug="north-yorkshire")
    with time_machine.travel("2026-12-31 23:30:00+00:00", tick=False):
        mine = report_submit(actor=officer, report=DraftReportFactory(reporter=officer))
        theirs = report_submit(actor=other, report=DraftReportFactory(reporter=other))
    assert mine.reference == "OH-WYP-2026-000001"
    assert theirs.reference == "OH-NYP-2026-000001"
    with time_machine.travel("2027-01-01 00:30:00+00:00", tick=False):
        next_year = report_submit(actor=officer, report=DraftReportFactory(reporter=officer))
    assert next_year.reference == "OH-WYP-2027-000001"


def test_references_are_unique_in_the_database(officer):
    SubmittedReportFactory(reporter=officer, reference="OH-WYP-2026-000007")
    with pytest.raises(IntegrityError), transaction.atomic():
        SubmittedReportFactory(reporter=officer, reference="OH-WYP-2026-000007")


def test_drafts_have_no_reference_and_many_drafts_may_coexist(officer):
    DraftReportFactory(reporter=officer)
    DraftReportFactory(reporter=officer)
    assert list(Report.objects.values_list("reference", flat=True)) == ["", ""]


def test_a_sent_report_must_have_a_reference(officer):
    with pytest.raises(IntegrityError), transaction.atomic():
        SubmittedReportFactory(reporter=officer, reference="")


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_submissions_never_share_a_reference():
    workers = 8
    reporters = [make_person() for _ in range(workers)]
    drafts = [DraftReportFactory(reporter=reporter) for reporter in reporters]
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def submit(reporter, draft) -> None:
        try:
            barrier.wait(timeout=10)
            report_submit(actor=reporter, report=draft)
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connections.close_all()

    with intake_handler_replaced(lambda report: None):
        threads = [
            threading.Thread(target=submit, args=pair)
            for pair in zip(reporters, drafts, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == []
    references = sorted(Report.objects.values_list("reference", flat=True))
    year = references[0].split("-")[2]
    assert references == [f"OH-WYP-{year}-{n:06d}" for n in range(1, workers + 1)]


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_allocations_for_a_new_year_create_one_counter():
    force = _force("west-yorkshire")
    workers = 6
    barrier = threading.Barrier(workers)
    got: list[str] = []
    lock = threading.Lock()

    def allocate() -> None:
        try:
            barrier.wait(timeout=10)
            reference = reference_allocate(force=force, year=2031)
            with lock:
                got.append(reference)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=allocate) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(got) == [f"OH-WYP-2031-{n:06d}" for n in range(1, workers + 1)]
    assert ReferenceCounter.objects.filter(force=force, year=2031).count() == 1
