"""The seams through which a report's life reaches its force's triage team.

`reports` sits below `triage` and must not import it (dependencies point upward). So triage
registers one handler per event when its app is ready, and the report services call them
inside their own transactions. See docs/decisions/0002-report-intake-seam.md.

    # triage/apps.py
    def ready(self):
        from reports import intake
        intake.register_intake_handler(case_open_from_report)
        intake.register_withdrawal_handler(case_withdraw_from_report)
        intake.register_reporter_wrote_handler(case_reporter_wrote)

Three events cross the seam:

- **submitted** (`intake_submitted_report(report)`, from `report_submit`): the handler receives
  the report with status submitted and its reference set.
- **withdrawn** (`intake_withdrawn_report(report, actor=…)`, from `report_withdraw`): the
  reporter withdrew it; triage closes the case.
- **the reporter wrote** (`intake_reporter_wrote(report, actor=…, what=…)`, from the
  reporter's message service and from adding evidence to a sent report): `what` is
  "message" or "evidence"; triage tells whoever holds the case. Never the words themselves.

Each handler runs in the caller's transaction: if it raises, the whole change rolls back, so
a report is never "received" without entering a queue, nor "withdrawn" while its case stays
open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from harmsportal.people.models import User
    from reports.models import Report

logger = logging.getLogger(__name__)

IntakeHandler = Callable[["Report"], object]
WithdrawalHandler = Callable[..., object]  # (report, *, actor)
ReporterWroteHandler = Callable[..., object]  # (report, *, actor, what)

# What a reporter can add to a sent report.
WROTE_MESSAGE = "message"
WROTE_EVIDENCE = "evidence"
Wrote = Literal["message", "evidence"]


class _Slot:
    """Room for exactly one handler: two would put one report in two queues."""

    def __init__(self, event: str) -> None:
        self.event = event
        self.handler: Callable[..., Any] | None = None

    def register(self, handler: Callable[..., Any]) -> None:
        if self.handler is None or self.handler == handler:
            self.handler = handler
            return
        raise ImproperlyConfigured(
            f"A {self.event} is already registered ({self.handler!r}); refusing {handler!r}."
        )

    def call(self, report: Report, **kwargs: Any) -> None:
        if self.handler is None:
            logger.info(
                "reports.intake: no %s registered; %s waits for one",
                self.event,
                report.reference,
            )
            return
        self.handler(report, **kwargs)

    @contextmanager
    def replaced(self, handler: Callable[..., Any] | None) -> Iterator[None]:
        previous = self.handler
        self.handler = handler
        try:
            yield
        finally:
            self.handler = previous


_submitted = _Slot("triage intake")
_withdrawn = _Slot("withdrawal handler")
_reporter_wrote = _Slot("reporter-wrote handler")


# --- submitted ---------------------------------------------------------------------------


def register_intake_handler(handler: IntakeHandler) -> None:
    """Register the triage intake. Registering the same handler again changes nothing.

    Raises ImproperlyConfigured if a different handler is already registered.
    """
    _submitted.register(handler)


def registered_intake_handler() -> IntakeHandler | None:
    return _submitted.handler


def intake_submitted_report(report: Report) -> None:
    """Hand a just-submitted report to its force's triage intake, in the caller's transaction."""
    _submitted.call(report)


def intake_handler_replaced(handler: IntakeHandler | None):
    """Swap the intake handler for the duration of a block (tests and tools only)."""
    return _submitted.replaced(handler)


# --- withdrawn ---------------------------------------------------------------------------


def register_withdrawal_handler(handler: WithdrawalHandler) -> None:
    _withdrawn.register(handler)


def registered_withdrawal_handler() -> WithdrawalHandler | None:
    return _withdrawn.handler


def intake_withdrawn_report(report: Report, *, actor: User) -> None:
    """Tell triage the reporter withdrew `report`, in the caller's transaction."""
    _withdrawn.call(report, actor=actor)


def withdrawal_handler_replaced(handler: WithdrawalHandler | None):
    return _withdrawn.replaced(handler)


# --- the reporter wrote ------------------------------------------------------------------


def register_reporter_wrote_handler(handler: ReporterWroteHandler) -> None:
    _reporter_wrote.register(handler)


def registered_reporter_wrote_handler() -> ReporterWroteHandler | None:
    return _reporter_wrote.handler


def intake_reporter_wrote(report: Report, *, actor: User, what: Wrote) -> None:
    """Tell triage the reporter added a message or evidence to the sent `report`.

    `what` is WROTE_MESSAGE or WROTE_EVIDENCE. Runs in the caller's transaction.
    """
    if what not in (WROTE_MESSAGE, WROTE_EVIDENCE):
        raise ValueError(f"unknown thing written {what!r}")
    _reporter_wrote.call(report, actor=actor, what=what)


def reporter_wrote_handler_replaced(handler: ReporterWroteHandler | None):
    return _reporter_wrote.replaced(handler)
