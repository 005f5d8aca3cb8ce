"""Back up, and restore, the portal's database and its encrypted evidence store.

    python bin/backup.py backup  DIR   # `make backup BACKUP_DIR=DIR`
    python bin/backup.py restore DIR   # `make restore BACKUP_DIR=DIR`

Both read the same settings as the portal (DATABASE_URL, HARMSPORTAL_PRIVATE_STORAGE and the
rest of the environment): `backup` copies from them, `restore` writes into them. A backup is a
folder (0700) holding:

- `database.dump`: `pg_dump --format=custom` (or `database.sqlite3`, SQLite's online backup);
- `evidence.tar`: the evidence store exactly as it is on disk, Fernet ciphertext only. The
  keys (HARMSPORTAL_EVIDENCE_KEYS, HARMSPORTAL_MFA_KEYS) are never in it: keep them in the
  secrets store, for as long as any backup that needs them;
- `manifest.json`: when, which engine, and a SHA-256 of each part.

The database is dumped first and the files copied after, so every evidence row in the dump has
its file in the archive (files are written before their row commits).

`restore` checks the manifest's hashes first, then refuses any target that is not empty: a
PostgreSQL database is created if it does not exist and must have no tables; an SQLite file and
the evidence folder must not exist or be empty. Nothing is ever overwritten. Exit status 0 on
success, 1 with a one-line reason on stderr otherwise.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = "manifest.json"
EVIDENCE = "evidence.tar"
POSTGRES_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"


class Refused(Exception):  # noqa: N818 - a reason to stop, shown as it is
    pass


def say(message: str) -> None:
    sys.stderr.write(message + "\n")


def _settings():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harmsportal.settings")
    from django.conf import settings

    return settings.DATABASES["default"], Path(settings.MEDIA_ROOT)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_postgres(database: dict) -> bool:
    return "postgresql" in database["ENGINE"]


def _pg_environment(database: dict) -> dict[str, str]:
    # Through libpq's variables, so the password never appears in a process list.
    env = {**os.environ, "PGDATABASE": database["NAME"]}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if database.get(key):
            env[variable] = str(database[key])
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    return env


def _run(argv: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise Refused(f"{argv[0]} failed: {result.stderr.strip()[-2000:]}")


def backup(folder: Path) -> Path:
    database, media_root = _settings()
    if folder.exists() and any(folder.iterdir()):
        raise Refused(f"{folder} is not empty: back up into a new folder")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    if _is_postgres(database):
        dump = folder / POSTGRES_DUMP
        _run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}"],
            _pg_environment(database),
        )
    else:
        dump = folder / SQLITE_COPY
        with sqlite3.connect(database["NAME"]) as source, sqlite3.connect(dump) as target:
            source.backup(target)  # consistent even while the portal writes
    os.chmod(dump, 0o600)
    archive = folder / EVIDENCE
    with tarfile.open(archive, "w") as tar:
        if media_root.exists():
            for path in sorted(media_root.rglob("*")):
                # Half-written temporary files are never part of the store.
                if path.is_file() and not path.name.startswith("."):
                    tar.add(path, arcname=path.relative_to(media_root).as_posix())
    os.chmod(archive, 0o600)
    manifest = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "engine": "postgresql" if _is_postgres(database) else "sqlite",
        "files": {part.name: _sha256(part) for part in (dump, archive)},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    os.chmod(folder / MANIFEST, 0o600)
    say(f"Backed up the database and {_count(archive)} evidence files to {folder}")
    return folder


def _count(archive: Path) -> int:
    with tarfile.open(archive) as tar:
        return sum(1 for member in tar if member.isfile())


def _verified(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise Refused(f"{folder} holds no {MANIFEST}: not a backup") from None
    for name, expected in manifest["files"].items():
        part = folder / name
        if not part.is_file() or _sha256(part) != expected:
            raise Refused(f"{name} is missing or does not match the manifest: not restoring")
    return manifest


def _create_empty_postgres(database: dict) -> None:
    import psycopg
    from psycopg import sql

    params = {
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]]
        ).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database["NAME"])))
    with psycopg.connect(dbname=database["NAME"], **params) as target:
        tables = target.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', "
            "'information_schema')"
        ).fetchone()[0]
    if tables:
        raise Refused(f"database {database['NAME']} is not empty: restore into a new one")


def restore(folder: Path) -> None:
    manifest = _verified(folder)
    database, media_root = _settings()
    engine = "postgresql" if _is_postgres(database) else "sqlite"
    if manifest["engine"] != engine:
        raise Refused(f"this is a {manifest['engine']} backup; DATABASE_URL is {engine}")
    if media_root.exists() and any(media_root.iterdir()):
        raise Refused(f"{media_root} is not empty: restore evidence into a new folder")
    if engine == "postgresql":
        _create_empty_postgres(database)
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={database['NAME']}",
                str(folder / POSTGRES_DUMP),
            ],
            _pg_environment(database),
        )
    else:
        target = Path(database["NAME"])
        if target.exists() and target.stat().st_size:
            raise Refused(f"{target} already exists: restore into a new file")
        with sqlite3.connect(folder / SQLITE_COPY) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
    media_root.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(media_root, 0o700)
    with tarfile.open(folder / EVIDENCE) as tar:
        # The "data" filter refuses absolute paths, `..`, links out and device files.
        tar.extractall(media_root, filter="data")
    for path in media_root.rglob("*"):
        os.chmod(path, 0o700 if path.is_dir() else 0o600)
    say(f"Restored the database and {_count(folder / EVIDENCE)} evidence files from {folder}")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in {"backup", "restore"} or not argv[1]:
        say("usage: python bin/backup.py backup|restore DIR (make backup|restore BACKUP_DIR=DIR)")
        return 2
    action, folder = argv[0], Path(argv[1])
    try:
        if action == "backup":
            backup(folder)
        else:
            restore(folder)
    except Refused as reason:
        say(f"{action}: {reason}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
