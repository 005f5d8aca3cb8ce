"""Cases: a submitted report as its force's triage team works it, with its service clocks.

Every state change is a method on `Case` that does nothing (returns False) when the case is
already there and raises `ValidationError` with a plain-English reason for an illegal move.
Services (triage/services/) lock the row, call the method and write the side effects.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone

from harmsportal.people.models import Force
from reports.models import HarmCategory, Report
from triage import sla
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


class ClaimConflictError(ValidationError):
    """Someone else claimed the case between reading it and claiming it."""


class Case(models.Model):
    """One submitted report in its force's triage queue. Exactly one per report."""

    # Opaque id for URLs: reveals nothing about how many exist (the pk never leaves the server).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.OneToOneField(Report, on_delete=models.PROTECT, related_name="case")
    # Copied from the report so the queue filters and sorts on one table.
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="cases")
    submitted_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW, db_index=True
    )

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)

    # Assessment.
    risk = models.CharField(max_length=10, choices=Risk.choices, blank=True)
    priority = models.PositiveSmallIntegerField(default=UNASSESSED_WEIGHT)
    assessed_at = models.DateTimeField(null=True, blank=True)
    categories = models.ManyToManyField(
        HarmCategory,
        blank=True,
        related_name="cases",
        help_text="The reporter's categories as triage confirmed or adjusted them.",
    )
    recording_decision = models.CharField(
        max_length=20, choices=RecordingDecision.choices, blank=True
    )
    offence_crosswalk = models.CharField(
        max_length=120,
        blank=True,
        help_text="Optional: the offence this may amount to, for the force's own records.",
    )
    crime_reference = models.CharField(max_length=40, blank=True)

    # Clocks, and when each breach was flagged and escalated (escalation happens once).
    first_response_due = models.DateTimeField()
    first_responded_at = models.DateTimeField(null=True, blank=True)
    first_response_breached_at = models.DateTimeField(null=True, blank=True)
    first_response_escalated_at = models.DateTimeField(null=True, blank=True)
    next_update_due = models.DateTimeField(null=True, blank=True)
    update_breached_at = models.DateTimeField(null=True, blank=True)
    update_escalated_at = models.DateTimeField(null=True, blank=True)
    outcome_due = models.DateTimeField()
    outcome_breached_at = models.DateTimeField(null=True, blank=True)
    outcome_escalated_at = models.DateTimeField(null=True, blank=True)

    # Set when an update to the reporter went out after it was due: the update clock restarts
    # with each message, so without it a missed update would vanish from the record.
    update_met_late_at = models.DateTimeField(null=True, blank=True)

    outcome_given_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)

    # Legal hold: while set, retention never erases the case (privacy/services/retention.py),
    # however long ago it closed. Placed and lifted by a triage supervisor of the case's force.
    legal_hold_since = models.DateTimeField(null=True, blank=True)
    legal_hold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    legal_hold_reason = models.CharField(max_length=300, blank=True)
    # Retention's claims, each a conditional update so a run twice (or two at once) reminds and
    # erases once: the reminder went out for the closure at or before this time; erasure began.
    retention_reminded_at = models.DateTimeField(null=True, blank=True)
    erasure_claimed_at = models.DateTimeField(null=True, blank=True)

    # The reporter wrote (a message or more evidence) and the person holding the case, or the
    # force's team while nobody holds it, has not opened the case since: the unread marker.
    unread_since = models.DateTimeField(null=True, blank=True)
    # The reporter wrote after the outcome: the case is back for the team's attention until
    # someone answers, reopens it or closes it.
    reporter_replied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = list(QUEUE_ORDER)
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.NEW) | Q(assignee__isnull=True),
                name="case_new_is_unassigned",
            ),
            models.CheckConstraint(
                # Closed may lack a risk: a case whose reporter withdrew before assessment.
                condition=~Q(
                    status__in=[
                        CaseStatus.ASSESSED,
                        CaseStatus.ACTION_UNDER_WAY,
                        CaseStatus.OUTCOME_GIVEN,
                    ]
                )
                | ~Q(risk=""),
                name="case_assessed_has_risk",
            ),
        ]
        indexes = [
            models.Index(fields=["force", "status"], name="case_force_status_idx"),
            models.Index(
                fields=["force", "-priority", "submitted_at", "id"], name="case_queue_order_idx"
            ),
            # Claim next reads the head of this index and skips rows other claimers hold.
            models.Index(
                fields=["force", "-priority", "submitted_at", "id"],
                condition=Q(assignee__isnull=True),
                name="case_claimable_idx",
            ),
            models.Index(fields=["assignee", "status"], name="case_assignee_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk} ({self.report.reference})"

    # --- questions answered ----------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_assessed(self) -> bool:
        return bool(self.risk)

    @property
    def is_immediate_risk(self) -> bool:
        return self.risk == Risk.IMMEDIATE

    def clocks(self) -> list[sla.Clock]:
        """The clocks still running, soonest first (none once the outcome is given)."""
        return sla.running_clocks(self)

    def sla_state(self, now: datetime | None = None) -> sla.SlaState:
        return sla.state_of(self, now or timezone.now())

    def compute_priority(self) -> int:
        return RISK_WEIGHT.get(self.risk, UNASSESSED_WEIGHT)

    # --- state: idempotent, refusing illegal moves ------------------------------------------
    def _save(self, now: datetime, *fields: str) -> None:
        self.updated_at = now
        self.save(update_fields=[*fields, "updated_at"])

    def _refuse(self, message: str) -> None:
        raise ValidationError(message, code="illegal_move")

    def has_conflict(self, user) -> bool:
        """`user` declared a conflict of interest on this case (see CaseConflict)."""
        return self.conflicts.filter(user_id=user.pk).exists()

    def _refuse_if_conflicted(self, user, message: str) -> None:
        if self.has_conflict(user):
            raise ValidationError(message, code="conflict_of_interest")

    def claim(self, user, *, now: datetime | None = None) -> bool:
        """Make `user` the assignee of an unassigned open case.

        The write is a conditional UPDATE (… WHERE assignee IS NULL), so of two people claiming
        the same case at the same moment exactly one wins, on any database; the other gets a
        ValidationError, as does anyone claiming a case someone else holds.
        """
        now = now or timezone.now()
        self._refuse_if_conflicted(
            user, "You stepped aside from this case, so you cannot claim it."
        )
        if self.assignee_id == user.pk:
            return False
        if self.status not in OPEN_STATUSES:
            self._refuse("This case already has its outcome. Reopen it to work on it again.")
        if self.assignee_id is not None:
            self._refuse("Someone else is already working on this case.")
        status = CaseStatus.CLAIMED if self.status == CaseStatus.NEW else self.status
        won = Case.objects.filter(pk=self.pk, assignee__isnull=True, status=self.status).update(
            assignee=user, claimed_at=now, status=status, updated_at=now
        )
        if not won:
            raise ClaimConflictError("Someone else claimed this case a moment ago.")
        self.assignee, self.claimed_at, self.status, self.updated_at = user, now, status, now
        return True

    @classmethod
    def claim_head_of_queue(
        cls, user, *, force_ids: Sequence[int], now: datetime | None = None, detail: str = ""
    ) -> Case | None:
        """`claim` applied to the first unassigned open case of `force_ids`, in one statement.

        UPDATE … WHERE id = (SELECT id … ORDER BY priority DESC, submitted_at, id LIMIT 1 FOR
        UPDATE SKIP LOCKED) RETURNING *: concurrent claimers skip the rows others are taking,
        never wait for one another and never take the same case, and a single statement is
        atomic with one round trip. Cases `user` stepped aside from (CaseConflict) are never
        taken. The claim's `CaseEvent` (CLAIMED, by and to `user`, with `detail`) is inserted by
        the same statement, so the history is written with the claim and costs no extra round
        trip. Returns the claimed case, or None if none is waiting.
        Postgres only (SQLite has no SKIP LOCKED); see docs/decisions/0006.
        """
        if not force_ids:
            return None
        now = now or timezone.now()
        forces = list(force_ids) if len(force_ids) > 1 else force_ids[0]
        params = [
            user.pk,
            now,
            now,
            CaseStatus.NEW.value,
            CaseStatus.CLAIMED.value,
            forces,
            sorted(OPEN_STATUSES),
            user.pk,
            # The history row: kind, actor, detail, to whom, when.
            _claimed_kind(),
            user.pk,
            detail,
            user.pk,
            now,
        ]
        found = list(cls.objects.raw(_claim_head_sql(many_forces=len(force_ids) > 1), params))
        return found[0] if found else None

    def unclaim(self, *, now: datetime | None = None) -> bool:
        """Hand the case back to the queue. An unassessed case becomes new again."""
        if self.assignee_id is None:
            return False
        if self.status not in OPEN_STATUSES:
            self._refuse("A case with an outcome cannot go back to the queue.")
        self.assignee = None
        self.claimed_at = None
        if self.status == CaseStatus.CLAIMED:
            self.status = CaseStatus.NEW
        self._save(now or timezone.now(), "assignee", "claimed_at", "status")
        return True

    def reassign(self, user, *, now: datetime | None = None) -> bool:
        """Give the case to `user` (a supervisor's decision), whoever holds it now."""
        if self.assignee_id == user.pk:
            return False
        if self.status == CaseStatus.CLOSED:
            self._refuse("A closed case cannot be reassigned. Reopen it first.")
        self._refuse_if_conflicted(
            user,
            f"{user.get_full_name()} stepped aside from this case, so it cannot be assigned to "
            "them.",
        )
        now = now or timezone.now()
        self.assignee = user
        self.claimed_at = now
        if self.status == CaseStatus.NEW:
            self.status = CaseStatus.CLAIMED
        self._save(now, "assignee", "claimed_at", "status")
        return True

    def assess(
        self,
        *,
        risk: str,
        recording_decision: str,
        offence_crosswalk: str = "",
        crime_reference: str = "",
        now: datetime | None = None,
    ) -> bool:
        """Record (or revise) the risk and recording decision; the first-response clock follows.

        Categories are many-to-many and set by the service alongside.
        """
        if risk not in Risk.values:
            self._refuse(f"Select a risk level, not {risk!r}.")
        if recording_decision not in RecordingDecision.values:
            self._refuse(
                "Select whether this is recorded as a crime, a non-crime incident, or not."
            )
        if self.status not in (CaseStatus.CLAIMED, *ASSESSED_STATUSES):
            if self.status == CaseStatus.NEW:
                self._refuse("Claim this case before assessing it.")
            self._refuse("This case already has its outcome. Reopen it to assess it again.")
        values = {
            "risk": risk,
            "recording_decision": recording_decision,
            "offence_crosswalk": offence_crosswalk.strip(),
            "crime_reference": crime_reference.strip(),
        }
        unchanged = all(getattr(self, name) == value for name, value in values.items())
        if unchanged and self.status != CaseStatus.CLAIMED:
            return False
        now = now or timezone.now()
        for name, value in values.items():
            setattr(self, name, value)
        self.priority = self.compute_priority()
        self.first_response_due = sla.first_response_due(
            self.submitted_at, risk, subdivision=self.force.holiday_subdivision
        )
        self.assessed_at = now
        if self.status == CaseStatus.CLAIMED:
            self.status = CaseStatus.ASSESSED
        self._save(now, *values, "priority", "first_response_due", "assessed_at", "status")
        return True

    def start_action(self, *, now: datetime | None = None) -> bool:
        """The first action moves an assessed case to "action under way"."""
        if self.status == CaseStatus.ACTION_UNDER_WAY:
            return False
        if self.status != CaseStatus.ASSESSED:
            if self.status in (CaseStatus.NEW, CaseStatus.CLAIMED):
                self._refuse("Assess the risk before recording an action.")
            self._refuse("This case already has its outcome. Reopen it to record more actions.")
        self.status = CaseStatus.ACTION_UNDER_WAY
        self._save(now or timezone.now(), "status")
        return True

    def give_outcome(self, *, now: datetime | None = None) -> bool:
        """The outcome went to the reporter: the clocks stop."""
        if self.status == CaseStatus.OUTCOME_GIVEN:
            return False
        if self.status not in ASSESSED_STATUSES:
            if self.status == CaseStatus.CLOSED:
                self._refuse("This case is closed. Reopen it to give a new outcome.")
            self._refuse("Assess the risk before giving an outcome.")
        now = now or timezone.now()
        fields = ["status", "outcome_given_at", "next_update_due", "reporter_replied_at"]
        if self._update_late(now):
            self.update_met_late_at = now
            fields.append("update_met_late_at")
        self.status = CaseStatus.OUTCOME_GIVEN
        self.outcome_given_at = now
        self.next_update_due = None
        self.reporter_replied_at = None
        if self.first_responded_at is None:
            # The outcome is itself a response to the reporter.
            self.first_responded_at = now
            fields.append("first_responded_at")
        self._save(now, *fields)
        return True

    def close(self, *, report_withdrawn: bool = False, now: datetime | None = None) -> bool:
        """Close after the outcome; a withdrawn report's case is closed from any state.

        A withdrawn report's case is closed with that reason and its clocks stop, so it is
        never claimed or escalated again. Whoever held it stays on record as its assignee.
        """
        if self.status == CaseStatus.CLOSED:
            return False
        if self.status != CaseStatus.OUTCOME_GIVEN and not report_withdrawn:
            self._refuse("Give the reporter an outcome before closing the case.")
        now = now or timezone.now()
        if self._update_late(now):
            # Closed with an update overdue (a withdrawal): the miss stays on the record.
            self.update_met_late_at = now
        self.status = CaseStatus.CLOSED
        self.closed_at = now
        self.close_reason = CloseReason.WITHDRAWN if report_withdrawn else CloseReason.AFTER_OUTCOME
        self.next_update_due = None
        self.reporter_replied_at = None
        self.unread_since = None
        self._save(
            now,
            "status",
            "closed_at",
            "close_reason",
            "next_update_due",
            "update_met_late_at",
            "reporter_replied_at",
            "unread_since",
        )
        return True

    def reopen(self, user, *, reassess: bool = False, now: datetime | None = None) -> bool:
        """Reopen a finished case for `user` to work: back to assessed, or claimed to reassess.

        Fresh update and outcome clocks start, and their breach flags are cleared so a new
        breach escalates again. Reopening an open case changes nothing.
        """
        if self.status in OPEN_STATUSES:
            return False
        self._refuse_if_conflicted(
            user, "You stepped aside from this case, so you cannot reopen it to work on it."
        )
        now = now or timezone.now()
        self.status = CaseStatus.CLAIMED if reassess or not self.risk else CaseStatus.ASSESSED
        self.assignee = user
        self.claimed_at = now
        self.reopened_at = now
        self.outcome_given_at = None
        self.closed_at = None
        self.close_reason = ""
        self.reporter_replied_at = None
        self.next_update_due = sla.next_update_due(now)
        self.outcome_due = sla.outcome_due(now)
        self.update_breached_at = self.update_escalated_at = None
        self.outcome_breached_at = self.outcome_escalated_at = None
        self._save(
            now,
            "status",
            "assignee",
            "claimed_at",
            "reopened_at",
            "outcome_given_at",
            "closed_at",
            "close_reason",
            "reporter_replied_at",
            "next_update_due",
            "outcome_due",
            "update_breached_at",
            "update_escalated_at",
            "outcome_breached_at",
            "outcome_escalated_at",
        )
        return True

    def step_aside(self, user, *, now: datetime | None = None) -> bool:
        """`user` declared a conflict: if they hold the case, it goes back to the queue.

        Unlike `unclaim`, this also releases a finished case, so that nobody who knows the
        person is left as its assignee for a reopening. Returns False if they did not hold it.
        """
        if self.assignee_id != user.pk:
            return False
        self.assignee = None
        self.claimed_at = None
        if self.status == CaseStatus.CLAIMED:
            self.status = CaseStatus.NEW
        self._save(now or timezone.now(), "assignee", "claimed_at", "status")
        return True

    def transfer(self, to_force: Force, *, now: datetime | None = None) -> bool:
        """Move an open case to `to_force`'s queue: unassigned, new, with fresh clocks there.

        The receiving force judges the risk afresh, so the assessment is cleared; an immediate
        case keeps its place at the head of the queue until then. Every clock restarts from
        now by the receiving force's bank holidays: the time the case spent with the wrong
        force is not counted against the right one, and the sending force's breaches stay in
        the case's history. The report's force is changed by the service, through reports.
        """
        if self.force_id == to_force.pk:
            return False
        if self.status not in OPEN_STATUSES:
            self._refuse("Only an open case can be transferred. Reopen it first.")
        now = now or timezone.now()
        self.priority = max(self.priority, UNASSESSED_WEIGHT)
        self.force = to_force
        self.status = CaseStatus.NEW
        self.assignee = None
        self.claimed_at = None
        self.risk = ""
        self.recording_decision = ""
        self.assessed_at = None
        self.first_responded_at = None
        self.first_response_due = sla.first_response_due(
            now, "", subdivision=to_force.holiday_subdivision
        )
        self.next_update_due = sla.next_update_due(now)
        self.outcome_due = sla.outcome_due(now)
        for clock in ("first_response", "update", "outcome"):
            setattr(self, f"{clock}_breached_at", None)
            setattr(self, f"{clock}_escalated_at", None)
        # The sending force's late update is its own, kept in the history (TRANSFERRED), not
        # held against the receiving force; so is its assessment's crime recording.
        self.update_met_late_at = None
        self.crime_reference = ""
        self.offence_crosswalk = ""
        self._save(
            now,
            "update_met_late_at",
            "crime_reference",
            "offence_crosswalk",
            "force",
            "status",
            "assignee",
            "claimed_at",
            "risk",
            "recording_decision",
            "assessed_at",
            "priority",
            "first_responded_at",
            "first_response_due",
            "next_update_due",
            "outcome_due",
            "first_response_breached_at",
            "first_response_escalated_at",
            "update_breached_at",
            "update_escalated_at",
            "outcome_breached_at",
            "outcome_escalated_at",
        )
        return True

    def record_response(self, *, now: datetime | None = None) -> bool:
        """Triage wrote to the reporter: the first-response clock stops, the update clock restarts.

        Not a status change; returns False only for a finished case, whose clocks have stopped.
        """
        if self.status not in OPEN_STATUSES:
            return False
        now = now or timezone.now()
        fields = ["next_update_due", "update_breached_at", "update_escalated_at"]
        if self._update_late(now):
            # The restart below forgets the missed update; remember it was met late.
            self.update_met_late_at = now
            fields.append("update_met_late_at")
        if self.first_responded_at is None:
            self.first_responded_at = now
            fields.append("first_responded_at")
        self.next_update_due = sla.next_update_due(now)
        # A new update period: its breach, if it comes, is a new breach and escalates again.
        self.update_breached_at = self.update_escalated_at = None
        self._save(now, *fields)
        return True

    def _update_late(self, now: datetime) -> bool:
        return self.next_update_due is not None and self.next_update_due < now

    def reporter_wrote(self, *, now: datetime | None = None) -> bool:
        """The reporter sent a message or more evidence: mark the case unread, and bring a case
        with an outcome back to the team's attention. A withdrawn report's case stays closed."""
        if self.close_reason == CloseReason.WITHDRAWN:
            return False
        now = now or timezone.now()
        self.unread_since = self.unread_since or now
        fields = ["unread_since"]
        if self.status in FINISHED_STATUSES:
            self.reporter_replied_at = self.reporter_replied_at or now
            fields.append("reporter_replied_at")
        self._save(now, *fields)
        return True

    def mark_read(self) -> bool:
        """What the reporter wrote has been read (services decide by whom): the marker goes."""
        if self.unread_since is None:
            return False
        updated = Case.objects.filter(pk=self.pk, unread_since=self.unread_since).update(
            unread_since=None
        )
        self.unread_since = None
        return bool(updated)

    @property
    def on_legal_hold(self) -> bool:
        return self.legal_hold_since is not None

    def place_legal_hold(self, user, *, reason: str, now: datetime | None = None) -> bool:
        """Stop retention erasing the case until the hold is lifted. False if already held."""
        if self.legal_hold_since is not None:
            return False
        reason = reason.strip()
        if not reason:
            self._refuse("Enter why the case must be kept.")
        now = now or timezone.now()
        self.legal_hold_since = now
        self.legal_hold_by = user
        self.legal_hold_reason = reason[:300]
        self._save(now, "legal_hold_since", "legal_hold_by", "legal_hold_reason")
        return True

    def lift_legal_hold(self, *, now: datetime | None = None) -> bool:
        """Let retention run again from the case's own clock. False if it was not held."""
        if self.legal_hold_since is None:
            return False
        self.legal_hold_since = None
        self.legal_hold_by = None
        self.legal_hold_reason = ""
        self._save(now or timezone.now(), "legal_hold_since", "legal_hold_by", "legal_hold_reason")
        return True

    def answer_reply(self, *, now: datetime | None = None) -> bool:
        """Triage answered a reporter who wrote after the outcome."""
        if self.reporter_replied_at is None:
            return False
        self.reporter_replied_at = None
        self._save(now or timezone.now(), "reporter_replied_at")
        return True


@cache
def _claim_head_sql(*, many_forces: bool) -> str:
    """The statement behind Case.claim_head_of_queue, built from the model's own names."""
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        return quote(Case._meta.get_field(name).column)

    table, pk = quote(Case._meta.db_table), quote(Case._meta.pk.column)
    status, assignee = column("status"), column("assignee")
    order = ", ".join(
        f"{column(field.lstrip('-'))} {'DESC' if field.startswith('-') else 'ASC'}"
        for field in QUEUE_ORDER
    )
    force = f"{column('force')} = ANY(%s)" if many_forces else f"{column('force')} = %s"
    # Never a case the claimer stepped aside from. Imported here: CaseConflict points at Case.
    from triage.models.work import CaseConflict

    conflicts = quote(CaseConflict._meta.db_table)
    conflict_case = quote(CaseConflict._meta.get_field("case").column)
    conflict_user = quote(CaseConflict._meta.get_field("user").column)
    not_conflicted = (
        f"NOT EXISTS (SELECT 1 FROM {conflicts} WHERE {conflicts}.{conflict_case} = "
        f"{table}.{pk} AND {conflicts}.{conflict_user} = %s)"
    )
    claim = (
        f"UPDATE {table} SET {assignee} = %s, {column('claimed_at')} = %s, "
        f"{column('updated_at')} = %s, "
        f"{status} = CASE WHEN {status} = %s THEN %s ELSE {status} END "
        f"WHERE {pk} = (SELECT {pk} FROM {table} "
        f"WHERE {force} AND {assignee} IS NULL AND {status} = ANY(%s) AND {not_conflicted} "
        f"ORDER BY {order} LIMIT 1 FOR UPDATE SKIP LOCKED) "
        f"RETURNING *"
    )
    from triage.models.work import CaseEvent

    def event_column(name: str) -> str:
        return quote(CaseEvent._meta.get_field(name).column)

    events = quote(CaseEvent._meta.db_table)
    recorded = ", ".join(
        event_column(name) for name in ("case", "kind", "actor", "detail", "to_user", "at")
    )
    # Writable CTEs: both run, once, whatever the final SELECT reads.
    return (
        f"WITH claimed AS ({claim}), "
        f"recorded AS (INSERT INTO {events} ({recorded}) "
        f"SELECT claimed.{pk}, %s, %s, %s, %s, %s FROM claimed) "
        f"SELECT * FROM claimed"
    )


def _claimed_kind() -> str:
    from triage.models.work import CaseEvent

    return CaseEvent.Kind.CLAIMED.value
