"""The person's own forms: answering an offer, referring yourself, what is shared, messages to
your champion and feedback. Validation and cleaning only; the services decide."""

from __future__ import annotations

from django import forms

from harmsportal.forms import BoundedIntegersMixin
from wellbeing.models import HELPFUL_CHOICES, ConsentScope, HarmTo, SupportType
from wellbeing.services._shared import NOTE_MAX_CHARS, SUMMARY_MAX_CHARS
from wellbeing.services.offers import FEEDBACK_MAX_CHARS

YES_NO = [("yes", "Yes"), ("no", "No")]

HARM_TO_LABELS = [
    (HarmTo.ME, "Me"),
    (HarmTo.FAMILY, "My family"),
    (HarmTo.BOTH, "Me and my family"),
]


def _summary_field(label: str, *, required: bool) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=(
            "A few words about what you would like support with. This is what your champion "
            "reads. You do not need to repeat your report."
        ),
        required=required,
        max_length=SUMMARY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter a few words about the support you would like.",
            "max_length": f"Your summary must be {SUMMARY_MAX_CHARS:,} characters or fewer.",
        },
    )


def _share_name_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Can your champion see your name?",
        help_text=(
            "If you say no, your champion sees only a reference such as WB-WYP-2026-000042, "
            "and you talk through messages in this portal."
        ),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether your champion can see your name."},
    )


def _harm_to_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Who has been harmed online?",
        choices=HARM_TO_LABELS,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who has been harmed online."},
    )


def _support_type_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="What kind of support would help?",
        help_text="Choose the nearest. Your champion can change it with you later.",
        choices=SupportType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of support that would help."},
    )


def _scope_field(*, from_case: bool) -> forms.ChoiceField:
    choices = ConsentScope.choices if from_case else [ConsentScope.choices[0]]
    return forms.ChoiceField(
        label="What can your champion see?",
        choices=choices,
        initial=ConsentScope.SUMMARY,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what your champion can see.",
            "invalid_choice": "Select what your champion can see.",
        },
    )


class ConsentAnswers(forms.Form):
    """The consent questions every form shares: yes/no answers become booleans."""

    def clean_share_name(self) -> bool:
        return self.cleaned_data["share_name"] == "yes"


class AcceptForm(ConsentAnswers):
    summary = _summary_field("Summary for your champion", required=False)

    def __init__(self, *args, from_case: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"] = _scope_field(from_case=from_case)
        self.fields["share_name"] = _share_name_field()
        self.fields["harm_to"] = _harm_to_field()
        self.fields["support_type"] = _support_type_field()


class DeclineForm(forms.Form):
    """Declining asks nothing: no reason is collected, so none can reach a champion (the form
    promises nothing is shared)."""


class SelfReferForm(ConsentAnswers):
    harm_to = _harm_to_field()
    support_type = _support_type_field()
    summary = _summary_field("What would you like support with?", required=True)
    share_name = _share_name_field()


class ConsentForm(ConsentAnswers):
    def __init__(self, *args, from_case: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"] = _scope_field(from_case=from_case)
        self.fields["share_name"] = _share_name_field()


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message to your champion",
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter a message.",
            "max_length": f"Your message must be {NOTE_MAX_CHARS:,} characters or fewer.",
        },
    )


class FeedbackForm(BoundedIntegersMixin, forms.Form):
    helpful = forms.TypedChoiceField(
        label="How helpful was the support?",
        choices=HELPFUL_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select how helpful the support was."},
    )
    text = forms.CharField(
        label="Anything you would like to tell us",
        help_text="What helped, what did not, and what we could do better.",
        required=False,
        max_length=FEEDBACK_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "max_length": f"Your feedback must be {FEEDBACK_MAX_CHARS:,} characters or fewer."
        },
    )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and cleaned.get("helpful") is None and not cleaned.get("text"):
            self.add_error("helpful", "Select how helpful the support was, or tell us in words.")
        return cleaned
