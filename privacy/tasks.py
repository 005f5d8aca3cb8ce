"""Thin Celery tasks: they call a service and hold only the scheduling policy."""

from __future__ import annotations

from celery import shared_task

from privacy.services.nightly import nightly_run


@shared_task(
    acks_late=True,
    ignore_result=True,
    # Beat queues one a night; a stale one is dropped rather than run late, because the next
    # run does everything the missed one would have. Each reminder and erasure is claimed on
    # its row (a case's, a referral's, a draft's), and the evidence sweep's deletes tolerate a
    # file already gone, so a run twice (or two at once) does nothing twice.
    expires=6 * 3600,
)
def retention_run_task() -> dict[str, int]:
    """Cases and referrals, then unsent drafts, then the sweep of orphaned evidence files."""
    return nightly_run()
