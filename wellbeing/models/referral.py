"""Referrals: a person's route into support, with their consent, plan, check-ins and history.

Every state change is a method on `Referral` that does nothing (returns False) when the
referral is already there and raises `ValidationError` with a plain-English reason for an
illegal move. Services (wellbeing/services/) lock the row, call the method, record a
`ReferralEvent` and write side effects through the outbox, all in one transaction.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import ExpressionWrapper, F, Q
from django.utils import timezone

from harmsportal.people.models import Force
from triage.models import Case
from wellbeing.models.choices import (
    HELPFUL_CHOICES,
    OPEN_STATES,
    CloseReason,
    ConsentScope,
    HarmTo,
    ReferralSource,
    ReferralState,
    SupportType,
)
from wellbeing.models.services import SupportService

DEFAULT_CHECKIN_DAYS = 14

# Whether a champion holds the referral, as a sortable value: false (waiting for a champion)
# comes first. The queue's order and its index use this one expression.
HAS_CHAMPION = ExpressionWrapper(Q(champion__isnull=False), output_field=models.BooleanField())


class ReferralCounter(models.Model):
    """The last referral number handed out for one force in one year (locked to allocate)."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["force", "year"], name="referralcounter_force_year"),
        ]

    def __str__(self) -> str:
        return f"{self.force.code} {self.year}: {self.last}"


