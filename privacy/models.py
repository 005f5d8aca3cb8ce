"""Retention settings per force and the records erasure leaves behind (see privacy/services)."""

from __future__ import annotations

import uuid

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from harmsportal.people.models import Force
from reports.models import Report


class ForceRetention(models.Model):
    """A force's own retention periods; an empty period means the national default
    (HARMSPORTAL_RETENTION_CASE_DAYS / _REFERRAL_DAYS in settings)."""

    force = models.OneToOneField(Force, on_delete=models.CASCADE, related_name="retention")
    closed_case_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Days a closed case is kept before it is erased. Empty: the national default.",
    )
    closed_referral_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=(
            "Days a closed wellbeing referral is kept before it is erased. Empty: the national "
            "default."
        ),
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "force retention period"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_case_days__isnull=True)
                | models.Q(closed_case_days__gte=1),
                name="forceretention_case_days_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_referral_days__isnull=True)
                | models.Q(closed_referral_days__gte=1),
                name="forceretention_referral_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Retention for {self.force}"


class ErasureRecord(models.Model):
    """What was erased and when: metadata only, never a word of what the person wrote.

    Kept so the force can answer "what happened to report X?" after its records are gone.
    """

    class Kind(models.TextChoices):
        CASE = "case", "Case and its report"
        REFERRAL = "referral", "Wellbeing referral"
        DRAFT = "draft", "Unsent draft report"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The erased object's opaque id and reference (a reference is a counter, not content; a
    # draft has none). For a draft, `force` is the force it would have gone to and `closed_at`
    # when it was last saved, where its clock started.
    public_id = models.UUIDField(default=uuid.uuid4)
    reference = models.CharField(max_length=32, blank=True)
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField()
    retention_days = models.PositiveIntegerField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(default=timezone.now, db_index=True)
    # How many of each thing went: {"evidence_files": 2, "messages": 5, ...}.
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-erased_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "public_id"], name="erasurerecord_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference} erased {self.erased_at:%Y-%m-%d}"


class DraftReminder(models.Model):
    """When the reporter was last told that their unsent draft will be deleted.

    One row per draft, gone with it. A draft saved after `reminded_at` has a fresh clock: it is
    not erased on this reminder, and is reminded again if it is left long enough once more.
    """

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="+")
    reminded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Draft {self.report_id} reminded {self.reminded_at:%Y-%m-%d}"
