"""A service's refusal (a `ValidationError`) shown to the person as a GOV.UK error, never a 500.

Every app's views use these two: triage, wellbeing and the apps after them.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest


def problem(request: HttpRequest, error: ValidationError) -> None:
    """A service's refusal of a button press, shown as a message on the page it returns to."""
    for message in error.messages:
        messages.error(request, message)


def form_problem(form: Form, error: ValidationError) -> None:
    """A service's refusal of a valid form, shown in the form's error summary."""
    for message in error.messages:
        form.add_error(None, message)
