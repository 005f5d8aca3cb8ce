"""Legal hold: a triage supervisor keeps a case from retention's erasure until it is lifted.

While a case is held, privacy's retention run neither reminds its reporter nor erases it,
however long ago it closed (privacy/services/retention.py re-checks the hold in the same
conditional UPDATE that claims an erasure, so a hold placed during a run still wins). Lifting
the hold lets the case's own clock run again: its reporter is reminded before anything goes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import Signal

from triage.models import Case, CaseEvent
from triage.selectors import is_supervisor_of
from triage.services._shared import locked
from triage.services.history import case_event_record
from triage.services.moving import _reason

if TYPE_CHECKING:
    from harmsportal.people.models import User


# Sent, inside the lifting transaction, with `case=` once a hold is lifted.
legal_hold_lifted = Signal()


def _require_supervisor(actor: User, case: Case) -> None:
    if not is_supervisor_of(actor, case.force):
        raise PermissionDenied("Only a triage supervisor of this force can change a legal hold.")


@transaction.atomic
def case_legal_hold_place(*, actor: User, case: Case, reason: str) -> bool:
    """Hold the case. False if it was already held (the first hold and its reason stand).

    Raises PermissionDenied for anyone but a triage supervisor of the case's force and
    ValidationError without a reason.
    """
    case = locked(case)
    _require_supervisor(actor, case)
    reason = _reason(reason, missing="Enter why the case must be kept.")
    changed = case.place_legal_hold(actor, reason=reason)
    if changed:
        case_event_record(
            actor=actor, case=case, kind=CaseEvent.Kind.LEGAL_HOLD_PLACED, detail=reason
        )
    return changed


@transaction.atomic
def case_legal_hold_lift(*, actor: User, case: Case, reason: str) -> bool:
    """Lift the hold. False if the case was not held."""
    case = locked(case)
    _require_supervisor(actor, case)
    reason = _reason(reason, missing="Enter why the hold can be lifted.")
    changed = case.lift_legal_hold()
    if changed:
        case_event_record(
            actor=actor, case=case, kind=CaseEvent.Kind.LEGAL_HOLD_LIFTED, detail=reason
        )
        # Retention (privacy, which triage may not import) starts a fresh notice: a reminder
        # sent before the hold named a date the hold has overtaken.
        legal_hold_lifted.send(sender=Case, case=case)
    return changed
