"""The learner's writes: reading a module part by part, the quiz, completing it, and feedback.

A learner works through the published version of a module. `Progress` holds the furthest part
they reached, so they can stop between shifts and resume. Reading the last part, then either
passing the quiz or marking the module complete, records a `Completion`: history that a later
version never changes. Completing closes every open assignment of the module, and the progress
row goes, so a refresher starts from the first part again.

A second press of "Mark as complete", or a practice go at the quiz, while the person already
holds a valid completion of the same version and has no open work on the module, records no
second completion: it returns the one they hold. A refresher (the last one expired) or work a
training admin assigned again does record a new one.
"""

from __future__ import annotations

import calendar
import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from training.models import (
    Assignment,
    Changed,
    Completion,
    Feedback,
    Module,
    ModuleVersion,
    Progress,
    QuizAttempt,
    Section,
    VersionStatus,
    has_expired,
)
from training.selectors import learner_force
from training.services.assigning import has_open_work

if TYPE_CHECKING:
    from harmsportal.people.models import User

FEEDBACK_MAX_CHARS = 2000
NOT_PUBLISHED = (
    "This module has been updated since you started it. Open it again to read the new version."
)


# --- dates ---------------------------------------------------------------------------------
def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus calendar months, the day clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def expiry_for(module: Module, completed_on: datetime.date) -> datetime.date | None:
    """When a completion of `module` made on `completed_on` stops counting (None: never)."""
    if not module.refresh_months:
        return None
    return add_months(completed_on, module.refresh_months)


# --- helpers -------------------------------------------------------------------------------
def section_orders(version: ModuleVersion) -> list[int]:
    """The orders of a version's parts, first to last (the learner's pages 1 to n)."""
    return list(
        Section.objects.filter(version=version).order_by("order").values_list("order", flat=True)
    )


def _require_published(version: ModuleVersion) -> None:
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(NOT_PUBLISHED)


def _locked_progress(actor: User, version: ModuleVersion) -> Progress | None:
    return Progress.objects.select_for_update().filter(person=actor, version=version).first()


def _valid_completion(person: User, version: ModuleVersion) -> Completion | None:
    """The person's newest completion of `version`, if it has not expired."""
    latest = (
        Completion.objects.filter(person=person, version=version).order_by("-completed_at").first()
    )
    if latest is None:
        return None
    if has_expired(latest.expires_on, timezone.localdate()):
        return None
    return latest


def _finish(
    *, actor: User, version: ModuleVersion, progress: Progress | None, score_percent: int | None
) -> Completion:
    """Record the completion (or return the valid one when nothing asks for another), and
    clear the progress so the next go starts at the first part."""
    held = _valid_completion(actor, version)
    if held is not None and not has_open_work(actor, version.module):
        completion = held
    else:
        completion = completion_record(person=actor, version=version, score_percent=score_percent)
    if progress is not None:
        progress.delete()
    return completion


# --- reading -------------------------------------------------------------------------------
@transaction.atomic
def progress_start(*, actor: User, module: Module) -> Progress:
    """Start the published version of `module`, or resume it: one Progress per version."""
    version = module.published_version()
    if version is None:
        raise ValidationError("This module is not available at the moment.")
    orders = section_orders(version)
    progress, _ = Progress.objects.get_or_create(
        person=actor, version=version, defaults={"current_section": orders[0] if orders else 1}
    )
    return progress


@transaction.atomic
def progress_advance(*, actor: User, version: ModuleVersion, section_order: int) -> Progress:
    """The learner read the part with order `section_order`: move them on to the next part, or
    note that they have read every part. Parts are read in order; going back is fine.

    Raises ValidationError for a part they have not reached yet, a part that does not exist,
    or a version that is no longer the published one.
    """
    _require_published(version)
    orders = section_orders(version)
    if section_order not in orders:
        raise ValidationError("That part of the module does not exist.")
    progress = _locked_progress(actor, version)
    if progress is None:
        Progress.objects.get_or_create(
            person=actor, version=version, defaults={"current_section": orders[0]}
        )
        progress = _locked_progress(actor, version)
    if section_order > progress.current_section:
        raise ValidationError("Read the parts of the module in order. Continue where you left off.")
    later = [order for order in orders if order > section_order]
    now = timezone.now()
    if later:
        progress.current_section = max(progress.current_section, later[0])
    elif progress.read_all_at is None:
        progress.read_all_at = now
    progress.updated_at = now
    progress.save(update_fields=["current_section", "read_all_at", "updated_at"])
    return progress


