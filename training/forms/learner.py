"""The learner's forms: a module's quiz and feedback after completing it."""

from __future__ import annotations

from django import forms

from harmsportal.forms import CharacterCountTextarea
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
        widget=CharacterCountTextarea(maxlength=FEEDBACK_MAX_CHARS, rows=5),
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
