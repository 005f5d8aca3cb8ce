"""The learner's side of training: their modules, reading, the quiz, completing and feedback."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, force, make_person
from tests.training.factories import (
    AssignmentFactory,
    CompletionFactory,
    ExpiredCompletionFactory,
    FamilyModuleFactory,
    FeedbackFactory,
    ForceModuleFactory,
    ModuleFactory,
    OverdueAssignmentFactory,
    TrainingProfileFactory,
    publish_new_version,
    right_answers,
    wrong_answers,
)
from training.content import load_national_modules
from training.models import Completion, Feedback, Module, Progress, QuizAttempt
from training.services.learning import (
    add_months,
    completion_record,
    feedback_give,
    progress_advance,
    progress_complete,
    progress_start,
    quiz_submit,
)

pytestmark = pytest.mark.django_db


def _url(name: str, module) -> str:
    return reverse(f"training:{name}", args=[module.slug])


def _learn(module, page) -> str:
    return f"{_url('learn', module)}?page={page}"


def _text(response) -> str:
    return response.content.decode()


def _read_all(client, module, parts: int = 3):
    """Read every part through the pages, as a learner pressing Continue would."""
    client.get(_learn(module, 1))
    for page in range(1, parts + 1):
        response = client.post(_learn(module, page))
    return response


def _quiz_post(module, version, answers: dict[int, int]) -> dict[str, str]:
    """The quiz form's fields for `answers` (question pk to answer pk)."""
    data = {}
    for number, question in enumerate(version.questions.order_by("order"), start=1):
        if question.pk in answers:
            data[f"question_{number}"] = str(
                question.answers.get(pk=answers[question.pk]).public_id
            )
    return data


# --- starting and resuming -------------------------------------------------------------------
def test_opening_the_first_part_starts_the_module_and_continue_moves_on(client, officer):
    module = ModuleFactory()
    client.force_login(officer)

    response = client.get(_learn(module, 1))

    assert response.status_code == 200
    assert "Part 1 of 3" in _text(response)
    assert "Part 1 heading" in _text(response)
    progress = Progress.objects.get(person=officer, version=module.published_version())
    assert progress.current_section == 1
    response = client.post(_learn(module, 1))
    assert response.status_code == 302
    assert response["Location"] == _learn(module, 2)
    progress.refresh_from_db()
    assert progress.current_section == 2
    assert progress.read_all_at is None


def test_progress_persists_and_the_module_page_resumes_where_they_left_off(client, officer):
    module = ModuleFactory(version__sections=4)
    client.force_login(officer)
    client.get(_learn(module, 1))
    client.post(_learn(module, 1))
    client.post(_learn(module, 2))
    client.logout()

    client.force_login(officer)  # another day, another session
    page = _text(client.get(_url("module", module)))
    assert "You have read up to part 3 of 4." in page
    assert f'href="{_learn(module, 3)}"' in page
    assert "Continue where you left off" in page
    # Without a page number, the learn page carries on at the furthest part reached.
    assert "Part 3 of 4" in _text(client.get(_url("learn", module)))
    # Going back to an earlier part is fine, and does not move progress back.
    assert "Part 1 of 4" in _text(client.get(_learn(module, 1)))
    client.post(_learn(module, 1))
    assert Progress.objects.get(person=officer).current_section == 3


def test_a_part_not_reached_yet_shows_the_furthest_part_and_cannot_be_skipped_to(client, officer):
    module = ModuleFactory(version__sections=4)
    client.force_login(officer)
    client.get(_learn(module, 1))

    assert "Part 1 of 4" in _text(client.get(_learn(module, 3)))
    response = client.post(_learn(module, 3), follow=True)

    assert "Read the parts of the module in order." in _text(response)
    assert "Part 1 of 4" in _text(response)
    assert Progress.objects.get(person=officer).current_section == 1


@pytest.mark.parametrize("page", [str(2**63), str(10**20), "-1", "+-1", "0", "99", "two", ""])
def test_a_page_number_that_is_no_part_of_the_module_shows_part_one(client, officer, page):
    module = ModuleFactory()
    client.force_login(officer)

    response = client.get(f"{_url('learn', module)}?page={page}")

    assert response.status_code == 200
    assert "Part 1 of 3" in _text(response)
    assert client.post(f"{_url('learn', module)}?page={page}").status_code == 302


