"""A report of harm, and the per-force counter its reference is allocated from."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from harmsportal.people.models import FamilyLink, Force
from reports.models.choices import (
    OPEN_STATUSES,
    ChildAgeBand,
    ContactPreference,
    HateCharacteristic,
    ImpactLevel,
    OfflineImpact,
    OutcomeCategory,
    ReportStatus,
    Subject,
    YesNoNotSure,
)
from reports.models.taxonomy import HarmCategory, Platform


class ReferenceCounter(models.Model):
    """The last reference number handed out for one force in one year (locked to allocate)."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["force", "year"], name="referencecounter_force_year"),
        ]

    def __str__(self) -> str:
        return f"{self.force.code} {self.year}: {self.last}"


class Report(models.Model):
    """One report of harm, from the first answer of its draft to its outcome.

    A draft is saved on every step of the journey and is visible only to its reporter. The
    reference is allocated on submit (`reports.services.sending.report_submit`).
    """

    # Opaque id for URLs: reveals nothing about how many exist (the pk never leaves the server).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=32, blank=True, editable=False)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reports"
    )
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    # Who was harmed.
    subject = models.CharField(max_length=10, choices=Subject.choices, blank=True)
    family_link = models.ForeignKey(
        FamilyLink,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        help_text=(
            "For a member's report: the family member harmed. For a family account's report: "
            "whose policing role the harm is connected to."
        ),
    )
    child_first_name = models.CharField(max_length=60, blank=True)
    child_age_band = models.CharField(max_length=10, choices=ChildAgeBand.choices, blank=True)
    shared_with_member = models.BooleanField(
        null=True,
        blank=True,
        help_text="Family accounts only: whether the linked officer or staff member may read it.",
    )

    # What happened, where and when.
    categories = models.ManyToManyField(HarmCategory, blank=True, related_name="reports")
    hate_characteristics = models.JSONField(default=list, blank=True)
    platforms = models.ManyToManyField(Platform, blank=True, related_name="reports")
    platform_other = models.CharField(
        max_length=100, blank=True, help_text='Where it happened, when "Somewhere else" is ticked.'
    )
    started_on = models.DateField(null=True, blank=True)
    is_ongoing = models.BooleanField(default=False)
    related_to_role = models.BooleanField(null=True, blank=True)
    description = models.TextField(blank=True)
    perpetrator_known = models.CharField(max_length=10, choices=YesNoNotSure.choices, blank=True)
    perpetrator_details = models.TextField(blank=True)
    offline_impacts = models.JSONField(default=list, blank=True)

    # How it affects them, and what they want.
    impact_level = models.PositiveSmallIntegerField(
        choices=ImpactLevel.choices, null=True, blank=True
    )
    wants_support = models.CharField(max_length=10, choices=YesNoNotSure.choices, blank=True)
    line_manager_consent = models.BooleanField(default=False)
    line_manager_answered = models.BooleanField(default=False, editable=False)
    contact_preference = models.CharField(
        max_length=10, choices=ContactPreference.choices, blank=True
    )
    phone = models.CharField(max_length=30, blank=True)

    # Lifecycle.
    taxonomy_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    outcome_category = models.CharField(max_length=32, choices=OutcomeCategory.choices, blank=True)
    outcome_explanation = models.TextField(blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    demo_key = models.CharField(
        max_length=40,
        blank=True,
        editable=False,
        help_text="Set only on demonstration data, so seeding twice creates nothing new.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~Q(reference=""), name="report_unique_reference"
            ),
            models.UniqueConstraint(
                fields=["demo_key"], condition=~Q(demo_key=""), name="report_unique_demo_key"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | ~Q(reference=""),
                name="report_submitted_has_reference",
            ),
        ]
        indexes = [models.Index(fields=["reporter", "status"], name="report_reporter_status")]

    def __str__(self) -> str:
        return self.reference or f"Draft report {self.pk}"

    # --- questions answered ----------------------------------------------------------------
    @property
    def is_draft(self) -> bool:
        return self.status == ReportStatus.DRAFT

    @property
    def is_from_family_account(self) -> bool:
        return self.reporter.kind == "family"

    @property
    def linked_member(self):
        """The officer or staff member a family account's report may be shared with."""
        if self.is_from_family_account and self.family_link_id:
            return self.family_link.member
        return None

    @property
    def asks_hate_characteristic(self) -> bool:
        # Through all(), so a list that prefetched the categories asks no more queries.
        return any(category.asks_characteristic for category in self.categories.all())

    def get_offline_impacts_display(self) -> list[str]:
        labels = dict(OfflineImpact.choices)
        return [labels.get(value, value) for value in self.offline_impacts]

    def get_hate_characteristics_display(self) -> list[str]:
        labels = dict(HateCharacteristic.choices)
        return [labels.get(value, value) for value in self.hate_characteristics]

    @property
    def subject_label(self) -> str:
        if self.subject == Subject.FAMILY and self.family_link_id:
            link = self.family_link
            name = link.family_user.get_full_name() if link.family_user_id else link.email
            return f"{name} ({link.get_relationship_display().lower()})"
        if self.subject == Subject.CHILD:
            return f"{self.child_first_name}, a child aged {self.get_child_age_band_display()}"
        return self.get_subject_display()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # --- state: idempotent, refusing illegal moves ------------------------------------------
    def _move(self, status: str, *, allowed_from: frozenset[str], **fields) -> bool:
        """Move to `status`. False if already there; ValidationError if the move is illegal.

        The database decides, not this (possibly stale) copy: one conditional UPDATE changes
        the row only while it is still in a state the move is allowed from, so two people
        acting at once (a reporter withdrawing while triage records an outcome) can never
        overwrite each other. When nothing changed, the copy is refreshed from the row.
        """
        now = timezone.now()
        changed = Report.objects.filter(pk=self.pk, status__in=allowed_from).update(
            status=status, updated_at=now, **fields
        )
        if changed:
            self.status = status
            self.updated_at = now
            for name, value in fields.items():
                setattr(self, name, value)
            return True
        self.refresh_from_db()
        if self.status == status:
            return False
        raise ValidationError(
            f"A report that is {self.get_status_display().lower()} cannot become "
            f"{ReportStatus(status).label.lower()}."
        )

    def submit(self, *, reference: str, taxonomy_version: int) -> bool:
        return self._move(
            ReportStatus.SUBMITTED,
            allowed_from=frozenset({ReportStatus.DRAFT}),
            reference=reference,
            taxonomy_version=taxonomy_version,
            submitted_at=timezone.now(),
        )

    def start_progress(self) -> bool:
        return self._move(
            ReportStatus.IN_PROGRESS, allowed_from=frozenset({ReportStatus.SUBMITTED})
        )

    def give_outcome(self, *, category: str, explanation: str) -> bool:
        if category not in OutcomeCategory.values:
            raise ValidationError(f"Unknown outcome category {category!r}.")
        return self._move(
            ReportStatus.OUTCOME_GIVEN,
            allowed_from=frozenset({ReportStatus.SUBMITTED, ReportStatus.IN_PROGRESS}),
            outcome_category=category,
            outcome_explanation=explanation,
            outcome_at=timezone.now(),
        )

    def close(self) -> bool:
        return self._move(ReportStatus.CLOSED, allowed_from=OPEN_STATUSES)

    def reopen(self) -> bool:
        return self._move(
            ReportStatus.IN_PROGRESS,
            allowed_from=frozenset({ReportStatus.OUTCOME_GIVEN, ReportStatus.CLOSED}),
        )

    def withdraw(self, *, reason: str = "") -> bool:
        return self._move(
            ReportStatus.WITHDRAWN,
            allowed_from=OPEN_STATUSES,
            withdrawn_at=timezone.now(),
            withdrawal_reason=reason,
        )
