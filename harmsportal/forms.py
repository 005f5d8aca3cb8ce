"""Forms: GOV.UK Frontend markup (templates/forms/), the GOV.UK date input, and bounds on
integers from a request."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.forms.renderers import TemplatesSetting

# One optional sign, then ASCII digits: what int() accepts here, and nothing it chokes on.
_INTEGER = re.compile(r"[+-]?[0-9]+")


class GovukFormRenderer(TemplatesSetting):
    """Render every form and field with the GOV.UK templates in templates/forms/.

    TemplatesSetting lets project templates override Django's widget templates, so a plain
    `{{ form }}` gives GOV.UK labels, hints, inline errors and widgets.
    """

    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"


# --- integers from a request -----------------------------------------------------------------
# The widest integer any column holds (a bigint). Fields bound to a narrower column are checked
# against that column's own range below.
BIGINT_RANGE = (-(2**63), 2**63 - 1)


class BoundedIntegersMixin:
    """Refuse, with a form error, any integer that no database column could hold.

    Put it first in a form's bases (`class StepForm(BoundedIntegersMixin, forms.Form)`). Every
    IntegerField gets the range of a bigint unless it sets its own, and every model choice field
    whose values are integer keys refuses one outside its column's range before it queries:
    `categories=9223372036854775808` is "Select …", never a database error. The field's own
    `invalid_choice` message is used, or its `required` one in place of Django's default (which
    repeats the number), so the form's GOV.UK wording stays.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            bound_integers(field)


def bound_integers(field: forms.Field) -> None:
    """Give `field` (in place) the range checks BoundedIntegersMixin describes."""
    if isinstance(field, forms.IntegerField):
        low, high = BIGINT_RANGE
        if field.max_value is None:
            field.validators.append(validators.MaxValueValidator(high, "Enter a smaller number."))
        if field.min_value is None:
            field.validators.append(validators.MinValueValidator(low, "Enter a larger number."))
    elif isinstance(field, forms.ModelChoiceField) and not isinstance(field, _BoundedChoices):
        field.__class__ = _bounded_class(type(field))


def _bounded_class(cls: type) -> type:
    if cls not in _BOUNDED:
        _BOUNDED[cls] = type(f"Bounded{cls.__name__}", (_BoundedChoices, cls), {})
    return _BOUNDED[cls]


_BOUNDED: dict[type, type] = {}


class _BoundedChoices:
    """Mixed into a ModelChoiceField's class: integer keys are range-checked before any query."""

    def _key_range(self) -> tuple[int | None, int | None] | None:
        meta = self.queryset.model._meta
        model_field = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        target = getattr(model_field, "target_field", model_field)
        if not isinstance(target, models.IntegerField):
            return None
        return connections[self.queryset.db].ops.integer_field_range(target.get_internal_type())

    def _refuse_out_of_range(self, value) -> None:
        bounds = self._key_range()
        text = str(value).strip()
        if bounds is None or not _INTEGER.fullmatch(text):
            return  # not an integer (nor "+-1"): the field's own check refuses it
        low, high = bounds
        # A bigint has 19 digits: anything far longer is out of range without being parsed.
        number = int(text) if len(text) <= 40 else None
        too_low = number is not None and low is not None and number < low
        too_high = number is not None and high is not None and number > high
        if number is None or too_low or too_high:
            raise ValidationError(self._choice_message(), code="invalid_choice")

    def _choice_message(self) -> str:
        # Django's own "Select a valid choice. 9223372036854775808 is not one of…" is not how
        # the portal speaks: a value that is not on the list was not selected, so say what to do.
        message = str(self.error_messages["invalid_choice"])
        if "%(value)s" in message and "required" in self.error_messages:
            return str(self.error_messages["required"])
        return message.replace("%(value)s", "That")

    def to_python(self, value):
        if value not in self.empty_values and not isinstance(value, models.Model):
            self._refuse_out_of_range(value)
        return super().to_python(value)

    def _check_values(self, value):
        for item in value if isinstance(value, (list, tuple)) else []:
            self._refuse_out_of_range(item)
        return super()._check_values(value)