def test_the_service_refuses_a_part_that_is_not_in_the_version(officer):
    module = ModuleFactory()
    version = module.published_version()
    progress_start(actor=officer, module=module)

    with pytest.raises(ValidationError, match="does not exist"):
        progress_advance(actor=officer, version=version, section_order=9)
    with pytest.raises(ValidationError, match="in order"):
        progress_advance(actor=officer, version=version, section_order=3)


def test_a_retired_version_can_no_longer_be_read_on(officer):
    module = ModuleFactory()
    v1 = module.published_version()
    progress_start(actor=officer, module=module)
    publish_new_version(module)
    v1.refresh_from_db()

    with pytest.raises(ValidationError, match="updated since you started"):
        progress_advance(actor=officer, version=v1, section_order=1)
    assert progress_start(actor=officer, module=module).version != v1


# --- the quiz --------------------------------------------------------------------------------
def test_the_quiz_waits_until_every_part_is_read(client, officer):
    module = ModuleFactory(version__quiz=True)
    client.force_login(officer)
    client.get(_learn(module, 1))

    response = client.get(_url("quiz", module))

    assert response.status_code == 302
    assert response["Location"] == _url("learn", module)
    with pytest.raises(ValidationError, match="Read every part"):
        quiz_submit(
            actor=officer,
            version=module.published_version(),
            answers=right_answers(module.published_version()),
        )


def test_continue_on_the_last_part_leads_to_the_quiz(client, officer):
    module = ModuleFactory(version__quiz=True)
    client.force_login(officer)

    response = _read_all(client, module)

    assert response["Location"] == _url("quiz", module)
    assert Progress.objects.get(person=officer).read_all_at is not None
    page = _text(client.get(_url("quiz", module)))
    assert "Question 1 of 3" in page
    assert "You need 80% to pass." in page
    assert page.count('type="radio"') == 9


def test_an_unanswered_question_is_named_and_the_answers_given_are_kept(client, officer):
    module = ModuleFactory(version__quiz=True)
    version = module.published_version()
    client.force_login(officer)
    _read_all(client, module)
    data = _quiz_post(module, version, right_answers(version))
    del data["question_2"]

    response = client.post(_url("quiz", module), data)

    assert response.status_code == 200
    page = _text(response)
    assert "Select an answer to question 2." in page
    assert "Select an answer to question 1." not in page
    assert re.search(rf'value="{data["question_1"]}"[^>]*checked', page)
    assert QuizAttempt.objects.count() == 0


def test_failing_then_retrying_then_passing_the_quiz(client, officer):
    module = ModuleFactory(version__quiz=True)
    version = module.published_version()
    assignment = AssignmentFactory(person=officer, module=module)
    client.force_login(officer)
    _read_all(client, module)

    # 1. One wrong answer of three: 67%, under the pass mark of 80.
    response = client.post(
        _url("quiz", module), _quiz_post(module, version, wrong_answers(version, 1))
    )
    assert response["Location"] == _url("quiz_result", module)
    page = _text(client.get(_url("quiz_result", module)))
    assert "You did not pass this time" in page
    assert "You got 2 out of 3 right (67%). You need 80% to pass." in page
    # The wrong answer's explanation, rendered from markdown; none for the answers got right.
    assert "Explanation 1: the <strong>second</strong> answer is right" in page
    assert "Second answer to 1" in page  # the right answer
    assert "First answer to 1" in page  # what they chose
    assert "Explanation 2" not in page
    assert "Explanation 3" not in page
    assert "Try again" in page
    assert not Completion.objects.filter(person=officer).exists()
    assignment.refresh_from_db()
    assert assignment.is_open

    # 2. Try again, as often as needed: a second fail is kept too.
    client.post(_url("quiz", module), _quiz_post(module, version, wrong_answers(version)))
    assert "You got 0 out of 3 right (0%)" in _text(client.get(_url("quiz_result", module)))

    # 3. All right: passed, complete, the assignment closed.
    client.post(_url("quiz", module), _quiz_post(module, version, right_answers(version)))
    page = _text(client.get(_url("quiz_result", module)))
    assert "You passed" in page
    assert "Explanation" not in page
    assert "Try again" not in page
    completion = Completion.objects.get(person=officer)
    assert completion.score_percent == 100
    assert completion.version == version
    assert reverse("training:certificate", args=[completion.public_id]) in page
    assert reverse("training:feedback", args=[completion.public_id]) in page
    assert QuizAttempt.objects.filter(person=officer).count() == 3
    assert list(QuizAttempt.objects.filter(person=officer).values_list("passed", flat=True)) == [
        True,
        False,
        False,
    ]
    assignment.refresh_from_db()
    assert assignment.completion == completion
    assert assignment.completed_at == completion.completed_at
    # The next go starts from the first part.
    assert not Progress.objects.filter(person=officer).exists()


