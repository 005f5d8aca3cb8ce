"""The evidence sweep: stored files no evidence row points at, older than the grace period, are
deleted; everything else is left alone (privacy/services/orphans.py).

File ages are set with os.utime: the sweep reads a file's modification time, not the clock of
whoever wrote it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from privacy.models import ErasureRecord
from privacy.services import orphans
from privacy.services.orphans import orphans_sweep
from privacy.services.retention import case_erase
from privacy.tasks import retention_run_task
from reports.evidence import storage
from reports.evidence.storage import store_encrypted
from reports.models import Evidence, Report
from reports.services.drafting import report_draft_delete
from reports.services.evidence import (
    report_evidence_add,
    report_evidence_add_after_send,
    report_evidence_remove,
)
from tests.reports import hostile_files
from tests.reports.factories import DraftReportFactory
from tests.triage.factories import OutcomeGivenCaseFactory, reporter_in
from triage.models import Case
from triage.services.working import case_close

pytestmark = pytest.mark.django_db

GRACE_MINUTES = 60
TWO_HOURS_AGO = -2 * 3600


@pytest.fixture(autouse=True)
def store(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.HARMSPORTAL_EVIDENCE_ORPHAN_GRACE_MINUTES = GRACE_MINUTES
    settings.HARMSPORTAL_RETENTION_CASE_DAYS = 400
    settings.HARMSPORTAL_RETENTION_NOTICE_DAYS = 30
    return settings.MEDIA_ROOT


def evidence_files(root: Path) -> set[str]:
    folder = root / "evidence"
    return {
        (Path(d) / name).relative_to(root).as_posix()
        for d, _, names in os.walk(folder)
        for name in names
    }


def age(root: Path, path: str, seconds: float) -> None:
    """Set the file's modification time `seconds` from now (negative: in the past)."""
    moment = time.time() + seconds
    os.utime(root / path, (moment, moment), follow_symlinks=False)


def orphan(root: Path, *, seconds: float = TWO_HOURS_AGO) -> str:
    """A stored file with no row, as an upload whose row never committed leaves one."""
    path = store_encrypted(b"ciphertext of something nobody kept")
    age(root, path, seconds)
    return path


def draft_with_photo(reporter=None) -> tuple[Report, Evidence]:
    draft = DraftReportFactory(reporter=reporter or reporter_in())
    photo = report_evidence_add(
        actor=draft.reporter, report=draft, data=hostile_files.jpeg(gps=True), filename="a.jpg"
    )
    return draft, photo


def test_a_file_with_no_row_older_than_the_grace_period_is_deleted(store):
    path = orphan(store)

    done = orphans_sweep()

    assert path not in evidence_files(store)
    assert (done.orphans_deleted, done.orphans_recent, done.errors) == (1, 0, 0)


def test_a_file_with_no_row_younger_than_the_grace_period_is_kept(store):
    # An upload writes its file before its row commits: this may be one being kept right now.
    just_written = orphan(store, seconds=-(GRACE_MINUTES - 5) * 60)

    done = orphans_sweep()

    assert just_written in evidence_files(store)
    assert (done.orphans_deleted, done.orphans_recent) == (0, 1)


def test_files_with_a_row_are_kept_however_old(store):
    _, photo = draft_with_photo()
    kept = {photo.stored_path, photo.viewing_path}
    for path in kept:
        age(store, path, -10 * 365 * 86400)
    stray = orphan(store)

    done = orphans_sweep(now=timezone.now() + timedelta(days=3650))

    assert evidence_files(store) == kept
    assert stray not in evidence_files(store)
    assert (done.stored_files, done.orphans_deleted) == (3, 1)


