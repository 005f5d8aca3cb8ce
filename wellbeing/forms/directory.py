"""Forms for what a force offers: capacity's force filter, support services, the champions'
directory and the signposting library. Validation and cleaning only."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from harmsportal.forms import BoundedIntegersMixin
from harmsportal.people.models import Force
from wellbeing.models import Resource, SupportService, SupportType, validate_https

ALL_FORCES = ""
HOW_TO_REFER_MAX_CHARS = 2000
HOW_TO_REACH_MAX_CHARS = 1000
RESOURCE_SUMMARY_MAX_CHARS = 2000
# Digits, spaces and the marks people write phone numbers with: 116 123, +44 (0)20 7946 0000.
_PHONE = re.compile(r"[0-9 +()\-]{3,40}")
_https_url = URLValidator(
    schemes=["https"], message="Enter a full web address, like https://www.example.org/help"
)


def _force_choices(forces: Sequence[Force]) -> list[tuple[str, str]]:
    return [(force.slug, force.name) for force in forces]


class CapacityFilterForm(forms.Form):
    """Which force's capacity to show. A force's slug in the URL, never an id."""

    force = forms.ChoiceField(
        label="Force",
        required=False,
        error_messages={"invalid_choice": "Select a force from the list."},
    )

    def __init__(self, *args, forces: Sequence[Force], all_forces: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = _force_choices(forces)
        if all_forces:
            choices = [(ALL_FORCES, "All forces"), *choices]
        self.fields["force"].choices = choices


class SupportServiceForm(BoundedIntegersMixin, forms.Form):
    name = forms.CharField(
        label="Name of the service",
        max_length=120,
        help_text="As colleagues know it, for example Occupational Health (West Yorkshire).",
        error_messages={
            "required": "Enter the name of the service.",
            "max_length": "The name of the service must be 120 characters or fewer.",
        },
    )
    support_type = forms.ChoiceField(
        label="What kind of support does it give?",
        choices=SupportType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of support it gives."},
    )
    capacity = forms.IntegerField(
        label="How many open referrals can it hold at once?",
        min_value=0,
        max_value=100_000,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
        help_text="Its capacity. Use 0 for a service that is full and taking no one new.",
        error_messages={
            "required": "Enter how many open referrals it can hold.",
            "invalid": "Enter the capacity as a whole number, like 12.",
            "min_value": "The capacity must be 0 or more.",
            "max_value": "The capacity must be 100,000 or fewer.",
        },
    )
    target_wait_days = forms.IntegerField(
        label="Target wait, in days",
        min_value=1,
        max_value=365,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        help_text="The longest someone should wait from accepting support to first support.",
        error_messages={
            "required": "Enter the target wait in days.",
            "invalid": "Enter the target wait as a whole number of days, like 14.",
            "min_value": "The target wait must be at least 1 day.",
            "max_value": "The target wait must be 365 days or fewer.",
        },
    )
    how_to_refer = forms.CharField(
        label="How to refer someone",
        required=False,
        max_length=HOW_TO_REFER_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For champions: who to contact, and what the service needs to know.",
        error_messages={
            "max_length": f"How to refer must be {HOW_TO_REFER_MAX_CHARS:,} characters or fewer."
        },
    )
    active = forms.BooleanField(
        label="Taking referrals",
        required=False,
        initial=True,
        help_text="Untick when the service stops: it then counts towards no capacity.",
    )

    def __init__(self, *args, force: Force, service: SupportService | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.force = force
        self.service = service

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = SupportService.objects.filter(force=self.force, name__iexact=name)
        if self.service is not None:
            taken = taken.exclude(pk=self.service.pk)
        if taken.exists():
            raise ValidationError(f"{self.force.name} already has a service called {name}.")
        return name


class ChooseForceForm(forms.Form):
    """Which of their forces a champion is acting for, when they champion more than one."""

    force = forms.ChoiceField(
        label="Which force is this for?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the force.",
            "invalid_choice": "Select one of the forces you are a champion in.",
        },
    )

    def __init__(self, *args, forces: Sequence[Force], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["force"].choices = _force_choices(forces)


class ListingForm(forms.Form):
    display_name = forms.CharField(
        label="Your name as colleagues should see it",
        max_length=120,
        error_messages={
            "required": "Enter your name as colleagues should see it.",
            "max_length": "Your name must be 120 characters or fewer.",
        },
    )
    role_title = forms.CharField(
        label="Your role",
        required=False,
        max_length=120,
        help_text="For example, Sergeant, Response team, Halifax.",
        error_messages={"max_length": "Your role must be 120 characters or fewer."},
    )
    how_to_reach = forms.CharField(
        label="How colleagues can reach you",
        max_length=HOW_TO_REACH_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Phone, email, the hours you are usually free, or where to find you.",
        error_messages={
            "required": "Enter how colleagues can reach you.",
            "max_length": f"How colleagues can reach you must be {HOW_TO_REACH_MAX_CHARS:,} characters or fewer.",
        },
    )
    listed = forms.BooleanField(
        label="Show me in the directory",
        required=False,
        initial=True,
        help_text="Untick to take yourself out for a while, for example while you are on leave.",
    )


class ResourceForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=160,
        error_messages={
            "required": "Enter a title.",
            "max_length": "The title must be 160 characters or fewer.",
        },
    )
    kind = forms.ChoiceField(
        label="What kind of resource is it?",
        choices=Resource.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of resource it is."},
    )
    summary = forms.CharField(
        label="What it offers",
        max_length=RESOURCE_SUMMARY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="A few plain sentences: who it is for and how it helps. Shown as plain text.",
        error_messages={
            "required": "Enter what it offers.",
            "max_length": f"What it offers must be {RESOURCE_SUMMARY_MAX_CHARS:,} characters or fewer.",
        },
    )
    url = forms.CharField(
        label="Link",
        required=False,
        max_length=500,
        help_text="A web address that starts with https://",
        widget=forms.URLInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={"max_length": "The link must be 500 characters or fewer."},
    )
    phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=40,
        help_text="For a helpline, for example 116 123.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        error_messages={"max_length": "The phone number must be 40 characters or fewer."},
    )
    for_families = forms.BooleanField(
        label="Family members can see it too",
        required=False,
        initial=True,
    )
    shared_with_all_forces = forms.BooleanField(
        label="Share with every force",
        required=False,
        help_text="Good practice travels: everyone in every force will see it in their library.",
    )

    def __init__(self, *args, forces: Sequence[Force], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.forces = list(forces)
        if len(self.forces) > 1:
            self.fields["force"] = forms.ChoiceField(
                label="Which force is publishing it?",
                choices=_force_choices(self.forces),
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Select the force that is publishing it.",
                    "invalid_choice": "Select one of the forces you are a champion in.",
                },
            )
            self.order_fields(["force"])

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if not url:
            return ""
        # The model's own rule first (https only: no http:, javascript:, data:, in any case),
        # then a well-formed address.
        validate_https(url)
        _https_url(url)
        return url

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not _PHONE.fullmatch(phone):
            raise ValidationError(
                "Enter a phone number using only numbers, spaces and + ( ), like 116 123."
            )
        return phone

    def publishing_force(self) -> Force:
        if len(self.forces) == 1:
            return self.forces[0]
        chosen = self.cleaned_data["force"]
        return next(force for force in self.forces if force.slug == chosen)
