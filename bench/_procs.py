"""Subprocesses for the benches that need real services: a private Redis, a Celery worker, gunicorn.

Each bench gets its own Redis (a `redis-server` on a spare loopback port with its own scratch
directory and no persistence), so it never touches a shared Redis or its queues, and points
its subprocesses at the throwaway database the harness made (`__main__.throwaway_database`).
Everything started here is stopped when the `with` block ends, whatever happened inside it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(ready, *, what: str, timeout: float, process: subprocess.Popen | None = None):
    """Poll `ready()` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: process exited with status {process.returncode}")
        value = ready()
        if value:
            return value
        time.sleep(0.1)
    raise TimeoutError(f"{what} not ready within {timeout:.0f}s")


def database_url(settings_dict: dict | None = None, *, name: str | None = None) -> str:
    """A DATABASE_URL for the database Django is connected to now (the harness's or the test
    run's throwaway one, not DATABASE_URL's), or for another database `name` on the same
    server. The resilience tests start their processes with it too."""
    from django.db import connection

    conf = settings_dict or connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{conf['NAME']}"
    auth = quote(conf["USER"] or "", safe="")
    if conf.get("PASSWORD"):
        auth += ":" + quote(conf["PASSWORD"], safe="")
    host = conf.get("HOST") or "127.0.0.1"
    port = conf.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{name or conf['NAME']}"


def _stop(process: subprocess.Popen, *, grace: float = 10.0) -> None:
    """TERM the process group, then KILL it if it has not gone within `grace` seconds."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)
    except ProcessLookupError:
        pass


@contextmanager
def private_redis(scratch: Path) -> Iterator[str]:
    """A redis-server of our own on a spare port; yields its base URL (no database number)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    port = spare_port()
    folder = scratch / "redis"
    folder.mkdir()
    process = subprocess.Popen(
        [
            *(binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)),
            *("--save", "", "--appendonly", "no", "--daemonize", "no"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)

        def pong() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_until(pong, what="redis-server", timeout=20, process=process)
        client.close()
        yield f"redis://127.0.0.1:{port}"
    finally:
        _stop(process)


def service_env(*, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment for a worker or gunicorn: the harness's database, our own Redis."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(),
        REDIS_URL=f"{redis_url}/0",
        CELERY_BROKER_URL=f"{redis_url}/0",
        REDIS_CACHE_URL=f"{redis_url}/1",
        CELERY_TASK_ALWAYS_EAGER="0",
        # Persistent connections, as in production (.env.example, docker-compose.yml).
        DATABASE_CONN_MAX_AGE="60",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


@contextmanager
def celery_worker(
    env: dict[str, str], *, concurrency: int, log: Path, app: str = "bench._worker"
) -> Iterator[subprocess.Popen]:
    """A Celery worker subprocess (prefork, the production pool) consuming the default queue."""
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", app, "worker"),
            *("--pool", "prefork", "--concurrency", str(concurrency), "--loglevel", "WARNING"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        _stop(process, grace=20)


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int, threads: int, log: Path) -> Iterator[str]:
    """gunicorn serving the portal on a spare loopback port; yields its base URL once it answers."""
    port = spare_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "harmsportal.wsgi:application"),
            *("--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads)),
            *("--timeout", "60", "--log-level", "warning", "--worker-tmp-dir", "/dev/shm"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        import urllib.error
        import urllib.request

        def answers() -> bool:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    return response.status == 200
            except (urllib.error.URLError, OSError):
                return False

        wait_until(answers, what="gunicorn", timeout=60, process=process)
        yield base
    finally:
        _stop(process, grace=20)


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