# --- finishing -----------------------------------------------------------------------------
@transaction.atomic
def progress_complete(*, actor: User, version: ModuleVersion) -> Completion:
    """ "Mark as complete" on the last part of a version without a quiz: that part is read, and
    the module is complete. Needs every earlier part read (the learner reached the last one).

    Pressed twice, it returns the completion the first press made.
    """
    _require_published(version)
    if version.has_quiz:
        raise ValidationError("Answer the quiz to complete this module.")
    progress = _locked_progress(actor, version)
    held = _valid_completion(actor, version)
    if progress is None and held is not None and not has_open_work(actor, version.module):
        return held  # a second press: the first one finished it
    orders = section_orders(version)
    if progress is None or (orders and progress.current_section < orders[-1]):
        raise ValidationError("Read every part of the module before you mark it as complete.")
    return _finish(actor=actor, version=version, progress=progress, score_percent=None)


@transaction.atomic
def quiz_submit(*, actor: User, version: ModuleVersion, answers: dict[int, int]) -> QuizAttempt:
    """Mark an answer to every question of the version's quiz (`answers`: question pk to
    answer pk) and keep the attempt. A pass completes the module; a fail may be retried any
    number of times.

    Raises ValidationError before the learner has read every part, for a version without a
    quiz, and when a question is unanswered or answered with another question's answer.
    """
    _require_published(version)
    if not version.has_quiz:
        raise ValidationError("This module has no quiz.")
    progress = _locked_progress(actor, version)
    if progress is None or progress.read_all_at is None:
        raise ValidationError("Read every part of the module before you answer the quiz.")
    questions = list(version.questions.prefetch_related("answers"))
    correct = 0
    for question in questions:
        chosen = answers.get(question.pk)
        answer = next((a for a in question.answers.all() if a.pk == chosen), None)
        if answer is None:
            raise ValidationError("Answer every question.")
        correct += answer.is_correct
    total = len(questions)
    attempt = QuizAttempt.objects.create(
        person=actor,
        version=version,
        answers={str(q.pk): answers[q.pk] for q in questions},
        correct=correct,
        total=total,
        # Whole numbers only: 4 of 5 right against a pass mark of 80 passes, 3 of 4 against 80 not.
        passed=correct * 100 >= version.pass_mark * total,
    )
    if attempt.passed:
        _finish(actor=actor, version=version, progress=progress, score_percent=attempt.percent)
    return attempt


@transaction.atomic
def completion_record(
    *,
    person: User,
    version: ModuleVersion,
    score_percent: int | None = None,
    at: datetime.datetime | None = None,
) -> Completion:
    """Record that `person` completed `version` at `at` (default now): a new Completion every
    time, so earlier ones stay as history.

    The certificate's name is their name now (or their email); the force is the one they learn
    under; it expires the module's refresh interval in calendar months after the day it was
    completed (the day clamped to the month's end), or never. Every open assignment of the
    person for the module is closed with it.
    """
    at = at or timezone.now()
    module = version.module
    completion = Completion.objects.create(
        person=person,
        module=module,
        version=version,
        force=learner_force(person),
        completed_at=at,
        expires_on=expiry_for(module, timezone.localdate(at)),
        score_percent=score_percent,
        name_on_certificate=(person.full_name or person.email)[:150],
    )
    Assignment.objects.open().filter(person=person, module=module).update(
        completion=completion, completed_at=at
    )
    return completion


# --- feedback ------------------------------------------------------------------------------
@transaction.atomic
def feedback_give(
    *, actor: User, completion: Completion, rating: int, better: str, changed: str
) -> Feedback:
    """The learner's feedback on a module they completed: once per completion.

    Raises ValidationError for someone else's completion, feedback already given, a rating
    outside 1 to 5, an unknown answer to "has it changed what you will do", or words too long.
    """
    completion = Completion.objects.select_for_update().get(pk=completion.pk)
    if completion.person_id != actor.pk:
        raise ValidationError("Only the person who completed the module can give feedback on it.")
    if Feedback.objects.filter(completion=completion).exists():
        raise ValidationError("You have already given feedback on this module. Thank you.")
    if rating not in range(1, 6):
        raise ValidationError("Select how good the module was.")
    if changed not in Changed.values:
        raise ValidationError("Select whether the module has changed what you will do.")
    better = (better or "").strip()
    if len(better) > FEEDBACK_MAX_CHARS:
        raise ValidationError(
            f"What would make it better must be {FEEDBACK_MAX_CHARS:,} characters or fewer."
        )
    return Feedback.objects.create(
        completion=completion, rating=rating, better=better, changed=changed
    )
