"""What happened, where, when, whether it is connected to policing, and who did it."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from harmsportal.forms import CharacterCountTextarea, DateField, conditionally_required
from harmsportal.templatetags.govuk_time import govuk_date
from reports.forms.base import YES_NO, StepForm, harmed_wording, person_name, yes_no
from reports.models import HateCharacteristic, OfflineImpact, YesNoNotSure
from reports.selectors import categories_for_new_reports, platforms_for_new_reports
from reports.widgets import HintedCheckboxes

DESCRIPTION_MAX_CHARS = 5000
DETAILS_MAX_CHARS = 1000


class CategoriesForm(StepForm):
    categories = forms.ModelMultipleChoiceField(
        label="What happened?",
        help_text="Select all that apply.",
        queryset=categories_for_new_reports(),
        widget=HintedCheckboxes,
        error_messages={"required": "Select what happened."},
    )

    def adapt_to(self, report):
        queryset = categories_for_new_reports()
        self.fields["categories"].queryset = queryset
        self.fields["categories"].widget.hints = {
            str(category.pk): category.description for category in queryset
        }
        they, _ = harmed_wording(report)
        if they == "they":
            self.fields["categories"].label = "What happened to them?"
        else:
            self.fields["categories"].label = "What happened to you?"

    def initial_from(self, report):
        return {"categories": list(report.categories.current().values_list("pk", flat=True))}


class HateForm(StepForm):
    hate_characteristics = forms.MultipleChoiceField(
        label="What were you targeted for?",
        help_text="Select all that apply.",
        choices=HateCharacteristic.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select what you were targeted for."},
    )

    def adapt_to(self, report):
        if harmed_wording(report)[0] == "they":
            self.fields["hate_characteristics"].label = "What were they targeted for?"
            self.fields["hate_characteristics"].error_messages["required"] = (
                "Select what they were targeted for."
            )

    def initial_from(self, report):
        return {"hate_characteristics": report.hate_characteristics}

    def answers(self):
        return {"hate_characteristics": list(self.cleaned_data["hate_characteristics"])}


OTHER_PLATFORM = "other"  # the slug of "Somewhere else", which asks where


class PlatformsForm(StepForm):
    platforms = forms.ModelMultipleChoiceField(
        label="Where did it happen?",
        help_text=(
            "Select all that apply. If it also happened away from the internet, you can tell "
            "us in a later question."
        ),
        queryset=platforms_for_new_reports(),
        widget=HintedCheckboxes,
        error_messages={"required": "Select where it happened."},
    )
    # Shown under "Somewhere else" (a GOV.UK conditional reveal), not as a field of its own.
    platform_other = conditionally_required(
        forms.CharField(
            label="Where else did it happen?",
            help_text="For example, the name of a website, app or game.",
            required=False,
            max_length=100,
            error_messages={"max_length": "Where it happened must be 100 characters or fewer."},
        )
    )

    def adapt_to(self, report):
        queryset = platforms_for_new_reports()
        self.fields["platforms"].queryset = queryset
        widget = self.fields["platforms"].widget
        widget.hints = {
            str(platform.pk): platform.description for platform in queryset if platform.description
        }
        self.other_pk = next((p.pk for p in queryset if p.slug == OTHER_PLATFORM), None)
        if self.other_pk is not None:
            widget.conditionals = {str(self.other_pk): self["platform_other"]}

    def get_context(self):
        context = super().get_context()
        # platform_other is drawn inside the "Somewhere else" option, by the widget.
        context["fields"] = [
            (field, errors) for field, errors in context["fields"] if field.name != "platform_other"
        ]
        return context

    def initial_from(self, report):
        return {
            "platforms": list(report.platforms.current().values_list("pk", flat=True)),
            "platform_other": report.platform_other,
        }

    def clean(self):
        cleaned = super().clean()
        other = (cleaned.get("platform_other") or "").strip()
        chosen = cleaned.get("platforms")
        if chosen is None:
            return cleaned
        if any(platform.pk == self.other_pk for platform in chosen):
            if not other:
                self.add_error("platform_other", "Enter where else it happened.")
        else:
            other = ""  # an answer for a box no longer ticked is not kept
        cleaned["platform_other"] = other
        return cleaned


# Online harm to police staff is not older than the web most people used: an earlier date is a
# typing slip ("1900" for "2000"), so it is refused rather than sent on to triage.
STARTED_AFTER = datetime.date(1990, 1, 1)


class WhenForm(StepForm):
    heading_field = "started_on"

    started_on = DateField(
        name="The date it started",
        label="When did it happen?",
        help_text="If it happened more than once, tell us when it started. For example, 27 3 2026",
        required=False,
    )
    is_ongoing = forms.BooleanField(label="It is still going on", required=False)

    def initial_from(self, report):
        return {"started_on": report.started_on, "is_ongoing": report.is_ongoing}

    def clean(self):
        cleaned = super().clean()
        started_on = cleaned.get("started_on")
        if started_on and started_on > timezone.localdate():
            self.add_error("started_on", "The date it started must be today or in the past.")
        elif started_on and started_on <= STARTED_AFTER:
            self.add_error(
                "started_on",
                f"The date it started must be after {govuk_date(STARTED_AFTER)}.",
            )
        if not self.errors and not started_on and not cleaned.get("is_ongoing"):
            self.add_error(
                "started_on", "Enter the date it started, or select 'It is still going on'."
            )
        return cleaned


class RoleForm(StepForm):
    related_to_role = forms.ChoiceField(
        label="Is what happened connected to your work in policing?",
        help_text=(
            "For example, it happened because someone knows or found out that you work for "
            "the police. If you are not sure, choose yes and we will talk it through with you."
        ),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if what happened is connected to policing."},
    )

    def adapt_to(self, report):
        member = report.linked_member
        if member is not None:
            self.fields[
                "related_to_role"
            ].label = f"Is what happened connected to {person_name(member)}'s work in policing?"
            self.fields["related_to_role"].help_text = (
                "For example, it happened because someone knows or found out that your family "
                "member works for the police. If you are not sure, choose yes."
            )

    def initial_from(self, report):
        return {"related_to_role": yes_no(report.related_to_role)}

    def answers(self):
        return {"related_to_role": self.cleaned_data["related_to_role"] == "yes"}


class DescriptionForm(StepForm):
    description = forms.CharField(
        label="Tell us what happened",
        help_text=(
            "Include what was said or done, and anything you have already done about it, such "
            "as reporting it to the platform. You do not need to get it perfect."
        ),
        max_length=DESCRIPTION_MAX_CHARS,
        widget=CharacterCountTextarea(maxlength=DESCRIPTION_MAX_CHARS),
        error_messages={
            "required": "Enter what happened.",
            "max_length": f"What happened must be {DESCRIPTION_MAX_CHARS:,} characters or fewer.",
        },
    )

    def initial_from(self, report):
        return {"description": report.description}

    def answers(self):
        return {"description": self.cleaned_data["description"].strip()}


class PerpetratorForm(StepForm):
    perpetrator_known = forms.ChoiceField(
        label="Do you know who did this?",
        choices=YesNoNotSure.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if you know who did this."},
    )
    perpetrator_details = forms.CharField(
        label="What do you know about who did it?",
        help_text="For example, a name, an account name, or how you know them.",
        required=False,
        max_length=DETAILS_MAX_CHARS,
        widget=CharacterCountTextarea(maxlength=DETAILS_MAX_CHARS, rows=4),
        error_messages={
            "max_length": f"What you know must be {DETAILS_MAX_CHARS:,} characters or fewer."
        },
    )

    def initial_from(self, report):
        return {
            "perpetrator_known": report.perpetrator_known or None,
            "perpetrator_details": report.perpetrator_details,
        }

    def answers(self):
        return {
            "perpetrator_known": self.cleaned_data["perpetrator_known"],
            "perpetrator_details": self.cleaned_data["perpetrator_details"].strip(),
        }


OFFLINE_WORDING_YOU = {
    OfflineImpact.HOME_VISITED: "Someone came to my home",
    OfflineImpact.APPROACHED: "I was approached in person",
    OfflineImpact.FAMILY_APPROACHED: "My family were approached",
    OfflineImpact.MOVED_HOUSE: "I had to move house",
    OfflineImpact.PROPERTY_TARGETED: "My car or property was targeted",
    OfflineImpact.NONE: "None of these",
}
OFFLINE_WORDING_THEY = {
    OfflineImpact.HOME_VISITED: "Someone came to their home",
    OfflineImpact.APPROACHED: "They were approached in person",
    OfflineImpact.FAMILY_APPROACHED: "Other family members were approached",
    OfflineImpact.MOVED_HOUSE: "They had to move house",
    OfflineImpact.PROPERTY_TARGETED: "Their family's car or property was targeted",
    OfflineImpact.NONE: "None of these",
}


class OfflineForm(StepForm):
    offline_impacts = forms.MultipleChoiceField(
        label="Has any of this happened away from the internet?",
        help_text="Select all that apply.",
        choices=OfflineImpact.choices,
        widget=HintedCheckboxes(exclusive=OfflineImpact.NONE),
        error_messages={"required": "Select what has happened, or select 'None of these'."},
    )

    def adapt_to(self, report):
        wording = (
            OFFLINE_WORDING_THEY if harmed_wording(report)[0] == "they" else OFFLINE_WORDING_YOU
        )
        self.fields["offline_impacts"].choices = [
            (value, wording[value]) for value in OfflineImpact.values
        ]

    def initial_from(self, report):
        return {"offline_impacts": report.offline_impacts}

    def clean_offline_impacts(self):
        chosen = self.cleaned_data["offline_impacts"]
        if OfflineImpact.NONE in chosen and len(chosen) > 1:
            raise forms.ValidationError(
                "Select 'None of these' on its own, or select what has happened."
            )
        return chosen

    def answers(self):
        return {"offline_impacts": list(self.cleaned_data["offline_impacts"])}
