"""Writing training: modules, their versions and quizzes, publishing, retiring, force notes.

Who may do what is decided by the selectors' one rule (`may_edit_module`): a force's own
modules by that force's training admins, national modules by platform admins. A force's
training admins may add a note to a national module for their own learners.

A module has at most one draft and one published version at a time. Publishing a draft
retires the version before it but keeps it: every completion still points at the version the
person read. When the publisher says everyone must complete the new version again, the
assigning service assigns it once (`recompletion_assign`, claimed on the version's row).

Each service locks the module's row first, so two editors pressing "Publish" or "Create new
version" at once are served one after the other. A refusal is a `ValidationError` with words
for the page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from training.models import (
    Answer,
    Assignment,
    AssignmentSource,
    ForceNote,
    Module,
    ModuleVersion,
    Question,
    Section,
    VersionStatus,
)
from training.selectors import is_trainer_of, may_edit_module, may_publish_national
from training.services import assigning

if TYPE_CHECKING:
    from harmsportal.people.models import Force, User

# A new module's first draft starts with this estimate; the editor changes it.
FIRST_DRAFT_MINUTES = 10
MIN_ANSWERS = 2
MAX_ANSWERS = 4


@dataclass(frozen=True)
class SectionDraft:
    heading: str
    body: str


@dataclass(frozen=True)
class QuestionDraft:
    text: str
    answers: list[str]
    # Index into `answers` of the right one.
    correct: int
    explanation: str = ""


# --- who may ----------------------------------------------------------------------------------


def _refuse_unless_editor(actor: User, module: Module) -> None:
    if may_edit_module(actor, module):
        return
    if module.is_national:
        raise ValidationError("Only platform administrators can change national modules.")
    raise ValidationError(f"Only {module.owner_force}'s training administrators can change it.")


def _locked_module(module: Module) -> Module:
    # Only the module's own row: Postgres refuses FOR UPDATE on the nullable side of the
    # (national modules') outer join to the force.
    return (
        Module.objects.select_for_update(of=("self",))
        .select_related("owner_force")
        .get(pk=module.pk)
    )


def _locked_version(version: ModuleVersion) -> ModuleVersion:
    return (
        ModuleVersion.objects.select_for_update(of=("self",))
        .select_related("module", "module__owner_force")
        .get(pk=version.pk)
    )


# --- modules ----------------------------------------------------------------------------------


def slug_for(title: str) -> str:
    """The learner's URL name for a title: "Your online footprint" -> your-online-footprint."""
    return slugify(title)[: Module._meta.get_field("slug").max_length].strip("-")


@transaction.atomic
def module_create(
    *,
    actor: User,
    force: Force | None,
    title: str,
    slug: str,
    summary: str,
    audiences: list[str],
    review_due: datetime.date,
    refresh_months: int | None,
) -> Module:
    """A new module owned by `force` (None: national), with version 1 as a draft holding one
    empty section for the editor to fill in."""
    if force is None and not may_publish_national(actor):
        raise ValidationError("Only platform administrators can add national modules.")
    if force is not None and not is_trainer_of(actor, force):
        raise ValidationError(f"Only {force}'s training administrators can add its modules.")
    module = Module(
        owner_force=force,
        title=title.strip(),
        slug=slug or slug_for(title),
        summary=summary.strip(),
        audiences=list(audiences),
        review_due=review_due,
        refresh_months=refresh_months,
        created_by=actor,
    )
    module.full_clean(exclude=["slug"])
    if not module.slug:
        raise ValidationError({"slug": "Enter a web address name made of letters or numbers."})
    try:
        with transaction.atomic():
            module.save()
    except IntegrityError as exc:
        # Two modules named alike at the same moment: the unique slug decides.
        raise ValidationError(
            {"slug": f"A module already uses the web address name {module.slug}."}
        ) from exc
    version_first(module=module)
    return module


def version_first(*, module: Module) -> ModuleVersion:
    """A new module's version 1: a draft with one empty section. Called inside the
    transaction that made the module (here, and by the admin's add page)."""
    version = ModuleVersion.objects.create(
        module=module, number=1, estimated_minutes=FIRST_DRAFT_MINUTES
    )
    Section.objects.create(version=version, order=1, heading="", body="")
    return version


