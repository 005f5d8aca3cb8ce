"""Disk full or a storage error while evidence is saved.

The disk is made "full" for real: the evidence store's temporary file is created as usual,
then its descriptor is pointed at /dev/full, so the kernel itself answers the write with
ENOSPC, exactly as a full volume would, mid-file. The reporter gets a GOV.UK error on the file
field, the draft keeps every other answer (and the link sent in the same form), and nothing
of the failed file is left: no row, no ciphertext, no temporary file.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest
from django.conf import settings as settings_module
from django.core.files import uploadedfile
from django.core.files.uploadedfile import SimpleUploadedFile

from harmsportal.notifications.models import Notification
from reports.evidence import storage
from reports.models import Evidence
from tests.reports.factories import DESCRIPTION, DraftReportFactory, image_upload
from tests.triage.factories import ClaimedCaseFactory
from triage.models import CaseEvent

pytestmark = pytest.mark.skipif(
    not os.path.exists("/dev/full"), reason="needs Linux's /dev/full to fill the disk for real"
)

NOT_STORED = "The selected file could not be uploaded — try again."
LINK = "https://example.com/posts/42"


@pytest.fixture(autouse=True)
def private_store(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


def every_file(root: Path) -> list[Path]:
    """Every file under the evidence store, temporary ones included."""
    return sorted(Path(folder) / name for folder, _, names in os.walk(root) for name in names)


class FullDisk:
    """Answer writes of the evidence store's temporary files with the kernel's ENOSPC.

    `after` files are written normally first (so the failure can fall on the second file
    of an image: its original, after the viewing copy was stored).
    """

    def __init__(self, root: Path, *, after: int = 0) -> None:
        self.root = root.resolve()
        self.after = after
        self.failed = 0
        self._open = os.open

    def open(self, path, flags, mode=0o777, *args, **kwargs):
        fd = self._open(path, flags, mode, *args, **kwargs)
        target = Path(os.fsdecode(path))
        if not (target.name.endswith(".tmp") and target.is_relative_to(self.root)):
            return fd
        if self.after:
            self.after -= 1
            return fd
        full = self._open("/dev/full", os.O_WRONLY)
        os.dup2(full, fd)  # the file exists on disk; its writes now meet a full device
        os.close(full)
        self.failed += 1
        return fd


@pytest.fixture
def full_disk(monkeypatch, private_store):
    def install(*, after: int = 0) -> FullDisk:
        disk = FullDisk(private_store, after=after)
        monkeypatch.setattr(storage.os, "open", disk.open)
        return disk

    return install


def _evidence_url(report) -> str:
    return f"/reports/{report.public_id}/step/evidence/"


def test_the_full_device_really_refuses_writes():
    # The premise of every test here: /dev/full answers a write with ENOSPC from the kernel.
    fd = os.open("/dev/full", os.O_WRONLY)
    try:
        with pytest.raises(OSError, match="No space left") as raised:
            os.write(fd, b"x")
    finally:
        os.close(fd)
    assert raised.value.errno == errno.ENOSPC


def test_a_full_disk_gives_a_clear_error_and_keeps_the_drafts_other_answers(
    client, officer, private_store, full_disk
):
    client.force_login(officer)
    draft = DraftReportFactory(reporter=officer)
    first = client.post(
        _evidence_url(draft), {"file": image_upload("kept.jpg"), "action": "upload"}
    )
    assert first.status_code == 302
    kept_files = every_file(private_store / "evidence")
    assert len(kept_files) == 2  # the original and its viewing copy

    disk = full_disk()
    response = client.post(
        _evidence_url(draft),
        {"file": image_upload("threat.jpg"), "link_url": LINK, "action": "continue"},
    )

    assert disk.failed == 1
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page  # the GOV.UK error summary
    assert NOT_STORED in page
    assert 'class="govuk-error-message"' in page
    assert "kept.jpg" in page  # the file already added is still listed
    # Nothing of the failed file: no row, no ciphertext, no temporary file.
    assert list(
        draft.evidence.filter(kind=Evidence.Kind.IMAGE).values_list("original_filename", flat=True)
    ) == ["kept.jpg"]
    assert every_file(private_store / "evidence") == kept_files
    # The rest of the same form, and the draft's earlier answers, are kept.
    assert draft.evidence.filter(kind=Evidence.Kind.LINK, link_url=LINK).exists()
    draft.refresh_from_db()
    assert draft.is_draft
    assert draft.description == DESCRIPTION
    assert list(draft.categories.values_list("slug", flat=True)) == ["doxxing"]


def test_the_same_file_uploads_once_the_disk_has_room_again(
    client, officer, private_store, full_disk, monkeypatch
):
    client.force_login(officer)
    draft = DraftReportFactory(reporter=officer)
    full_disk()
    refused = client.post(_evidence_url(draft), {"file": image_upload(), "action": "upload"})
    assert NOT_STORED in refused.content.decode()
    monkeypatch.undo()  # room again (the store fixture's settings stay: pytest-django's own)

    again = client.post(_evidence_url(draft), {"file": image_upload(), "action": "upload"})
    assert again.status_code == 302
    assert draft.evidence.count() == 1
    assert len(every_file(private_store / "evidence")) == 2  # the original and its viewing copy


def test_a_full_disk_on_the_second_file_removes_the_first(
    client, officer, private_store, full_disk
):
    # An image stores its viewing copy, then its original: the disk fills between the two.
    client.force_login(officer)
    draft = DraftReportFactory(reporter=officer)
    disk = full_disk(after=1)
    response = client.post(_evidence_url(draft), {"file": image_upload(), "action": "upload"})
    assert disk.failed == 1
    assert NOT_STORED in response.content.decode()
    assert not draft.evidence.exists()
    assert every_file(private_store / "evidence") == []


def test_a_storage_error_is_logged_without_the_file_name(client, officer, full_disk, caplog):
    client.force_login(officer)
    draft = DraftReportFactory(reporter=officer)
    full_disk()
    with caplog.at_level("DEBUG"):
        client.post(
            _evidence_url(draft), {"file": image_upload("my-street.jpg"), "action": "upload"}
        )
    stored = [r for r in caplog.records if "could not be stored" in r.getMessage()]
    assert [r.levelname for r in stored] == ["ERROR"]
    assert "ENOSPC" in stored[0].getMessage()
    assert "my-street" not in caplog.text


def test_a_full_disk_after_sending_tells_nobody_and_keeps_nothing(
    client, officer, triager, private_store, full_disk
):
    case = ClaimedCaseFactory(reporter=officer, assignee=triager)
    report = case.report
    client.force_login(officer)
    full_disk()
    response = client.post(
        f"/reports/{report.public_id}/add/", {"file": image_upload(), "action": "upload"}
    )
    assert response.status_code == 200
    assert NOT_STORED in response.content.decode()
    assert not report.evidence.exists()
    assert every_file(private_store / "evidence") == []
    # Triage was told in the same transaction, so it was rolled back with the file.
    assert not Notification.objects.filter(user=triager, title__contains="added evidence").exists()
    assert not case.events.filter(kind=CaseEvent.Kind.EVIDENCE_ADDED).exists()


# ---------------------------------------------------------------------------
# The request's own spool: uploads over FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file
# before any view runs, so a full disk there used to fail the whole request with a 500.
# ---------------------------------------------------------------------------

CHAT_LOG = b"He said he knows where I live and what time I finish.\n"


def large_upload() -> SimpleUploadedFile:
    size = settings_module.FILE_UPLOAD_MAX_MEMORY_SIZE + 1024 * 1024  # so Django spools it
    return SimpleUploadedFile(
        "chat-log.txt", CHAT_LOG * (size // len(CHAT_LOG) + 1), content_type="text/plain"
    )


@pytest.fixture
def spool(settings, tmp_path) -> Path:
    folder = tmp_path / "spool"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


def _post_large(client, draft):
    return client.post(
        _evidence_url(draft), {"file": large_upload(), "link_url": LINK, "action": "upload"}
    )


def test_a_full_spool_disk_gives_the_same_clear_error_and_leaves_no_temporary_file(
    client, officer, private_store, spool, monkeypatch
):
    real = tempfile.NamedTemporaryFile
    filled = []

    def on_a_full_disk(*args, **kwargs):
        spooled = real(*args, **kwargs)  # the temporary file exists on disk...
        full = os.open("/dev/full", os.O_WRONLY)
        os.dup2(full, spooled.fileno())  # ...and its writes meet a full device
        os.close(full)
        filled.append(spooled.name)
        return spooled

    monkeypatch.setattr(uploadedfile.tempfile, "NamedTemporaryFile", on_a_full_disk)
    client.force_login(officer)
    draft = DraftReportFactory(reporter=officer)
    response = _post_large(client, draft)

    assert len(filled) == 1
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert NOT_STORED in page
    assert list(spool.iterdir()) == []  # the half-written spool file was removed
    assert not draft.evidence.exclude(kind=Evidence.Kind.LINK).exists()
    assert every_file(private_store) == []
    assert draft.evidence.filter(kind=Evidence.Kind.LINK, link_url=LINK).exists()


def test_a_missing_spool_folder_gives_the_same_clear_error(
    client, officer, private_store, settings, tmp_path
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "unmounted")
    client.force_login(officer)
    draft = DraftReportFactory(reporter=officer)
    response = _post_large(client, draft)
    assert response.status_code == 200
    assert NOT_STORED in response.content.decode()
    assert not draft.evidence.exclude(kind=Evidence.Kind.LINK).exists()
    assert draft.evidence.filter(kind=Evidence.Kind.LINK, link_url=LINK).exists()


def test_a_large_upload_still_spools_and_is_kept_when_the_disk_has_room(
    client, officer, private_store, spool
):
    client.force_login(officer)
    draft = DraftReportFactory(reporter=officer)
    response = _post_large(client, draft)
    assert response.status_code == 302
    kept = draft.evidence.get(kind=Evidence.Kind.TEXT)
    assert kept.original_filename == "chat-log.txt"
    assert kept.size > settings_module.FILE_UPLOAD_MAX_MEMORY_SIZE
