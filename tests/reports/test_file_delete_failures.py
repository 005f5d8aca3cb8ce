"""The disk refusing to delete an evidence file after the reporter's change has committed.

Deleting a draft and removing a file from one delete the encrypted files once the change
commits (`reports.evidence.storage.delete_stored_after_commit`). An OSError then (permission,
EIO) must not turn the committed change into a 500: the reporter gets the usual success page,
the row is gone, the failure is logged with the random stored path only, and the nightly
evidence sweep (privacy/services/orphans.py) deletes the file later.

These tests commit for real (transactional database), so the after-commit step runs inside
the request, as in production, and an error from it would reach the reporter.
"""

from __future__ import annotations

import errno
import logging
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from privacy.services.orphans import orphans_sweep
from reports.evidence import storage
from reports.models import Evidence, Report
from reports.services.evidence import report_evidence_add
from tests.reports import hostile_files
from tests.reports.factories import DraftReportFactory

# serialized_rollback: the flush after each test must not re-run post_migrate, or the next
# serialized test finds the content types already there (as in
# tests/notifications/test_concurrency.py).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CANARY = "Canary-3c9a: the man who waits outside my children's school"
FILENAME = "canary-outside-school.jpg"


@pytest.fixture(autouse=True)
def store(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.HARMSPORTAL_EVIDENCE_ORPHAN_GRACE_MINUTES = 60
    return settings.MEDIA_ROOT


def stored_files(root) -> set[str]:
    folder = Path(root) / "evidence"
    return {
        Path(directory, name).relative_to(root).as_posix()
        for directory, _, names in os.walk(folder)
        for name in names
    }


def permission_denied(path):
    raise PermissionError(errno.EACCES, "Permission denied")


def input_output_error(path):
    raise OSError(errno.EIO, "Input/output error")


FAILURES = [permission_denied, input_output_error]


def draft_with_photo(reporter) -> tuple[Report, Evidence]:
    draft = DraftReportFactory(reporter=reporter, description=CANARY)
    photo = report_evidence_add(
        actor=reporter, report=draft, data=hostile_files.jpeg(gps=True), filename=FILENAME
    )
    return draft, photo


def assert_logged_without_content(caplog, paths) -> None:
    failures = [r for r in caplog.records if r.name == "reports.evidence.storage"]
    assert len(failures) == len(paths)
    assert all(r.levelno == logging.ERROR for r in failures)
    assert {r.getMessage() for r in failures} == {
        f"Could not delete stored evidence file {path} after commit" for path in paths
    }
    assert CANARY not in caplog.text
    assert FILENAME not in caplog.text
    assert "canary" not in caplog.text.lower()


def sweep_later() -> int:
    return orphans_sweep(now=timezone.now() + timedelta(minutes=61)).orphans_deleted


@pytest.mark.parametrize("failure", FAILURES)
def test_deleting_a_draft_succeeds_when_its_files_cannot_be_deleted(
    client, officer, store, monkeypatch, caplog, failure
):
    draft, photo = draft_with_photo(officer)
    paths = {photo.stored_path, photo.viewing_path}
    assert stored_files(store) == paths
    monkeypatch.setattr(storage, "delete_stored", failure)
    client.force_login(officer)

    with caplog.at_level(logging.ERROR, logger="reports.evidence.storage"):
        response = client.post(f"/reports/{draft.public_id}/delete/", follow=True)

    assert response.redirect_chain == [("/reports/", 302)]
    assert response.status_code == 200
    assert "Your draft report has been deleted." in response.content.decode()
    assert not Report.objects.filter(pk=draft.pk).exists()
    assert not Evidence.objects.exists()
    assert_logged_without_content(caplog, paths)
    # The ciphertext stays, named by no row, until the sweep deletes it.
    assert stored_files(store) == paths
    monkeypatch.undo()
    assert sweep_later() == 2
    assert stored_files(store) == set()


@pytest.mark.parametrize("failure", FAILURES)
def test_removing_a_file_succeeds_when_it_cannot_be_deleted(
    client, officer, store, monkeypatch, caplog, failure
):
    draft, photo = draft_with_photo(officer)
    kept = report_evidence_add(
        actor=officer, report=draft, data=hostile_files.clean_pdf(), filename="kept.pdf"
    )
    paths = {photo.stored_path, photo.viewing_path}
    monkeypatch.setattr(storage, "delete_stored", failure)
    client.force_login(officer)

    with caplog.at_level(logging.ERROR, logger="reports.evidence.storage"):
        response = client.post(
            f"/reports/{draft.public_id}/evidence/{photo.public_id}/remove/", follow=True
        )

    evidence_step = f"/reports/{draft.public_id}/step/evidence/"
    assert response.redirect_chain == [(evidence_step, 302)]
    assert response.status_code == 200
    assert f"{FILENAME} has been removed." in response.content.decode()
    assert list(Evidence.objects.all()) == [kept]
    assert Report.objects.filter(pk=draft.pk).exists()
    assert_logged_without_content(caplog, paths)
    monkeypatch.undo()
    assert sweep_later() == 2
    assert stored_files(store) == {kept.stored_path}


def test_one_file_that_cannot_be_deleted_does_not_stop_the_others(
    client, officer, store, monkeypatch, caplog
):
    draft, photo = draft_with_photo(officer)
    real = storage.delete_stored

    def only_the_original_fails(path):
        if path == photo.stored_path:
            input_output_error(path)
        return real(path)

    monkeypatch.setattr(storage, "delete_stored", only_the_original_fails)
    client.force_login(officer)

    with caplog.at_level(logging.ERROR, logger="reports.evidence.storage"):
        response = client.post(f"/reports/{draft.public_id}/delete/")

    assert response.status_code == 302
    assert stored_files(store) == {photo.stored_path}
    assert_logged_without_content(caplog, {photo.stored_path})


def test_a_file_already_gone_from_the_disk_is_no_error(client, officer, store, caplog):
    draft, photo = draft_with_photo(officer)
    for path in (photo.stored_path, photo.viewing_path):
        (Path(store) / path).unlink()
    client.force_login(officer)

    with caplog.at_level(logging.ERROR, logger="reports.evidence.storage"):
        response = client.post(f"/reports/{draft.public_id}/delete/", follow=True)

    assert response.redirect_chain == [("/reports/", 302)]
    assert "Your draft report has been deleted." in response.content.decode()
    assert not Report.objects.filter(pk=draft.pk).exists()
    assert not [r for r in caplog.records if r.name == "reports.evidence.storage"]


def test_nothing_is_deleted_when_the_change_rolls_back(officer, store):
    _, photo = draft_with_photo(officer)

    def change_that_fails() -> None:
        with transaction.atomic():
            storage.delete_stored_after_commit([photo.stored_path, photo.viewing_path])
            raise RuntimeError("the change did not commit")

    with pytest.raises(RuntimeError):
        change_that_fails()

    assert stored_files(store) == {photo.stored_path, photo.viewing_path}
