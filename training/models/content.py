"""Modules and their versions: the content a learner reads and the quiz they may take.

A `Module` is the lasting thing (its slug, owner, audiences, review and refresh rules); each
`ModuleVersion` is one edition of its content. At most one version of a module is published at
a time. Publishing a new version retires the old one but keeps it, so every completion still
points at the exact version that person read (`Completion.version`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from harmsportal.people.models import Force
from training.models.choices import Audience, VersionStatus


def validate_audiences(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError("Select at least one audience.")
    unknown = [a for a in value if a not in Audience.values]
    if unknown:
        raise ValidationError(f"Unknown audience: {', '.join(map(str, unknown))}.")
    if len(set(value)) != len(value):
        raise ValidationError("Each audience can be listed only once.")


class Module(models.Model):
    """A training module: national (no owner force) or one force's own."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Used in the learner's URL /training/modules/<slug>/. Unique across the portal.
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=150)
    summary = models.CharField(max_length=300, help_text="One or two sentences for the list.")
    # None: a national module, published by platform admins. Otherwise one force's own module.
    owner_force = models.ForeignKey(
        Force, on_delete=models.PROTECT, null=True, blank=True, related_name="training_modules"
    )
    # A list of Audience values, such as ["frontline", "specialist"].
    audiences = models.JSONField(default=list, validators=[validate_audiences])
    # When the content must next be reviewed. Past it, the owners are told (once per date).
    review_due = models.DateField()
    review_flagged_for = models.DateField(null=True, blank=True, editable=False)
    # How long a completion lasts; none: it never expires.
    refresh_months = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_national(self) -> bool:
        return self.owner_force_id is None

    @property
    def is_family(self) -> bool:
        return Audience.FAMILY in self.audiences

    def audience_labels(self) -> list[str]:
        return [Audience(a).label for a in self.audiences if a in Audience.values]

    def published_version(self) -> ModuleVersion | None:
        return self.versions.filter(status=VersionStatus.PUBLISHED).first()


class ModuleVersion(models.Model):
    """One edition of a module's content and quiz. Only drafts may be edited."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    estimated_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    # Percentage of quiz questions to get right; none when the version has no quiz.
    pass_mark = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    # Set by the publisher: everyone who completed an earlier version is assigned this one (once).
    requires_recompletion = models.BooleanField(default=False)
    # When that one-off assignment was made (claimed by a conditional update).
    recompletion_assigned_at = models.DateTimeField(null=True, blank=True, editable=False)
    change_summary = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["module", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["module", "number"], name="moduleversion_number"),
            models.UniqueConstraint(
                fields=["module"],
                condition=Q(status="published"),
                name="moduleversion_one_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module.title}, version {self.number}"

    @property
    def has_quiz(self) -> bool:
        return self.pass_mark is not None


class Section(models.Model):
    """One page of a version's content, written in markdown (rendered with HTML off)."""

    version = models.ForeignKey(ModuleVersion, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField()
    heading = models.CharField(max_length=150)
    body = models.TextField(help_text="Markdown. HTML is shown as text, never run.")

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="section_order"),
        ]

    def __str__(self) -> str:
        return self.heading


class Question(models.Model):
    """A quiz question with one right answer; `explanation` says why, after a wrong answer."""

    version = models.ForeignKey(ModuleVersion, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    explanation = models.TextField(help_text="Why the right answer is right. Markdown.")

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="question_order"),
        ]

    def __str__(self) -> str:
        return self.text


class Answer(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    order = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=200)
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["question", "order"]
        constraints = [
            models.UniqueConstraint(fields=["question", "order"], name="answer_order"),
        ]

    def __str__(self) -> str:
        return self.text


class ForceNote(models.Model):
    """A force's own note on a national module (local contacts, policy), shown to its learners."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="force_notes")
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(help_text="Markdown. HTML is shown as text, never run.")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["module", "force"], name="forcenote_one_per_force"),
        ]

    def __str__(self) -> str:
        return f"{self.force} note on {self.module}"