def test_the_pass_mark_is_a_whole_percentage_of_the_questions(officer):
    module = ModuleFactory(version__quiz=5, version__pass_mark=80)
    version = module.published_version()
    progress_start(actor=officer, module=module)
    for order in range(1, 6):
        progress_advance(actor=officer, version=version, section_order=min(order, 3))

    attempt = quiz_submit(actor=officer, version=version, answers=wrong_answers(version, 1))

    assert (attempt.correct, attempt.total, attempt.passed) == (4, 5, True)


def test_an_answer_from_another_question_is_refused(officer):
    module = ModuleFactory(version__quiz=2)
    version = module.published_version()
    progress_start(actor=officer, module=module)
    for order in (1, 2, 3):
        progress_advance(actor=officer, version=version, section_order=order)
    answers = right_answers(version)
    first, second = sorted(answers)
    answers[first] = answers[second]

    with pytest.raises(ValidationError, match="Answer every question"):
        quiz_submit(actor=officer, version=version, answers=answers)
    assert not QuizAttempt.objects.exists()


def test_a_quiz_answer_that_is_not_on_the_page_is_an_error_not_a_500(client, officer):
    module = ModuleFactory(version__quiz=1)
    client.force_login(officer)
    _read_all(client, module)

    for value in (str(2**63), "+-1", "not-a-uuid"):
        response = client.post(_url("quiz", module), {"question_1": value})
        assert response.status_code == 200
        assert "Select an answer to question 1." in _text(response)


# --- completing without a quiz ---------------------------------------------------------------
def test_mark_as_complete_on_the_last_part_completes_a_module_without_a_quiz(client, officer):
    module = ModuleFactory()
    assignment = AssignmentFactory(person=officer, module=module)
    client.force_login(officer)
    client.get(_learn(module, 1))
    client.post(_learn(module, 1))
    client.post(_learn(module, 2))

    page = _text(client.get(_learn(module, 3)))
    assert "Mark as complete" in page
    assert f'action="{_url("complete", module)}"' in page
    response = client.post(_url("complete", module))

    completion = Completion.objects.get(person=officer)
    assert response["Location"] == reverse("training:feedback", args=[completion.public_id])
    assert completion.score_percent is None
    assignment.refresh_from_db()
    assert assignment.completion == completion
    # A second press (a double click) makes no second completion.
    client.post(_url("complete", module))
    assert Completion.objects.filter(person=officer).count() == 1


def test_mark_as_complete_is_refused_before_the_last_part(client, officer):
    module = ModuleFactory()
    client.force_login(officer)
    client.get(_learn(module, 1))

    response = client.post(_url("complete", module), follow=True)

    assert "Read every part of the module before you mark it as complete." in _text(response)
    assert not Completion.objects.exists()


def test_a_module_with_a_quiz_cannot_be_marked_complete(officer):
    module = ModuleFactory(version__quiz=True)
    with pytest.raises(ValidationError, match="Answer the quiz"):
        progress_complete(actor=officer, version=module.published_version())


# --- completion_record ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2027, 3, 15), 12, datetime.date(2028, 3, 15)),
        (datetime.date(2027, 1, 31), 1, datetime.date(2027, 2, 28)),
        (datetime.date(2028, 1, 31), 1, datetime.date(2028, 2, 29)),
        (datetime.date(2028, 2, 29), 12, datetime.date(2029, 2, 28)),
        (datetime.date(2027, 8, 31), 3, datetime.date(2027, 11, 30)),
        (datetime.date(2027, 11, 30), 2, datetime.date(2028, 1, 30)),
        (datetime.date(2027, 12, 31), 24, datetime.date(2029, 12, 31)),
    ],
)
def test_calendar_months_are_added_with_the_day_clamped_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_completion_record_sets_expiry_name_force_and_closes_open_work(officer):
    module = ModuleFactory(refresh_months=1)
    version = module.published_version()
    open_work = AssignmentFactory(person=officer, module=module)
    other_module_work = AssignmentFactory(person=officer)
    someone_elses = AssignmentFactory(module=module)
    at = datetime.datetime(2027, 1, 31, 14, 0, tzinfo=datetime.UTC)

    completion = completion_record(person=officer, version=version, score_percent=90, at=at)

    assert completion.expires_on == datetime.date(2027, 2, 28)
    assert completion.completed_at == at
    assert completion.name_on_certificate == "Sam Officer"
    assert completion.force.slug == "west-yorkshire"
    assert completion.module == module
    assert completion.score_percent == 90
    open_work.refresh_from_db()
    assert (open_work.completion, open_work.completed_at) == (completion, at)
    other_module_work.refresh_from_db()
    someone_elses.refresh_from_db()
    assert other_module_work.is_open
    assert someone_elses.is_open


