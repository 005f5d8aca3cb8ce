"""Writing training (training/services/authoring.py): modules, one draft at a time, publishing
that keeps history, re-completion assigned once, retiring, and force notes."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from harmsportal.people.models import Role
from tests.factories import force, make_person
from tests.training.factories import (
    AssignmentFactory,
    CompletionFactory,
    DraftVersionFactory,
    ForceModuleFactory,
    ModuleFactory,
)
from training.models import (
    Assignment,
    AssignmentSource,
    Audience,
    Completion,
    ForceNote,
    ModuleVersion,
    VersionStatus,
)
from training.services import authoring
from training.services.authoring import QuestionDraft, SectionDraft

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate() + datetime.timedelta(days=365)


def new_module(actor, *, force_=None, slug="keeping-safe", **fields):
    values = {
        "title": "Keeping safe",
        "slug": slug,
        "summary": "Practical steps.",
        "audiences": [Audience.FRONTLINE],
        "review_due": NEXT_YEAR,
        "refresh_months": 12,
    }
    return authoring.module_create(actor=actor, force=force_, **{**values, **fields})


def draft_after(module) -> ModuleVersion:
    """A draft following the module's published version, as "Create new version" makes it."""
    return DraftVersionFactory(module=module)


@pytest.fixture
def recompletion_calls(monkeypatch):
    calls = []

    def fake(*, version):
        calls.append(version.pk)
        return 0

    monkeypatch.setattr(authoring.assigning, "recompletion_assign", fake)
    return calls


# --- modules ----------------------------------------------------------------------------------


def test_a_trainer_adds_a_force_module_with_a_draft_first_version_and_one_empty_section(trainer):
    module = new_module(trainer, force_=force(), slug="")

    assert module.slug == "keeping-safe"  # made from the title
    assert module.owner_force == force()
    assert module.created_by == trainer
    version = module.versions.get()
    assert (version.number, version.status) == (1, VersionStatus.DRAFT)
    assert [(s.order, s.heading, s.body) for s in version.sections.all()] == [(1, "", "")]


def test_a_trainer_cannot_add_a_national_module_or_another_forces(trainer):
    before = ModuleVersion.objects.count()  # the national modules the migration loads
    with pytest.raises(ValidationError, match="platform administrators"):
        new_module(trainer)
    with pytest.raises(ValidationError, match="North Yorkshire"):
        new_module(trainer, force_=force("north-yorkshire"))
    assert ModuleVersion.objects.count() == before


def test_a_platform_admin_adds_a_national_module(platform_admin):
    module = new_module(platform_admin)

    assert module.is_national


def test_a_slug_taken_already_is_refused_on_the_slug(platform_admin):
    new_module(platform_admin)

    with pytest.raises(ValidationError) as refused:
        new_module(platform_admin, title="Another")

    assert "keeping-safe" in refused.value.message_dict["slug"][0]


def test_changing_the_review_date_clears_its_flag(platform_admin):
    module = ModuleFactory(review_flagged_for=timezone.localdate())

    authoring.module_update(
        actor=platform_admin,
        module=module,
        title="New title",
        summary=module.summary,
        audiences=[Audience.FAMILY],
        review_due=NEXT_YEAR + datetime.timedelta(days=1),
        refresh_months=None,
    )

    module.refresh_from_db()
    assert (module.title, module.audiences, module.refresh_months) == (
        "New title",
        ["family"],
        None,
    )
    assert module.review_flagged_for is None


# --- versions ---------------------------------------------------------------------------------


def test_a_new_version_copies_the_published_sections_and_quiz(platform_admin):
    module = ModuleFactory(version__quiz=2, version__sections=2)
    published = module.published_version()

    draft = authoring.version_new(actor=platform_admin, module=module)

    assert (draft.number, draft.status, draft.pass_mark) == (2, VersionStatus.DRAFT, 80)
    assert [s.heading for s in draft.sections.all()] == [
        s.heading for s in published.sections.all()
    ]
    copied = [
        (q.text, [(a.text, a.is_correct) for a in q.answers.all()]) for q in draft.questions.all()
    ]
    original = [
        (q.text, [(a.text, a.is_correct) for a in q.answers.all()])
        for q in published.questions.all()
    ]
    assert copied == original
    # The published version's own rows are untouched.
    assert published.sections.count() == 2
    assert published.questions.count() == 2


