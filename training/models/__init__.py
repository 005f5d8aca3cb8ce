"""Training: modules and versions, assignments, completions, feedback and roster profiles."""

from training.models.assignments import (
    Assignment,
    AudienceRule,
    LineManagerNotice,
    RosterImport,
    TrainingProfile,
)
from training.models.choices import (
    RATING_CHOICES,
    REMINDER_DAYS,
    WORKFORCE_AUDIENCES,
    AssignmentSource,
    Audience,
    Changed,
    VersionStatus,
)
from training.models.content import (
    Answer,
    ForceNote,
    Module,
    ModuleVersion,
    Question,
    Section,
    validate_audiences,
)
from training.models.learning import (
    Completion,
    Feedback,
    FootprintCheck,
    Progress,
    QuizAttempt,
    new_verification_code,
)

__all__ = [
    "RATING_CHOICES",
    "REMINDER_DAYS",
    "WORKFORCE_AUDIENCES",
    "Answer",
    "Assignment",
    "AssignmentSource",
    "Audience",
    "AudienceRule",
    "Changed",
    "Completion",
    "Feedback",
    "FootprintCheck",
    "ForceNote",
    "LineManagerNotice",
    "Module",
    "ModuleVersion",
    "Progress",
    "Question",
    "QuizAttempt",
    "RosterImport",
    "Section",
    "TrainingProfile",
    "VersionStatus",
    "new_verification_code",
    "validate_audiences",
]
