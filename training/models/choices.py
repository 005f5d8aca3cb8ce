"""The words training is described in: audiences, module states, and why work was assigned."""

from __future__ import annotations

from django.db import models


class Audience(models.TextChoices):
    """Who a module is written for, and the audience levels a roster gives each learner."""

    INDUCTION = "induction", "Induction"
    FRONTLINE = "frontline", "Frontline"
    SPECIALIST = "specialist", "Specialist (including covert roles)"
    LINE_MANAGER = "line_manager", "Line manager"
    LEADERSHIP = "leadership", "Leadership"
    FAMILY = "family", "Family"


# Audiences of the people who work for a force (everyone but family).
WORKFORCE_AUDIENCES = tuple(a for a in Audience if a != Audience.FAMILY)


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class AssignmentSource(models.TextChoices):
    """Why a learner was given a module to complete."""

    RULE = "rule", "Audience rule"
    MANUAL = "manual", "Assigned by a training administrator"
    REFRESHER = "refresher", "Refresher after the last completion expired"
    NEW_VERSION = "new_version", "A new version must be completed again"
    SELF = "self", "Started by the learner"


class Changed(models.TextChoices):
    """Feedback: has the module changed what the person will do?"""

    YES = "yes", "Yes"
    A_LITTLE = "a_little", "A little"
    NO = "no", "No"


RATING_CHOICES = [
    (5, "Very good"),
    (4, "Good"),
    (3, "Neither good nor poor"),
    (2, "Poor"),
    (1, "Very poor"),
]

# Days before a due date, and before an expiry, on which a reminder goes out (largest first).
REMINDER_DAYS = (30, 7, 1)