def conditionally_required(field: forms.Field) -> forms.Field:
    """Mark a field that another answer makes required (a conditional reveal, "Phone me").

    The form's clean() enforces it; the label then does not say "(optional)", which the
    person would be told off for believing (templates/forms/govuk_field.html).
    """
    field.conditionally_required = True
    return field


# --- the GOV.UK date input -------------------------------------------------------------------


class DateInput(forms.MultiWidget):
    """GOV.UK date input: day, month and year boxes inside the field's fieldset."""

    template_name = "forms/widgets/date_input.html"
    use_fieldset = True

    # Which boxes the last error was about ("day", "month", "year"); all of them when None.
    # Set by DateField while cleaning (fields and widgets are copied per form instance).
    error_parts: tuple[str, ...] | None = None

    def __init__(self, attrs=None) -> None:
        widgets = (
            forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
            forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
            forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
        )
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if value:
            return [str(value.day), str(value.month), str(value.year)]
        return ["", "", ""]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        subwidgets = context["widget"]["subwidgets"]
        base_id = (attrs or {}).get("id") or self.attrs.get("id")
        if base_id:
            # The first box takes the field's own id, so the error summary's link lands on it.
            subwidgets[0]["attrs"]["id"] = base_id
        for subwidget, label in zip(subwidgets, ("Day", "Month", "Year"), strict=True):
            subwidget["label"] = label
            # The fieldset carries aria-describedby for the hint and error; not each box.
            subwidget["attrs"].pop("aria-describedby", None)
            # GOV.UK: only the boxes the error is about get the red border.
            if self.error_parts is not None and label.lower() not in self.error_parts:
                subwidget["attrs"].pop("aria-invalid", None)
        return context

    def id_for_label(self, id_):
        return id_


class DateField(forms.MultiValueField):
    """A GOV.UK date input (day, month, year) giving a `datetime.date`.

    Its messages follow the GOV.UK date input pattern; `name` is how they refer to the date
    ("The date it started must be a real date.").
    """

    widget = DateInput

    def __init__(self, *, name: str = "The date", **kwargs) -> None:
        fields = (
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.CharField(required=False),
        )
        super().__init__(fields=fields, require_all_fields=False, **kwargs)
        self.name = name

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        day, month, year = (part.strip() for part in data_list)
        missing = [
            name
            for name, part in zip(("day", "month", "year"), (day, month, year), strict=True)
            if not part
        ]
        if missing:
            self.widget.error_parts = tuple(missing)
            raise forms.ValidationError(
                f"{self.name} must include a {' and a '.join(missing)}.", code="incomplete"
            )
        real_date = forms.ValidationError(f"{self.name} must be a real date.", code="invalid")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise real_date
        if len(year) != 4:
            self.widget.error_parts = ("year",)
            raise forms.ValidationError("Year must include 4 numbers.", code="year_digits")
        if len(day) > 2 or len(month) > 2:
            raise real_date  # also keeps huge numbers away from datetime.date
        try:
            return datetime.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            raise real_date from None


class CharacterCountTextarea(forms.Textarea):
    """GOV.UK character count. Without JavaScript the limit is plain text under the box, and
    there is no maxlength attribute: GOV.UK asks for none, because it would cut off pasted text
    without a word, so a long answer gets the form's own error message instead."""

    template_name = "forms/widgets/character_count.html"

    def __init__(self, *, maxlength: int, rows: int = 8, attrs=None) -> None:
        super().__init__({"rows": rows, **(attrs or {})})
        self.maxlength = maxlength

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs.pop("maxlength", None)
        widget_attrs["class"] = " ".join(
            part for part in (widget_attrs.get("class", ""), "govuk-js-character-count") if part
        )
        info_id = f"{widget_attrs['id']}-info" if widget_attrs.get("id") else ""
        if info_id:
            described = widget_attrs.get("aria-describedby", "")
            widget_attrs["aria-describedby"] = f"{info_id} {described}".strip()
        context["widget"]["maxlength"] = self.maxlength
        context["widget"]["maxlength_text"] = f"{self.maxlength:,}"
        context["widget"]["info_id"] = info_id
        return context
