"""A case's history: every write to a case leaves a `CaseEvent`, in the same transaction.

Each service that changes a case calls `case_event_record` beside the change, so the history
cannot say something happened that rolled back, nor miss something that did not.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from triage.models import Case, CaseEvent

if TYPE_CHECKING:
    from harmsportal.people.models import User

DETAIL_MAX_CHARS = 300


def case_event_record(
    *,
    actor: User | None,
    case: Case,
    kind: str,
    detail: str = "",
    from_user: User | None = None,
    to_user: User | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    """Add one event to `case`'s history. `actor` None means the portal itself (a beat task).

    One INSERT in the caller's transaction (every caller is an atomic service): no savepoint
    of its own, which would cost two round trips on every write to a case.

    `detail` is the why (a reason given, a clock's name, a force), cut to 300 characters. It
    must never hold a message's or a note's words: the history is read more widely than they.
    Raises ValueError for a kind that is not a `CaseEvent.Kind`.
    """
    if kind not in CaseEvent.Kind.values:
        raise ValueError(f"unknown case event kind {kind!r}")
    detail = " ".join(detail.split())
    if len(detail) > DETAIL_MAX_CHARS:
        detail = detail[: DETAIL_MAX_CHARS - 1] + "…"
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        detail=detail,
        from_user=from_user,
        to_user=to_user,
        at=at or timezone.now(),
    )
