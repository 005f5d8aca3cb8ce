"""Small helpers for the database, storage and backup drills: a gunicorn of the portal on a
spare port, pointed at a given database and evidence folder, and the test database's URL.

The subprocess sees only committed data, so tests that use it are transactional. It is always
stopped, even when the test fails; a missing gunicorn skips with the reason.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason=(
        "pg_terminate_backend needs PostgreSQL, as CI runs it: SQLite has no server "
        "connection to drop"
    ),
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Portal:
    """A running gunicorn serving the portal."""

    url: str
    process: subprocess.Popen

    def worker_pids(self) -> set[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()}

    def session(self, user) -> requests.Session:
        """A requests session signed in as `user` (a database session, committed)."""
        from django.test import Client

        client = Client()
        client.force_login(user)
        browser = requests.Session()
        browser.cookies.set("sessionid", client.cookies["sessionid"].value)
        return browser

    def csrf(self, browser: requests.Session, path: str) -> str:
        page = browser.get(self.url + path, timeout=30)
        assert page.status_code == 200, f"{path}: {page.status_code}"
        return CSRF_FIELD.search(page.text).group(1)


@contextmanager
def portal(
    *, database: str, media_root: Path | None = None, **environment: str
) -> Iterator[Portal]:
    """Serve the portal with gunicorn on a spare loopback port until the block ends."""
    if not GUNICORN.exists() and not shutil.which("gunicorn"):
        pytest.skip("gunicorn is not installed in this environment")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "HARMSPORTAL_REQUIRE_STAFF_MFA": "0",
        **environment,
    }
    if media_root is not None:
        env["HARMSPORTAL_PRIVATE_STORAGE"] = str(media_root)
    argv = [
        str(GUNICORN) if GUNICORN.exists() else "gunicorn",
        "harmsportal.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
    ]
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    served = Portal(url=f"http://127.0.0.1:{port}", process=process)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"gunicorn exited: {log.read()[-3000:]}")
            try:
                requests.get(served.url + "/healthz", timeout=60)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield served
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        log.close()


def admin_connection(dbname: str = "postgres", *, autocommit: bool = True):
    """A psycopg connection of our own, outside Django's, to the test server."""
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        dbname=dbname,
        user=s["USER"] or None,
        password=s.get("PASSWORD") or None,
        host=s.get("HOST") or "127.0.0.1",
        port=s.get("PORT") or 5432,
        autocommit=autocommit,
    )
