"""Training factories: modules with a published version, assignments, completions, profiles.

Rows are built field by field (not through the services), so a test can set up any state
cheaply; the fields are what the services would have left. Shared by every training test:
add new factories at the end of this file.

    ModuleFactory()                          national, frontline, 12-month refresh; version 1
                                             published with 3 parts and no quiz
    ModuleFactory(version__quiz=True)        ... with a 3-question quiz, pass mark 80
    ModuleFactory(version__quiz=2, version__sections=5, version__pass_mark=50)
    ModuleFactory(version=None)              no version at all
    ForceModuleFactory()                     West Yorkshire's own module
    FamilyModuleFactory()                    for families
    publish_new_version(module, quiz=True)   retire the published version, publish the next
    right_answers(version) / wrong_answers(version)   what quiz_submit takes
    AssignmentFactory(person=…, module=…)    open, due in 30 days
    OverdueAssignmentFactory()               open, due 5 days ago
    CompletionFactory(person=…, module=…)    completed now, of the published version
    ExpiredCompletionFactory()               completed 13 months ago, expired
    FeedbackFactory(completion=…)
    TrainingProfileFactory(person=…)         West Yorkshire roster: frontline, no manager
    ProgressFactory(person=…, version=…)     at the first part
"""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from harmsportal.people.models import User
from tests.factories import force, make_person
from training.models import (
    Answer,
    Assignment,
    AssignmentSource,
    Audience,
    Changed,
    Completion,
    Feedback,
    Module,
    ModuleVersion,
    Progress,
    Question,
    Section,
    TrainingProfile,
    VersionStatus,
)
from training.services.learning import expiry_for

SECTION_BODY = (
    "Most of what is findable about you was put online by someone else.\n\n"
    "- Check what a search for your name shows.\n"
    "- Ask your family what they share.\n"
)


def _today() -> datetime.date:
    return timezone.localdate()


def add_sections(version: ModuleVersion, count: int) -> list[Section]:
    return [
        Section.objects.create(
            version=version, order=order, heading=f"Part {order} heading", body=SECTION_BODY
        )
        for order in range(1, count + 1)
    ]


def add_quiz(version: ModuleVersion, questions: int = 3) -> list[Question]:
    """Questions with three answers each; the second answer is the right one."""
    made = []
    for order in range(1, questions + 1):
        question = Question.objects.create(
            version=version,
            order=order,
            text=f"Question {order}: which is right?",
            explanation=f"Explanation {order}: the **second** answer is right because it is.",
        )
        for place, text in enumerate(("First answer", "Second answer", "Third answer"), 1):
            Answer.objects.create(
                question=question, order=place, text=f"{text} to {order}", is_correct=place == 2
            )
        made.append(question)
    return made


def right_answers(version: ModuleVersion) -> dict[int, int]:
    """{question pk: right answer pk} for every question: a pass."""
    return {
        q.pk: q.answers.get(is_correct=True).pk
        for q in version.questions.prefetch_related("answers")
    }


def wrong_answers(version: ModuleVersion, how_many: int | None = None) -> dict[int, int]:
    """Right answers, except the first `how_many` questions (all, by default) answered wrongly."""
    answers = right_answers(version)
    questions = list(version.questions.order_by("order"))
    for question in questions[: len(questions) if how_many is None else how_many]:
        answers[question.pk] = question.answers.filter(is_correct=False).first().pk
    return answers


class ModuleVersionFactory(factory.django.DjangoModelFactory):
    """A published version. `sections` (default 3) parts; `quiz` True or a number of questions
    (default none: no quiz), with `pass_mark` (default 80 when there is a quiz)."""

    class Meta:
        model = ModuleVersion
        skip_postgeneration_save = True

    module = factory.SubFactory("tests.training.factories.ModuleFactory", version=None)
    number = factory.LazyAttribute(
        lambda v: (
            (v.module.versions.order_by("-number").values_list("number", flat=True).first() or 0)
            + 1
        )
    )
    status = VersionStatus.PUBLISHED
    estimated_minutes = 15
    pass_mark = None
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def sections(self, create, extracted, **kwargs):
        if create:
            add_sections(self, 3 if extracted is None else extracted)

    @factory.post_generation
    def quiz(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        if self.pass_mark is None:
            self.pass_mark = 80
            self.save(update_fields=["pass_mark"])
        add_quiz(self, 3 if extracted is True else extracted)


class DraftVersionFactory(ModuleVersionFactory):
    status = VersionStatus.DRAFT
    published_at = None


class ModuleFactory(factory.django.DjangoModelFactory):
    """A national frontline module with a 12-month refresh and version 1 published."""

    class Meta:
        model = Module
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"test-module-{n}")
    title = factory.Sequence(lambda n: f"Test module {n}")
    summary = "What a test module covers, in a sentence."
    owner_force = None
    audiences = factory.LazyFunction(lambda: [Audience.FRONTLINE])
    review_due = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=365))
    refresh_months = 12
    version = factory.RelatedFactory(ModuleVersionFactory, factory_related_name="module")


class ForceModuleFactory(ModuleFactory):
    """West Yorkshire's own module."""

    owner_force = factory.LazyFunction(force)


class FamilyModuleFactory(ModuleFactory):
    audiences = factory.LazyFunction(lambda: [Audience.FAMILY])


def publish_new_version(module: Module, **fields) -> ModuleVersion:
    """Retire the module's published version and publish the next one (as authoring would)."""
    now = timezone.now()
    module.versions.filter(status=VersionStatus.PUBLISHED).update(
        status=VersionStatus.RETIRED, retired_at=now
    )
    return ModuleVersionFactory(module=module, **fields)


class TrainingProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingProfile

    person = factory.LazyFunction(make_person)
    force = factory.LazyFunction(force)
    audiences = factory.LazyFunction(lambda: [Audience.FRONTLINE])
    start_date = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=400))
    line_manager = None


class AssignmentFactory(factory.django.DjangoModelFactory):
    """Open work, set by a training admin, due in 30 days."""

    class Meta:
        model = Assignment

    person = factory.LazyFunction(make_person)
    module = factory.SubFactory(ModuleFactory)
    force = factory.LazyFunction(force)
    audience = Audience.FRONTLINE
    source = AssignmentSource.MANUAL
    due_on = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=30))


class OverdueAssignmentFactory(AssignmentFactory):
    due_on = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=5))
    assigned_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=40))


def _name(person: User) -> str:
    return person.full_name or person.email


class CompletionFactory(factory.django.DjangoModelFactory):
    """A completion of the module's published version, now, expiring as the module says.
    Pass `completed_at` to date it; `expires_on` follows unless given."""

    class Meta:
        model = Completion

    person = factory.LazyFunction(make_person)
    module = factory.SubFactory(ModuleFactory)
    version = factory.LazyAttribute(lambda c: c.module.published_version())
    force = factory.LazyFunction(force)
    completed_at = factory.LazyFunction(timezone.now)
    expires_on = factory.LazyAttribute(
        lambda c: expiry_for(c.module, timezone.localdate(c.completed_at))
    )
    name_on_certificate = factory.LazyAttribute(lambda c: _name(c.person))


class ExpiredCompletionFactory(CompletionFactory):
    completed_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=400))


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    completion = factory.SubFactory(CompletionFactory)
    rating = 4
    better = ""
    changed = Changed.A_LITTLE


class ProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Progress

    person = factory.LazyFunction(make_person)
    version = factory.LazyAttribute(lambda p: ModuleFactory().published_version())
    current_section = 1
