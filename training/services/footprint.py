"""The digital-footprint self-check: the advice that applies to a set of answers, and
recording that someone did it.

The questions are in `training.footprint_checklist` and the advice texts in
`training.footprint_advice_text` (data only); this module reads and records answers.

Privacy: `footprint_check_record` keeps only the fact and time of completion, unless the person
ticked "Save my answers"; then their answers are kept (replacing any saved before) until they
delete them with `footprint_answers_delete`, which keeps the completion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from harmsportal.people.models import User
from training.footprint_advice_text import ADVICE, Advice
from training.footprint_checklist import QUESTIONS, FootprintOption, FootprintQuestion
from training.models import FootprintCheck


@dataclass(frozen=True)
class FootprintAdvice:
    """What applies to one set of answers: advice to act on, and what they already do."""

    to_do: list[Advice] = field(default_factory=list)
    doing: list[str] = field(default_factory=list)


def footprint_advice(answers: Mapping[str, str]) -> FootprintAdvice:
    """The advice that applies to `answers` (question key: option value), in question order,
    each piece once, and what the person already does. Unknown keys and values are ignored."""
    result = FootprintAdvice()
    for question in QUESTIONS:
        option = question.option(answers.get(question.key, ""))
        if option is None:
            continue
        if option.advice and ADVICE[option.advice] not in result.to_do:
            result.to_do.append(ADVICE[option.advice])
        if option.doing:
            result.doing.append(option.doing)
    return result


def footprint_answer_rows(
    answers: Mapping[str, str],
) -> list[tuple[FootprintQuestion, FootprintOption]]:
    """The saved answers as (question, chosen option) pairs, for a summary list."""
    rows = []
    for question in QUESTIONS:
        option = question.option(answers.get(question.key, ""))
        if option is not None:
            rows.append((question, option))
    return rows


def _clean(answers: Mapping[str, str]) -> dict[str, str]:
    unanswered = [q.error for q in QUESTIONS if q.option(answers.get(q.key, "")) is None]
    if unanswered:
        raise ValidationError(unanswered)
    return {q.key: answers[q.key] for q in QUESTIONS}


@transaction.atomic
def footprint_check_record(
    *, actor: User, answers: Mapping[str, str], save_answers: bool
) -> FootprintCheck:
    """Record that `actor` completed the self-check. Only the time is kept, unless
    `save_answers`: then their answers are kept too, in place of any they saved before.

    Raises ValidationError, naming each question, when an answer is missing or not one of
    its options.
    """
    cleaned = _clean(answers)
    if save_answers:
        # One set of saved answers: the newest. Earlier completions are kept, without answers.
        FootprintCheck.objects.filter(person=actor, saved_answers__isnull=False).update(
            saved_answers=None
        )
    return FootprintCheck.objects.create(
        person=actor,
        completed_at=timezone.now(),
        saved_answers=cleaned if save_answers else None,
    )


@transaction.atomic
def footprint_answers_delete(*, actor: User) -> int:
    """Delete every answer `actor` saved; keep the fact that they completed the check.
    Returns how many completions held answers (0 when there were none: nothing to do)."""
    return FootprintCheck.objects.filter(person=actor, saved_answers__isnull=False).update(
        saved_answers=None
    )
