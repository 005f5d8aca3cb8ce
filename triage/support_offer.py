"""The seam through which a case's first assessment reaches wellbeing's offer of support.

`triage` sits below `wellbeing` and must not import it (dependencies point upward). Yet when a
reporter said "yes" to "Would you like to be offered wellbeing support?", the offer should be
waiting for them as soon as their case is first assessed. So `wellbeing` registers one handler
when its app is ready, and `case_assess` calls it inside its own transaction. See
docs/decisions/0008-wellbeing-offer-seam.md (the same shape as reports/intake.py, decision 0002).

    # wellbeing/apps.py
    def ready(self):
        from triage import support_offer
        support_offer.register_first_assessment_handler(referral_offer_at_first_assessment)

One event crosses the seam:

- **first assessed** (`support_offer_first_assessment(case, actor=…)`, from `case_assess`): the
  case has just been assessed for the first time in its force (its `assessed_at` was empty),
  and is locked by the caller. The handler decides whether an offer is due (the report's
  `wants_support`) and makes it; what the reporter wrote never crosses.

The handler runs in the caller's transaction: if it raises, the assessment rolls back too, so
a case is never assessed while the support the reporter asked for silently fails to appear.
With no handler registered (wellbeing not installed, or a tool that runs triage alone) the call
logs at INFO and does nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from harmsportal.people.models import User
    from triage.models import Case

logger = logging.getLogger(__name__)

FirstAssessmentHandler = Callable[..., object]  # (case, *, actor)


class _Slot:
    """Room for exactly one handler: two would offer one reporter support twice."""

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

    def call(self, case: Case, **kwargs: Any) -> None:
        if self.handler is None:
            logger.info("triage.support_offer: no %s registered; case %s", self.event, case.pk)
            return
        self.handler(case, **kwargs)

    @contextmanager
    def replaced(self, handler: Callable[..., Any] | None) -> Iterator[None]:
        previous = self.handler
        self.handler = handler
        try:
            yield
        finally:
            self.handler = previous


_first_assessed = _Slot("first-assessment handler")


def register_first_assessment_handler(handler: FirstAssessmentHandler) -> None:
    """Register wellbeing's handler. Registering the same handler again changes nothing.

    Raises ImproperlyConfigured if a different handler is already registered.
    """
    _first_assessed.register(handler)


def registered_first_assessment_handler() -> FirstAssessmentHandler | None:
    return _first_assessed.handler


def support_offer_first_assessment(case: Case, *, actor: User) -> None:
    """Tell wellbeing that `case` was just assessed for the first time, in the caller's
    transaction (the case row is locked by the caller)."""
    _first_assessed.call(case, actor=actor)


def first_assessment_handler_replaced(handler: FirstAssessmentHandler | None):
    """Swap the handler for the duration of a block (tests and tools only)."""
    return _first_assessed.replaced(handler)
