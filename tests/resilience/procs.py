"""Real processes for the resilience tests: a private Redis, Celery workers and gunicorn.

Every test gets its own `redis-server` on a spare loopback port with its own folder, so it
can stop, freeze or restart the broker without touching the shared Redis, and its own worker
and gunicorn subprocesses pointed at the test database and that Redis. `Processes` (the
`procs` fixture in conftest.py) stops everything it started when the test ends, whatever
happened, by process group: a SIGKILL in a test never leaves an orphaned pool child behind.

Use only from a transactional test on PostgreSQL: the subprocesses see committed rows only,
and SQLite's in-memory test database is invisible to them (`subprocess_database_url`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from bench._procs import database_url

ROOT = Path(__file__).resolve().parents[2]
# The Celery app the test workers run: the portal's, plus the hang and task-log hooks.
WORKER_APP = "tests.resilience.worker_app"
MAILBOX_BACKEND = "tests.resilience.mailbox.RecordingBackend"


def missing_binaries() -> list[str]:
    """The programs these tests need that are not installed (CI installs them all)."""
    missing = [] if shutil.which("redis-server") else ["redis-server"]
    for module in ("celery", "gunicorn"):
        if not (Path(sys.executable).parent / module).exists() and not shutil.which(module):
            missing.append(module)
    return missing


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(
    ready: Callable[[], Any], *, what: str, timeout: float, interval: float = 0.1
) -> Any:
    """Poll `ready()` until it returns something truthy; fail with `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = ready()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


def subprocess_database_url() -> str | None:
    """A DATABASE_URL for the test database this process is connected to, or None on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    return database_url()


class Process:
    """A subprocess in its own process group, its output in a log file."""

    def __init__(self, name: str, args: list[str], *, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        with log.open("ab") as out:
            self.popen = subprocess.Popen(
                args,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    # Set for a worker: starts a like one (Processes.supervised).
    restart: Callable[[], Process] | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def running(self) -> bool:
        return self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole group (a worker's pool children and beat too); reap on SIGKILL."""
        try:
            os.killpg(self.popen.pid, sig)
        except ProcessLookupError:
            return
        if sig == signal.SIGKILL:
            self.popen.wait(timeout=30)

    def stop(self, grace: float = 15.0) -> None:
        """TERM, then KILL what is left of the group after `grace` seconds."""
        if self.running():
            self.kill(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=grace)
        # Pool children or beat can outlive their parent: make sure the group is gone.
        self.kill(signal.SIGKILL)

    def tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return f"--- {self.name} ({self.log}) ---\n" + "\n".join(text.splitlines()[-lines:])


class RedisServer:
    """A redis-server of our own on a spare port. `persistent` keeps an append-only file, so
    a restart brings the queue back (as a production Redis with persistence would)."""

    def __init__(self, folder: Path, *, persistent: bool = False) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.persistent = persistent
        self.port = spare_port()
        self.process: Process | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0):
        import redis

        return redis.Redis(
            host="127.0.0.1", port=self.port, db=db, socket_connect_timeout=1, socket_timeout=5
        )

    def answers(self) -> bool:
        client = self.client()
        try:
            return bool(client.ping())
        except Exception:  # refused, reset or timed out: all mean "not answering"
            return False
        finally:
            client.close()

    def start(self) -> RedisServer:
        appendonly = "yes" if self.persistent else "no"
        self.process = Process(
            "redis-server",
            [
                *(shutil.which("redis-server") or "redis-server", "--port", str(self.port)),
                *("--bind", "127.0.0.1", "--dir", str(self.folder), "--daemonize", "no"),
                *("--save", "", "--appendonly", appendonly, "--appendfsync", "always"),
            ],
            env=dict(os.environ),
            log=self.folder / "redis.log",
        )
        wait_until(self.answers, what=f"redis-server on port {self.port}", timeout=20)
        return self

    def shutdown(self) -> None:
        """Stop it as an operator or a crash would: an append-only file, if kept, survives."""
        if self.process is None or not self.process.running():
            return
        client = self.client()
        try:
            client.shutdown(nosave=not self.persistent)
        except Exception:  # the connection drops as the server exits: that is success
            pass
        finally:
            client.close()
        try:
            self.process.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections, but nothing ever answers."""
        assert self.process is not None
        self.process.kill(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.kill(signal.SIGCONT)

    def queued(self, queue: str = "celery") -> int:
        client = self.client()
        try:
            return int(client.llen(queue))
        finally:
            client.close()

    def close(self) -> None:
        if self.process is not None:
            self.process.kill(signal.SIGCONT)  # a frozen server cannot act on TERM
            self.process.stop(grace=5)


@dataclass
class Processes:
    """Starts the processes a test needs and stops every one of them at the end."""

    folder: Path
    database_url: str
    started: list[Process] = field(default_factory=list)
    servers: list[RedisServer] = field(default_factory=list)
    # Names of the workers `supervised` found dead and replaced.
    restarts: list[str] = field(default_factory=list)
    # Files the subprocesses write and the test reads.
    mailbox: Path = field(init=False)
    task_log: Path = field(init=False)
    hang_folder: Path = field(init=False)

    def __post_init__(self) -> None:
        self.mailbox = self.folder / "mailbox.jsonl"
        self.task_log = self.folder / "tasks.jsonl"
        self.hang_folder = self.folder / "hangs"
        self.hang_folder.mkdir(parents=True, exist_ok=True)

    # --- what the processes run against ---------------------------------------------------

    def redis(self, *, persistent: bool = False) -> RedisServer:
        server = RedisServer(self.folder / f"redis-{len(self.servers)}", persistent=persistent)
        self.servers.append(server)
        return server.start()

    def env(self, redis: RedisServer, **extra: str) -> dict[str, str]:
        """The environment of a worker or gunicorn: the test database and our own Redis (the
        broker in db 0 and the cache in db 1, as in production), a short lease and relay
        interval, and an email backend that records every message to a file."""
        env = dict(os.environ)  # tests.testenv's keys and the suite's secret key
        env.update(
            DATABASE_URL=self.database_url,
            # As in production: a connection per process, not one per task.
            DATABASE_CONN_MAX_AGE="60",
            REDIS_URL=redis.url(0),
            CELERY_BROKER_URL=redis.url(0),
            REDIS_CACHE_URL=redis.url(1),
            CELERY_TASK_ALWAYS_EAGER="0",
            CELERY_SKIP_CHECKS="1",
            EMAIL_BACKEND=MAILBOX_BACKEND,
            HARMSPORTAL_OUTBOX_LEASE_SECONDS="3",
            HARMSPORTAL_OUTBOX_RELAY_SECONDS="1",
            RESILIENCE_MAILBOX=str(self.mailbox),
            RESILIENCE_TASK_LOG=str(self.task_log),
            RESILIENCE_HANG_FOLDER=str(self.hang_folder),
            RESILIENCE_HANG="{}",
            RESILIENCE_VISIBILITY_SECONDS="4",
            PYTHONPATH=str(ROOT),
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    # --- the processes ----------------------------------------------------------------------

    def worker(
        self,
        redis: RedisServer,
        *,
        concurrency: int = 2,
        beat: bool = True,
        hang: dict[str, list[str]] | None = None,
        wait: bool = True,
        **extra: str,
    ) -> Process:
        """A Celery worker (prefork, the production pool), with beat inside it when `beat`.

        `hang` maps a point ("task_start", "send", "after_mark") to the notification ids (or,
        for "send", the addresses) at which a pool child stops and waits to be killed
        (worker_app.py). Returns once the worker is consuming, or at once if not `wait` (then
        call `ready(worker)` before relying on it; starting several processes side by side
        saves their start-up time).
        """
        number = len(self.started)
        args = [
            *(sys.executable, "-m", "celery", "-A", WORKER_APP, "worker"),
            *("--pool", "prefork", "--concurrency", str(concurrency), "--loglevel", "INFO"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            *("--hostname", f"resilience{number}@%h"),
        ]
        if beat:
            args += ["--beat", "--schedule", str(self.folder / f"beat-{number}")]
        env = self.env(redis, RESILIENCE_HANG=json.dumps(hang or {}), **extra)
        process = self._start(f"worker-{number}", args, env)
        process.restart = partial(
            self.worker, redis, concurrency=concurrency, beat=beat, wait=False, **extra
        )
        if wait:
            self.ready(process)
        return process

    def supervised(self, process: Process) -> Process:
        """What docker compose's `restart: unless-stopped` does for the worker: if it exited,
        start a like one (without hangs) and return that. Call it while waiting on a worker
        through a broker outage: Celery 5.7 / kombu 5.7 can die with "Unrecoverable error"
        when Redis drops while acknowledgements are in flight, and production relies on the
        restart policy then (docs/operations.md, "Delivery guarantees")."""
        if process.running() or process.restart is None:
            return process
        self.restarts.append(process.name)
        return process.restart()

    def ready(self, process: Process) -> Process:
        """Wait until a worker consumes, or beat schedules; fail with its log if it exits."""
        needle = "beat: Starting" if process.name.startswith("beat") else "ready."
        wait_until(
            lambda: self._ready(process, needle),
            what=f"{process.name} ready\n{process.tail()}",
            timeout=90,
            interval=0.25,
        )
        return process

    def beat(self, redis: RedisServer, *, wait: bool = True) -> Process:
        """Celery beat on its own (the relay every HARMSPORTAL_OUTBOX_RELAY_SECONDS)."""
        number = len(self.started)
        args = [
            *(sys.executable, "-m", "celery", "-A", WORKER_APP, "beat"),
            *("--loglevel", "INFO", "--schedule", str(self.folder / f"beat-{number}")),
        ]
        process = self._start(f"beat-{number}", args, self.env(redis))
        return self.ready(process) if wait else process

    def gunicorn(self, redis: RedisServer, **extra: str) -> tuple[Process, str]:
        """gunicorn serving the portal on a spare loopback port; returns it and its base URL."""
        port = spare_port()
        args = [
            *(sys.executable, "-m", "gunicorn", "harmsportal.wsgi:application"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"),
            *("--timeout", "60", "--log-level", "warning"),
        ]
        process = self._start("gunicorn", args, self.env(redis, **extra))
        base = f"http://127.0.0.1:{port}"

        def answers() -> bool:
            if not process.running():
                raise RuntimeError(f"gunicorn exited\n{process.tail()}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5):
                    return True
            except urllib.error.HTTPError:  # 503 still means it is serving
                return True
            except OSError:
                return False

        wait_until(answers, what=f"gunicorn\n{process.tail()}", timeout=90, interval=0.25)
        return process, base

    def _start(self, name: str, args: list[str], env: dict[str, str]) -> Process:
        process = Process(name, args, env=env, log=self.folder / f"{name}.log")
        self.started.append(process)
        return process

    @staticmethod
    def _ready(process: Process, needle: str) -> bool:
        if not process.running():
            raise RuntimeError(f"{process.name} exited\n{process.tail()}")
        return needle in process.log.read_text(errors="replace")

    def publish(self, redis: RedisServer, task: str, *arguments: list) -> None:
        """Queue one `task` per argument list on `redis`, as the portal's fast path would."""
        from celery import Celery

        client = Celery("resilience-client", set_as_current=False)
        try:
            # The URL given here, not Celery's default: CELERY_BROKER_URL in this process's
            # environment would win over broker= and publish to the shared Redis.
            with client.connection_for_write(url=redis.url(0)) as connection:
                for args in arguments:
                    client.send_task(task, args=args, connection=connection)
        finally:
            client.close()

    # --- what the processes did -------------------------------------------------------------

    def sent_emails(self) -> list[dict]:
        """Every message the recording backend accepted, in order, from every process."""
        return _read_lines(self.mailbox)

    def task_events(self) -> list[dict]:
        return _read_lines(self.task_log)

    def hung(self, point: str, key: str) -> int | None:
        """The pid of the pool child waiting at `point` for `key`, once it is there."""
        marker = self.hang_folder / f"{point}-{key}"
        try:
            return int(marker.read_text())
        except (OSError, ValueError):
            return None

    def logs(self) -> str:
        return "\n".join(process.tail() for process in self.started)

    def close(self) -> None:
        # Nothing is left to finish when the test is over: kill at once, rather than wait out
        # a warm shutdown, so teardown takes a moment.
        for process in reversed(self.started):
            process.kill(signal.SIGKILL)
        for server in self.servers:
            server.close()


def _read_lines(path: Path) -> list[dict]:
    try:
        text = path.read_text()
    except FileNotFoundError:
        return []
    # A line cut short by a SIGKILL mid-write is not a complete record.
    records = []
    for line in text.splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records
