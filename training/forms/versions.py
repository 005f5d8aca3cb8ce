"""Forms for a draft version's editor: its settings, its sections and its quiz, and the
error summary of the editor's pages. Validation and cleaning only.

Sections and questions are formsets with one blank form at the end (to add one), a position
box (to reorder) and a "remove" checkbox, so the editor works without JavaScript. Their
messages name the section or question by its number on the page ("Enter a heading for
section 3"), and `error_links` lists every error of a page for its GOV.UK error summary.
"""

from __future__ import annotations

from collections.abc import Sequence

from django import forms

from harmsportal.forms import BoundedIntegersMixin, conditionally_required
from training.forms.authoring import MARKDOWN_HINT, number_input
from training.services.authoring import (
    MAX_ANSWERS,
    MIN_ANSWERS,
    QuestionDraft,
    SectionDraft,
)

SECTION_BODY_MAX_CHARS = 50_000
EXPLANATION_MAX_CHARS = 5_000
MAX_SECTIONS = 50
MAX_QUESTIONS = 50


# --- a draft version --------------------------------------------------------------------------


class VersionForm(BoundedIntegersMixin, forms.Form):
    estimated_minutes = forms.IntegerField(
        label="About how many minutes does it take?",
        min_value=1,
        max_value=240,
        help_text="Learners see it beside the module, so they can fit it between shifts.",
        widget=number_input(),
        error_messages={
            "required": "Enter about how many minutes it takes.",
            "invalid": "Enter the minutes as a whole number, like 15.",
            "min_value": "It must take at least 1 minute.",
            "max_value": "It must take 240 minutes or fewer.",
        },
    )
    change_summary = forms.CharField(
        label="What changed in this version?",
        required=False,
        max_length=300,
        help_text="Shown in the version history. For example, a new section on fitness apps.",
        error_messages={"max_length": "What changed must be 300 characters or fewer."},
    )
    pass_mark = forms.IntegerField(
        label="Pass mark for the quiz, as a percentage",
        required=False,
        min_value=1,
        max_value=100,
        help_text="For example, 80. Leave blank if the module has no quiz.",
        widget=number_input("govuk-input--width-3"),
        error_messages={
            "invalid": "Enter the pass mark as a whole number, like 80.",
            "min_value": "The pass mark must be 1 or more.",
            "max_value": "The pass mark must be 100 or less.",
        },
    )

    def check_quiz(self, questions: Sequence[QuestionDraft]) -> None:
        """A quiz needs both a pass mark and questions; say which is missing."""
        if not self.is_valid():
            return
        pass_mark = self.cleaned_data["pass_mark"]
        if pass_mark is not None and not questions:
            self.add_error("pass_mark", "Add a question, or leave the pass mark blank.")
        if pass_mark is None and questions:
            self.add_error("pass_mark", "Enter a pass mark, or remove the questions.")