def test_a_crash_after_the_erasure_commits_leaves_the_files_and_the_next_sweep_deletes_them(
    store, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        case = OutcomeGivenCaseFactory(reporter=reporter_in())
        report_evidence_add_after_send(
            actor=case.report.reporter,
            report=case.report,
            data=hostile_files.jpeg(gps=True),
            filename="threat.jpg",
        )
        case_close(actor=case.assignee, case=Case.objects.get(pk=case.pk))
    files = evidence_files(store)
    assert len(files) == 2
    Case.objects.filter(pk=case.pk).update(
        closed_at=timezone.now() - timedelta(days=401),
        retention_reminded_at=timezone.now() - timedelta(days=31),
    )

    def disk_gone(path):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(storage, "delete_stored", disk_gone)
    with django_capture_on_commit_callbacks(execute=True):
        assert case_erase(case_id=case.pk) is not None
    monkeypatch.undo()

    assert not Evidence.objects.exists()
    assert evidence_files(store) == files  # the crash window: ciphertext with no row
    done = orphans_sweep(now=timezone.now() + timedelta(minutes=GRACE_MINUTES + 1))
    assert done.orphans_deleted == 2
    assert evidence_files(store) == set()
    assert ErasureRecord.objects.get().counts["evidence_files"] == 2


def test_a_process_killed_before_the_after_commit_step_leaves_files_the_sweep_deletes(
    store, django_capture_on_commit_callbacks
):
    """The draft is deleted and committed, but the process dies before its after-commit
    callbacks run (they are captured here and never executed)."""
    draft, _ = draft_with_photo()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report_draft_delete(actor=draft.reporter, report=draft)
    assert callbacks
    assert len(evidence_files(store)) == 2

    done = orphans_sweep(now=timezone.now() + timedelta(minutes=GRACE_MINUTES + 1))

    assert (done.orphans_deleted, evidence_files(store)) == (2, set())


def test_a_file_removed_from_a_draft_without_its_delete_is_swept_and_the_others_stay(
    store, django_capture_on_commit_callbacks
):
    draft, photo = draft_with_photo()
    other = report_evidence_add(
        actor=draft.reporter, report=draft, data=hostile_files.clean_pdf(), filename="b.pdf"
    )
    with django_capture_on_commit_callbacks(execute=False):
        report_evidence_remove(actor=draft.reporter, report=draft, evidence=photo)

    orphans_sweep(now=timezone.now() + timedelta(minutes=GRACE_MINUTES + 1))

    assert evidence_files(store) == {other.stored_path}


def test_a_sweep_twice_deletes_each_file_once(store):
    paths = {orphan(store) for _ in range(3)}

    first = orphans_sweep()
    second = orphans_sweep()

    assert (first.orphans_deleted, second.orphans_deleted) == (3, 0)
    assert not paths & evidence_files(store)


def test_a_file_already_gone_when_the_sweep_reaches_it_is_not_an_error(store, monkeypatch):
    path = orphan(store)
    find = orphans.orphans_find

    def deleted_meanwhile(**named):
        found = find(**named)
        (store / path).unlink()  # the erasure's own after-commit step, a moment late
        return found

    monkeypatch.setattr(orphans, "orphans_find", deleted_meanwhile)
    done = orphans_sweep()

    assert (done.orphans_deleted, done.errors) == (0, 0)


def test_an_abandoned_half_written_temporary_is_deleted_and_a_fresh_one_kept(store):
    path = orphan(store)
    folder = (store / path).parent
    abandoned = folder / f".{'a' * 32}.bin.{'b' * 32}.tmp"
    writing = folder / f".{'c' * 32}.bin.{'d' * 32}.tmp"
    abandoned.write_bytes(b"half a token")
    writing.write_bytes(b"half a token")
    age(store, abandoned.relative_to(store).as_posix(), TWO_HOURS_AGO)
    stranger = folder / "notes.txt"  # not the store's: never listed, never deleted
    stranger.write_text("someone else's")
    age(store, "evidence/" + stranger.relative_to(store / "evidence").as_posix(), TWO_HOURS_AGO)

    done = orphans_sweep()

    assert done.temporaries_deleted == 1
    assert not abandoned.exists()
    assert writing.exists()
    assert stranger.exists()


def test_a_link_in_the_store_is_never_followed_to_the_file_it_names(store):
    _, photo = draft_with_photo()
    live = store / photo.stored_path
    link = live.parent / f"{'e' * 32}.bin"
    link.symlink_to(live)
    # Both old: a sweep that followed the link would take the live file's age and delete it.
    age(store, photo.stored_path, TWO_HOURS_AGO)
    age(store, link.relative_to(store).as_posix(), TWO_HOURS_AGO)

    orphans_sweep()

    assert live.exists()


def test_the_sweep_refuses_when_most_of_the_store_has_no_rows(store, monkeypatch, caplog):
    """A database and a store that do not belong together (a restore half done, a wrong
    DATABASE_URL) look like a store of orphans: nothing is deleted without --force."""
    monkeypatch.setattr(orphans, "REFUSE_AT", 3)
    draft_with_photo()
    paths = {orphan(store) for _ in range(4)}

    with caplog.at_level(logging.ERROR, logger="privacy.services.orphans"):
        refused = orphans_sweep()

    assert refused.refused
    assert refused.orphans_deleted == 0
    assert paths <= evidence_files(store)
    assert "4 of 6 stored files have no evidence row" in caplog.text
    forced = orphans_sweep(force=True)
    assert forced.orphans_deleted == 4
    assert not paths & evidence_files(store)


def test_the_log_holds_counts_and_never_a_file_name(store, caplog):
    path = orphan(store)

    with caplog.at_level(logging.INFO, logger="privacy.services.orphans"):
        orphans_sweep()

    assert "1 orphans deleted" in caplog.text
    assert Path(path).stem not in caplog.text


def test_a_dry_run_counts_and_deletes_nothing(store, capsys):
    path = orphan(store)

    call_command("evidence_sweep", "--dry-run")

    assert "1 with no row would be deleted" in capsys.readouterr().out
    assert path in evidence_files(store)
    call_command("evidence_sweep")
    assert path not in evidence_files(store)


def test_the_nightly_task_and_the_retention_command_sweep(store, capsys):
    first, second = orphan(store), orphan(store)

    call_command("retention_run", "--dry-run")
    assert "orphan_files_due: 2" in capsys.readouterr().out
    assert {first, second} <= evidence_files(store)

    done = retention_run_task.delay().get()
    assert done["orphan_files_deleted"] == 2
    assert done["errors"] == 0
    assert evidence_files(store) == set()
    orphan(store)
    call_command("retention_run")
    assert "orphan_files_deleted: 1" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two sweeps at once need two connections that can overlap: tested on Postgres",
)
def test_two_sweeps_at_once_delete_each_file_once_and_keep_the_live_ones(store):
    _, photo = draft_with_photo()
    paths = {orphan(store) for _ in range(40)}
    start = threading.Barrier(2)
    results: list = []

    def sweep():
        try:
            start.wait()
            results.append(orphans_sweep())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(result.orphans_deleted for result in results) == 40
    assert sum(result.errors for result in results) == 0
    assert evidence_files(store) == {photo.stored_path, photo.viewing_path}
    assert not paths & evidence_files(store)
