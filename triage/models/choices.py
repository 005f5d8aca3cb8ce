"""Case states, risk levels and the queue's order: the names the rest of triage reads."""

from __future__ import annotations

from django.db import models


class CaseStatus(models.TextChoices):
    NEW = "new", "New"
    CLAIMED = "claimed", "Claimed"
    ASSESSED = "assessed", "Assessed"
    ACTION_UNDER_WAY = "action_under_way", "Action under way"
    OUTCOME_GIVEN = "outcome_given", "Outcome given"
    CLOSED = "closed", "Closed"


# Cases still waiting for their outcome: on the queue's clocks, and claimable when unassigned.
OPEN_STATUSES = frozenset(
    {CaseStatus.NEW, CaseStatus.CLAIMED, CaseStatus.ASSESSED, CaseStatus.ACTION_UNDER_WAY}
)
FINISHED_STATUSES = frozenset({CaseStatus.OUTCOME_GIVEN, CaseStatus.CLOSED})
# Risk has been judged: actions and an outcome may be recorded.
ASSESSED_STATUSES = frozenset({CaseStatus.ASSESSED, CaseStatus.ACTION_UNDER_WAY})


class Risk(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate — threat to life"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


# Priority is the risk weight; within a weight, older cases come first. The queue's order,
# and the order claim next takes cases in.
QUEUE_ORDER = ("-priority", "submitted_at", "id")
RISK_WEIGHT = {Risk.IMMEDIATE: 4, Risk.HIGH: 3, Risk.MEDIUM: 2, Risk.LOW: 1}
# Nobody has read an unassessed report yet, so it is treated as high risk until someone has:
# it sits with high-risk cases in the queue and its first response is due within 24 hours.
UNASSESSED_WEIGHT = RISK_WEIGHT[Risk.HIGH]


class CloseReason(models.TextChoices):
    AFTER_OUTCOME = "after_outcome", "Closed after the outcome"
    WITHDRAWN = "withdrawn", "Withdrawn by the reporter"


class RecordingDecision(models.TextChoices):
    CRIME = "crime", "Crime"
    NON_CRIME_INCIDENT = "non_crime_incident", "Non-crime incident"
    NO_RECORDING = "no_recording", "No recording"
