"""The one seam through which a submitted report reaches the force's triage intake.

`reports` sits below `triage` and must not import it (dependencies point upward). So triage
registers a handler when its app is ready, and `report_submit` calls it inside the submit
transaction. See docs/decisions/0002-report-intake-seam.md.

    # triage/apps.py
    def ready(self):
        from reports.intake import register_intake_handler
        from triage.services import case_open_from_report
        register_intake_handler(case_open_from_report)

The handler receives the submitted `Report` (status submitted, reference set) and runs in the
same transaction as the submission: if it raises, the whole submission rolls back, so a report
is never "received" without entering its force's queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from reports.models import Report

logger = logging.getLogger(__name__)

IntakeHandler = Callable[["Report"], object]

_handler: IntakeHandler | None = None


def register_intake_handler(handler: IntakeHandler) -> None:
    """Register the triage intake. Registering the same handler again changes nothing.

    Raises ImproperlyConfigured if a different handler is already registered: two intakes
    would put one report in two queues.
    """
    global _handler
    if _handler is None or _handler == handler:
        _handler = handler
        return
    raise ImproperlyConfigured(
        f"A report intake handler is already registered ({_handler!r}); refusing {handler!r}."
    )


def registered_intake_handler() -> IntakeHandler | None:
    return _handler


def intake_submitted_report(report: Report) -> None:
    """Hand a just-submitted report to its force's triage intake, in the caller's transaction."""
    if _handler is None:
        logger.info(
            "reports.intake: no triage intake registered; %s waits for one", report.reference
        )
        return
    _handler(report)


@contextmanager
def intake_handler_replaced(handler: IntakeHandler | None) -> Iterator[None]:
    """Swap the registered handler for the duration of a block (tests and tools only)."""
    global _handler
    previous = _handler
    _handler = handler
    try:
        yield
    finally:
        _handler = previous
