"""The Celery app for bench workers: the portal's own app, plus the bench's no-op task.

`celery -A bench._worker worker` runs the portal's tasks exactly as production does (same
app, same CELERY_* settings) and can also run `bench_noop`, the baseline of notify_delivery.
"""

from __future__ import annotations

import os

from celery import shared_task

from harmsportal.celery import app

__all__ = ["app", "bench_noop"]

# Where bench_noop counts its runs: the worker's own broker Redis, another database number.
COUNTER_KEY = "bench:noop:done"


@shared_task(name="bench.noop", acks_late=True, ignore_result=True)
def bench_noop(index: int) -> None:
    """Do nothing but say so: one INCR, so the bench can tell when all of them have run."""
    _counter().incr(COUNTER_KEY)


_client = None


def _counter():
    global _client  # one connection per worker process, like the broker's own
    if _client is None:
        import redis

        _client = redis.Redis.from_url(os.environ["BENCH_COUNTER_URL"])
    return _client
