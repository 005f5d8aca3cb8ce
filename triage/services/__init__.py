"""Every write to a case: keyword-only, acting user first, atomic, side effects via the outbox.

The report itself only ever changes through reports.services (progress, messages, outcome,
close, reopen), so the reporter's timeline and notifications stay in one place.
"""

from __future__ import annotations

from triage.services._shared import CLAIM_ATTEMPTS, EXPLANATION_MAX_CHARS, NOTE_MAX_CHARS
from triage.services.breaches import CLOCK_FIELDS, case_breach_escalate, cases_flag_breaches
from triage.services.claiming import (
    case_claim,
    case_claim_next,
    case_open_from_report,
    case_reassign,
    case_unclaim,
)
from triage.services.reads import EvidenceFile, case_evidence_read, case_view_record
from triage.services.working import (
    case_action_record,
    case_assess,
    case_close,
    case_message_send,
    case_note_add,
    case_outcome_give,
    case_reopen,
)

__all__ = [
    "CLAIM_ATTEMPTS",
    "CLOCK_FIELDS",
    "EXPLANATION_MAX_CHARS",
    "NOTE_MAX_CHARS",
    "EvidenceFile",
    "case_action_record",
    "case_assess",
    "case_breach_escalate",
    "case_claim",
    "case_claim_next",
    "case_close",
    "case_evidence_read",
    "case_message_send",
    "case_note_add",
    "case_open_from_report",
    "case_outcome_give",
    "case_reassign",
    "case_reopen",
    "case_unclaim",
    "case_view_record",
    "cases_flag_breaches",
]
