"""The nightly retention run, in order: closed cases and referrals, then unsent drafts, then the
sweep of evidence files no row points at (which also catches the files of this run's own
erasures if their deletion after commit failed). Beat runs it as `retention_run_task`, and
`manage.py retention_run` at once; each part is safe twice and at once on its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.utils import timezone

from privacy.services.drafts import draft_retention_run, drafts_due
from privacy.services.orphans import orphans_sweep
from privacy.services.retention import retention_due, retention_run

logger = logging.getLogger(__name__)


def _parts(now: datetime) -> list[tuple[str, Callable[[], dict[str, int]]]]:
    return [
        ("retention", lambda: retention_run(now=now).as_dict()),
        ("drafts", lambda: draft_retention_run(now=now).as_dict()),
        ("evidence sweep", lambda: orphans_sweep(now=now).as_dict()),
    ]


def nightly_run(*, now: datetime | None = None) -> dict[str, int]:
    """Every part's counts in one dict; `errors` is the total of failed items across the parts
    (a part that fails whole counts one and does not stop the next)."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    errors = 0
    for name, part in _parts(now):
        try:
            done = part()
        except Exception:
            logger.exception("The nightly retention run's %s part failed", name)
            errors += 1
            continue
        errors += done.pop("errors", 0) + done.pop("draft_errors", 0)
        errors += done.pop("orphan_sweep_errors", 0)
        counts.update(done)
    counts["errors"] = errors
    return counts


def nightly_due(*, now: datetime | None = None) -> dict[str, int]:
    """What a run now would do, without doing it."""
    now = now or timezone.now()
    sweep = orphans_sweep(now=now, dry_run=True)
    return {
        **retention_due(now=now),
        **drafts_due(now=now),
        "orphan_files_due": sweep.orphans_deleted,
        "temporary_files_due": sweep.temporaries_deleted,
        "orphan_sweep_refused": int(sweep.refused),
    }
