"""The embedded SQLite default serves several requests at once without "database is locked".

A walker saving a training module while others were writing got a 500: a transaction that
reads and then writes cannot wait for SQLite's write lock (its busy timeout does not apply to
upgrading a read lock), so it failed at once. Settings open every transaction IMMEDIATE on
SQLite, which takes the write lock at BEGIN, where the busy timeout does apply. This test runs
two connections built from the real settings' OPTIONS against a scratch database file.
"""

from __future__ import annotations

import sqlite3
import threading
import time

from django.conf import settings
from django.db import transaction
from django.db.backends.sqlite3.base import DatabaseWrapper


def _wrapper(path, alias):
    """A connection to a scratch SQLite file with the options `make run` uses (the settings'
    SQLITE_OPTIONS), whichever database the suite itself runs on."""
    options = {**settings.SQLITE_OPTIONS, "timeout": 5}
    config = {
        **settings.DATABASES["default"],
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": options,
    }
    return DatabaseWrapper(config, alias=alias)


def test_a_read_then_write_transaction_waits_for_another_writer(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():
        _read_then_write(tmp_path)


def _read_then_write(tmp_path):
    path = tmp_path / "lock.sqlite3"
    first = _wrapper(path, "first")
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n integer)")
        cursor.execute("INSERT INTO t VALUES (0)")
    writer_has_lock = threading.Event()
    errors: list[Exception] = []

    def hold_the_write_lock():
        # Another request, writing: a plain connection that holds the write lock for a moment.
        raw = sqlite3.connect(str(path), timeout=5, isolation_level=None)
        try:
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("UPDATE t SET n = n + 1")
            writer_has_lock.set()
            time.sleep(0.5)
            raw.execute("COMMIT")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            raw.close()

    from django.db import connections

    connections["first"] = first
    try:
        thread = threading.Thread(target=hold_the_write_lock)
        thread.start()
        assert writer_has_lock.wait(5)
        with transaction.atomic(using="first"), first.cursor() as cursor:
            cursor.execute("SELECT n FROM t")
            cursor.execute("UPDATE t SET n = n + 10")
        thread.join()
        with first.cursor() as cursor:
            cursor.execute("SELECT n FROM t")
            assert cursor.fetchone()[0] == 11
        assert errors == []
    finally:
        first.close()
        del connections["first"]
