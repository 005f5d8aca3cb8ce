"""Forms for writing training: a module's settings, publishing a version, and a force's note
on a national module. Validation and cleaning only. A draft version's editor (its sections and
quiz) is in training.forms.versions.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from harmsportal.forms import BoundedIntegersMixin, DateField
from harmsportal.people.models import Force
from training.models import Audience, Module
from training.services.authoring import slug_for

NATIONAL = "national"
NOTE_MAX_CHARS = 10_000
# How far ahead a review date may be set: a slip of the keyboard ("2207") is caught.
REVIEW_WITHIN_YEARS = 5
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

MARKDOWN_HINT = (
    "Use Markdown: a blank line between paragraphs, ## for a heading, - for a list, "
    "[words](https://example.org) for a link. HTML is shown as text."
)


def number_input(attrs: str = "govuk-input--width-3") -> forms.TextInput:
    """A text box for a whole number (GOV.UK: numeric keyboard, no spinner)."""
    return forms.TextInput(attrs={"inputmode": "numeric", "class": attrs})


# --- a module's settings ----------------------------------------------------------------------


class ModuleForm(BoundedIntegersMixin, forms.Form):
    """A new module (with its owner and web address name) or an existing one's settings."""

    owner = forms.ChoiceField(
        label="Who owns it?",
        help_text="Only platform administrators change a national module.",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who owns the module.",
            "invalid_choice": "Select who owns the module.",
        },
    )
    title = forms.CharField(
        label="Title",
        max_length=150,
        error_messages={
            "required": "Enter a title.",
            "max_length": "The title must be 150 characters or fewer.",
        },
    )
    slug = forms.CharField(
        label="Web address name",
        required=False,
        max_length=80,
        help_text=(
            "Learners find the module at /training/modules/ followed by this name. Use "
            "lowercase letters, numbers and hyphens, or leave it blank to make one from the title."
        ),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "none"}),
        error_messages={"max_length": "The web address name must be 80 characters or fewer."},
    )
    summary = forms.CharField(
        label="Summary",
        max_length=300,
        help_text="One or two sentences that tell learners what it covers. Shown in their list.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter a summary.",
            "max_length": "The summary must be 300 characters or fewer.",
        },
    )
    audiences = forms.MultipleChoiceField(
        label="Who is it written for?",
        help_text="Select all that apply. Family modules are the only ones family accounts see.",
        choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one audience.",
            "invalid_choice": "Select audiences from the list.",
        },
    )
    review_due = DateField(
        name="The review-due date",
        label="When is its content next due for review?",
        help_text="Its owners are told when the date passes. For example, 1 9 2027",
        error_messages={"required": "Enter the date its content is next due for review."},
    )
    refresh_months = forms.IntegerField(
        label="How often must it be completed again, in months?",
        required=False,
        min_value=1,
        max_value=120,
        help_text="For example, 12 for every year. Leave blank if a completion never expires.",
        widget=number_input("govuk-input--width-3"),
        error_messages={
            "invalid": "Enter the number of months as a whole number, like 12.",
            "min_value": "The number of months must be 1 or more.",
            "max_value": "The number of months must be 120 or fewer.",
        },
    )

    def __init__(
        self,
        *args,
        owners: Sequence[tuple[str, str]] = (),
        module: Module | None = None,
        today: datetime.date | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.module = module
        self.today = today or timezone.localdate()
        if module is not None:
            # Its owner and the learner's link stay as they were made.
            del self.fields["owner"]
            del self.fields["slug"]
        elif len(owners) > 1:
            self.fields["owner"].choices = list(owners)
        else:
            del self.fields["owner"]
            self.only_owner = owners[0][0] if owners else NATIONAL

    def chosen_owner(self) -> str:
        """The owner's key: a force's slug, or NATIONAL."""
        if "owner" in self.fields:
            return self.cleaned_data["owner"]
        return self.only_owner

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip().lower()
        if slug and not _SLUG.fullmatch(slug):
            raise ValidationError(
                "The web address name must only include lowercase letters, numbers and "
                "hyphens, like your-online-footprint."
            )
        return slug

    def clean_review_due(self) -> datetime.date:
        due = self.cleaned_data["review_due"]
        unchanged = self.module is not None and due == self.module.review_due
        if due < self.today and not unchanged:
            raise ValidationError("The review-due date must be today or in the future.")
        latest = self.today.replace(year=self.today.year + REVIEW_WITHIN_YEARS)
        if due > latest and not unchanged:
            raise ValidationError(
                f"The review-due date must be within {REVIEW_WITHIN_YEARS} years from today."
            )
        return due

    def clean(self):
        cleaned = super().clean()
        if self.module is None and "slug" in cleaned and cleaned.get("title"):
            slug = cleaned["slug"] or slug_for(cleaned["title"])
            if not slug:
                self.add_error(
                    "slug", "Enter a web address name: the title has no letters or numbers."
                )
            elif Module.objects.filter(slug=slug).exists():
                self.add_error(
                    "slug",
                    f"A module already uses the web address name {slug}. Enter a different one.",
                )
            cleaned["slug"] = slug
        return cleaned


def owner_choices(forces: Iterable[Force], *, national: bool) -> list[tuple[str, str]]:
    choices = [(force.slug, f"{force.name}: for its own learners") for force in forces]
    if national:
        choices.append((NATIONAL, "National: for every force's learners"))
    return choices


# --- publishing, notes ------------------------------------------------------------------------


class PublishForm(forms.Form):
    requires_recompletion = forms.BooleanField(
        label="Everyone who completed an earlier version must complete this one again",
        required=False,
        help_text=(
            "Each of them is given this version to complete, once, with a due date. Leave it "
            "unticked for small changes: earlier completions then stay valid until they expire."
        ),
    )


class ForceNoteForm(forms.Form):
    body = forms.CharField(
        label="Your force's note",
        max_length=NOTE_MAX_CHARS,
        help_text=(
            "For example, who to contact locally and your force's own policy. " + MARKDOWN_HINT
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter your force's note.",
            "max_length": f"The note must be {NOTE_MAX_CHARS:,} characters or fewer.",
        },
    )

    def __init__(self, *args, has_note: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if has_note:  # only a note that exists can be removed
            self.fields["body"].error_messages["required"] = (
                "Enter your force's note, or remove it."
            )