class Referral(models.Model):
    """One person's referral into wellbeing support in their force."""

    # Opaque id for URLs: reveals nothing about how many exist (the pk never leaves the server).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Such as WB-WYP-2026-000042: what a champion sees when the person withheld their name.
    reference = models.CharField(max_length=32, unique=True, editable=False)
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="referrals")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="wellbeing_referrals"
    )
    source = models.CharField(max_length=10, choices=ReferralSource.choices)
    # The case it was offered from; none for a self-referral.
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        max_length=12, choices=ReferralState.choices, default=ReferralState.OFFERED, db_index=True
    )
    harm_to = models.CharField(max_length=10, choices=HarmTo.choices, default=HarmTo.ME)
    support_type = models.CharField(
        max_length=24, choices=SupportType.choices, default=SupportType.WELLBEING
    )

    # Consent: given when accepted (or on self-referral); narrowed or withdrawn at any time.
    summary = models.TextField(
        blank=True, help_text="A short summary the person wrote or approved for their champion."
    )
    consent_scope = models.CharField(
        max_length=24, choices=ConsentScope.choices, default=ConsentScope.SUMMARY
    )
    consent_name = models.BooleanField(
        default=False, help_text="The champion may see the person's name."
    )
    consent_given_at = models.DateTimeField(null=True, blank=True)
    consent_withdrawn_at = models.DateTimeField(null=True, blank=True)

    champion = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="champion_referrals",
    )
    service = models.ForeignKey(
        SupportService,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )

    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    # First support given: the end of the wait the capacity view measures from accepted_at.
    first_support_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)

    # Check-ins: the next one due; which due date was reminded of and flagged missed, so the
    # beat task claims each with a conditional update and never sends twice.
    next_checkin_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reminded_for = models.DateTimeField(null=True, blank=True)
    missed_for = models.DateTimeField(null=True, blank=True)
    # Two falls in a row in the wellbeing score: the champion should look again.
    needs_attention = models.BooleanField(default=False)
    # A crisis check-in the champion has not yet acknowledged.
    in_crisis_since = models.DateTimeField(null=True, blank=True)

    # Closure feedback: given, or declined ("I'd rather not say").
    feedback_helpful = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    feedback_text = models.TextField(blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True)
    feedback_declined = models.BooleanField(default=False)

    # Retention's claims (privacy/services/retention.py), each a conditional update: the
    # reminder went out for the closure at or before this time; erasure began.
    retention_reminded_at = models.DateTimeField(null=True, blank=True)
    erasure_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["force", "state", "-created_at"], name="referral_force_queue_idx"),
            models.Index(fields=["force", "support_type", "state"], name="referral_force_type_idx"),
            # The champion's queue in its default order (most urgent first): the database
            # walks this index for one force and stops after a page (bench/wellbeing_queue_page).
            # Ascending is NULLS LAST on Postgres, as the order asks (SQLite refuses NULLS LAST
            # in an index, and sorts the page itself).
            models.Index(
                F("force"),
                F("in_crisis_since"),
                F("needs_attention").desc(),
                HAS_CHAMPION,
                F("next_checkin_at"),
                F("created_at"),
                F("id"),
                name="referral_force_urgency_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(case__isnull=False),
                name="referral_one_per_case",
            ),
            models.CheckConstraint(
                # A referral from a case outlives it: retention erases the case and keeps the
                # referral (its source stays "case", its case empty) until its own expiry.
                condition=Q(source="self", case__isnull=True) | Q(source="case"),
                name="referral_source_matches_case",
            ),
        ]

    def __str__(self) -> str:
        # Never the person's name or summary: str() reaches logs and the admin's history.
        return self.reference

    # --- reading ---------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def consent_active(self) -> bool:
        return self.consent_given_at is not None and self.consent_withdrawn_at is None

    @property
    def champion_may_see_shared(self) -> bool:
        """Champions may see what the person shared: their summary, plan, messages and
        feedback. The one rule every champion page and template asks (withdrawing consent
        hides it all at once)."""
        return self.consent_active

    @property
    def champion_may_see_name(self) -> bool:
        return self.champion_may_see_shared and self.consent_name

    @property
    def champion_may_see_description(self) -> bool:
        return (
            self.champion_may_see_shared
            and self.case_id is not None
            and self.consent_scope == ConsentScope.SUMMARY_AND_DESCRIPTION
        )

    @property
    def feedback_helpful_label(self) -> str:
        """The person's answer to "How helpful was the support?", in their words ("" if none)."""
        return dict(HELPFUL_CHOICES).get(self.feedback_helpful, "")

    def checkin_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_open and self.next_checkin_at is not None and self.next_checkin_at < now

    # --- moves -----------------------------------------------------------------------------

    def _refuse_if_closed(self, doing: str) -> None:
        if self.state == ReferralState.CLOSED:
            raise ValidationError(
                f"This referral is closed, so you cannot {doing}. Reopen it first."
            )

    def accept(
        self, *, summary: str, scope: str, share_name: bool, harm_to: str, support_type: str
    ) -> bool:
        """The person accepts the offer (or changes their mind after declining)."""
        if self.state in OPEN_STATES:
            return False
        self._refuse_if_closed("accept it")
        if scope not in ConsentScope.values:
            raise ValidationError("Choose what your champion may see.")
        now = timezone.now()
        self.state = ReferralState.ACCEPTED
        self.summary = summary
        self.consent_scope = scope
        self.consent_name = share_name
        self.harm_to = harm_to
        self.support_type = support_type
        self.consent_given_at = now
        self.consent_withdrawn_at = None
        self.accepted_at = now
        self.save()
        return True

    def decline(self) -> bool:
        if self.state == ReferralState.DECLINED:
            return False
        if self.state != ReferralState.OFFERED:
            raise ValidationError(
                "You have already accepted this support. To stop it, ask your champion to close "
                "it, or withdraw your consent."
            )
        self.state = ReferralState.DECLINED
        self.declined_at = timezone.now()
        self.save(update_fields=["state", "declined_at"])
        return True

    def assign(self, champion, *, days: int = DEFAULT_CHECKIN_DAYS) -> bool:
        """Give the referral to a champion; on an assigned referral this is a reassignment.
        The first check-in is due `days` after assignment (the plan's cadence)."""
        self._refuse_if_closed("assign it")
        if self.champion_id == champion.pk and self.state != ReferralState.ACCEPTED:
            return False
        if self.state in (ReferralState.OFFERED, ReferralState.DECLINED):
            raise ValidationError(
                "The person has not accepted this support, so it cannot be assigned."
            )
        self.champion = champion
        if self.state == ReferralState.ACCEPTED:
            self.state = ReferralState.ASSIGNED
            self.assigned_at = timezone.now()
            if self.next_checkin_at is None:
                self.next_checkin_at = self.assigned_at + timedelta(days=days)
        self.save()
        return True

    def release(self) -> bool:
        """Take the referral off its champion (they stepped aside), so another can be assigned.

        An assigned referral goes back to accepted, waiting for a champion, as if never
        assigned. One already in support stays in support with no champion: its first support
        happened, and `first_support_at` is the end of the wait the capacity view measures.
        `assign` then gives it a new champion in either state. False when nobody held it.
        """
        if self.champion_id is None:
            return False
        self.champion = None
        fields = ["champion"]
        if self.state == ReferralState.ASSIGNED:
            self.state = ReferralState.ACCEPTED
            self.assigned_at = None
            fields += ["state", "assigned_at"]
        self.save(update_fields=fields)
        return True

    def start_support(self, *, service: SupportService | None = None) -> bool:
        """Support has begun: with the champion, or handed to a support service."""
        self._refuse_if_closed("start support or hand it to a service")
        if self.state in (ReferralState.OFFERED, ReferralState.DECLINED, ReferralState.ACCEPTED):
            raise ValidationError("Assign a champion before support starts.")
        changed = False
        if service is not None and self.service_id != service.pk:
            if service.force_id != self.force_id:
                raise ValidationError("Choose a support service in this force.")
            self.service = service
            changed = True
        if self.state == ReferralState.ASSIGNED:
            self.state = ReferralState.IN_SUPPORT
            # The end of the first wait only: support starting again after a reopen keeps it.
            if self.first_support_at is None:
                self.first_support_at = timezone.now()
            changed = True
        if changed:
            self.save()
        return changed

    def close(self, *, reason: str) -> bool:
        if self.state == ReferralState.CLOSED:
            return False
        if reason not in CloseReason.values:
            raise ValidationError("Choose why the referral is closing.")
        if self.state == ReferralState.DECLINED and reason != CloseReason.OFFER_WITHDRAWN:
            raise ValidationError("A declined offer has nothing to close.")
        self.state = ReferralState.CLOSED
        self.close_reason = reason
        self.closed_at = timezone.now()
        self.next_checkin_at = None
        self.save()
        return True

    def reopen(self, *, days: int = DEFAULT_CHECKIN_DAYS) -> bool:
        """Open a closed referral again. With its champion it goes back to in support when
        support had started (its wait is over), else to assigned; without one, to accepted.
        The next check-in is due `days` from now (the plan's cadence)."""
        if self.state != ReferralState.CLOSED:
            return False
        if self.consent_given_at is None:
            raise ValidationError("This offer was never accepted, so there is nothing to reopen.")
        now = timezone.now()
        # Reopening is the person's consent again (a champion reopens at the person's request).
        self.consent_withdrawn_at = None
        if self.champion_id is None:
            self.state = ReferralState.ACCEPTED
        elif self.first_support_at is not None:
            self.state = ReferralState.IN_SUPPORT
        else:
            self.state = ReferralState.ASSIGNED
        self.closed_at = None
        self.close_reason = ""
        self.feedback_helpful = None
        self.feedback_text = ""
        self.feedback_at = None
        self.feedback_declined = False
        if self.champion_id:
            self.next_checkin_at = now + timedelta(days=days)
        self.save()
        return True

    def narrow_consent(self, *, scope: str, share_name: bool) -> bool:
        """The person changes what is shared. Takes effect at once on every champion page."""
        if not self.consent_active:
            raise ValidationError("You have not given consent to share anything on this referral.")
        if scope not in ConsentScope.values:
            raise ValidationError("Choose what your champion may see.")
        if (scope, share_name) == (self.consent_scope, self.consent_name):
            return False
        self.consent_scope = scope
        self.consent_name = share_name
        self.save(update_fields=["consent_scope", "consent_name"])
        return True

    def withdraw_consent(self) -> bool:
        """Nothing more is shared, and the referral closes. The person can reopen it later."""
        if self.consent_withdrawn_at is not None:
            return False
        if self.consent_given_at is None:
            raise ValidationError("You have not given consent on this referral.")
        self.consent_withdrawn_at = timezone.now()
        self.consent_name = False
        self.consent_scope = ConsentScope.SUMMARY
        if self.state != ReferralState.CLOSED:
            self.state = ReferralState.CLOSED
            self.close_reason = CloseReason.CONSENT_WITHDRAWN
            self.closed_at = self.consent_withdrawn_at
            self.next_checkin_at = None
        self.save()
        return True


