"""What a learner does: progress through a version, quiz attempts, completions and feedback.

A `Completion` is history: it is never changed by a later version, and keeps the version the
person completed, their name as printed on the certificate, and a verification code a
training admin can check. It counts up to the day before `expires_on`, and has run out ON
that day (none: it never expires). `has_expired` and `in_date` are that rule, the one meaning of
"expired" for every page, figure, reminder and check.
"""

from __future__ import annotations

import datetime
import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from harmsportal.people.models import Force
from training.models.choices import RATING_CHOICES, Changed
from training.models.content import Module, ModuleVersion

# --- the one rule for "expired" ---------------------------------------------------------------
# A completion expiring on 17 December counts up to 16 December and has run out on the 17th:
# the expiry reminder says "your training runs out on 17 December", and on that day the
# refresher is assigned ("your training has run out").


def has_expired(expires_on: datetime.date | None, today: datetime.date) -> bool:
    """Whether a completion with this expiry date has run out by `today` (None: never)."""
    return expires_on is not None and expires_on <= today


def in_date(today: datetime.date, field: str = "expires_on") -> Q:
    """The completion (or an annotation with its expiry, `field`) still counts on `today`:
    `has_expired` as a query condition."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": today})


def expired(today: datetime.date, field: str = "expires_on") -> Q:
    """The completion has run out by `today` (it has an expiry date, and it has come)."""
    return Q(**{f"{field}__lte": today})


# Letters and digits that cannot be misread for one another on paper (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_verification_code() -> str:
    """Such as HP-7KQM-3XWD: 8 random characters (about 40 bits), easy to read out."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"HP-{chars[:4]}-{chars[4:]}"


class Progress(models.Model):
    """Where a learner is in one version: started, the furthest section reached, resumed."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_progress"
    )
    version = models.ForeignKey(ModuleVersion, on_delete=models.PROTECT, related_name="+")
    # The order of the section to resume at.
    current_section = models.PositiveSmallIntegerField(default=1)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    read_all_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "version"], name="progress_one_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.version}"


class QuizAttempt(models.Model):
    """One go at a version's quiz. Failed attempts are kept; a learner may retry."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    version = models.ForeignKey(ModuleVersion, on_delete=models.PROTECT, related_name="+")
    # {question pk (str): answer pk chosen}
    answers = models.JSONField(default=dict)
    correct = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    passed = models.BooleanField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.person}: {self.correct}/{self.total} in {self.version}"

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 100


class Completion(models.Model):
    """A learner completed one version of a module. History: never edited by later versions."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_completions"
    )
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="completions")
    version = models.ForeignKey(ModuleVersion, on_delete=models.PROTECT, related_name="completions")
    # The learner's force when they completed it: whose training admins may verify and count it.
    force = models.ForeignKey(
        Force, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(default=timezone.now, db_index=True)
    # None: it never expires (the module has no refresh interval).
    expires_on = models.DateField(null=True, blank=True, db_index=True)
    score_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    name_on_certificate = models.CharField(max_length=150)
    verification_code = models.CharField(
        max_length=16, unique=True, default=new_verification_code, editable=False
    )
    # Expiry reminders, each claimed by a conditional update before it is sent.
    expiry_reminded_30_at = models.DateTimeField(null=True, blank=True, editable=False)
    expiry_reminded_7_at = models.DateTimeField(null=True, blank=True, editable=False)
    expiry_reminded_1_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the refresher was assigned on expiry (claimed; Assignment.refresher_of is unique too).
    refresher_assigned_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-completed_at"]
        indexes = [
            models.Index(fields=["person", "module"], name="completion_person_module"),
        ]

    def __str__(self) -> str:
        return f"{self.person} completed {self.version}"

    @property
    def has_expired(self) -> bool:
        """Whether it has run out today (`has_expired`): for pages."""
        return has_expired(self.expires_on, timezone.localdate())


class Feedback(models.Model):
    """What the learner thought of a module, given once after completing it."""

    completion = models.OneToOneField(Completion, on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField(
        choices=RATING_CHOICES, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    better = models.TextField(
        blank=True, max_length=2000, help_text="What would make it better (optional)."
    )
    changed = models.CharField(max_length=10, choices=Changed.choices)
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Feedback on {self.completion}"


class FootprintCheck(models.Model):
    """A completed digital-footprint self-check. Only the fact of completion is kept, unless the
    person chose to save their answers (`saved_answers`); they can delete them at any time."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="footprint_checks"
    )
    completed_at = models.DateTimeField(default=timezone.now)
    saved_answers = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-completed_at"]

    def __str__(self) -> str:
        return f"Footprint self-check by {self.person}"
