"""The `procs` fixture: real Redis, Celery and gunicorn processes for one test (procs.py)."""

from __future__ import annotations

import pytest

from tests.resilience.procs import Processes, missing_binaries, subprocess_database_url


@pytest.fixture
def procs(tmp_path, transactional_db):
    """Start what the test needs through it; everything is stopped when the test ends.

    Skips with the reason when a program is missing or the database is SQLite's in-memory
    test database, which a subprocess cannot open. CI has the programs and runs on PostgreSQL.
    """
    missing = missing_binaries()
    if missing:
        pytest.skip(f"needs {', '.join(missing)} installed (CI installs them)")
    database_url = subprocess_database_url()
    if database_url is None:
        pytest.skip(
            "needs PostgreSQL: the subprocesses must see the test's committed rows, and the "
            "SQLite test database lives in this process's memory (CI runs these on PostgreSQL)"
        )
    processes = Processes(folder=tmp_path, database_url=database_url)
    try:
        yield processes
    finally:
        processes.close()
