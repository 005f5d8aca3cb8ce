"""What every wellbeing page shares: a service's refusal shown as a GOV.UK error, never a 500."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from wellbeing.models import Referral


def problem(request: HttpRequest, error: ValidationError) -> None:
    """A service's refusal of a button press, shown as a message on the page it returns to."""
    for message in error.messages:
        messages.error(request, message)


def form_problem(form: Form, error: ValidationError) -> None:
    """A service's refusal of a valid form, shown in the form's error summary."""
    for message in error.messages:
        form.add_error(None, message)


def to_mine(referral: Referral) -> HttpResponse:
    """Back to the person's own page for this referral."""
    return redirect("wellbeing:mine_referral", pk=referral.public_id)
