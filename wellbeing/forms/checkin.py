"""The check-in form and the crisis acknowledgement: validation and cleaning only."""

from __future__ import annotations

from django import forms

from harmsportal.forms import BoundedIntegersMixin
from wellbeing.forms import too_long
from wellbeing.models import SCORE_CHOICES
from wellbeing.services._shared import NOTE_MAX_CHARS
from wellbeing.services.checkins import ACKNOWLEDGE_MAX_CHARS

_SCORE_MESSAGE = "Select a score from 1 (struggling badly) to 5 (doing well)."


class CheckInForm(BoundedIntegersMixin, forms.Form):
    score = forms.TypedChoiceField(
        label="How is the person doing?",
        help_text="From 1 (struggling badly) to 5 (doing well), as they describe it.",
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _SCORE_MESSAGE, "invalid_choice": _SCORE_MESSAGE},
    )
    in_crisis = forms.BooleanField(
        label="The person is in crisis now",
        help_text="You will be shown what to do at once, and the force's other champions are "
        "alerted.",
        required=False,
    )
    note = forms.CharField(
        label="Note",
        help_text="What you talked about and anything agreed.",
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages=too_long("Your note", NOTE_MAX_CHARS),
    )


class CrisisAcknowledgeForm(forms.Form):
    what_was_done = forms.CharField(
        label="What did you do?",
        help_text="For example, called 999, or arranged an urgent occupational health "
        "appointment. Other champions see this in the referral's history.",
        required=False,
        max_length=ACKNOWLEDGE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=too_long("What you did", ACKNOWLEDGE_MAX_CHARS),
    )