@transaction.atomic
def module_update(
    *,
    actor: User,
    module: Module,
    title: str,
    summary: str,
    audiences: list[str],
    review_due: datetime.date,
    refresh_months: int | None,
) -> Module:
    """Change a module's settings. Its slug (the learner's link) and owner stay as they are."""
    module = _locked_module(module)
    _refuse_unless_editor(actor, module)
    module.title = title.strip()
    module.summary = summary.strip()
    module.audiences = list(audiences)
    if module.review_due != review_due:
        module.review_due = review_due
        module.review_flagged_for = None  # a new date is flagged afresh when it passes
    module.refresh_months = refresh_months
    module.full_clean()
    module.save()
    return module


@transaction.atomic
def module_retire(*, actor: User, module: Module) -> bool:
    """Retire the module's published version: nobody can start it, every completion stays.
    Open assignments of it are cancelled, since nobody can now complete them. False when no
    version was published (already retired, or never published)."""
    module = _locked_module(module)
    _refuse_unless_editor(actor, module)
    published = module.versions.select_for_update().filter(status=VersionStatus.PUBLISHED).first()
    if published is None:
        return False
    now = timezone.now()
    published.status = VersionStatus.RETIRED
    published.retired_at = now
    published.save(update_fields=["status", "retired_at"])
    Assignment.objects.open().filter(module=module).update(cancelled_at=now)
    return True


# --- versions ---------------------------------------------------------------------------------


def draft_of(module: Module) -> ModuleVersion | None:
    return module.versions.filter(status=VersionStatus.DRAFT).first()


@transaction.atomic
def version_new(*, actor: User, module: Module) -> ModuleVersion:
    """A new draft, copying the published version's sections and quiz (or, with none
    published, the latest version's). One draft at a time: a second is refused."""
    module = _locked_module(module)
    _refuse_unless_editor(actor, module)
    draft = draft_of(module)
    if draft is not None:
        raise ValidationError(
            f"Version {draft.number} is already a draft. Finish it and publish it, "
            "then you can create another."
        )
    latest = module.versions.order_by("-number").first()
    source = module.published_version() or latest
    version = ModuleVersion.objects.create(
        module=module,
        number=(latest.number if latest else 0) + 1,
        estimated_minutes=source.estimated_minutes if source else FIRST_DRAFT_MINUTES,
        pass_mark=source.pass_mark if source else None,
    )
    if source is not None:
        _copy_content(source, version)
    return version


def _copy_content(source: ModuleVersion, target: ModuleVersion) -> None:
    Section.objects.bulk_create(
        Section(version=target, order=s.order, heading=s.heading, body=s.body)
        for s in source.sections.all()
    )
    for question in source.questions.prefetch_related("answers"):
        copy = Question.objects.create(
            version=target,
            order=question.order,
            text=question.text,
            explanation=question.explanation,
        )
        Answer.objects.bulk_create(
            Answer(question=copy, order=a.order, text=a.text, is_correct=a.is_correct)
            for a in question.answers.all()
        )


def _refuse_unless_draft(version: ModuleVersion) -> None:
    if version.status == VersionStatus.PUBLISHED:
        raise ValidationError(
            f"Version {version.number} has been published, so it cannot be changed. "
            "Create a new version to make changes."
        )
    if version.status == VersionStatus.RETIRED:
        raise ValidationError(
            f"Version {version.number} has been retired, so it cannot be changed. "
            "Create a new version to make changes."
        )


def _check_question(number: int, question: QuestionDraft) -> None:
    if not question.text.strip():
        raise ValidationError(f"Enter question {number}.")
    if not MIN_ANSWERS <= len(question.answers) <= MAX_ANSWERS:
        raise ValidationError(f"Question {number} needs 2, 3 or 4 answers.")
    if any(not answer.strip() for answer in question.answers):
        raise ValidationError(f"Question {number} has a blank answer.")
    if not 0 <= question.correct < len(question.answers):
        raise ValidationError(f"Select the right answer for question {number}.")


@transaction.atomic
def version_save(
    *,
    actor: User,
    version: ModuleVersion,
    estimated_minutes: int,
    change_summary: str,
    pass_mark: int | None,
    sections: list[SectionDraft],
    questions: list[QuestionDraft],
) -> ModuleVersion:
    """Save a draft's settings, sections and quiz, in the order given. Sections may be
    unfinished (a draft is work in progress); publishing checks that they are complete."""
    version = _locked_version(version)
    _refuse_unless_editor(actor, version.module)
    _refuse_unless_draft(version)
    for number, question in enumerate(questions, start=1):
        _check_question(number, question)
    version.estimated_minutes = estimated_minutes
    version.change_summary = change_summary.strip()
    version.pass_mark = pass_mark
    version.full_clean(exclude=["module"])
    version.save()
    # Replaced whole: nothing points at a draft's rows (attempts and completions are only ever
    # of published versions), so the order given is simply the new order.
    version.sections.all().delete()
    Section.objects.bulk_create(
        Section(version=version, order=order, heading=s.heading.strip(), body=s.body)
        for order, s in enumerate(sections, start=1)
    )
    version.questions.all().delete()  # their answers go with them (CASCADE)
    for order, q in enumerate(questions, start=1):
        question = Question.objects.create(
            version=version, order=order, text=q.text.strip(), explanation=q.explanation
        )
        Answer.objects.bulk_create(
            Answer(question=question, order=i, text=text.strip(), is_correct=i - 1 == q.correct)
            for i, text in enumerate(q.answers, start=1)
        )
    return version


