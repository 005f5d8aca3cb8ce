"""The backup and restore drill: `make backup` / `make restore` (bin/backup.py, which the
targets run) take a pg_dump and the encrypted evidence store, and restore them into a fresh
database and folder. A gunicorn of the portal on the restored copy serves the same reports,
and their evidence still decrypts with the same keys, byte for byte.

The SQLite path (`database.sqlite3`, SQLite's online backup) and the refusals (a tampered
backup, a target that is not empty) are checked on a small file database, on any backend.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from bench._procs import database_url
from reports.models import Report
from reports.services.evidence import report_evidence_add
from reports.services.sending import report_submit
from tests.reports import hostile_files
from tests.reports.factories import DESCRIPTION, DraftReportFactory
from tests.resilience._data import admin_connection, portal

ROOT = Path(__file__).resolve().parents[2]
needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason=(
        "the whole drill (pg_dump, a fresh database, a portal on it) needs PostgreSQL, as CI "
        "runs it; the SQLite path and the refusals are tested below on any backend"
    ),
)
TEXT_EVIDENCE = b"He wrote: I know where you park every night. Screenshot to follow.\n"


def run(action: str, folder: Path | str, *, database: str, media_root: Path):
    """bin/backup.py as `make backup`/`make restore` run it, against the given targets."""
    env = {**os.environ, "DATABASE_URL": database, "HARMSPORTAL_PRIVATE_STORAGE": str(media_root)}
    return subprocess.run(
        [sys.executable, "bin/backup.py", action, str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def rotate_keys(settings, keys: str, *, media_root: Path) -> str:
    """`manage.py rotate_evidence_keys` on a restored store with the given key ring: its
    report, or its error (CommandError) when some file opens with none of the keys."""
    settings.MEDIA_ROOT = media_root
    settings.HARMSPORTAL_EVIDENCE_KEYS = keys.split(",")
    out = io.StringIO()
    try:
        call_command("rotate_evidence_keys", stdout=out)
    except CommandError as error:
        return f"error: {error}"
    return out.getvalue()


def test_the_make_targets_run_the_script_the_drill_tests():
    for target, action in (("backup", "backup"), ("restore", "restore")):
        plan = subprocess.run(
            ["make", "-n", target, "BACKUP_DIR=/tmp/drill"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert f'bin/backup.py {action} "/tmp/drill"' in plan


def test_restore_insists_on_a_named_backup(tmp_path):
    # `make restore` without BACKUP_DIR passes an empty name: refused before anything is read.
    result = run("restore", "", database=f"sqlite:///{tmp_path}/x.sqlite3", media_root=tmp_path)
    assert result.returncode == 2
    assert "usage" in result.stderr
    assert not (tmp_path / "x.sqlite3").exists()


# ---------------------------------------------------------------------------
# PostgreSQL: the whole drill, through the portal
# ---------------------------------------------------------------------------


def _table_counts(dbname: str) -> dict[str, int]:
    with admin_connection(dbname) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {
            table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables
        }


@pytest.fixture
def restored_name():
    name = connection.settings_dict["NAME"] + "_restored"
    with admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    yield name
    with admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@needs_postgres
@pytest.mark.skipif(
    not (shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="needs the PostgreSQL client programs pg_dump and pg_restore (CI has them)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_restored_backup_serves_the_same_reports_and_evidence_still_decrypts(
    officer, settings, tmp_path, restored_name
):
    live_store = tmp_path / "private"
    settings.MEDIA_ROOT = live_store
    photo = hostile_files.jpeg(gps=True)
    sent = []
    for filename, data in (("threat.jpg", photo), ("messages.txt", TEXT_EVIDENCE)):
        draft = DraftReportFactory(reporter=officer)
        report_evidence_add(actor=officer, report=draft, data=data, filename=filename)
        sent.append(report_submit(actor=officer, report=draft))
    from django.test import Client

    signed_in = Client()
    signed_in.force_login(officer)  # the session row travels in the dump too
    cookie = signed_in.cookies["sessionid"].value

    backup = tmp_path / "backup"
    made = run("backup", backup, database=database_url(), media_root=live_store)
    assert made.returncode == 0, made.stderr
    manifest = json.loads((backup / "manifest.json").read_text())
    assert set(manifest["files"]) == {"database.dump", "evidence.tar"}
    for part in ("database.dump", "evidence.tar", "manifest.json"):
        assert oct((backup / part).stat().st_mode & 0o777) == "0o600", part
    assert oct(backup.stat().st_mode & 0o777) == "0o700"
    archive = (backup / "evidence.tar").read_bytes()
    with tarfile.open(backup / "evidence.tar") as tar:
        assert len([m for m in tar if m.isfile()]) == 3  # the photo, its viewing copy, the text
    # The archive holds ciphertext only: neither file's bytes, nor the keys, are in it.
    assert photo[:64] not in archive
    assert TEXT_EVIDENCE[:32] not in archive
    assert os.environ["HARMSPORTAL_EVIDENCE_KEYS"].encode() not in archive

    restored_store = tmp_path / "restored-private"
    restored_db = database_url(name=restored_name)
    done = run("restore", backup, database=restored_db, media_root=restored_store)
    assert done.returncode == 0, done.stderr
    assert _table_counts(restored_name) == _table_counts(connection.settings_dict["NAME"])

    with portal(database=restored_db, media_root=restored_store) as restored:
        import requests

        browser = requests.Session()
        browser.cookies.set("sessionid", cookie)
        listing = browser.get(restored.url + "/reports/", timeout=60)
        assert listing.status_code == 200
        for report in sent:
            assert report.reference in listing.text
            page = browser.get(f"{restored.url}/reports/{report.public_id}/", timeout=60)
            assert page.status_code == 200
            assert DESCRIPTION.split(",")[0] in page.text
        for report, original in zip(sent, (photo, TEXT_EVIDENCE), strict=True):
            evidence = Report.objects.get(pk=report.pk).evidence.get()
            download = browser.get(
                f"{restored.url}/reports/{report.public_id}/evidence/{evidence.public_id}/",
                params={"copy": "original"},
                timeout=60,
            )
            assert download.status_code == 200
            assert download.content == original
            assert hashlib.sha256(download.content).hexdigest() == evidence.sha256

    # The check docs/operations.md asks for after a restore, and a key rotation on the copy:
    # without the backup's key nothing opens; with it behind a new key every file is moved
    # to the new key, after which the old key is no longer needed.
    old_key = os.environ["HARMSPORTAL_EVIDENCE_KEYS"]
    new_key = Fernet.generate_key().decode()
    rotate = functools.partial(rotate_keys, settings, media_root=restored_store)
    assert rotate(new_key).startswith(
        "error: 3 file(s) could not be decrypted with any configured key"
    )
    assert rotate(f"{new_key},{old_key}").startswith(
        "Re-encrypted 3 file(s); 0 already used the current key."
    )
    assert rotate(new_key).startswith("Re-encrypted 0 file(s); 3 already used the current key.")

    # A second restore onto the same targets is refused; nothing is overwritten.
    again = run("restore", backup, database=restored_db, media_root=tmp_path / "third")
    assert again.returncode == 1
    assert "is not empty" in again.stderr


# ---------------------------------------------------------------------------
# SQLite, and the refusals
# ---------------------------------------------------------------------------


@pytest.fixture
def small_portal(tmp_path) -> tuple[str, Path]:
    """A file database and an evidence store holding one (pretend) ciphertext."""
    path = tmp_path / "live.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE reports_report (reference TEXT)")
        db.execute("INSERT INTO reports_report VALUES ('OH-WYP-2026-000001')")
    store = tmp_path / "private"
    (store / "evidence" / "ab" / "cd").mkdir(parents=True)
    (store / "evidence" / "ab" / "cd" / "abcd.bin").write_bytes(b"gAAAAAB-ciphertext")
    (store / "evidence" / "ab" / "cd" / ".abcd.bin.0f.tmp").write_bytes(b"half written")
    return f"sqlite:///{path}", store


def test_a_sqlite_backup_restores_into_a_new_file_and_folder(small_portal, tmp_path):
    database, store = small_portal
    made = run("backup", tmp_path / "backup", database=database, media_root=store)
    assert made.returncode == 0, made.stderr
    for part in ("database.sqlite3", "evidence.tar", "manifest.json"):
        assert oct((tmp_path / "backup" / part).stat().st_mode & 0o777) == "0o600", part

    target = tmp_path / "restored.sqlite3"
    restored_store = tmp_path / "restored-private"
    done = run(
        "restore", tmp_path / "backup", database=f"sqlite:///{target}", media_root=restored_store
    )
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(target) as db:
        assert db.execute("SELECT reference FROM reports_report").fetchall() == [
            ("OH-WYP-2026-000001",)
        ]
    restored_files = sorted(p.relative_to(restored_store) for p in restored_store.rglob("*.bin*"))
    assert restored_files == [Path("evidence/ab/cd/abcd.bin")]  # not the temporary file
    kept = restored_store / "evidence" / "ab" / "cd" / "abcd.bin"
    assert kept.read_bytes() == b"gAAAAAB-ciphertext"
    assert oct(kept.stat().st_mode & 0o777) == "0o600"
    assert oct((restored_store / "evidence").stat().st_mode & 0o777) == "0o700"


def test_a_tampered_backup_is_not_restored(small_portal, tmp_path):
    database, store = small_portal
    assert run("backup", tmp_path / "backup", database=database, media_root=store).returncode == 0
    with (tmp_path / "backup" / "evidence.tar").open("r+b") as archive:
        archive.seek(600)
        archive.write(b"X")
    target = tmp_path / "restored.sqlite3"
    done = run(
        "restore", tmp_path / "backup", database=f"sqlite:///{target}", media_root=tmp_path / "r"
    )
    assert done.returncode == 1
    assert "evidence.tar is missing or does not match the manifest" in done.stderr
    assert not target.exists()
    assert not (tmp_path / "r").exists()


def test_restore_never_overwrites_a_database_or_store_in_use(small_portal, tmp_path):
    database, store = small_portal
    assert run("backup", tmp_path / "backup", database=database, media_root=store).returncode == 0
    onto_live_db = run("restore", tmp_path / "backup", database=database, media_root=tmp_path / "n")
    assert onto_live_db.returncode == 1
    assert "already exists" in onto_live_db.stderr
    onto_live_store = run(
        "restore",
        tmp_path / "backup",
        database=f"sqlite:///{tmp_path}/new.sqlite3",
        media_root=store,
    )
    assert onto_live_store.returncode == 1
    assert "is not empty" in onto_live_store.stderr
    with sqlite3.connect(tmp_path / "live.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM reports_report").fetchone() == (1,)


def test_a_backup_never_writes_into_a_folder_that_holds_something(small_portal, tmp_path):
    database, store = small_portal
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "old.dump").write_bytes(b"yesterday")
    made = run("backup", tmp_path / "backup", database=database, media_root=store)
    assert made.returncode == 1
    assert "is not empty" in made.stderr
    assert (tmp_path / "backup" / "old.dump").read_bytes() == b"yesterday"