def test_the_completion_date_is_the_uk_date(officer):
    # 11:30pm UTC on 31 March 2027 is already 1 April in British Summer Time.
    module = ModuleFactory(refresh_months=1)
    at = datetime.datetime(2027, 3, 31, 23, 30, tzinfo=datetime.UTC)

    completion = completion_record(person=officer, version=module.published_version(), at=at)

    assert completion.expires_on == datetime.date(2027, 5, 1)


def test_a_module_without_a_refresh_interval_never_expires_and_email_stands_in_for_a_name(db):
    person = make_person(full_name="")
    module = ModuleFactory(refresh_months=None)

    completion = completion_record(person=person, version=module.published_version())

    assert completion.expires_on is None
    assert completion.name_on_certificate == person.email


def test_a_cancelled_assignment_is_not_closed_by_a_completion(officer):
    module = ModuleFactory()
    cancelled = AssignmentFactory(person=officer, module=module, cancelled_at=timezone.now())

    completion_record(person=officer, version=module.published_version())

    cancelled.refresh_from_db()
    assert cancelled.completion is None


def test_a_refresher_after_expiry_records_a_new_completion_and_keeps_the_old(client, officer):
    module = ModuleFactory()
    old = ExpiredCompletionFactory(person=officer, module=module)
    refresher = AssignmentFactory(
        person=officer, module=module, source="refresher", refresher_of=old
    )
    client.force_login(officer)

    _read_all(client, module)
    client.post(_url("complete", module))

    completions = list(Completion.objects.filter(person=officer).order_by("completed_at"))
    assert completions[0] == old
    assert len(completions) == 2
    refresher.refresh_from_db()
    assert refresher.completion == completions[1]


def test_reading_again_while_the_completion_is_valid_records_no_second_one(officer):
    module = ModuleFactory()
    version = module.published_version()
    held = CompletionFactory(person=officer, module=module)
    progress_start(actor=officer, module=module)
    for order in (1, 2, 3):
        progress_advance(actor=officer, version=version, section_order=order)

    assert progress_complete(actor=officer, version=version) == held
    assert Completion.objects.filter(person=officer).count() == 1


def test_work_assigned_again_is_completed_with_a_new_completion(officer):
    module = ModuleFactory()
    version = module.published_version()
    CompletionFactory(person=officer, module=module)
    again = AssignmentFactory(person=officer, module=module)
    progress_start(actor=officer, module=module)
    for order in (1, 2, 3):
        progress_advance(actor=officer, version=version, section_order=order)

    completion = progress_complete(actor=officer, version=version)

    assert Completion.objects.filter(person=officer).count() == 2
    again.refresh_from_db()
    assert again.completion == completion


def test_completing_v1_then_v2_keeps_both_in_the_history(client, officer):
    module = ModuleFactory(version__quiz=True)
    v1 = module.published_version()
    client.force_login(officer)
    _read_all(client, module)
    client.post(_url("quiz", module), _quiz_post(module, v1, right_answers(v1)))

    v2 = publish_new_version(module, quiz=True)
    _read_all(client, module)
    client.post(_url("quiz", module), _quiz_post(module, v2, right_answers(v2)))

    versions = list(
        Completion.objects.filter(person=officer)
        .order_by("completed_at")
        .values_list("version__number", flat=True)
    )
    assert versions == [1, 2]
    module_page = _text(client.get(_url("module", module)))
    home = _text(client.get(reverse("training:home")))
    for completion in Completion.objects.filter(person=officer):
        certificate = reverse("training:certificate", args=[completion.public_id])
        assert certificate in module_page
        assert certificate in home
    assert "Version 2" in module_page


