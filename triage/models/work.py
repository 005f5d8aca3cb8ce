"""A case's records: the action log, internal notes, the history, and stepping aside."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from triage.models.case import Case


class CaseAction(models.Model):
    """Something triage did for the reporter, in the case's action log."""

    class Kind(models.TextChoices):
        SAFEGUARDING_ADVICE = "safeguarding_advice", "Safeguarding advice given"
        TAKEDOWN_REQUESTED = "takedown_requested", "Platform takedown requested"
        INVESTIGATION_REFERRAL = "investigation_referral", "Referred for investigation"
        WELLBEING_REFERRAL = "wellbeing_referral", "Wellbeing referral offered"
        TECHNICAL_SUPPORT = "technical_support", "Technical support"
        NO_FURTHER_ACTION = "no_further_action", "No further action"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    note = models.TextField(blank=True)
    crime_reference = models.CharField(max_length=40, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="no_further_action") | ~Q(note=""),
                name="caseaction_nfa_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(kind="investigation_referral") | ~Q(crime_reference=""),
                name="caseaction_referral_has_crime_ref",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on case {self.case_id}"


class CaseNote(models.Model):
    """An internal note for the triage team. Never shown to the reporter."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        # Never the body: str() reaches logs and the admin's history.
        return f"Internal note on case {self.case_id}"


class CaseEvent(models.Model):
    """One write to a case, in the case's history: who, when, what, and why.

    Written by the service that makes the change, in the same transaction
    (`triage.services.history.case_event_record`). Never edited or deleted.
    """

    class Kind(models.TextChoices):
        OPENED = "opened", "Report received"
        CLAIMED = "claimed", "Claimed"
        UNCLAIMED = "unclaimed", "Handed back to the queue"
        REASSIGNED = "reassigned", "Reassigned"
        ASSESSED = "assessed", "Risk assessed"
        ACTION_RECORDED = "action_recorded", "Action recorded"
        NOTE_ADDED = "note_added", "Internal note added"
        MESSAGE_SENT = "message_sent", "Message sent to the reporter"
        REPORTER_MESSAGED = "reporter_messaged", "Message from the reporter"
        EVIDENCE_ADDED = "evidence_added", "Reporter added evidence"
        OUTCOME_GIVEN = "outcome_given", "Outcome given"
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"
        WITHDRAWN = "withdrawn", "Withdrawn by the reporter"
        ESCALATED = "escalated", "Missed deadline escalated to supervisors"
        TRANSFERRED = "transferred", "Transferred to another force"
        CONFLICT_DECLARED = "conflict_declared", "Stepped aside (conflict of interest)"
        LEGAL_HOLD_PLACED = "legal_hold_placed", "Legal hold placed"
        LEGAL_HOLD_LIFTED = "legal_hold_lifted", "Legal hold lifted"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # Who did it; empty for the portal itself (the breach task).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now)
    # Why, or what exactly: a reason given, a clock's name, a force. Never a message's text or
    # a note's body: those have their own records and their own readers.
    detail = models.CharField(max_length=300, blank=True)
    # Who held the case before and after, for claims, hand-backs and reassignments.
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="caseevent_case_at_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on case {self.case_id}"


class CaseConflict(models.Model):
    """Someone who must not triage the case: they stepped aside (they know the person), or
    they are the reporter or linked to the reporter by a family link. Never theirs again.

    Claim, claim next (in SQL too: `_claim_head_sql`), reassign and reopen all refuse a person
    with a row here. The reason stays in the triage record; the reporter never sees it.
    """

    class Source(models.TextChoices):
        DECLARED = "declared", "Stepped aside"
        # Written when the case opens: nobody triages their own report, nor the report of the
        # family member they are linked to (a family account's report not shared with them,
        # or one they made about that family member).
        REPORT = "report", "The reporter, or linked to the reporter"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="conflicts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.DECLARED)
    declared_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()

    class Meta:
        ordering = ["declared_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="caseconflict_case_user"),
        ]

    def __str__(self) -> str:
        # Never the reason: str() reaches logs and the admin's history.
        return f"Conflict of interest on case {self.case_id}"
