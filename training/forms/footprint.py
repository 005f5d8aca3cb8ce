"""The digital-footprint self-check form: one set of radios per question, and the choice to
save the answers. The questions and their options come from training.footprint_checklist."""

from __future__ import annotations

from django import forms

from training.footprint_checklist import AREAS, QUESTIONS, FootprintQuestion


def _short(question: FootprintQuestion) -> bool:
    return len(question.options) == 2 and all(len(o.label) <= 3 for o in question.options)


class FootprintForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for question in QUESTIONS:
            self.fields[question.key] = forms.ChoiceField(
                label=question.text,
                help_text=question.hint,
                choices=[(o.value, o.label) for o in question.options],
                # Yes and No sit side by side, as GOV.UK lays out two short answers.
                widget=forms.RadioSelect(
                    attrs={"class": "govuk-radios--inline"} if _short(question) else {}
                ),
                error_messages={"required": question.error, "invalid_choice": question.error},
            )
        self.fields["save_answers"] = forms.BooleanField(
            label="Save my answers so I can come back to them",
            help_text="We keep your answers until you delete them. If you do not tick this, we "
            "keep only the date you completed the check.",
            required=False,
        )

    def areas(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The questions grouped under their area's heading, in order, for the page."""
        return [
            (title, [self[q.key] for q in QUESTIONS if q.area == area])
            for area, title in AREAS.items()
        ]

    def answers(self) -> dict[str, str]:
        return {q.key: self.cleaned_data[q.key] for q in QUESTIONS}
