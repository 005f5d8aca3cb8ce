"""Triage: cases as the force's team works them, their records, and triagers' preferences."""

from triage.models.case import Case, ClaimConflictError
from triage.models.choices import (
    ASSESSED_STATUSES,
    FINISHED_STATUSES,
    OPEN_STATUSES,
    QUEUE_ORDER,
    RISK_WEIGHT,
    UNASSESSED_WEIGHT,
    CaseStatus,
    CloseReason,
    RecordingDecision,
    Risk,
)
from triage.models.preferences import TriagePreference
from triage.models.work import CaseAction, CaseConflict, CaseEvent, CaseNote

__all__ = [
    "ASSESSED_STATUSES",
    "FINISHED_STATUSES",
    "OPEN_STATUSES",
    "QUEUE_ORDER",
    "RISK_WEIGHT",
    "UNASSESSED_WEIGHT",
    "Case",
    "CaseAction",
    "CaseConflict",
    "CaseEvent",
    "CaseNote",
    "CaseStatus",
    "ClaimConflictError",
    "CloseReason",
    "RecordingDecision",
    "Risk",
    "TriagePreference",
]
