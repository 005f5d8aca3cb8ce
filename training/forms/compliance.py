"""Filters for the compliance and figures pages, and the certificate check."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django import forms

from harmsportal.people.models import Force
from training.models import Audience, Module
from training.models.learning import CODE_ALPHABET

ALL_FORCES = "all"
AUDIENCE_CHOICES = [("", "All audiences"), *Audience.choices]


class ComplianceFilterForm(forms.Form):
    """Which audience and module a training admin's compliance table shows (by slug, never an id)."""

    audience = forms.ChoiceField(
        label="Audience",
        required=False,
        choices=AUDIENCE_CHOICES,
        error_messages={"invalid_choice": "Select an audience from the list."},
    )
    module = forms.ChoiceField(
        label="Module",
        required=False,
        error_messages={"invalid_choice": "Select a module from the list."},
    )

    def __init__(self, *args, modules: Sequence[Module], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.modules = {module.slug: module for module in modules}
        self.fields["module"].choices = [
            ("", "All modules"),
            *((module.slug, module.title) for module in modules),
        ]

    def chosen(self) -> tuple[str | None, Module | None]:
        """The audience and module asked for; none for anything not valid."""
        if not self.is_bound or not self.is_valid():
            return None, None
        audience = self.cleaned_data["audience"] or None
        return audience, self.modules.get(self.cleaned_data["module"])


class FiguresFilterForm(forms.Form):
    """Which force's figures (a slug; "all" for a national analyst) and which audience."""

    force = forms.ChoiceField(
        label="Force",
        required=False,
        error_messages={"invalid_choice": "Select a force from the list."},
    )
    audience = forms.ChoiceField(
        label="Audience",
        required=False,
        choices=AUDIENCE_CHOICES,
        error_messages={"invalid_choice": "Select an audience from the list."},
    )

    def __init__(self, *args, forces: Sequence[Force], all_forces: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(force.slug, force.name) for force in forces]
        if all_forces:
            choices = [(ALL_FORCES, "All forces"), *choices]
        self.fields["force"].choices = choices


# HP-7KQM-3XWD, typed with or without the dashes, spaces or "HP", in any case. Codes never use
# 0, O, 1, I or L (easily misread, so left out of CODE_ALPHABET): a code typed with one is in
# the right format but cannot be found, and the page says which characters to check.
_CODE_CHARACTERS = re.compile(r"[A-Z0-9]{8}")
CODE_FORMAT_ERROR = (
    "Enter the code as it is printed on the certificate, in the format HP-XXXX-XXXX, "
    "such as HP-7KQM-3XWD"
)


class VerifyForm(forms.Form):
    code = forms.CharField(
        label="Certificate code",
        help_text="It is printed at the bottom of the certificate, for example HP-7KQM-3XWD.",
        max_length=40,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-10", "spellcheck": "false", "autocomplete": "off"}
        ),
        error_messages={
            "required": "Enter the certificate code.",
            "max_length": CODE_FORMAT_ERROR,
        },
    )

    def clean_code(self) -> str:
        """The code as stored, HP-XXXX-XXXX."""
        typed = re.sub(r"[\s\-\u2013\u2014]", "", self.cleaned_data["code"]).upper()
        if len(typed) == 10 and typed.startswith("HP"):
            typed = typed[2:]
        if not _CODE_CHARACTERS.fullmatch(typed):
            raise forms.ValidationError(CODE_FORMAT_ERROR)
        return f"HP-{typed[:4]}-{typed[4:]}"

    def misread(self) -> list[str]:
        """Characters of the code checked that no code uses (such as O for 0), in order."""
        if not self.is_bound or not self.is_valid():
            return []
        code = self.cleaned_data["code"].removeprefix("HP-").replace("-", "")
        return sorted({c for c in code if c not in CODE_ALPHABET}, key=code.index)
