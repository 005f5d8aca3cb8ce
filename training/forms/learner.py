"""The learner's forms: a module's quiz and feedback after completing it."""

from __future__ import annotations

from django import forms

from training.forms import too_long
from training.models import RATING_CHOICES, Changed, Question
from training.services.learning import FEEDBACK_MAX_CHARS


class QuizForm(forms.Form):
    """One set of radios per question, named by the question's place in the quiz and valued by
    each answer's public id, so no database key reaches the page."""

    def __init__(self, *args, questions: list[Question], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            message = f"Select an answer to question {number}."
            self.fields[self.field_name(number)] = forms.ChoiceField(
                label=question.text,
                choices=[(str(a.public_id), a.text) for a in question.answers.all()],
                widget=forms.RadioSelect,
                error_messages={"required": message, "invalid_choice": message},
            )

    @staticmethod
    def field_name(number: int) -> str:
        return f"question_{number}"

    def answers(self) -> dict[int, int]:
        """What quiz_submit takes: question pk to the chosen answer's pk."""
        chosen = {}
        for number, question in enumerate(self.questions, start=1):
            public_id = self.cleaned_data[self.field_name(number)]
            answer = next(a for a in question.answers.all() if str(a.public_id) == public_id)
            chosen[question.pk] = answer.pk
        return chosen


class CharacterCountTextarea(forms.Textarea):
    """GOV.UK character count. Without JavaScript the limit is plain text under the box, and
    there is no maxlength attribute: it would cut off pasted text without a word, so a long
    answer gets the form's error message instead."""

    template_name = "training/_character_count.html"

    def __init__(self, *, maxlength: int, rows: int = 5, attrs=None) -> None:
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


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="How good was this module?",
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how good the module was.",
            "invalid_choice": "Select how good the module was.",
        },
    )
    better = forms.CharField(
        label="What would make it better?",
        help_text="For example, something that was unclear, missing or not right for your role.",
        required=False,
        max_length=FEEDBACK_MAX_CHARS,
        widget=CharacterCountTextarea(maxlength=FEEDBACK_MAX_CHARS),
        error_messages=too_long("What would make it better", FEEDBACK_MAX_CHARS),
    )
    changed = forms.ChoiceField(
        label="Has this module changed what you will do?",
        choices=Changed.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether this module has changed what you will do.",
            "invalid_choice": "Select whether this module has changed what you will do.",
        },
    )
