"""notify_delivery: delivering outbox emails with a real Celery worker, against no-op tasks.

One worker subprocess (prefork, the portal's own Celery app and CELERY_* settings: acks_late,
prefetch 1) on a private Redis runs, in one run:

- the baseline: N `bench.noop` tasks (one Redis INCR each, so the bench knows they ran);
- the workload: N `notification_deliver_task`s for N pending outbox rows, each claiming its
  row, rendering the fixed-wording email and marking it sent, exactly as in production. The
  email backend appends each message's recipient to a file (bench/_mail.py), so what was sent
  and what was sent twice is counted across the worker's processes.

Both clocks run from the first publish to the last completion. The ratio is delivery time
over no-op time. Then, untimed, RACE more rows each get two delivery tasks back to back, so
the worker's processes race for the same claim: still one email each. A lost or duplicated email is not a missed target but a broken outbox: the
workload then fails (non-zero exit), whatever the ratio.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import BenchResult
from bench._procs import celery_worker, private_redis, service_env, tail, wait_until

NAME = "notify_delivery"
TARGET = 3.0
COUNT = int(os.environ.get("BENCH_NOTIFY_COUNT", "10000"))
# Celery's default, as the compose file's worker runs: one child per core.
CONCURRENCY = int(os.environ.get("BENCH_NOTIFY_CONCURRENCY", str(os.cpu_count() or 2)))
WARM_UP = 200
# Untimed, after the timed runs: rows whose delivery is asked for twice at once.
RACE = int(os.environ.get("BENCH_NOTIFY_RACE", "500"))
TIMEOUT = float(os.environ.get("BENCH_NOTIFY_TIMEOUT", "600"))
DOMAIN = "bench-notify.invalid"


def run() -> BenchResult:
    import redis
    from django.db import connection

    from bench._worker import COUNTER_KEY, app, bench_noop
    from harmsportal.notifications.models import Notification
    from harmsportal.notifications.tasks import notification_deliver_task

    with tempfile.TemporaryDirectory(prefix="harmsportal-bench-notify-") as folder:
        scratch = Path(folder)
        mail_log = scratch / "mail.log"
        worker_log = scratch / "worker.log"
        with private_redis(scratch) as redis_base:
            counter = redis.Redis.from_url(f"{redis_base}/2")
            env = service_env(
                redis_url=redis_base,
                EMAIL_BACKEND="bench._mail.RecordingEmailBackend",
                BENCH_MAIL_LOG=str(mail_log),
                BENCH_COUNTER_URL=f"{redis_base}/2",
            )
            ids = _pending_rows(Notification, COUNT)
            try:
                with (
                    _publishing_to(app, f"{redis_base}/0"),
                    celery_worker(env, concurrency=CONCURRENCY, log=worker_log) as worker,
                ):

                    def noops_done(expected: int):
                        return lambda: int(counter.get(COUNTER_KEY) or 0) >= expected

                    def timed_wait(ready, what: str) -> None:
                        try:
                            wait_until(ready, what=what, timeout=TIMEOUT, process=worker)
                        except (TimeoutError, RuntimeError) as exc:
                            raise RuntimeError(f"{exc}; worker log:\n{tail(worker_log)}") from exc

                    # Warm up: the worker boots, forks its children and opens its connections.
                    for index in range(WARM_UP):
                        bench_noop.delay(index)
                    timed_wait(noops_done(WARM_UP), "warm-up no-op tasks")
                    counter.set(COUNTER_KEY, 0)

                    start = time.perf_counter()
                    for index in range(COUNT):
                        bench_noop.delay(index)
                    timed_wait(noops_done(COUNT), f"{COUNT} no-op tasks")
                    noop_seconds = time.perf_counter() - start

                    sent = Notification.objects.filter(
                        to_email__endswith=f"@{DOMAIN}",
                        email_status=Notification.EmailStatus.SENT,
                    )
                    start = time.perf_counter()
                    for notification_id in ids:
                        notification_deliver_task.delay(str(notification_id))
                    timed_wait(lambda: sent.count() >= COUNT, f"{COUNT} deliveries")
                    deliver_seconds = time.perf_counter() - start

                    # Untimed: every row asked for twice, back to back, so the worker's
                    # processes race for the same claim (as after a redelivery or beside the
                    # relay). Then no-ops queued behind them: once those ran, so had the rest.
                    raced = _pending_rows(Notification, RACE, prefix="r")
                    for notification_id in raced:
                        notification_deliver_task.delay(str(notification_id))
                        notification_deliver_task.delay(str(notification_id))
                    timed_wait(lambda: sent.count() >= COUNT + RACE, f"{RACE} raced deliveries")
                    counter.set(COUNTER_KEY, 0)
                    for index in range(CONCURRENCY * 4):
                        bench_noop.delay(index)
                    timed_wait(noops_done(CONCURRENCY * 4), "the queue behind the raced ones")
                    time.sleep(1.0)  # a late duplicate would land in this second
                lines = mail_log.read_text().splitlines() if mail_log.exists() else []
                sent_rows = sent.count()
            finally:
                Notification.objects.filter(to_email__endswith=f"@{DOMAIN}").delete()

    lost, duplicated = lost_and_duplicated(lines, COUNT)
    raced_lost, raced_duplicated = lost_and_duplicated(lines, RACE, prefix="r")
    if lost or duplicated or raced_lost or raced_duplicated or sent_rows != COUNT + RACE:
        raise RuntimeError(
            f"outbox broke its promise: {lost} lost, {duplicated} duplicated of {COUNT}; "
            f"{raced_lost} lost, {raced_duplicated} duplicated of {RACE} asked for twice; "
            f"{sent_rows} of {COUNT + RACE} rows marked sent"
        )
    ratio = deliver_seconds / noop_seconds
    details = (
        f"{COUNT} outbox emails in {deliver_seconds:.1f}s ({COUNT / deliver_seconds:.0f}/s) vs "
        f"{COUNT} no-op tasks in {noop_seconds:.1f}s ({COUNT / noop_seconds:.0f}/s), one "
        f"prefork worker x{CONCURRENCY} on Redis, {connection.vendor}; "
        f"0 lost, 0 duplicated; {RACE} more each asked for twice at once: 0 lost, 0 duplicated "
        f"({len(lines)} emails to {len(set(lines))} addresses)"
    )
    return BenchResult(NAME, ratio, "<=", TARGET, details)


def lost_and_duplicated(lines: list[str], count: int, prefix: str = "n") -> tuple[int, int]:
    """From the mail log (one recipient per line): emails never sent, and extra copies sent.

    Notification i of a batch goes to <prefix><i>@DOMAIN, so an address missing is a lost
    email and an address seen k times is k - 1 duplicates.
    """
    per_address = Counter(
        line for line in lines if line.startswith(prefix) and line.endswith(f"@{DOMAIN}")
    )
    expected = {f"{prefix}{index}@{DOMAIN}" for index in range(count)}
    lost = len(expected - set(per_address))
    duplicated = sum(times - 1 for times in per_address.values() if times > 1)
    return lost, duplicated


@contextmanager
def _publishing_to(app, broker_url: str) -> Iterator[None]:
    """Publish from this process to the bench's own Redis (never eagerly), then put it back."""
    names = ("task_always_eager", "broker_url", "broker_write_url", "broker_read_url")
    saved = {name: app.conf.get(name) for name in names}
    app.conf.update(
        task_always_eager=False,
        broker_url=broker_url,
        broker_write_url=broker_url,
        broker_read_url=broker_url,
    )
    _drop_pools(app)
    try:
        yield
    finally:
        app.conf.update(saved)
        _drop_pools(app)


def _drop_pools(app) -> None:
    """Forget connections made for another broker, so the next publish opens the right one."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


def _pending_rows(notification_model, count: int, prefix: str = "n") -> list:
    """`count` outbox rows waiting for delivery, each to its own address (<prefix><i>@…)."""
    rows = [
        notification_model(
            to_email=f"{prefix}{index}@{DOMAIN}",
            kind=notification_model.Kind.UPDATE,
            title="There is an update on your report",
            link_path="/reports/",
            email_status=notification_model.EmailStatus.PENDING,
        )
        for index in range(count)
    ]
    created = notification_model.objects.bulk_create(rows, batch_size=1000)
    return [row.pk for row in created]