def publish_problems(version: ModuleVersion) -> list[str]:
    """What stops `version` being published, in words for the editor; empty when nothing."""
    problems = []
    sections = list(version.sections.all())
    if not any(s.body.strip() for s in sections):
        problems.append("Write at least one section before publishing.")
    for number, section in enumerate(sections, start=1):
        if not section.heading.strip():
            problems.append(f"Enter a heading for section {number}.")
        if section.body.strip() == "" and any(s.body.strip() for s in sections):
            problems.append(f"Write the text of section {number}, or remove it.")
    questions = list(version.questions.prefetch_related("answers"))
    if version.pass_mark is not None and not questions:
        problems.append("Add at least one question to the quiz, or remove its pass mark.")
    if version.pass_mark is None and questions:
        problems.append("Enter a pass mark for the quiz, or remove its questions.")
    for number, question in enumerate(questions, start=1):
        answers = list(question.answers.all())
        if not MIN_ANSWERS <= len(answers) <= MAX_ANSWERS:
            problems.append(f"Question {number} needs 2, 3 or 4 answers.")
        if sum(a.is_correct for a in answers) != 1:
            problems.append(f"Select the right answer for question {number}.")
        if not question.explanation.strip():
            problems.append(f"Explain the right answer to question {number}.")
    return problems


def earlier_versions(version: ModuleVersion):
    """Versions before `version` that were published (and are kept as history)."""
    return version.module.versions.filter(
        number__lt=version.number, published_at__isnull=False
    ).order_by("-number")


@transaction.atomic
def version_publish(
    *, actor: User, version: ModuleVersion, requires_recompletion: bool
) -> ModuleVersion:
    """Publish a draft: the version before it is retired (its completions stay as history),
    and, if `requires_recompletion`, everyone who completed an earlier version is assigned this
    one (once). Publishing a version already published changes nothing and assigns nothing."""
    module = _locked_module(version.module)
    _refuse_unless_editor(actor, module)
    version = _locked_version(version)
    if version.status == VersionStatus.PUBLISHED:
        return version
    if version.status == VersionStatus.RETIRED:
        raise ValidationError(
            f"Version {version.number} has been retired. Create a new version to publish "
            "its content again."
        )
    problems = publish_problems(version)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    module.versions.filter(status=VersionStatus.PUBLISHED).update(
        status=VersionStatus.RETIRED, retired_at=now
    )
    # Only a version that follows a published one can ask its readers to read it again.
    requires_recompletion = requires_recompletion and earlier_versions(version).exists()
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.published_by = actor
    version.requires_recompletion = requires_recompletion
    version.save(update_fields=["status", "published_at", "published_by", "requires_recompletion"])
    if requires_recompletion:
        assigning.recompletion_assign(version=version)
    return version


def recompletion_assigned(version: ModuleVersion) -> int:
    """How many people were given `version` to complete again when it was published."""
    return Assignment.objects.filter(version=version, source=AssignmentSource.NEW_VERSION).count()


# --- force notes ------------------------------------------------------------------------------


@transaction.atomic
def force_note_save(*, actor: User, module: Module, force: Force, body: str) -> ForceNote | None:
    """`force`'s note on a national module, written, changed, or removed when `body` is blank
    (None then). Only that force's training admins write it; a force's own module needs none."""
    module = _locked_module(module)
    if not module.is_national:
        raise ValidationError("Notes are for national modules. Change your force's own module.")
    if not is_trainer_of(actor, force):
        raise ValidationError(f"Only {force}'s training administrators can write its note.")
    body = body.strip()
    note = ForceNote.objects.select_for_update().filter(module=module, force=force).first()
    if not body:
        if note is not None:
            note.delete()
        return None
    if note is None:
        note = ForceNote(module=module, force=force)
    note.body = body
    note.updated_at = timezone.now()
    note.updated_by = actor
    note.save()
    return note
