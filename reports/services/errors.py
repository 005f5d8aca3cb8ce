"""The refusals report services raise that callers catch by name."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ReportNotEditableError(ValidationError):
    """The report is no longer a draft, so its answers are fixed."""


class ReportIncompleteError(ValidationError):
    """Some questions are unanswered, or the harm is not connected to the policing role."""

    def __init__(self, message: str, *, steps: list[str]):
        super().__init__(message)
        self.steps = steps


class NoForceError(ValidationError):
    """The account is not linked to a force (or, for a family account, to a member)."""
