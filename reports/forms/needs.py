"""How it affects them, what support they want, and how we should contact them."""

from __future__ import annotations

import re

from django import forms

from harmsportal.forms import conditionally_required
from reports.forms.base import YES_NO, StepForm, harmed_wording, yes_no
from reports.models import ContactPreference, ImpactLevel, YesNoNotSure


class ImpactForm(StepForm):
    impact_level = forms.TypedChoiceField(
        label="How much is this affecting you?",
        choices=ImpactLevel.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how much this is affecting you."},
    )

    def adapt_to(self, report):
        if harmed_wording(report)[0] == "they":
            self.fields["impact_level"].label = "How much is this affecting them?"
            self.fields["impact_level"].error_messages["required"] = (
                "Select how much this is affecting them."
            )

    def initial_from(self, report):
        return {"impact_level": report.impact_level}


class SupportForm(StepForm):
    wants_support = forms.ChoiceField(
        label="Would you like to be offered wellbeing support?",
        help_text=(
            "Support is confidential and kept apart from any disciplinary process. Saying yes "
            "does not commit you to anything."
        ),
        choices=YesNoNotSure.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether you would like to be offered wellbeing support."
        },
    )

    def initial_from(self, report):
        return {"wants_support": report.wants_support or None}


class LineManagerForm(StepForm):
    line_manager_consent = forms.ChoiceField(
        label="Can we tell your line manager about this report?",
        help_text=(
            "We will not tell them unless you say yes. You can change your mind later by "
            "sending us a message."
        ),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether we can tell your line manager."},
    )

    def initial_from(self, report):
        # Nothing is chosen until the reporter answers: GOV.UK advises against pre-selected
        # radios, and a pre-chosen "No" could be sent without the question being read.
        if not report.line_manager_answered:
            return {}
        return {"line_manager_consent": yes_no(report.line_manager_consent)}

    def answers(self):
        return {
            "line_manager_consent": self.cleaned_data["line_manager_consent"] == "yes",
            "line_manager_answered": True,
        }


PHONE_PATTERN = re.compile(r"^\+?[0-9 ()-]{10,20}$")


class ContactForm(StepForm):
    contact_preference = forms.ChoiceField(
        label="How should we contact you about this report?",
        help_text="We never put the details of your report in an email or a text message.",
        choices=ContactPreference.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how we should contact you."},
    )
    phone = conditionally_required(
        forms.CharField(
            label="Phone number",
            help_text="We need it only if you choose to be phoned. For example, 07700 900 982",
            required=False,
            max_length=30,
            widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        )
    )

    def initial_from(self, report):
        return {"contact_preference": report.contact_preference or None, "phone": report.phone}

    def clean(self):
        cleaned = super().clean()
        phone = (cleaned.get("phone") or "").strip()
        if cleaned.get("contact_preference") == ContactPreference.PHONE:
            if not phone:
                self.add_error(
                    "phone", "Enter a phone number, or select another way to contact you."
                )
            elif not PHONE_PATTERN.match(phone) or sum(c.isdigit() for c in phone) < 10:
                self.add_error("phone", "Enter a phone number, like 07700 900 982.")
        cleaned["phone"] = phone
        return cleaned

    def answers(self):
        keep_phone = self.cleaned_data["contact_preference"] == ContactPreference.PHONE
        return {
            "contact_preference": self.cleaned_data["contact_preference"],
            "phone": self.cleaned_data["phone"] if keep_phone else "",
        }