class _NumberedForm(BoundedIntegersMixin, forms.Form):
    """One section or question; `number` is its place on the page, for its messages."""

    position = forms.IntegerField(
        label="Position",
        required=False,
        min_value=1,
        max_value=99,
        help_text="Change the number to move it.",
        widget=number_input("govuk-input--width-2"),
    )
    remove = forms.BooleanField(required=False)

    what = "item"

    def __init__(self, *args, number: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.number = number
        self.fields["remove"].label = f"Remove this {self.what}"
        self.fields["position"].error_messages = {
            "invalid": f"Enter the position of {self.what} {number} as a whole number, like 2.",
            "min_value": f"The position of {self.what} {number} must be 1 or more.",
            "max_value": f"The position of {self.what} {number} must be 99 or less.",
        }
        if self.initial.get("position") is None:
            # Also on a bound form: a blank form whose position is unchanged has not changed.
            self.initial["position"] = number

    def asked_position(self) -> int | None:
        """The position typed, when it is not the item's own number (it was moved)."""
        position = self.cleaned_data.get("position")
        return position if position and position != self.number else None

    def is_removed(self) -> bool:
        return bool(self.cleaned_data.get("remove"))

    def _text(self, name: str) -> str:
        return (self.cleaned_data.get(name) or "").strip()


class SectionForm(_NumberedForm):
    what = "section"

    # Not "(optional)": a section that is filled in needs both, though a draft may wait for
    # its text (publishing asks for it).
    heading = conditionally_required(
        forms.CharField(label="Heading", required=False, max_length=150)
    )
    body = conditionally_required(
        forms.CharField(
            label="Text",
            required=False,
            max_length=SECTION_BODY_MAX_CHARS,
            help_text=MARKDOWN_HINT,
            widget=forms.Textarea(attrs={"rows": 12}),
        )
    )

    def __init__(self, *args, number: int, **kwargs) -> None:
        super().__init__(*args, number=number, **kwargs)
        self.fields["heading"].error_messages = {
            "max_length": f"The heading of section {number} must be 150 characters or fewer."
        }
        self.fields["body"].error_messages = {
            "max_length": (
                f"The text of section {number} must be "
                f"{SECTION_BODY_MAX_CHARS:,} characters or fewer."
            )
        }

    def clean(self):
        cleaned = super().clean()
        if not self.is_removed() and self._text("body") and not self._text("heading"):
            self.add_error("heading", f"Enter a heading for section {self.number}.")
        return cleaned

    def draft(self) -> SectionDraft | None:
        """The section to save; None when removed or left blank."""
        if self.is_removed() or not (self._text("heading") or self._text("body")):
            return None
        return SectionDraft(heading=self._text("heading"), body=self.cleaned_data["body"])


ANSWER_FIELDS = tuple(f"answer_{i}" for i in range(1, MAX_ANSWERS + 1))


class QuestionForm(_NumberedForm):
    what = "question"

    # Required of a question that is filled in (clean() says which is missing).
    text = conditionally_required(forms.CharField(label="Question", required=False, max_length=300))
    answer_1 = conditionally_required(
        forms.CharField(label="Answer 1", required=False, max_length=200)
    )
    answer_2 = conditionally_required(
        forms.CharField(label="Answer 2", required=False, max_length=200)
    )
    answer_3 = forms.CharField(label="Answer 3", required=False, max_length=200)
    answer_4 = forms.CharField(label="Answer 4", required=False, max_length=200)
    correct = conditionally_required(
        forms.ChoiceField(
            label="Which answer is right?",
            required=False,
            choices=[(str(i), f"Answer {i}") for i in range(1, MAX_ANSWERS + 1)],
            widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline govuk-radios--small"}),
        )
    )
    explanation = conditionally_required(
        forms.CharField(
            label="Why is it right?",
            required=False,
            max_length=EXPLANATION_MAX_CHARS,
            help_text="Shown to learners who choose a wrong answer. " + MARKDOWN_HINT,
            widget=forms.Textarea(attrs={"rows": 4}),
        )
    )

    def __init__(self, *args, number: int, **kwargs) -> None:
        super().__init__(*args, number=number, **kwargs)
        n = number
        self.fields["text"].error_messages = {
            "max_length": f"Question {n} must be 300 characters or fewer."
        }
        for i, name in enumerate(ANSWER_FIELDS, start=1):
            self.fields[name].error_messages = {
                "max_length": f"Answer {i} to question {n} must be 200 characters or fewer."
            }
        self.fields["correct"].error_messages = {
            "invalid_choice": f"Select the right answer for question {n}."
        }
        self.fields["explanation"].error_messages = {
            "max_length": (
                f"The explanation for question {n} must be "
                f"{EXPLANATION_MAX_CHARS:,} characters or fewer."
            )
        }

    def _blank(self) -> bool:
        names = ("text", *ANSWER_FIELDS, "correct", "explanation")
        return not any(self._text(name) for name in names)

    def clean(self):
        cleaned = super().clean()
        if self.is_removed() or self._blank() or self.errors:
            return cleaned
        n = self.number
        if not self._text("text"):
            self.add_error("text", f"Enter question {n}.")
        written = [name for name in ANSWER_FIELDS if self._text(name)]
        if len(written) < MIN_ANSWERS:
            empty = next(name for name in ANSWER_FIELDS if name not in written)
            self.add_error(empty, f"Enter at least {MIN_ANSWERS} answers to question {n}.")
        correct = cleaned.get("correct")
        if not correct:
            self.add_error("correct", f"Select the right answer for question {n}.")
        elif f"answer_{correct}" not in written:
            self.add_error(
                "correct",
                f"The right answer you selected for question {n} is blank. "
                "Write it, or select another.",
            )
        if not self._text("explanation"):
            self.add_error("explanation", f"Enter why the right answer to question {n} is right.")
        return cleaned

    def draft(self) -> QuestionDraft | None:
        """The question to save, its blank answer boxes closed up; None when removed or blank."""
        if self.is_removed() or self._blank():
            return None
        written = [name for name in ANSWER_FIELDS if self._text(name)]
        return QuestionDraft(
            text=self._text("text"),
            answers=[self._text(name) for name in written],
            correct=written.index(f"answer_{self.cleaned_data['correct']}"),
            explanation=self.cleaned_data["explanation"].strip(),
        )

    @staticmethod
    def initial_for(question) -> dict:
        answers = list(question.answers.all())
        initial = {"text": question.text, "explanation": question.explanation}
        for name, answer in zip(ANSWER_FIELDS, answers, strict=False):
            initial[name] = answer.text
        right = next((i for i, a in enumerate(answers, start=1) if a.is_correct), None)
        initial["correct"] = str(right) if right else ""
        return initial


class NumberedFormSet(forms.BaseFormSet):
    """Tells each form its number on the page; drafts come out in the order asked for."""

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "number": (index or 0) + 1}

    def drafts(self) -> list:
        """What to save, in the order asked for: each moved item takes the position typed
        (among the items kept), and the others keep their order in the places left."""
        kept = [(form, draft) for form in self.forms if (draft := form.draft()) is not None]
        return [draft for _, draft in placed(kept)]