class ReferralEvent(models.Model):
    """The referral's history: every move, with who, when and why."""

    class Kind(models.TextChoices):
        OFFERED = "offered", "Support offered"
        SELF_REFERRED = "self_referred", "Self-referral made"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        ASSIGNED = "assigned", "Champion assigned"
        REASSIGNED = "reassigned", "Reassigned"
        SUPPORT_STARTED = "support_started", "Support started"
        SERVICE_CHOSEN = "service_chosen", "Handed to a support service"
        CONSENT_CHANGED = "consent_changed", "What is shared changed"
        CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
        PLAN_CHANGED = "plan_changed", "Support plan changed"
        CHECKIN = "checkin", "Check-in recorded"
        CHECKIN_MISSED = "checkin_missed", "Check-in missed"
        CRISIS = "crisis", "Crisis check-in"
        MESSAGE = "message", "Message"
        STEPPED_ASIDE = "stepped_aside", "Champion stepped aside"
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"
        FEEDBACK = "feedback", "Feedback"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # None for the system (the beat task).
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    from_state = models.CharField(max_length=12, choices=ReferralState.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=ReferralState.choices, blank=True)
    why = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on referral {self.referral_id}"


class ReferralConflict(models.Model):
    """A champion who knows the person and stepped aside. Never theirs again, never visible."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="conflicts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()

    class Meta:
        ordering = ["declared_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "user"], name="referralconflict_referral_user"
            ),
        ]

    def __str__(self) -> str:
        return f"Conflict of interest on referral {self.referral_id}"


class ReferralMessage(models.Model):
    """A message between the person and their champion, inside the portal."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_person = models.BooleanField()
    body = models.TextField()
    sent_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]

    def __str__(self) -> str:
        return f"Message on referral {self.referral_id}"


