"""What a walk of the portal as a training admin, a lead, an analyst and a platform admin found
(issue 9).

1. Moving a section or question in the version editor puts it where its new position says.
2. "Must be completed again" says who and by when: the publish page, the banner after
   publishing, the versions table, and a certificate check of an earlier version.
3. Exports: sheets named for what they hold; formula-looking text is an apostrophe in CSV but a
   plain text cell in XLSX; the overdue export has the page's "Days overdue".
4. Assigning a family account by hand says it is a family account.
5. Wording and dead ends: an empty new force note, the note marked on the module list, the next
   step after publishing, a rule for an audience the module is not written for, the quiz in the
   preview, "Answer both questions", and certificate codes with characters no code uses.
6. The Django admin's training pages: no unlabelled date boxes, no empty table headers.
"""

from __future__ import annotations

import datetime
import io
import re

import openpyxl
import pytest
import time_machine
from django.utils import timezone

from harmsportal.people.models import User
from tests.factories import force, link_family, make_person
from tests.training.factories import (
    AssignmentFactory,
    CompletionFactory,
    DraftVersionFactory,
    ForceModuleFactory,
    ModuleFactory,
    OverdueAssignmentFactory,
    TrainingProfileFactory,
    add_sections,
    publish_new_version,
)
from training.forms.versions import QuestionFormSet, SectionFormSet
from training.models import (
    Assignment,
    AssignmentSource,
    Audience,
    AudienceRule,
    ForceNote,
)
from training.services.learning import progress_advance, progress_start

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.UTC)
RULES = "/training/manage/rules/"
ASSIGN = "/training/manage/assign/"
VERIFY = "/training/manage/verify/"
COMPLIANCE_EXPORT = "/training/compliance/export/"
TEAM_EXPORT = "/training/team/export/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def version_url(version) -> str:
    return f"/training/manage/versions/{version.public_id}/"


def edit_url(module) -> str:
    return f"/training/manage/modules/{module.public_id}/"


# --- 1. moving sections and questions ----------------------------------------------------------


def _sections_post(headings: list[str], positions: dict[int, int]) -> dict:
    """The editor's sections as posted: each at its own number, unless `positions` moves it
    (1-based number: new position); the blank one at the end as the page adds it."""
    data = {
        "sections-TOTAL_FORMS": str(len(headings) + 1),
        "sections-INITIAL_FORMS": str(len(headings)),
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "50",
    }
    for i, heading in enumerate(headings):
        number = i + 1
        data |= {
            f"sections-{i}-heading": heading,
            f"sections-{i}-body": f"Text of {heading}",
            f"sections-{i}-position": str(positions.get(number, number)),
        }
    data |= {f"sections-{len(headings)}-heading": "", f"sections-{len(headings)}-body": ""}
    return data


def _order(headings: list[str], positions: dict[int, int]) -> list[str]:
    formset = SectionFormSet(_sections_post(headings, positions), prefix="sections")
    assert formset.is_valid(), formset.errors
    return [draft.heading for draft in formset.drafts()]


@pytest.mark.parametrize(
    ("positions", "expected"),
    [
        ({3: 1}, ["C", "A", "B", "D"]),  # up: the walker's 3 -> 1 came out 2nd
        ({4: 1}, ["D", "A", "B", "C"]),
        ({2: 1}, ["B", "A", "C", "D"]),
        ({1: 3}, ["B", "C", "A", "D"]),  # down
        ({1: 4}, ["B", "C", "D", "A"]),
        ({2: 99}, ["A", "C", "D", "B"]),  # past the end: last
        ({4: 2, 1: 3}, ["B", "D", "A", "C"]),  # two moves at once
        ({}, ["A", "B", "C", "D"]),
    ],
)
def test_a_moved_section_takes_the_position_typed(positions, expected):
    assert _order(["A", "B", "C", "D"], positions) == expected


def _question(i: int, text_: str, position: int) -> dict:
    return {
        f"questions-{i}-text": text_,
        f"questions-{i}-answer_1": "Yes",
        f"questions-{i}-answer_2": "No",
        f"questions-{i}-correct": "1",
        f"questions-{i}-explanation": "Because.",
        f"questions-{i}-position": str(position),
    }


