"""Forms for audience rules and for assigning a module by hand. Validation and cleaning only.

Modules are chosen by slug (never a database id); people by email, one a line, each checked
against the force's people so every bad line gets its own error naming it.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from harmsportal.forms import BoundedIntegersMixin, DateField
from harmsportal.people.models import Force, User
from harmsportal.people.selectors import live_link_q
from training.models import WORKFORCE_AUDIENCES, Audience, Module
from training.selectors import people_of_force
from training.services.assigning import MAX_DUE_DAYS

MAX_EMAILS = 500
EMAILS_MAX_CHARS = 50_000


def _module_field(modules: QuerySet[Module]) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(
        label="Module",
        queryset=modules,
        to_field_name="slug",
        empty_label="Select a module",
        error_messages={
            "required": "Select a module.",
            "invalid_choice": "Select a module from the list.",
        },
    )
    field.label_from_instance = lambda module: module.title
    return field


def _days_field(label: str, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=1,
        max_value=MAX_DUE_DAYS,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter the number of days.",
            "invalid": "Enter the number of days as a whole number, like 30.",
            "min_value": "The number of days must be 1 or more.",
            "max_value": f"The number of days must be {MAX_DUE_DAYS} or fewer.",
        },
    )


DAYS_HINT = (
    "Counted from each person's start date, as the roster gives it. For someone who started "
    "earlier, or has no start date, the days are counted from when they are given the module."
)


class RuleForm(BoundedIntegersMixin, forms.Form):
    """A new audience rule: everyone with `audience` completes `module` within `within_days`."""

    audience = forms.ChoiceField(
        label="Who is it for?",
        help_text="Everyone whose roster entry has this audience level.",
        choices=[(audience.value, audience.label) for audience in WORKFORCE_AUDIENCES],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who the rule is for.",
            "invalid_choice": "Select who the rule is for.",
        },
    )
    within_days = _days_field("Days to complete it in", DAYS_HINT)
    # Set when the trainer has seen the warning that the module is not written for the audience.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, modules: QuerySet[Module], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"module": _module_field(modules), **self.fields}

    def audience_mismatch(self) -> dict | None:
        """When the chosen audience is not one the module is written for, and the trainer has
        not yet said they mean it: the words for the warning (None otherwise)."""
        module, audience = self.cleaned_data["module"], self.cleaned_data["audience"]
        if self.cleaned_data.get("confirmed") or audience in module.audiences:
            return None
        written_for = [Audience(a).label for a in module.audiences if a in Audience.values]
        return {
            "audience": Audience(audience).label,
            "module": module.title,
            "written_for": " and ".join(
                filter(None, [", ".join(written_for[:-1]), *written_for[-1:]])
            ),
        }

    def confirmed_data(self):
        """What was entered, with the warning marked as seen (for the form asking again)."""
        data = self.data.copy()
        data[self.add_prefix("confirmed")] = "True"
        return data


class RuleEditForm(BoundedIntegersMixin, forms.Form):
    within_days = _days_field("Days to complete it in", DAYS_HINT)
    active = forms.ChoiceField(
        label="Is the rule in use?",
        help_text="Stopping it keeps the work it has already assigned.",
        choices=[("yes", "Yes, keep assigning the module"), ("no", "No, stop the rule")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the rule is in use.",
            "invalid_choice": "Select whether the rule is in use.",
        },
    )

    def clean_active(self) -> bool:
        return self.cleaned_data["active"] == "yes"


class AssignForm(forms.Form):
    """A module, the people to give it to (by email, one a line) and when it is due."""

    emails = forms.CharField(
        label="Email addresses",
        help_text=(
            "One a line, for each person in your force who should complete it. Up to "
            f"{MAX_EMAILS} at a time."
        ),
        max_length=EMAILS_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
        error_messages={
            "required": "Enter at least one email address.",
            "max_length": f"The email addresses must be {EMAILS_MAX_CHARS:,} characters or fewer.",
        },
    )
    due_on = DateField(
        name="The due date",
        label="Due date",
        help_text="The date it must be completed by. For example, 27 3 2027",
        error_messages={"required": "Enter the due date."},
    )

    def __init__(self, *args, force: Force, modules: QuerySet[Module], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.force = force
        self.fields = {"module": _module_field(modules), **self.fields}

    def clean_due_on(self) -> datetime.date:
        due_on = self.cleaned_data["due_on"]
        today = timezone.localdate()
        if due_on < today:
            raise ValidationError("The due date must be today or in the future.")
        if due_on > today + datetime.timedelta(days=MAX_DUE_DAYS):
            raise ValidationError("The due date must be within 2 years.")
        return due_on

    def clean_emails(self) -> list[User]:
        lines = [
            (number, line.strip())
            for number, line in enumerate(self.cleaned_data["emails"].splitlines(), 1)
        ]
        lines = [(number, line) for number, line in lines if line]
        if not lines:
            raise ValidationError("Enter at least one email address.")
        if len(lines) > MAX_EMAILS:
            raise ValidationError(f"Enter {MAX_EMAILS} email addresses or fewer at a time.")
        errors: list[str] = []
        wanted: dict[str, tuple[int, str]] = {}  # lower-case email: (line, as entered)
        for number, email in lines:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(
                    f"Line {number}: enter an email address in the correct format, like "
                    "name@example.police.uk"
                )
                continue
            key = email.lower()
            if key in wanted:
                first = wanted[key][0]
                errors.append(f"Line {number}: {email} is also on line {first}. Enter each once")
                continue
            wanted[key] = (number, email)
        people = self._people(wanted)
        family = self._family_accounts([key for key in wanted if key not in people])
        for key, (number, email) in wanted.items():
            if key in family:
                errors.append(
                    f"Line {number}: {email} is a family account. Family accounts choose their "
                    "own training, so they cannot be assigned modules"
                )
            elif key not in people:
                errors.append(
                    f"Line {number}: there is no one in {self.force.name} with the email "
                    f"address {email}"
                )
        if errors:
            raise ValidationError(sorted(errors, key=_line_number))
        return [people[key] for key in wanted]

    def _people(self, emails) -> dict[str, User]:
        """The force's people with these emails (lower case), matched whatever their case."""
        if not emails:
            return {}
        found = (
            people_of_force(self.force)
            .annotate(email_lower=Lower("email"))
            .filter(email_lower__in=list(emails))
        )
        return {person.email_lower: person for person in found}

    def _family_accounts(self, emails) -> set[str]:
        """Of these emails (lower case), those of family accounts linked to someone in this
        force. A family account linked elsewhere is "no one in this force", like anyone else."""
        if not emails:
            return set()
        linked = live_link_q("linked_members__") & Q(linked_members__force=self.force)
        found = (
            User.objects.filter(linked, kind=User.Kind.FAMILY, is_active=True)
            .annotate(email_lower=Lower("email"))
            .filter(email_lower__in=list(emails))
            .values_list("email_lower", flat=True)
        )
        return set(found)


def _line_number(message: str) -> int:
    return int(message.split(":", 1)[0].removeprefix("Line "))