class SupportPlan(models.Model):
    """One version of the person's support plan. Every change adds a row; the newest is current."""

    class Contact(models.TextChoices):
        PORTAL = "portal", "Messages in this portal"
        PHONE = "phone", "Phone call"
        EMAIL = "email", "Email"
        IN_PERSON = "in_person", "In person"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="plans")
    contact_how = models.CharField(max_length=12, choices=Contact.choices, default=Contact.PORTAL)
    contact_when = models.CharField(max_length=300, blank=True)
    needs = models.TextField(blank=True)
    what_helps = models.TextField(blank=True)
    what_does_not_help = models.TextField(blank=True)
    checkin_every_days = models.PositiveSmallIntegerField(
        default=DEFAULT_CHECKIN_DAYS, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    remind_person = models.BooleanField(
        default=False, help_text="Remind the person too when a check-in is due."
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        get_latest_by = ["at", "id"]

    def __str__(self) -> str:
        return f"Support plan for referral {self.referral_id}"


class CheckIn(models.Model):
    """A check-in: how the person is doing, from 1 (struggling badly) to 5 (doing well)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="checkins")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    in_crisis = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    # Set once, by whoever claims the crisis alert first (conditional update): sent once only.
    crisis_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="checkin_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in on referral {self.referral_id}"

    @property
    def is_crisis(self) -> bool:
        return self.in_crisis or self.score == 1