# --- feedback -------------------------------------------------------------------------------
def test_feedback_is_given_once_and_a_second_visit_shows_what_was_said(client, officer):
    completion = CompletionFactory(person=officer)
    url = reverse("training:feedback", args=[completion.public_id])
    client.force_login(officer)

    page = _text(client.get(url))
    assert "How good was this module?" in page
    assert "Skip this and see your certificate" in page
    response = client.post(
        url, {"rating": "5", "better": "More on fitness apps.", "changed": "yes"}
    )
    assert response["Location"] == reverse("training:home")
    feedback = Feedback.objects.get(completion=completion)
    assert (feedback.rating, feedback.better, feedback.changed) == (
        5,
        "More on fitness apps.",
        "yes",
    )

    page = _text(client.get(url))
    assert "Thank you. You gave this feedback on" in page
    assert "Very good" in page
    assert "More on fitness apps." in page
    assert "<textarea" not in page
    client.post(url, {"rating": "1", "better": "Changed my mind.", "changed": "no"})
    assert Feedback.objects.get(completion=completion).rating == 5
    assert Feedback.objects.count() == 1


def test_feedback_errors_are_gov_uk_style_and_keep_what_was_typed(client, officer):
    completion = CompletionFactory(person=officer)
    url = reverse("training:feedback", args=[completion.public_id])
    client.force_login(officer)

    response = client.post(url, {"better": "x" * 2001})

    page = _text(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Select how good the module was." in page
    assert "Select whether this module has changed what you will do." in page
    assert "What would make it better must be 2,000 characters or fewer." in page
    assert "x" * 2001 in page
    assert not Feedback.objects.exists()


def test_feedback_without_words_is_fine(client, officer):
    completion = CompletionFactory(person=officer)
    client.force_login(officer)

    client.post(
        reverse("training:feedback", args=[completion.public_id]),
        {"rating": "3", "changed": "a_little"},
    )

    assert Feedback.objects.get(completion=completion).better == ""


def test_the_feedback_service_refuses_a_second_go_and_someone_elses_completion(officer):
    completion = CompletionFactory(person=officer)
    FeedbackFactory(completion=completion)
    other = CompletionFactory()

    with pytest.raises(ValidationError, match="already given feedback"):
        feedback_give(actor=officer, completion=completion, rating=4, better="", changed="no")
    with pytest.raises(ValidationError, match="Only the person"):
        feedback_give(actor=officer, completion=other, rating=4, better="", changed="no")
    with pytest.raises(ValidationError, match="2,000 characters"):
        feedback_give(
            actor=other.person, completion=other, rating=4, better="x" * 2001, changed="no"
        )
    with pytest.raises(ValidationError, match="how good"):
        feedback_give(actor=other.person, completion=other, rating=6, better="", changed="no")


def test_someone_elses_feedback_page_is_a_404(client, officer):
    completion = CompletionFactory()
    client.force_login(officer)

    url = reverse("training:feedback", args=[completion.public_id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"rating": "5", "changed": "yes"}).status_code == 404
    assert not Feedback.objects.exists()


# --- who may open what ------------------------------------------------------------------------
def test_a_family_account_cannot_open_a_module_for_the_workforce(client, family_member):
    module = ModuleFactory(version__quiz=True)
    family_module = FamilyModuleFactory()
    client.force_login(family_member)

    for name in ("module", "learn", "quiz", "quiz_result"):
        assert client.get(_url(name, module)).status_code == 404, name
    assert client.post(_url("complete", module)).status_code == 404
    assert not Progress.objects.filter(person=family_member).exists()
    assert client.get(_url("module", family_module)).status_code == 200


def test_another_forces_module_is_a_404(client, officer):
    theirs = ForceModuleFactory(owner_force=force("north-yorkshire"))
    ours = ForceModuleFactory()
    client.force_login(officer)

    for name in ("module", "learn", "quiz", "quiz_result"):
        assert client.get(_url(name, theirs)).status_code == 404, name
    assert client.post(_url("complete", theirs)).status_code == 404
    assert client.get(_url("module", ours)).status_code == 200


def test_a_module_with_no_published_version_is_a_404(client, officer):
    module = ModuleFactory(version=None)
    client.force_login(officer)

    assert client.get(_url("module", module)).status_code == 404
    assert client.get(_url("learn", module)).status_code == 404


def test_learner_pages_ask_an_anonymous_visitor_to_sign_in(client):
    module = ModuleFactory()

    for url in (reverse("training:home"), _url("module", module), _learn(module, 1)):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


# --- the module page --------------------------------------------------------------------------
def test_the_module_page_says_what_it_covers_and_shows_the_forces_note(client, officer):
    module = ModuleFactory(version__quiz=True)
    module.force_notes.create(
        force=officer.home_force,
        body="Call the **West Yorkshire** digital team on 0113 000 0000. <script>alert(1)</script>",
    )
    module.force_notes.create(
        force=make_person(force_slug="north-yorkshire").home_force, body="North Yorkshire only."
    )
    client.force_login(officer)

    page = _text(client.get(_url("module", module)))

    assert module.title in page
    assert "Frontline" in page
    assert "About 15 minutes, in 3 parts" in page
    assert "Version 1" in page
    assert "3 questions at the end. You need 80% to pass" in page
    assert "A note from West Yorkshire Police" in page
    assert "<strong>West Yorkshire</strong> digital team" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "North Yorkshire only." not in page
    assert "Part 1 heading" in page
    assert f'href="{_learn(module, 1)}"' in page
    assert "Start this module" in page


# --- the learner's home -----------------------------------------------------------------------
def _row(page: str, module) -> str:
    match = re.search(rf'<tr[^>]*data-module-slug="{module.slug}".*?</tr>', page, re.S)
    assert match, f"no row for {module.slug}"
    return match.group(0)


def test_home_lists_assigned_work_with_status_due_date_and_time(client, officer):
    today = timezone.localdate()
    overdue = OverdueAssignmentFactory(person=officer, module=ModuleFactory(title="Overdue one"))
    started = AssignmentFactory(
        person=officer,
        module=ModuleFactory(title="Started one", version__estimated_minutes=25),
        due_on=today + datetime.timedelta(days=10),
    )
    progress_start(actor=officer, module=started.module)
    fresh = AssignmentFactory(
        person=officer,
        module=ModuleFactory(title="Fresh one"),
        due_on=today + datetime.timedelta(days=20),
    )
    done_work = AssignmentFactory(person=officer, module=ModuleFactory(title="Done one"))
    done = completion_record(person=officer, version=done_work.module.published_version())
    expiring = ModuleFactory(title="Expiring one", refresh_months=12)
    completion_record(
        person=officer,
        version=expiring.published_version(),
        at=timezone.now() - datetime.timedelta(days=350),
    )
    optional = ModuleFactory(title="Optional one")
    client.force_login(officer)

    page = _text(client.get(reverse("training:home")))

    assert "Overdue" in _row(page, overdue.module)
    assert "In progress" in _row(page, started.module)
    assert "About 25 minutes" in _row(page, started.module)
    assert "Not started" in _row(page, fresh.module)
    assert "Completed" in _row(page, done.module)
    assert "Expires soon" in _row(page, expiring)
    assert "Not started" in _row(page, optional)
    assert "Optional" in _row(page, optional)
    # Assigned work first, soonest due first; then what is about to run out; then the rest.
    assigned = page.split('id="assigned"')[1].split("</table>")[0]
    order = re.findall(r'data-module-slug="([^"]+)"', assigned)
    assert order == [
        overdue.module.slug,
        started.module.slug,
        fresh.module.slug,
        done.module.slug,
    ]
    others = page.split('id="others"')[1].split("</table>")[0]
    assert expiring.slug in others
    assert optional.slug in others
    # What is due next, at the top, with a way straight in.
    due_next = page.split('id="due-next"')[1].split("</div>")[0]
    assert "Overdue one" in due_next
    assert f"This was due on {overdue.due_on.day}" in due_next
    assert f"{_url('learn', overdue.module)}?page=1" in due_next
    # Three pieces of open work, and the completion running out within 30 days.
    assert "You have 4 modules to complete." in page
    # The history, with certificate links.
    history = page.split('id="history"')[1]
    assert reverse("training:certificate", args=[done.public_id]) in history


def test_home_offers_a_line_manager_their_team_and_a_trainer_the_modules(client, officer, trainer):
    TrainingProfileFactory(line_manager=officer)
    client.force_login(officer)
    page = _text(client.get(reverse("training:home")))
    assert f'href="{reverse("training:team")}"' in page
    assert f'href="{reverse("training:manage")}"' not in page

    client.force_login(trainer)
    page = _text(client.get(reverse("training:home")))
    assert f'href="{reverse("training:manage")}"' in page
    assert f'href="{reverse("training:team")}"' not in page


def test_home_for_a_family_account_shows_family_modules_and_the_footprint_check(
    client, family_member
):
    workforce = ModuleFactory(title="Workforce only")
    family = FamilyModuleFactory(title="Keeping the family safe")
    client.force_login(family_member)

    page = _text(client.get(reverse("training:home")))

    assert family.slug in page
    assert workforce.slug not in page
    assert "Workforce only" not in page
    assert f'href="{reverse("training:footprint")}"' in page
    assert "Start the footprint self-check" in page
    assert f'href="{reverse("training:team")}"' not in page
    assert f'href="{reverse("training:manage")}"' not in page


def test_home_with_nothing_due_says_so(client, officer):
    client.force_login(officer)
    page = _text(client.get(reverse("training:home")))
    assert "You have no training due at the moment." in page
    assert "You have not completed any training yet." in page


def test_home_makes_as_many_queries_for_six_modules_as_for_one(client, officer):
    def add_work():
        work = AssignmentFactory(person=officer)
        completion_record(person=officer, version=work.module.published_version())
        AssignmentFactory(person=officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("training:home")).status_code == 200
        return len(captured.captured_queries)

    add_work()
    client.force_login(officer)
    client.get(reverse("training:home"))  # warm the session
    one = queries()
    for _ in range(5):
        add_work()

    assert queries() == one


def test_someone_with_no_force_sees_national_modules_only(client):
    forceless = UserFactory()
    national = ModuleFactory()
    force_module = ForceModuleFactory()
    client.force_login(forceless)

    page = _text(client.get(reverse("training:home")))

    assert national.slug in page
    assert force_module.slug not in page


@time_machine.travel(datetime.datetime(2027, 6, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_an_expired_completion_without_a_refresher_says_expired(client, officer):
    module = ModuleFactory(refresh_months=12)
    completion_record(
        person=officer,
        version=module.published_version(),
        at=datetime.datetime(2026, 5, 1, 9, 0, tzinfo=datetime.UTC),
    )
    client.force_login(officer)

    page = _text(client.get(reverse("training:home")))

    assert "Expired" in _row(page, module)
    assert "1 May 2027 (expired)" in page


def test_a_method_a_page_does_not_take_is_a_405_before_any_object_is_looked_up(client, officer):
    # The portal's one rule (tests/test_permission_matrix.py, rule 3): the method is checked
    # first, so a wrong method tells nothing of what exists; the right one is the 404.
    mine, theirs = ModuleFactory(), ForceModuleFactory(owner_force=force("north-yorkshire"))
    completion, other = CompletionFactory(person=officer, module=mine), CompletionFactory()
    client.force_login(officer)

    assert client.post(_url("module", theirs)).status_code == 405
    assert client.post(_url("module", mine)).status_code == 405
    assert client.get(_url("module", theirs)).status_code == 404
    assert client.get(_url("complete", theirs)).status_code == 405
    assert client.get(_url("complete", mine)).status_code == 405
    assert client.post(_url("complete", theirs)).status_code == 404
    assert client.post(reverse("training:certificate", args=[other.public_id])).status_code == 405
    assert (
        client.post(reverse("training:certificate", args=[completion.public_id])).status_code == 405
    )
    assert client.get(reverse("training:certificate", args=[other.public_id])).status_code == 404


@pytest.fixture
def national_modules(db):
    """The national seed modules (a data migration). A browser test's flush earlier in the run
    removes them, so they are loaded again here (the loader adds only what is missing)."""
    load_national_modules()
    return Module.objects.filter(owner_force__isnull=True)


def test_every_national_module_in_the_database_can_be_read_and_its_quiz_opened(
    client, officer, national_modules
):
    # The national seed modules go through the same pages as any other: every part renders,
    # and reading the last one leads to the quiz.
    client.force_login(officer)
    assert national_modules.count() >= 6
    for module in national_modules:
        version = module.published_version()
        parts = version.sections.count()
        assert client.get(_url("module", module)).status_code == 200, module.slug
        for page in range(1, parts + 1):
            response = client.get(_learn(module, page))
            assert response.status_code == 200, (module.slug, page)
            assert f"Part {page} of {parts}" in _text(response)
            assert "&lt;" not in _text(response).split('id="section-body"')[1].split("</div>")[0]
            client.post(_learn(module, page))
        if version.has_quiz:
            assert client.get(_url("quiz", module)).status_code == 200, module.slug
