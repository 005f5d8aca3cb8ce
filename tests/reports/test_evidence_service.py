"""Keeping an upload against a draft: never past the file limit, never leaving files behind."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections

from reports import evidence as evidence_pipeline
from reports.evidence import EvidenceRejected
from reports.models import Evidence, Report
from reports.services import evidence as evidence_services
from reports.services.errors import ReportNotEditableError
from reports.services.evidence import report_evidence_add
from reports.services.sending import report_submit
from tests.factories import make_person
from tests.reports import hostile_files
from tests.reports.factories import DraftReportFactory

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason=(
        "SQLite serialises every write to the whole file, so two uploads cannot race; the row "
        "lock (SELECT … FOR UPDATE) is tested on Postgres, as CI does"
    ),
)


@pytest.fixture(autouse=True)
def private_store(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[Path]:
    return [Path(folder) / name for folder, _, names in os.walk(root) for name in names]


def evidence_files(root: Path) -> list[Path]:
    # Only the encrypted evidence, not the development key the store may keep beside it.
    return stored_files(root / "evidence")


def test_an_image_keeps_its_original_and_a_viewing_copy(officer, private_store):
    draft = DraftReportFactory(reporter=officer)
    kept = report_evidence_add(
        actor=officer, report=draft, data=hostile_files.jpeg(gps=True), filename="a.jpg"
    )
    assert kept.has_viewing_copy
    assert len(evidence_files(private_store)) == 2


def test_a_failure_after_storing_leaves_no_files_behind(officer, private_store, monkeypatch):
    draft = DraftReportFactory(reporter=officer)

    def broken_touch(report):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(evidence_services, "touch", broken_touch)
    with pytest.raises(RuntimeError):
        report_evidence_add(
            actor=officer, report=draft, data=hostile_files.jpeg(gps=True), filename="a.jpg"
        )
    assert evidence_files(private_store) == []
    assert not Evidence.objects.exists()


def test_a_refused_file_stores_nothing(officer, private_store):
    draft = DraftReportFactory(reporter=officer)
    with pytest.raises(EvidenceRejected):
        report_evidence_add(
            actor=officer, report=draft, data=hostile_files.zip_archive(), filename="a.zip"
        )
    assert evidence_files(private_store) == []


def test_a_full_report_refuses_another_file(officer, settings, private_store):
    settings.HARMSPORTAL_EVIDENCE_MAX_FILES = 1
    draft = DraftReportFactory(reporter=officer)
    report_evidence_add(actor=officer, report=draft, data=hostile_files.png(), filename="1.png")
    with pytest.raises(EvidenceRejected) as refused:
        report_evidence_add(actor=officer, report=draft, data=hostile_files.png(), filename="2.png")
    assert "1 file" in refused.value.message
    assert draft.evidence.count() == 1
    assert len(evidence_files(private_store)) == 2  # the first file and its viewing copy


def test_an_upload_on_a_copy_read_before_sending_is_refused(officer, private_store):
    draft = DraftReportFactory(reporter=officer)
    stale = Report.objects.get(pk=draft.pk)
    report_submit(actor=officer, report=draft)
    with pytest.raises(ReportNotEditableError):
        report_evidence_add(
            actor=officer, report=stale, data=hostile_files.png(), filename="late.png"
        )
    assert not Evidence.objects.exists()
    assert evidence_files(private_store) == []


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_uploads_at_once_never_go_past_the_limit(settings, private_store, monkeypatch):
    settings.HARMSPORTAL_EVIDENCE_MAX_FILES = 1
    officer = make_person()
    draft = DraftReportFactory(reporter=officer)
    real_check_count = evidence_pipeline.check_count

    def slow_check_count(existing: int, adding: int = 1) -> None:
        # Widen the gap between counting and keeping, where an unlocked count lets both in.
        time.sleep(0.5)
        real_check_count(existing, adding)

    monkeypatch.setattr(evidence_pipeline, "check_count", slow_check_count)
    workers = 2
    barrier = threading.Barrier(workers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def upload(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            report_evidence_add(
                actor=officer, report=draft, data=hostile_files.png(), filename=f"{n}.png"
            )
            outcome = "kept"
        except EvidenceRejected:
            outcome = "refused"
        except BaseException as error:  # reported below, in the test's own thread
            outcome = repr(error)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["kept", "refused"]
    assert Evidence.objects.filter(report=draft).count() == 1
    assert len(evidence_files(private_store)) == 2  # the kept file and its viewing copy
