"""The answers a report can hold, and its states, as choices."""

from __future__ import annotations

from django.db import models


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Received"
    IN_PROGRESS = "in_progress", "Being looked at"
    OUTCOME_GIVEN = "outcome_given", "Outcome given"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_STATUSES = frozenset(
    {ReportStatus.SUBMITTED, ReportStatus.IN_PROGRESS, ReportStatus.OUTCOME_GIVEN}
)


class Subject(models.TextChoices):
    SELF = "self", "Me"
    FAMILY = "family", "A family member with a Harms Portal account"
    CHILD = "child", "A child under 13"


class ChildAgeBand(models.TextChoices):
    UNDER_5 = "under_5", "Under 5"
    FIVE_TO_NINE = "5_to_9", "5 to 9"
    TEN_TO_TWELVE = "10_to_12", "10 to 12"


class HateCharacteristic(models.TextChoices):
    RACE = "race", "Race, ethnicity or nationality"
    RELIGION = "religion", "Religion or belief"
    SEXUAL_ORIENTATION = "sexual_orientation", "Sexual orientation"
    TRANSGENDER = "transgender", "Being transgender"
    DISABILITY = "disability", "Disability"
    SEX = "sex", "Sex or gender"
    AGE = "age", "Age"
    OTHER = "other", "Something else"


class YesNoNotSure(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_SURE = "not_sure", "I'm not sure"


class OfflineImpact(models.TextChoices):
    # Neutral labels for summaries; the question words them for whoever is answering.
    HOME_VISITED = "home_visited", "Someone came to the home"
    APPROACHED = "approached", "Approached in person"
    FAMILY_APPROACHED = "family_approached", "Family approached"
    MOVED_HOUSE = "moved_house", "Had to move house"
    PROPERTY_TARGETED = "property_targeted", "Car or property targeted"
    NONE = "none", "None of these"


class ImpactLevel(models.IntegerChoices):
    NOT_AT_ALL = 1, "Not at all"
    A_LITTLE = 2, "A little"
    SOMEWHAT = 3, "Somewhat"
    A_LOT = 4, "A lot"
    SEVERELY = 5, "Severely — it is affecting my daily life or safety"


class ContactPreference(models.TextChoices):
    EMAIL = "email", "Email me to say there is an update, then I'll sign in"
    PHONE = "phone", "Phone me"
    PORTAL = "portal", "Only through Harms Portal — do not email or phone me"


class OutcomeCategory(models.TextChoices):
    ADVICE = "advice", "Safety advice given"
    TAKEDOWN = "takedown", "Content reported to the platform for removal"
    INVESTIGATION = "investigation", "Passed on for investigation"
    SUPPORT = "support", "Support arranged"
    TECHNICAL = "technical", "Technical help given"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