@pytest.mark.parametrize(
    ("positions", "expected"),
    [
        ((2, 1, 3), ["Q2", "Q1", "Q3"]),  # swapped by hand
        ((1, 1, 3), ["Q2", "Q1", "Q3"]),  # the walker's 2 -> 1, which did not move
        ((3, 2, 3), ["Q2", "Q3", "Q1"]),  # question 1 down to 3
        ((1, 2, 1), ["Q3", "Q1", "Q2"]),  # question 3 up to 1
    ],
)
def test_a_moved_question_takes_the_position_typed(positions, expected):
    data = {
        "questions-TOTAL_FORMS": "3",
        "questions-INITIAL_FORMS": "3",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "50",
    }
    for i, position in enumerate(positions):
        data |= _question(i, f"Q{i + 1}", position)
    formset = QuestionFormSet(data, prefix="questions")

    assert formset.is_valid(), formset.errors
    assert [draft.text for draft in formset.drafts()] == expected


def test_moving_section_3_to_1_in_the_editor_saves_it_first(client, trainer):
    draft = DraftVersionFactory(module=ForceModuleFactory(version=None), sections=0)
    client.force_login(trainer)
    data = {"estimated_minutes": "15", "change_summary": "", "pass_mark": ""}
    data |= _sections_post(["Why", "What", "How"], {3: 1})
    data |= {"questions-TOTAL_FORMS": "0", "questions-INITIAL_FORMS": "0"}

    response = client.post(version_url(draft), data)

    assert response.status_code == 302
    assert [s.heading for s in draft.sections.order_by("order")] == ["How", "Why", "What"]


# --- 2. "must be completed again" --------------------------------------------------------------


@pytest.fixture
def republished(db):
    """West Yorkshire's module: version 1 completed by three people (one of whom already has it
    to do again), version 2 a finished draft."""
    module = ForceModuleFactory(title="Staying safe at events")
    v1 = module.published_version()
    people = [make_person() for _ in range(3)]
    for person in people:
        CompletionFactory(person=person, module=module, version=v1)
    AssignmentFactory(person=people[0], module=module)
    draft = DraftVersionFactory(module=module, sections=0)
    add_sections(draft, 2)
    return module, draft


def test_the_publish_page_says_how_many_must_complete_it_again_and_by_when(
    client, trainer, republished
):
    _module, draft = republished
    client.force_login(trainer)

    html = text(client.get(f"{version_url(draft)}publish/"))

    reach = plain(html.split('id="recompletion-reach">', 1)[1].split("</p>", 1)[0])
    # 60 days from 29 November 2026; the person with the module to do already keeps their date.
    assert "it will be assigned to 2 people who completed an earlier version" in reach
    assert "due by 28 January 2027 (60 days from today)" in reach


def test_the_banner_after_publishing_says_who_must_complete_it_again_and_by_when(
    client, trainer, republished
):
    _module, draft = republished
    client.force_login(trainer)

    response = client.post(
        f"{version_url(draft)}publish/", {"requires_recompletion": "on"}, follow=True
    )

    html = plain(text(response))
    assert (
        "Version 2 of Staying safe at events is published. 2 people must complete it again "
        "by 28 January 2027." in html
    )
    assert "Everyone must complete again" in html  # the versions table's tag
    assert "Completed again by everyone" not in html
    assert Assignment.objects.filter(source=AssignmentSource.NEW_VERSION).count() == 2


def test_publishing_without_asking_again_says_only_that_it_is_published(
    client, trainer, republished
):
    _module, draft = republished
    client.force_login(trainer)

    response = client.post(f"{version_url(draft)}publish/", {}, follow=True)

    html = plain(text(response))
    assert "Version 2 of Staying safe at events is published." in html
    assert "must complete it again" not in html


def test_a_certificate_check_says_a_newer_version_must_be_completed_again(client, trainer):
    module = ModuleFactory(title="Your online footprint")
    completion = CompletionFactory(
        person=make_person(), module=module, verification_code="HP-7KQM-3XWD"
    )
    client.force_login(trainer)
    before = text(client.get(VERIFY, {"code": "HP-7KQM-3XWD"}))
    publish_new_version(module, requires_recompletion=True)

    after = text(client.get(VERIFY, {"code": "HP-7KQM-3XWD"}))

    assert 'id="verify-newer-version"' not in before
    note = plain(after.split('id="verify-newer-version"', 1)[1].split("</div>", 1)[0])
    assert "A newer version (2) has been published that must be completed again" in note
    assert f"This certificate is for version {completion.version.number}." in note


