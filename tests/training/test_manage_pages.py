"""The authoring pages (training/views/manage_pages.py): the module list, adding and editing a
module, the version editor, publishing, retiring and force notes, as training admins and
platform admins use them, and refused to everyone else."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from harmsportal.people.models import Membership, Role
from tests.factories import force, make_person
from tests.training.factories import (
    CompletionFactory,
    DraftVersionFactory,
    ForceModuleFactory,
    ModuleFactory,
)
from training.models import ForceNote, Module, VersionStatus

pytestmark = pytest.mark.django_db

MANAGE = "/training/manage/"
NEW = "/training/manage/modules/new/"
NEXT_YEAR = timezone.localdate() + datetime.timedelta(days=365)


def edit_url(module) -> str:
    return f"/training/manage/modules/{module.public_id}/"


def version_url(version) -> str:
    return f"/training/manage/versions/{version.public_id}/"


def publish_url(version) -> str:
    return f"/training/manage/versions/{version.public_id}/publish/"


def note_url(module) -> str:
    return f"/training/manage/modules/{module.public_id}/note/"


def text(response) -> str:
    return response.content.decode()


def without_tokens(response) -> str:
    # Each response carries a fresh CSP nonce and CSRF token; everything else must match.
    page = re.sub(r'nonce="[^"]*"', "", text(response))
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def new_module_data(**changes) -> dict:
    data = {
        "title": "Staying safe at events",
        "slug": "",
        "summary": "What to share before, during and after a public event.",
        "audiences": ["frontline", "family"],
        "review_due_0": str(NEXT_YEAR.day),
        "review_due_1": str(NEXT_YEAR.month),
        "review_due_2": str(NEXT_YEAR.year),
        "refresh_months": "24",
    }
    return {**data, **changes}


def editor_data(*, sections=(), questions=(), initial_sections=None, initial_questions=None):
    """What the version editor posts: its settings, then each section and question form."""
    data = {"estimated_minutes": "15", "change_summary": "", "pass_mark": ""}
    data |= {
        "sections-TOTAL_FORMS": str(len(sections)),
        "sections-INITIAL_FORMS": str(
            len(sections) if initial_sections is None else initial_sections
        ),
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": str(
            len(questions) if initial_questions is None else initial_questions
        ),
    }
    for i, section in enumerate(sections):
        data |= {f"sections-{i}-{name}": value for name, value in section.items()}
    for i, question in enumerate(questions):
        data |= {f"questions-{i}-{name}": value for name, value in question.items()}
    return data


def question(n: int, **changes) -> dict:
    values = {
        "text": f"Question {n}?",
        "answer_1": "Yes",
        "answer_2": "No",
        "correct": "1",
        "explanation": "Because.",
    }
    return {**values, **changes}


# --- who may use the pages --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("trainer", 200),
        ("platform_admin", 200),
        ("officer", 403),
        ("family_member", 403),
        ("force_lead", 403),
        ("champion", 403),
        ("psd_officer", 404),
    ],
)
@pytest.mark.parametrize("path", [MANAGE, NEW])
def test_only_training_and_platform_admins_reach_the_authoring_pages(
    client, persona, who, status, path
):
    client.force_login(persona(who))

    assert client.get(path).status_code == status


def test_a_force_trainer_gets_404_on_the_editor_of_a_national_module_or_another_forces(
    client, trainer
):
    national = ModuleFactory()
    theirs = ForceModuleFactory(owner_force=force("north-yorkshire"))
    client.force_login(trainer)

    for module in (national, theirs):
        version = module.published_version()
        assert client.get(edit_url(module)).status_code == 404
        assert client.get(version_url(version)).status_code == 404
        assert client.get(publish_url(version)).status_code == 404
        assert client.post(f"{edit_url(module)}new-version/").status_code == 404
        assert client.post(f"{edit_url(module)}retire/").status_code == 404
    assert client.get(note_url(theirs)).status_code == 404
    assert national.versions.count() == theirs.versions.count() == 1


def test_a_forbidden_module_is_byte_for_byte_a_missing_one(client, trainer):
    national = ModuleFactory()
    client.force_login(trainer)

    forbidden = client.get(edit_url(national))
    missing = client.get("/training/manage/modules/00000000-0000-0000-0000-000000000001/")

    assert forbidden.status_code == missing.status_code == 404
    assert without_tokens(forbidden) == without_tokens(missing)


# --- the list ---------------------------------------------------------------------------------


def test_a_trainer_sees_their_forces_modules_and_the_national_ones(client, trainer):
    ours = ForceModuleFactory(title="Our own module")
    overdue = ModuleFactory(
        title="A national module", review_due=timezone.localdate() - datetime.timedelta(days=1)
    )
    ForceModuleFactory(title="Their module", owner_force=force("north-yorkshire"))
    client.force_login(trainer)

    html = text(client.get(MANAGE))

    assert "Their module" not in html
    own_row = html.split('id="module-' + ours.slug + '"', 1)[1].split("</tr>", 1)[0]
    assert "West Yorkshire" in own_row
    assert edit_url(ours) in own_row
    assert "Published" in own_row
    assert "Review overdue" not in own_row
    national_row = html.split('id="module-' + overdue.slug + '"', 1)[1].split("</tr>", 1)[0]
    assert ">National<" in national_row
    assert "Review overdue" in national_row
    assert (
        f'href="{edit_url(overdue)}"' not in national_row
    )  # platform admins edit national modules
    assert note_url(overdue) in national_row
    assert f"/training/manage/modules/{overdue.public_id}/review/" in national_row
    for name in ("rules", "assign", "roster", "verify"):
        assert f'href="/training/manage/{name}/"' in html
    assert 'href="/training/compliance/"' in html


def test_a_platform_admin_sees_national_modules_only_and_may_edit_them(client, platform_admin):
    national = ModuleFactory(title="A national module")
    ForceModuleFactory(title="Our own module")
    client.force_login(platform_admin)

    html = text(client.get(MANAGE))

    assert "Our own module" not in html
    assert edit_url(national) in html
    assert note_url(national) not in html  # notes are a force's
    assert 'href="/training/manage/rules/"' not in html
    assert f'href="{NEW}"' in html


def test_a_trainer_in_two_forces_chooses_which_one(client, trainer):
    Membership.objects.create(
        user=trainer, force=force("north-yorkshire"), role=Role.TRAINING_ADMIN
    )
    ForceModuleFactory(title="West module")
    ForceModuleFactory(title="North module", owner_force=force("north-yorkshire"))
    client.force_login(trainer)

    west = text(client.get(MANAGE + "?force=west-yorkshire"))
    north = text(client.get(MANAGE + "?force=north-yorkshire"))

    assert "West module" in west
    assert "North module" not in west
    assert "North module" in north
    assert "West module" not in north
    assert client.get(MANAGE + "?force=cumbria").status_code == 404


# --- adding and editing a module --------------------------------------------------------------


def test_a_trainer_adds_a_force_module_and_goes_on_to_write_version_1(client, trainer):
    client.force_login(trainer)

    response = client.post(NEW, new_module_data())

    module = Module.objects.get(slug="staying-safe-at-events")
    assert module.owner_force == force()
    assert module.audiences == ["frontline", "family"]
    assert (module.review_due, module.refresh_months) == (NEXT_YEAR, 24)
    draft = module.versions.get()
    assert response.status_code == 302
    assert response["Location"] == version_url(draft)
    assert "Who owns it?" not in text(client.get(NEW))  # one owner: nothing to choose


def test_a_platform_admin_who_also_trains_chooses_national(client, platform_admin):
    Membership.objects.create(user=platform_admin, force=force(), role=Role.TRAINING_ADMIN)
    client.force_login(platform_admin)

    assert "Who owns it?" in text(client.get(NEW))
    client.post(NEW, new_module_data(owner="national", slug="at-events"))

    assert Module.objects.get(slug="at-events").is_national


def test_the_new_module_form_keeps_what_was_entered_and_says_what_is_wrong(client, trainer):
    ModuleFactory(slug="taken")
    client.force_login(trainer)

    response = client.post(
        NEW, new_module_data(slug="taken", audiences=[], review_due_2="27", refresh_months="0")
    )

    html = text(response)
    assert response.status_code == 200
    assert "<title>Error: Add a module" in html
    assert "There is a problem" in html
    assert "Select at least one audience." in html
    assert "Year must include 4 numbers." in html
    assert "The number of months must be 1 or more." in html
    assert 'value="Staying safe at events"' in html
    assert 'href="#id_audiences_0"' in html
    assert Module.objects.filter(title="Staying safe at events").count() == 0

    response = client.post(NEW, new_module_data(slug="taken"))
    assert "A module already uses the web address name taken." in text(response)
    assert 'value="taken"' in text(response)

    response = client.post(NEW, new_module_data(slug="Not A Slug!"))
    assert "must only include lowercase letters, numbers and hyphens" in text(response)


def test_the_review_date_must_not_be_in_the_past(client, trainer):
    client.force_login(trainer)
    past = timezone.localdate() - datetime.timedelta(days=1)

    response = client.post(
        NEW,
        new_module_data(
            review_due_0=str(past.day), review_due_1=str(past.month), review_due_2=str(past.year)
        ),
    )

    assert "The review-due date must be today or in the future." in text(response)


def test_a_trainer_changes_their_modules_settings_and_sees_its_versions(client, trainer):
    module = ForceModuleFactory()
    DraftVersionFactory(module=module)
    client.force_login(trainer)

    page = text(client.get(edit_url(module)))
    assert "Edit version 2" in page
    assert "View version 1" in page
    assert "Continue editing version 2" in page
    assert "Create new version" not in page

    data = new_module_data(title="A better title")
    response = client.post(edit_url(module), data)

    assert response.status_code == 302
    module.refresh_from_db()
    assert (module.title, module.refresh_months) == ("A better title", 24)
    assert module.slug.startswith("test-module")  # the learner's link stays


def test_create_new_version_makes_one_draft_and_a_second_press_says_so(client, trainer):
    module = ForceModuleFactory()
    client.force_login(trainer)

    first = client.post(f"{edit_url(module)}new-version/")
    second = client.post(f"{edit_url(module)}new-version/", follow=True)

    draft = module.versions.get(status=VersionStatus.DRAFT)
    assert first["Location"] == version_url(draft)
    assert "Version 2 is already a draft" in text(second)
    assert module.versions.count() == 2
    assert client.get(f"{edit_url(module)}new-version/").status_code == 405


# --- the version editor -----------------------------------------------------------------------


def test_a_trainer_writes_sections_and_a_quiz_then_reorders_and_removes(client, trainer):
    module = ForceModuleFactory(version=None)
    draft = DraftVersionFactory(module=module, sections=0)
    client.force_login(trainer)
    assert "To add a section, fill this in and save." in text(client.get(version_url(draft)))

    data = editor_data(
        sections=[
            {"heading": "First", "body": "One", "position": "1"},
            {"heading": "Second", "body": "Two", "position": "2"},
            {"heading": "Third", "body": "", "position": "3", "remove": "on"},
            {"heading": "", "body": ""},  # the blank one at the end
        ],
        questions=[question(1, answer_3="Maybe", correct="3"), {}],
        initial_sections=3,
        initial_questions=0,
    )
    data |= {"pass_mark": "100", "sections-1-position": "0"}
    # Position 0 is refused, and the page keeps everything.
    response = client.post(version_url(draft), data)
    assert "The position of section 2 must be 1 or more." in text(response)
    assert ">One</textarea>" in text(response).replace("\n", "")

    data["sections-1-position"] = "1"  # Second moves before First
    data["sections-0-position"] = "2"
    response = client.post(version_url(draft), data)

    assert response.status_code == 302
    assert [(s.order, s.heading) for s in draft.sections.all()] == [(1, "Second"), (2, "First")]
    draft.refresh_from_db()
    assert draft.pass_mark == 100
    saved = draft.questions.get()
    assert [(a.text, a.is_correct) for a in saved.answers.all()] == [
        ("Yes", False),
        ("No", False),
        ("Maybe", True),
    ]
    page = text(client.get(version_url(draft)))
    assert 'value="Second"' in page
    assert "To add a question, fill this in and save." in page


def test_editor_errors_name_the_section_and_question_and_keep_what_was_entered(client, trainer):
    module = ForceModuleFactory(version=None)
    draft = DraftVersionFactory(module=module, sections=0)
    client.force_login(trainer)
    data = editor_data(
        sections=[
            {"heading": "One", "body": "Text"},
            {"heading": "Two", "body": "Text"},
            {"heading": "", "body": "A body without a heading"},
        ],
        questions=[
            question(1),
            question(2, correct=""),
            question(3, answer_2="", correct="1"),
            question(4, correct="4"),
        ],
    )
    data["pass_mark"] = "80"

    response = client.post(version_url(draft), data)

    html = text(response)
    assert response.status_code == 200
    assert "<title>Error: Edit version 1" in html
    assert 'href="#id_sections-2-heading">Enter a heading for section 3.' in html
    assert "Select the right answer for question 2." in html
    assert "Enter at least 2 answers to question 3." in html
    assert "The right answer you selected for question 4 is blank." in html
    assert "A body without a heading</textarea>" in html
    assert 'value="Question 2?"' in html
    assert draft.sections.count() == 0
    assert draft.questions.count() == 0


def test_a_quiz_needs_both_a_pass_mark_and_questions(client, trainer):
    module = ForceModuleFactory(version=None)
    draft = DraftVersionFactory(module=module, sections=0)
    client.force_login(trainer)
    sections = [{"heading": "One", "body": "Text"}]

    no_mark = client.post(
        version_url(draft), editor_data(sections=sections, questions=[question(1)])
    )
    data = editor_data(sections=sections)
    data["pass_mark"] = "80"
    no_questions = client.post(version_url(draft), data)

    assert "Enter a pass mark, or remove the questions." in text(no_mark)
    assert "Add a question, or leave the pass mark blank." in text(no_questions)


def test_preview_shows_markdown_rendered_with_html_escaped_and_saves_nothing(client, trainer):
    module = ForceModuleFactory(version=None)
    draft = DraftVersionFactory(module=module, sections=0)
    client.force_login(trainer)
    body = "Some **bold** advice.\n\n<script>alert(1)</script>"
    data = editor_data(sections=[{"heading": "Tips", "body": body}])
    data["action"] = "preview"

    html = text(client.post(version_url(draft), data))

    preview = html.split('id="preview"', 1)[1].split("</section>", 1)[0]
    assert "<strong>bold</strong>" in preview
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in preview
    assert "<script>alert" not in html
    assert draft.sections.count() == 0


def test_markdown_with_a_script_is_stored_as_written_and_shown_escaped(client, trainer):
    module = ForceModuleFactory(version=None)
    draft = DraftVersionFactory(module=module, sections=0)
    client.force_login(trainer)
    body = "Read this.\n\n<script>alert(1)</script>"

    client.post(version_url(draft), editor_data(sections=[{"heading": "Tips", "body": body}]))
    client.post(publish_url(draft), {})

    assert draft.sections.get().body == body
    html = text(client.get(version_url(draft)))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html


def test_a_published_version_is_shown_read_only(client, trainer):
    module = ForceModuleFactory(version__quiz=2)
    version = module.published_version()
    client.force_login(trainer)

    html = text(client.get(version_url(version)))

    assert "cannot be changed" in html
    assert 'id="version-form"' not in html
    assert "Right answer" in html
    assert "Part 1 heading" in html
    before = version.sections.count()
    data = editor_data(sections=[{"heading": "Changed", "body": "Changed"}])
    assert client.post(version_url(version), data).status_code == 200
    assert version.sections.count() == before
    assert not version.sections.filter(heading="Changed").exists()


# --- publishing and retiring ------------------------------------------------------------------


def test_publishing_asks_about_recompletion_only_after_a_first_version(client, trainer):
    module = ForceModuleFactory(version=None)
    v1 = DraftVersionFactory(module=module)
    client.force_login(trainer)

    first = text(client.get(publish_url(v1)))
    assert "requires_recompletion" not in first
    assert client.post(publish_url(v1), {})["Location"] == edit_url(module)

    v2 = DraftVersionFactory(module=module)
    page = text(client.get(publish_url(v2)))
    assert "Everyone who completed an earlier version must complete this one again" in page
    assert "version 1 is retired" in page


def test_a_trainer_publishes_v2_and_v1_completions_stay_with_v1(client, trainer, officer):
    module = ForceModuleFactory()
    v1 = module.published_version()
    completion = CompletionFactory(person=officer, module=module)
    v2 = DraftVersionFactory(module=module)
    client.force_login(trainer)

    response = client.post(publish_url(v2), {"requires_recompletion": "on"}, follow=True)

    assert "Version 2 of" in text(response)
    assert "is published" in text(response)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (VersionStatus.RETIRED, VersionStatus.PUBLISHED)
    assert v2.requires_recompletion
    completion.refresh_from_db()
    assert completion.version == v1
    # Publishing again is not offered: the page sends the editor back to the module.
    assert client.get(publish_url(v2))["Location"] == edit_url(module)


def test_an_unfinished_draft_says_why_it_cannot_be_published(client, trainer):
    module = ForceModuleFactory(version=None)
    draft = DraftVersionFactory(module=module, sections=0)
    draft.sections.create(order=1, heading="", body="")
    client.force_login(trainer)

    html = text(client.get(publish_url(draft)))
    assert "Write at least one section before publishing." in html
    assert "Publish version 1</button>" not in html

    response = client.post(publish_url(draft), {})
    assert "Write at least one section before publishing." in text(response)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_a_platform_admin_publishes_a_national_module(client, platform_admin):
    module = ModuleFactory()
    v2 = DraftVersionFactory(module=module)
    client.force_login(platform_admin)

    client.post(publish_url(v2), {})

    v2.refresh_from_db()
    assert v2.status == VersionStatus.PUBLISHED
    assert v2.published_by == platform_admin


def test_retiring_a_module_asks_first_then_retires_its_published_version(client, trainer):
    module = ForceModuleFactory()
    client.force_login(trainer)
    retire = f"{edit_url(module)}retire/"

    assert "Retire version 1" in text(client.get(retire))
    assert module.published_version() is not None
    client.post(retire)

    assert module.published_version() is None
    assert "nothing to retire" in text(client.get(retire))


# --- force notes ------------------------------------------------------------------------------


def test_a_trainer_adds_changes_and_removes_their_forces_note(client, trainer):
    module = ModuleFactory()
    client.force_login(trainer)

    response = client.post(note_url(module), {"body": "Call **our** wellbeing team."})
    assert response.status_code == 302
    note = ForceNote.objects.get()
    assert (note.module, note.force, note.updated_by) == (module, force(), trainer)

    html = text(client.get(note_url(module)))
    assert "<strong>our</strong>" in html
    assert "Remove the note" in html

    client.post(note_url(module), {"body": "", "remove": "1"})
    assert not ForceNote.objects.exists()


def test_an_empty_note_is_an_error_that_keeps_the_page(client, trainer):
    module = ModuleFactory()
    client.force_login(trainer)

    response = client.post(note_url(module), {"body": ""})

    assert "Enter your force&#x27;s note." in text(response)  # there is none to remove


def test_a_force_module_has_no_note_page_and_a_platform_admin_writes_no_note(
    client, trainer, platform_admin
):
    client.force_login(trainer)
    assert client.get(note_url(ForceModuleFactory())).status_code == 404

    client.force_login(platform_admin)
    assert client.get(note_url(ModuleFactory())).status_code == 404


def test_another_forces_trainer_cannot_see_this_forces_note(client, trainer):
    module = ModuleFactory()
    ForceNote.objects.create(module=module, force=force(), body="West Yorkshire's own words")
    outsider = make_person(Role.TRAINING_ADMIN, force_slug="north-yorkshire")
    client.force_login(outsider)

    html = text(client.get(note_url(module)))

    assert "West Yorkshire's own words" not in html
    assert "North Yorkshire" in html
