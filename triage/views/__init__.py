"""Triage pages. Each view: parse → access (role, then the case chokepoint) → service → page.

Every view is gated to the triage roles; every case is fetched through
`get_case_for_user`, which answers 404 for another force's case and for one that does not
exist. Professional Standards hold no triage role, so they never get past the first check.
"""

from __future__ import annotations

from triage.views.case_pages import (
    add_note,
    assess,
    case_detail,
    claim,
    close,
    evidence,
    give_outcome,
    reassign,
    record_action,
    reopen,
    send_message,
    unclaim,
)
from triage.views.queue_pages import claim_next, queue, supervisor

__all__ = [
    "add_note",
    "assess",
    "case_detail",
    "claim",
    "claim_next",
    "close",
    "evidence",
    "give_outcome",
    "queue",
    "reassign",
    "record_action",
    "reopen",
    "send_message",
    "supervisor",
    "unclaim",
]