def test_a_newer_version_that_need_not_be_completed_again_is_not_mentioned(client, trainer):
    module = ModuleFactory()
    CompletionFactory(person=make_person(), module=module, verification_code="HP-7KQM-3XWD")
    publish_new_version(module, requires_recompletion=False)
    client.force_login(trainer)

    assert 'id="verify-newer-version"' not in text(client.get(VERIFY, {"code": "HP7KQM3XWD"}))


# --- 3. exports --------------------------------------------------------------------------------

HOSTILE = '=HYPERLINK("https://example.com/steal","Click")'


@pytest.fixture
def hostile_work(db):
    """A West Yorkshire person whose name looks like a formula: overdue (due 19 November) on a
    module, and on a line manager's team."""
    manager = make_person(full_name="Morgan Manager")
    person = make_person(full_name=HOSTILE)
    TrainingProfileFactory(person=person, line_manager=manager)
    module = ForceModuleFactory(title="-Minus first")
    OverdueAssignmentFactory(person=person, module=module, due_on=datetime.date(2026, 11, 19))
    return manager


def _workbook(response):
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.mark.parametrize(
    ("url", "query", "who", "sheet"),
    [
        (COMPLIANCE_EXPORT, {}, "trainer", "Compliance"),
        (COMPLIANCE_EXPORT, {"list": "overdue"}, "trainer", "Overdue"),
        (TEAM_EXPORT, {}, "manager", "Team"),
    ],
)
def test_each_xlsx_sheet_is_named_for_what_it_holds_and_keeps_formula_text_as_text(
    client, trainer, hostile_work, url, query, who, sheet
):
    client.force_login(trainer if who == "trainer" else hostile_work)

    workbook = _workbook(client.get(url, {"format": "xlsx", **query}))

    assert workbook.sheetnames == [sheet]
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    values = [cell.value for cell in cells]
    assert "-Minus first" in values  # the text itself: no apostrophe in an XLSX
    if sheet != "Compliance":
        assert HOSTILE in values
    assert not [v for v in values if isinstance(v, str) and v.startswith("'")]


def test_the_csv_still_puts_an_apostrophe_before_formula_text(client, trainer, hostile_work):
    client.force_login(trainer)

    response = client.get(COMPLIANCE_EXPORT, {"format": "csv", "list": "overdue"})

    body = b"".join(response.streaming_content).decode()
    assert "'-Minus first" in body
    assert "'=HYPERLINK" in body


def test_the_overdue_export_has_the_pages_days_overdue(client, trainer, hostile_work):
    client.force_login(trainer)

    page = text(client.get("/training/compliance/"))
    sheet = _workbook(client.get(COMPLIANCE_EXPORT, {"format": "xlsx", "list": "overdue"})).active

    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][-1] == "Days overdue"
    assert rows[1][-1] == 10  # 19 to 29 November
    assert 'data-label="Days overdue">10</td>' in page


# --- 4. assigning a family account by hand -----------------------------------------------------


def _due() -> dict[str, str]:
    day = timezone.localdate() + datetime.timedelta(days=30)
    return {"due_on_0": str(day.day), "due_on_1": str(day.month), "due_on_2": str(day.year)}


def test_assigning_this_forces_family_account_says_it_is_one(client, trainer, family_member):
    module = ForceModuleFactory()
    client.force_login(trainer)

    response = client.post(
        ASSIGN, {"module": module.slug, "emails": family_member.email.upper(), **_due()}
    )

    html = text(response)
    assert (
        f"Line 1: {family_member.email.upper()} is a family account. Family accounts choose "
        "their own training" in html
    )
    assert "there is no one in West Yorkshire Police" not in html
    assert not Assignment.objects.exists()


def test_a_family_account_linked_to_another_force_is_no_one_here(client, trainer):
    north_officer = make_person(force_slug="north-yorkshire")
    family = make_person(kind=User.Kind.FAMILY)
    link_family(north_officer, family)
    module = ForceModuleFactory()
    client.force_login(trainer)

    response = client.post(ASSIGN, {"module": module.slug, "emails": family.email, **_due()})

    html = text(response)
    assert f"there is no one in West Yorkshire Police with the email address {family.email}" in (
        html
    )
    assert "family account" not in html


