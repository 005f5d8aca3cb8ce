"""Who must complete what, by when: roster profiles, audience rules, assignments and the
line-manager notice that triage sends through training.

`TrainingProfile` is what a roster says of a person in a force: their audience levels, start
date and line manager. The reporting lines it holds are what `/training/team/` shows a line
manager, and what the line-manager notice is sent along.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from harmsportal.people.models import Force, User
from training.models.choices import AssignmentSource, Audience
from training.models.content import Module, ModuleVersion, validate_audiences
from training.models.learning import Completion

# Open work: not completed and not cancelled. The one definition, also the condition of the
# "one piece of open work per person per module" constraint below.
OPEN = Q(completion__isnull=True, cancelled_at__isnull=True)

# Whose training a force counts (compliance, overdue lists, team pages, figures, exports), on
# any model with a `person`: active accounts only (a closed account has left), and never a
# family account. Family members do refreshers and new versions as their own work, shown on
# their own training page; they are nobody's workforce, so no trainer or manager lists them.
COUNTED_PERSON = Q(person__is_active=True) & ~Q(person__kind=User.Kind.FAMILY)


class AssignmentQuerySet(models.QuerySet):
    def open(self) -> AssignmentQuerySet:
        """Work not completed and not cancelled (`OPEN`)."""
        return self.filter(OPEN)

    def counted(self) -> AssignmentQuerySet:
        """Work a force counts in its training figures (`COUNTED_PERSON`)."""
        return self.filter(COUNTED_PERSON)


class TrainingProfile(models.Model):
    """A person as their force's roster describes them. One per person per force."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_profiles"
    )
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+")
    # Audience levels, such as ["induction", "frontline"]; never "family".
    audiences = models.JSONField(default=list, validators=[validate_audiences])
    start_date = models.DateField(null=True, blank=True)
    line_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="team_profiles",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "force"], name="trainingprofile_one"),
            models.CheckConstraint(
                condition=~Q(line_manager=models.F("person")),
                name="trainingprofile_not_own_manager",
            ),
        ]
        indexes = [
            models.Index(fields=["force", "line_manager"], name="trainingprofile_team"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.force}"


class AudienceRule(models.Model):
    """A force's rule: everyone with `audience` must complete `module` within `within_days`
    of their start date (or of being added, when they started long ago)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="rules")
    within_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(730)]
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["force", "audience", "module__title"]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "audience", "module"], name="audiencerule_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_audience_display()}: {self.module} within {self.within_days} days"


class Assignment(models.Model):
    """A module a person must complete by `due_on`. Done when `completion` is set."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_assignments"
    )
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="assignments")
    # The force that set the work: whose compliance figures it counts in.
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+")
    # The audience it was assigned through: compliance is shown by audience and module.
    audience = models.CharField(max_length=20, choices=Audience.choices)
    source = models.CharField(max_length=12, choices=AssignmentSource.choices)
    rule = models.ForeignKey(
        AudienceRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set for NEW_VERSION assignments: the version that must be completed again.
    version = models.ForeignKey(
        ModuleVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set for REFRESHER assignments: the completion whose expiry made it (once: unique).
    refresher_of = models.OneToOneField(
        Completion, on_delete=models.PROTECT, null=True, blank=True, related_name="refresher"
    )
    due_on = models.DateField(db_index=True)
    assigned_at = models.DateTimeField(default=timezone.now)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completion = models.ForeignKey(
        Completion, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Due-date reminders, each claimed by a conditional update before it is sent.
    reminded_30_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_7_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_1_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            # One piece of open work per person per module.
            models.UniqueConstraint(
                fields=["person", "module"],
                condition=OPEN,
                name="assignment_one_open",
            ),
            # A new version that must be completed again is assigned to a person once.
            models.UniqueConstraint(
                fields=["person", "version"],
                condition=Q(source="new_version"),
                name="assignment_new_version_once",
            ),
        ]
        indexes = [
            models.Index(fields=["force", "module", "audience"], name="assignment_compliance"),
        ]

    def __str__(self) -> str:
        return f"{self.module} for {self.person}, due {self.due_on:%d %b %Y}"

    @property
    def is_open(self) -> bool:
        return self.completion_id is None and self.cancelled_at is None

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_on < today


class LineManagerNotice(models.Model):
    """A notice sent to a reporter's line manager, at the reporter's request, by the triager
    holding their case. It holds no report content. `subject_key` names the report opaquely
    (its public id), so one report's notice is sent once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject_key = models.CharField(max_length=64, unique=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    line_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Line-manager notice {self.subject_key}"


class RosterImport(models.Model):
    """An uploaded roster between its dry-run preview and its apply step.

    The file is kept (at most ROSTER_MAX_BYTES) so the trainer applies exactly what they
    previewed; `sha256` lets a second upload of the same file be recognised. Applying is all
    or nothing, and the outcome counts are recorded for the trainer and the audit trail.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Checked, not applied"
        INVALID = "invalid", "Has errors"
        APPLIED = "applied", "Applied"
        DISCARDED = "discarded", "Discarded"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(max_length=200)
    file_format = models.CharField(max_length=8)  # "csv" or "xlsx"
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices)
    # {"new": n, "update": n, "skip": n, "error": n, "rows": n, ...} from the dry run / apply.
    summary = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Roster {self.file_name} for {self.force}"