def test_only_one_draft_at_a_time(platform_admin):
    module = ModuleFactory()
    authoring.version_new(actor=platform_admin, module=module)

    with pytest.raises(ValidationError, match="Version 2 is already a draft"):
        authoring.version_new(actor=platform_admin, module=module)

    assert module.versions.filter(status=VersionStatus.DRAFT).count() == 1


def test_saving_a_draft_replaces_its_sections_and_quiz_in_the_order_given(trainer):
    module = ForceModuleFactory(version=None)
    draft = DraftVersionFactory(module=module, sections=3)

    authoring.version_save(
        actor=trainer,
        version=draft,
        estimated_minutes=20,
        change_summary=" New advice ",
        pass_mark=50,
        sections=[SectionDraft("Second", "Two"), SectionDraft("First", "One")],
        questions=[QuestionDraft("Which?", ["A", "B", "C"], correct=2, explanation="C is.")],
    )

    draft.refresh_from_db()
    assert (draft.estimated_minutes, draft.change_summary, draft.pass_mark) == (
        20,
        "New advice",
        50,
    )
    assert [(s.order, s.heading) for s in draft.sections.all()] == [(1, "Second"), (2, "First")]
    question = draft.questions.get()
    assert [(a.order, a.text, a.is_correct) for a in question.answers.all()] == [
        (1, "A", False),
        (2, "B", False),
        (3, "C", True),
    ]


def test_a_published_version_cannot_be_changed(trainer):
    version = ForceModuleFactory().published_version()

    with pytest.raises(ValidationError, match="Create a new version"):
        authoring.version_save(
            actor=trainer,
            version=version,
            estimated_minutes=5,
            change_summary="",
            pass_mark=None,
            sections=[SectionDraft("Changed", "Changed")],
            questions=[],
        )

    assert version.sections.filter(heading="Changed").count() == 0


# --- publishing -------------------------------------------------------------------------------


def test_publishing_v2_retires_v1_and_keeps_v1_completions_pointing_at_v1(
    platform_admin, officer, recompletion_calls
):
    module = ModuleFactory()
    v1 = module.published_version()
    completion = CompletionFactory(person=officer, module=module)
    v2 = draft_after(module)

    authoring.version_publish(actor=platform_admin, version=v2, requires_recompletion=False)

    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.status == VersionStatus.RETIRED
    assert v1.retired_at is not None
    assert v2.status == VersionStatus.PUBLISHED
    assert (v2.published_by, v2.requires_recompletion) == (platform_admin, False)
    assert module.published_version() == v2
    completion.refresh_from_db()
    assert completion.version == v1
    assert Completion.objects.get().expires_on == completion.expires_on
    assert recompletion_calls == []


def test_requires_recompletion_is_assigned_once_however_often_publish_is_pressed(
    platform_admin, recompletion_calls
):
    module = ModuleFactory()
    v2 = draft_after(module)

    authoring.version_publish(actor=platform_admin, version=v2, requires_recompletion=True)
    authoring.version_publish(actor=platform_admin, version=v2, requires_recompletion=True)

    assert recompletion_calls == [v2.pk]
    v2.refresh_from_db()
    assert v2.requires_recompletion


def test_everyone_who_completed_v1_is_given_v2_once(platform_admin, officer):
    module = ModuleFactory()
    CompletionFactory(person=officer, module=module)
    v2 = draft_after(module)

    authoring.version_publish(actor=platform_admin, version=v2, requires_recompletion=True)
    authoring.version_publish(actor=platform_admin, version=v2, requires_recompletion=True)

    assignment = Assignment.objects.get()
    assert (assignment.person, assignment.version, assignment.source) == (
        officer,
        v2,
        AssignmentSource.NEW_VERSION,
    )


def test_a_first_version_asks_nobody_to_complete_it_again(trainer, recompletion_calls):
    module = ForceModuleFactory(version=None)
    v1 = DraftVersionFactory(module=module)

    authoring.version_publish(actor=trainer, version=v1, requires_recompletion=True)

    v1.refresh_from_db()
    assert v1.status == VersionStatus.PUBLISHED
    assert not v1.requires_recompletion
    assert recompletion_calls == []


