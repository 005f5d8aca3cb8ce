"""Thin Celery tasks: they call a service and hold only the scheduling policy."""

from __future__ import annotations

from celery import shared_task

from privacy.services.retention import retention_run


@shared_task(
    acks_late=True,
    ignore_result=True,
    # Beat queues one a night; a stale one is dropped rather than run late, because the next
    # run does everything the missed one would have. Each reminder and erasure is claimed on
    # its row with a conditional update, so a run twice (or two at once) does nothing twice.
    expires=6 * 3600,
)
def retention_run_task() -> dict[str, int]:
    return retention_run().as_dict()
