"""Trends' scheduled work: thin tasks that call the rollup engine and hold only retry policy.

`trends_rollup_task` runs every 15 minutes (settings.CELERY_BEAT_SCHEDULE "trends-rollup") and
recomputes the months touched since its last run; `trends_full_rebuild_task` runs nightly and
rebuilds everything, catching what no timestamp shows (decision 0013). Both are safe to run
twice or at once: runs take the rollup's lock in turn and recompute whole months.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from harmsportal.trends.rollup import rollup_rebuild, rollup_refresh

# A run that lost its connection, or waited too long for the lock, is run again a little later;
# nothing is half written, as each run is one transaction.
RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": 30,
    "retry_kwargs": {"max_retries": 3},
}


# Beat queues one every 15 minutes; a stale one is dropped rather than run late, because the
# next run recomputes every month the missed one would have.
@shared_task(acks_late=True, expires=840, **RETRY)
def trends_rollup_task() -> str:
    return rollup_refresh().summary()


@shared_task(acks_late=True, **RETRY)
def trends_full_rebuild_task() -> str:
    return rollup_rebuild().summary()