def test_a_draft_with_no_text_or_a_half_made_quiz_is_not_published(trainer):
    module = ForceModuleFactory(version=None)
    empty = DraftVersionFactory(module=module, sections=0)
    empty.sections.create(order=1, heading="", body="")

    with pytest.raises(ValidationError) as refused:
        authoring.version_publish(actor=trainer, version=empty, requires_recompletion=False)

    assert "Write at least one section before publishing." in refused.value.messages
    assert "Enter a heading for section 1." in refused.value.messages

    empty.sections.update(heading="Heading", body="Text")
    empty.pass_mark = 80
    empty.save()
    with pytest.raises(ValidationError, match="Add at least one question"):
        authoring.version_publish(actor=trainer, version=empty, requires_recompletion=False)
    empty.refresh_from_db()
    assert empty.status == VersionStatus.DRAFT


def test_a_force_trainer_cannot_publish_a_national_module_and_a_platform_admin_can(
    trainer, platform_admin
):
    module = ModuleFactory()
    v2 = draft_after(module)

    with pytest.raises(ValidationError, match="platform administrators"):
        authoring.version_publish(actor=trainer, version=v2, requires_recompletion=False)
    v2.refresh_from_db()
    assert v2.status == VersionStatus.DRAFT

    authoring.version_publish(actor=platform_admin, version=v2, requires_recompletion=False)
    v2.refresh_from_db()
    assert v2.status == VersionStatus.PUBLISHED


def test_another_forces_trainer_cannot_publish_this_forces_module():
    module = ForceModuleFactory()
    v2 = draft_after(module)
    outsider = make_person(Role.TRAINING_ADMIN, force_slug="north-yorkshire")

    with pytest.raises(ValidationError, match="West Yorkshire"):
        authoring.version_publish(actor=outsider, version=v2, requires_recompletion=False)


def test_a_retired_version_is_not_published_again(platform_admin):
    module = ModuleFactory()
    v1 = module.published_version()
    authoring.version_publish(
        actor=platform_admin, version=draft_after(module), requires_recompletion=False
    )

    with pytest.raises(ValidationError, match="retired"):
        authoring.version_publish(actor=platform_admin, version=v1, requires_recompletion=False)


# --- retiring ---------------------------------------------------------------------------------


def test_retiring_a_module_stops_new_starts_cancels_open_work_and_keeps_completions(
    trainer, officer
):
    module = ForceModuleFactory()
    CompletionFactory(person=officer, module=module)
    open_work = AssignmentFactory(module=module)

    assert authoring.module_retire(actor=trainer, module=module) is True

    assert module.published_version() is None
    assert module.versions.get().status == VersionStatus.RETIRED
    open_work.refresh_from_db()
    assert open_work.cancelled_at is not None
    assert Completion.objects.filter(module=module).count() == 1
    assert authoring.module_retire(actor=trainer, module=module) is False


# --- force notes ------------------------------------------------------------------------------


def test_a_trainer_writes_changes_and_removes_their_forces_note_on_a_national_module(trainer):
    module = ModuleFactory()

    note = authoring.force_note_save(actor=trainer, module=module, force=force(), body="Call 1")
    authoring.force_note_save(actor=trainer, module=module, force=force(), body="Call 2")

    note.refresh_from_db()
    assert (note.body, note.updated_by, note.force) == ("Call 2", trainer, force())
    assert authoring.force_note_save(actor=trainer, module=module, force=force(), body=" ") is None
    assert not ForceNote.objects.exists()


def test_force_notes_are_only_for_national_modules_and_only_for_the_trainers_own_force(trainer):
    with pytest.raises(ValidationError, match="national modules"):
        authoring.force_note_save(
            actor=trainer, module=ForceModuleFactory(), force=force(), body="Note"
        )
    with pytest.raises(ValidationError, match="North Yorkshire"):
        authoring.force_note_save(
            actor=trainer, module=ModuleFactory(), force=force("north-yorkshire"), body="Note"
        )
    assert not ForceNote.objects.exists()
