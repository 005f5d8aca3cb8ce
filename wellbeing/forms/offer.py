"""Triage offers wellbeing support from a case: validation and cleaning only."""

from __future__ import annotations

from django import forms

from wellbeing.forms import too_long
from wellbeing.models import SupportType
from wellbeing.services._shared import NOTE_MAX_CHARS


class OfferForm(forms.Form):
    """Triage offers support from a case."""

    support_type = forms.ChoiceField(
        label="What kind of support should be offered?",
        help_text="The person can change it when they accept.",
        choices=SupportType.choices,  # no default: triage chooses the kind, none is assumed
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of support to offer."},
    )
    note = forms.CharField(
        label="Note for the case record",
        help_text="For your triage team only. The person and the champion do not see it.",
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=too_long("The note for the case record", NOTE_MAX_CHARS),
    )