def placed(items: list[tuple[_NumberedForm, object]]) -> list[tuple[_NumberedForm, object]]:
    """`items` (form, draft), in page order, reordered: a moved item goes to the place its
    position names (the last place for a number past the end); when two are moved to one
    place, the one higher on the page goes first; the items not moved fill the places left
    in their own order. So moving section 3 to 1 makes it first, and section 1 to 3 third."""
    slots: list[tuple | None] = [None] * len(items)
    moved = sorted(
        (item for item in items if item[0].asked_position() is not None),
        key=lambda item: (item[0].asked_position(), item[0].number),
    )
    for item in moved:
        wanted = min(item[0].asked_position(), len(slots)) - 1
        free = [i for i, slot in enumerate(slots) if slot is None]
        after = [i for i in free if i >= wanted]
        slots[after[0] if after else free[-1]] = item
    rest = iter(item for item in items if item[0].asked_position() is None)
    return [slot if slot is not None else next(rest) for slot in slots]


def _formset(form: type[forms.Form], most: int, what: str) -> type[forms.BaseFormSet]:
    formset = forms.formset_factory(
        form,
        formset=NumberedFormSet,
        extra=1,
        max_num=most,
        validate_max=True,
        absolute_max=most + 10,
    )
    formset.default_error_messages = {
        "too_many_forms": f"A version can have {most} {what} at most.",
        "missing_management_form": "The page was out of date. Check your changes and save again.",
    }
    return formset


SectionFormSet = _formset(SectionForm, MAX_SECTIONS, "sections")
QuestionFormSet = _formset(QuestionForm, MAX_QUESTIONS, "questions")


# --- the error summary ------------------------------------------------------------------------


def _href(field: forms.BoundField) -> str:
    if field.use_fieldset:
        return field.subwidgets[0].id_for_label or field.auto_id
    return field.id_for_label or field.auto_id


def error_links(*items: forms.Form | forms.BaseFormSet | None) -> list[dict[str, str]]:
    """Every error of a page's forms and formsets, in page order, for the GOV.UK error summary
    (templates/training/_manage_error_summary.html): text, and the control it links to."""
    links: list[dict[str, str]] = []
    for item in items:
        if item is None or not item.is_bound:
            continue
        if isinstance(item, forms.BaseFormSet):
            links += [{"text": str(e), "href": ""} for e in item.non_form_errors()]
            links += error_links(*item.forms)
            continue
        links += [{"text": str(e), "href": ""} for e in item.non_field_errors()]
        for field in item:
            links += [{"text": str(e), "href": f"#{_href(field)}"} for e in field.errors]
    return links