# --- 5. wording and dead ends ------------------------------------------------------------------


def test_an_empty_note_where_there_is_none_asks_only_for_the_note(client, trainer):
    module = ModuleFactory()
    client.force_login(trainer)
    url = f"{edit_url(module)}note/"

    first = text(client.post(url, {"body": ""}))
    ForceNote.objects.create(module=module, force=force(), body="Call us.")
    second = text(client.post(url, {"body": ""}))

    assert "Enter your force&#x27;s note.</a>" in first
    assert "or remove it" not in first
    assert "Enter your force&#x27;s note, or remove it." in second


def test_the_module_list_marks_national_modules_with_this_forces_note(client, trainer):
    noted = ModuleFactory(title="Noted")
    plain_module = ModuleFactory(title="Not noted")
    ForceNote.objects.create(module=noted, force=force(), body="Call us.")
    ForceNote.objects.create(module=plain_module, force=force("north-yorkshire"), body="Other.")
    client.force_login(trainer)

    html = text(client.get("/training/manage/"))

    def row(module) -> str:
        return html.split(f'id="module-{module.slug}"', 1)[1].split("</tr>", 1)[0]

    assert "Has your force's note" in row(noted)
    assert "Change force note" in row(noted)
    assert "Has your force's note" not in row(plain_module)
    assert "Add force note" in row(plain_module)


def test_a_published_module_links_to_setting_a_rule_and_assigning_it(client, trainer):
    module = ForceModuleFactory()
    client.force_login(trainer)

    html = text(client.get(edit_url(module)))
    steps = html.split('id="next-steps"', 1)[1].split("</p>", 1)[0]
    rules = text(client.get(RULES, {"module": module.slug}))
    assign = text(client.get(ASSIGN, {"module": module.slug}))

    assert f'href="/training/manage/rules/?module={module.slug}">Set an audience rule' in steps
    assert f'href="/training/manage/assign/?module={module.slug}">assign it by hand' in steps
    chosen = f'<option value="{module.slug}" selected>'
    assert chosen in rules
    assert chosen in assign


def test_a_draft_only_module_offers_no_next_step_yet(client, trainer):
    module = ForceModuleFactory(version=None)
    DraftVersionFactory(module=module)
    client.force_login(trainer)

    assert 'id="next-steps"' not in text(client.get(edit_url(module)))


def test_a_rule_for_an_audience_the_module_is_not_written_for_is_warned_then_added(client, trainer):
    module = ForceModuleFactory(title="Spotting harm", audiences=[Audience.FRONTLINE])
    client.force_login(trainer)
    data = {"module": module.slug, "audience": Audience.LEADERSHIP, "within_days": "30"}

    first = text(client.post(RULES, data))

    warning = plain(first.split('id="rule-audience-warning"', 1)[1].split("</div>", 1)[0])
    assert "Spotting harm is written for Frontline, not Leadership." in warning
    assert "You can still add the rule" in warning
    assert "Add the rule anyway" in first
    assert "There is a problem" not in first  # a warning, not a refusal
    assert not AudienceRule.objects.exists()

    confirmed = client.post(RULES, {**data, "confirmed": "True"})

    assert confirmed.status_code == 302
    assert AudienceRule.objects.get().audience == Audience.LEADERSHIP


def test_a_rule_for_an_audience_the_module_is_written_for_is_added_at_once(client, trainer):
    module = ForceModuleFactory(audiences=[Audience.FRONTLINE, Audience.LEADERSHIP])
    client.force_login(trainer)

    response = client.post(
        RULES, {"module": module.slug, "audience": Audience.LEADERSHIP, "within_days": "30"}
    )

    assert response.status_code == 302
    assert AudienceRule.objects.count() == 1


