"""What every page of the journey shares: a form built with the draft it answers.

Each step form is built with the draft report (`report=`), takes its initial values from it
(`initial_from`) and gives back the model fields to save (`answers`). Wording adapts to who is
reporting: a member about themselves, a member about their family, or a family account.
"""

from __future__ import annotations

from typing import Any

from django import forms

from harmsportal.forms import BoundedIntegersMixin
from reports.models import Report, Subject

YES_NO = [("yes", "Yes"), ("no", "No")]


def yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def person_name(user) -> str:
    return user.get_full_name()


class StepForm(BoundedIntegersMixin, forms.Form):
    """One page of the journey. Subclasses declare their fields, `initial_from` and `answers`."""

    heading_field: str = ""

    def __init__(self, *args, report: Report, **kwargs) -> None:
        self.report = report
        kwargs.setdefault("initial", self.initial_from(report))
        super().__init__(*args, **kwargs)
        self.adapt_to(report)
        self.fields[self.heading].page_heading = True

    @property
    def heading(self) -> str:
        return self.heading_field or next(iter(self.fields))

    @property
    def title(self) -> str:
        """The question, for the page's <title>."""
        return str(self.fields[self.heading].label)

    def initial_from(self, report: Report) -> dict[str, Any]:
        return {}

    def adapt_to(self, report: Report) -> None:
        """Adjust wording or choices to who is reporting."""

    def answers(self) -> dict[str, Any]:
        """The model fields this step sets: by default each form field as cleaned.

        Steps whose answers map differently (yes/no to a boolean, a cleared phone number)
        override this."""
        return {name: self.cleaned_data[name] for name in self.fields}


def harmed_wording(report: Report) -> tuple[str, str]:
    """("you", "your") for the reporter's own harm; ("they", "their") for a family member."""
    if report.subject in (Subject.FAMILY, Subject.CHILD):
        return "they", "their"
    return "you", "your"
