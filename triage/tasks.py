"""Thin Celery tasks: they call a service and hold only the scheduling policy."""

from __future__ import annotations

from celery import shared_task

from triage.services.breaches import cases_flag_breaches


@shared_task(
    acks_late=True,
    ignore_result=True,
    # Beat queues one every few minutes; a stale one is dropped rather than run late, because
    # the next run flags everything the missed one would have. Each breach escalates once
    # whichever run finds it (triage.services.breaches.case_breach_escalate).
    expires=240,
)
def triage_flag_breaches_task() -> int:
    return cases_flag_breaches()