def test_the_preview_shows_the_quiz_too(client, trainer):
    draft = DraftVersionFactory(module=ForceModuleFactory(version=None), sections=0)
    client.force_login(trainer)
    data = {"estimated_minutes": "15", "change_summary": "", "pass_mark": "80", "action": "preview"}
    data |= _sections_post(["Why"], {})
    data |= {"questions-TOTAL_FORMS": "1", "questions-INITIAL_FORMS": "0"}
    data |= _question(0, "Is a gym check-in findable?", 1)
    data["questions-0-explanation"] = "Yes: **check-ins** are public by default."

    html = text(client.post(version_url(draft), data))

    preview = html.split('id="preview"', 1)[1].split("</section>", 1)[0]
    assert "Quiz: pass mark 80%" in preview
    assert "Is a gym check-in findable?" in preview
    assert "<strong>check-ins</strong>" in preview
    assert draft.questions.count() == 0  # nothing saved


@pytest.mark.parametrize(
    ("questions", "wording"),
    [(1, "Answer the question."), (2, "Answer both questions."), (3, "Answer all 3 questions.")],
)
def test_the_quiz_says_how_many_questions_in_plain_english(client, officer, questions, wording):
    module = ModuleFactory(version__quiz=questions)
    client.force_login(officer)
    version = module.published_version()
    progress_start(actor=officer, module=module)
    for order in range(1, version.sections.count() + 1):
        progress_advance(actor=officer, version=version, section_order=order)

    html = text(client.get(f"/training/modules/{module.slug}/quiz/"))

    assert wording in html
    assert "Answer all 2 questions" not in html


@pytest.fixture
def certificate(db):
    return CompletionFactory(person=make_person(), verification_code="HP-7KQM-3XWD")


@pytest.mark.parametrize(
    "typed", ["hp 7kqm 3xwd", " HP-7KQM-3XWD ", "7kqm3xwd", "Hp\u20137KQM\u20133XWD"]
)
def test_a_code_typed_in_lower_case_or_with_spaces_is_found(client, trainer, certificate, typed):
    client.force_login(trainer)

    assert 'id="verify-found"' in text(client.get(VERIFY, {"code": typed}))


@pytest.mark.parametrize(("typed", "misread"), [("HP-7KQM-3XW0", "0"), ("HP-OKQM-1XWL", "O, 1, L")])
def test_a_code_with_characters_no_code_uses_is_not_found_and_says_which(
    client, trainer, certificate, typed, misread
):
    client.force_login(trainer)

    html = text(client.get(VERIFY, {"code": typed}))

    assert "There is a problem" not in html  # not a format error
    assert 'id="verify-not-found"' in html
    hint = plain(html.split('id="verify-misread">', 1)[1].split("</p>", 1)[0])
    assert "never use 0, O, 1, I or L" in hint
    assert f"So the {misread} in the code you entered must be another character" in hint


# --- 6. the Django admin -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("trainingprofile/{profile}/change/", "updated_at"),
        ("audiencerule/{rule}/change/", "created_at"),
        ("audiencerule/add/", "created_at"),
    ],
)
def test_admin_dates_are_read_only_so_no_box_goes_unlabelled(client, platform_admin, path, field):
    profile = TrainingProfileFactory()
    module = ModuleFactory()
    rule = AudienceRule.objects.create(
        force=force(), audience=Audience.FRONTLINE, module=module, within_days=30
    )
    client.force_login(platform_admin)

    html = text(client.get("/admin/training/" + path.format(profile=profile.pk, rule=rule.pk)))

    assert f'name="{field}_0"' not in html
    assert f'name="{field}"' not in html


def test_the_admin_saves_a_profile_with_its_updated_time(client, platform_admin):
    profile = TrainingProfileFactory(updated_at=NOW - datetime.timedelta(days=9))
    client.force_login(platform_admin)

    response = client.post(
        f"/admin/training/trainingprofile/{profile.pk}/change/",
        {
            "person": profile.person.pk,
            "force": profile.force.pk,
            "audiences": '["frontline", "leadership"]',
            "start_date": "",
            "line_manager": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    profile.refresh_from_db()
    assert profile.audiences == ["frontline", "leadership"]
    assert profile.updated_at == NOW


@pytest.mark.parametrize("model", ["module", "moduleversion"])
def test_admin_inlines_have_no_empty_table_headers(client, platform_admin, model):
    module = ModuleFactory(version__quiz=2)
    obj = module if model == "module" else module.published_version()
    client.force_login(platform_admin)

    html = text(client.get(f"/admin/training/{model}/{obj.pk}/change/"))

    assert 'class="js-inline-admin-formset inline-group"' in html
    assert not re.search(r"<th[^>]*>\s*</th>", html)
