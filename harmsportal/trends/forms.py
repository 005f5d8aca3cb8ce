"""The dashboards' filter: period, harm category and, where the user sees more than one force,
force. A GET form: every value comes from a URL that anyone can edit, so each is checked and a
bad one is a message on the field (the page answers 400), never a 500 and never another
force's figures.
"""

from __future__ import annotations

from datetime import date

from django import forms

from harmsportal.people.models import Force
from harmsportal.trends.figures import CATEGORY, value_labels
from harmsportal.trends.models import NO_CATEGORY
from harmsportal.trends.periods import (
    Period,
    PeriodError,
    default_period,
    parse_period,
    period_choices,
)

# A value the form refuses is put back in its select, as the option chosen, so the person sees
# what was asked for. Only this much of it, and only printable characters.
KEPT_LENGTH = 40
# The select's groups, in the order a performance meeting looks for them.
GROUP_LABELS = {
    "financial_year": "Financial years (April to March)",
    "quarter": "Financial-year quarters",
    "calendar_year": "Calendar years",
    "month": "Months",
}
ALL_FORCES = ""


def _kept(value: str) -> str:
    printable = "".join(character for character in value if character.isprintable())
    return printable[:KEPT_LENGTH]


def _keep_refused(field: forms.Field, value: str) -> None:
    """Show a refused `value` first in the select, selected, marked as not recognised."""
    shown = _kept(value)
    field.widget.choices = [(shown, f"{shown} (not recognised)"), *field.widget.choices]


class TrendsFilterForm(forms.Form):
    """Bind it to request.GET. `forces`: the forces the user may see (trends.selectors), offered
    when `show_force`; `all_forces_label`: the empty choice's words on the national pages, or
    None where a force must be chosen (a force's own dashboard)."""

    # A plain Field: parse_period judges every value (a CharField would answer a null character
    # with its own words).
    period = forms.Field(label="Period", required=False, widget=forms.Select)
    category = forms.ChoiceField(
        label="Harm category",
        required=False,
        error_messages={"invalid_choice": "Select a harm category from the list"},
    )
    force = forms.ChoiceField(
        label="Force",
        required=False,
        error_messages={"invalid_choice": "Select a force from the list"},
    )

    def __init__(
        self,
        data,
        *,
        today: date,
        first_month: date | None,
        forces: list[Force],
        show_force: bool,
        all_forces_label: str | None = None,
        force: Force | None = None,
    ) -> None:
        data = data.copy()
        self.default = default_period(today)
        if not data.get("period"):
            data["period"] = self.default.slug
        if force is not None and not data.get("force"):
            data["force"] = force.slug
        super().__init__(data)
        self.today = today
        self.forces = {choice.slug: choice for choice in forces}
        self.show_force = show_force
        periods = period_choices(today, first_month=first_month)
        groups: dict[str, list[tuple[str, str]]] = {kind: [] for kind in GROUP_LABELS}
        for period in periods:
            groups[period.kind].append((period.slug, period.label))
        self.fields["period"].widget.choices = [
            (GROUP_LABELS[kind], choices) for kind, choices in groups.items() if choices
        ]
        self.offered = {period.slug for period in periods}
        categories = [(v, label) for v, label in value_labels(CATEGORY).items() if v != NO_CATEGORY]
        self.fields["category"].choices = [("", "All harm categories"), *categories]
        force_choices = [(slug, choice.name) for slug, choice in self.forces.items()]
        if all_forces_label is not None:
            force_choices = [(ALL_FORCES, all_forces_label), *force_choices]
        self.fields["force"].choices = force_choices
        for name in ("period", "category", "force"):
            self.fields[name].widget.attrs["class"] = "govuk-!-width-full"
        self._keep_what_was_asked()

    def _keep_what_was_asked(self) -> None:
        """Put a refused value back in its select, and a real period that the list does not
        offer (older than the figures, say) in the list, so the select shows what was asked."""
        period = self.data.get("period", "")
        if period.strip().lower() not in self.offered:
            try:
                asked = parse_period(period, today=self.today)
            except PeriodError:
                _keep_refused(self.fields["period"], period)
            else:
                widget = self.fields["period"].widget
                widget.choices = [(asked.slug, asked.label), *widget.choices]
                self.data["period"] = asked.slug
        for name in ("category", "force"):
            value = self.data.get(name, "")
            if value and value not in dict(self.fields[name].choices):
                _keep_refused(self.fields[name], value)

    def clean_period(self) -> Period:
        try:
            return parse_period(str(self.cleaned_data["period"] or ""), today=self.today)
        except PeriodError as error:
            # The page offers a list; parse_period's words are for someone typing a period.
            message = str(error)
            if message.startswith("Enter a period like"):
                message = "Select a period from the list"
            raise forms.ValidationError(
                message.replace("Enter", "Select", 1), code="period"
            ) from None

    def clean_category(self) -> str | None:
        return self.cleaned_data["category"] or None

    def clean_force(self) -> Force | None:
        """The force asked for, or None for every force the user sees. Another force than the
        user's own is refused exactly like one that does not exist (the choices hold only the
        user's forces)."""
        return self.forces.get(self.cleaned_data["force"])
