"""The support plan form: validation and cleaning only."""

from __future__ import annotations

from django import forms

from harmsportal.forms import BoundedIntegersMixin
from wellbeing.forms import too_long
from wellbeing.models import DEFAULT_CHECKIN_DAYS, SupportPlan
from wellbeing.services.plans import (
    CHECKIN_DAYS_MAX,
    CHECKIN_DAYS_MIN,
    CONTACT_WHEN_MAX_CHARS,
    PLAN_TEXT_MAX_CHARS,
)

_DAYS_MESSAGE = f"Enter a number of days from {CHECKIN_DAYS_MIN} to {CHECKIN_DAYS_MAX}."


def _text(label: str, hint: str, *, what: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        required=False,
        max_length=PLAN_TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages=too_long(what, PLAN_TEXT_MAX_CHARS),
    )


class SupportPlanForm(BoundedIntegersMixin, forms.Form):
    contact_how = forms.ChoiceField(
        label="How would you like to be contacted?",
        choices=SupportPlan.Contact.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you would like to be contacted."},
    )
    contact_when = forms.CharField(
        label="When is a good time to make contact?",
        help_text="For example, weekday mornings, or not while on shift.",
        required=False,
        max_length=CONTACT_WHEN_MAX_CHARS,
        error_messages=too_long("When to make contact", CONTACT_WHEN_MAX_CHARS),
    )
    needs = _text("What support is needed?", "In your own words.", what="What support is needed")
    what_helps = _text("What helps?", "For example, a call before a hard shift.", what="What helps")
    what_does_not_help = _text(
        "What does not help?",
        "For example, being asked about it in front of colleagues.",
        what="What does not help",
    )
    checkin_every_days = forms.IntegerField(
        label="How often should your champion check in with you?",
        help_text=f"In days. Every {DEFAULT_CHECKIN_DAYS} days unless you choose otherwise.",
        min_value=CHECKIN_DAYS_MIN,
        max_value=CHECKIN_DAYS_MAX,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter how often to check in, in days.",
            "invalid": "Enter how often to check in as a whole number of days, like 14.",
            "min_value": _DAYS_MESSAGE,
            "max_value": _DAYS_MESSAGE,
        },
    )
    remind_person = forms.BooleanField(
        label="Remind me too when a check-in is due",
        help_text="The reminder says only that a check-in is due and asks you to sign in.",
        required=False,
    )

    def __init__(self, *args, side: str = "person", **kwargs) -> None:
        """`side` is who fills it in: the person ("you") or their champion ("they")."""
        super().__init__(*args, **kwargs)
        if side == "champion":
            contact_how = self.fields["contact_how"]
            contact_how.label = "How would they like to be contacted?"
            contact_how.error_messages["required"] = "Select how they would like to be contacted."
            self.fields["needs"].help_text = "In the person's own words."
            checkin = self.fields["checkin_every_days"]
            checkin.label = "How often should the champion check in, in days?"
            checkin.help_text = f"Every {DEFAULT_CHECKIN_DAYS} days unless you choose otherwise."
            remind = self.fields["remind_person"]
            remind.label = "Remind the person too when a check-in is due"
            remind.help_text = (
                "The reminder says only that a check-in is due and asks them to sign in."
            )
