"""Thin Celery tasks: they call a service and hold only the scheduling policy."""

from __future__ import annotations

from celery import shared_task

from training.services.roster import roster_imports_discard_stale
from training.services.sweep import training_sweep


@shared_task(
    acks_late=True,
    ignore_result=True,
    # Beat queues one every 15 minutes; a stale one is dropped rather than run late, because the
    # next run sends everything the missed one would have. Each reminder, refresher and review
    # flag is claimed on its row before it is sent, so a run twice sends nothing twice.
    expires=600,
)
def training_sweep_task() -> dict[str, int]:
    done = training_sweep()
    # Rosters checked but never applied hold names and emails: discarded after a week.
    done["stale_rosters"] = roster_imports_discard_stale()
    return done
