"""Training in a browser, the learner's side (issue 9, acceptance 1).

The officer opens /training/, starts the module they were assigned, reads every part, fails
the quiz once (and sees why the answer they got wrong is wrong), tries again and passes, gives
feedback and opens their certificate, which prints without the portal's header and footer.
Every page visited passes axe-core (the `page` fixture fails a test that loads a page without
checking it), and the training home, a part of the module and the quiz result fit a 375px
phone without scrolling sideways.
"""

from __future__ import annotations

import datetime
import re

from django.utils import timezone

from tests.e2e.conftest import assert_accessible, visit, wait_for_path
from tests.e2e.test_triage_journey import sign_in
from tests.factories import make_person
from tests.training.factories import (
    AssignmentFactory,
    CompletionFactory,
    ModuleFactory,
    TrainingProfileFactory,
)
from training.models import Assignment, Completion, Feedback, QuizAttempt

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 720}
TITLE = "Staying safe when you are filmed at work"
BETTER = "A short checklist to keep on my phone."


def _fits_phone(page, where: str) -> None:
    """At 375px wide the page must not scroll sideways."""
    page.set_viewport_size(PHONE)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    page.set_viewport_size(DESKTOP)
    assert width <= PHONE["width"], f"{where} scrolls sideways at 375px: {width}px wide"


def _main(page) -> str:
    return page.locator("main").inner_text()


def _answer(page, question: int, text: str) -> None:
    page.get_by_role("group", name=re.compile(rf"Question {question} of")).get_by_label(
        text, exact=True
    ).check()


def test_the_officer_completes_an_assigned_module_with_its_quiz_and_opens_the_certificate(page):
    page.set_viewport_size(DESKTOP)
    officer = make_person(full_name="Sam Officer")
    module = ModuleFactory(title=TITLE, version__quiz=3, version__estimated_minutes=20)
    assignment = AssignmentFactory(
        person=officer, module=module, due_on=timezone.localdate() + datetime.timedelta(days=12)
    )
    learn = f"/training/modules/{module.slug}/learn/"

    # 1. Training home: what is due next, at once.
    sign_in(page, officer)
    visit(page, "/training/")
    due_next = page.locator("#due-next").inner_text()
    assert TITLE in due_next
    assert "It takes about 20 minutes." in due_next
    assert "Not started" in page.locator("#assigned").inner_text()
    _fits_phone(page, "/training/")

    # 2. Start, and read every part: "Part n of 3", one part a page.
    page.locator("#due-next").get_by_role("button", name=re.compile(r"^Start")).click()
    wait_for_path(page, learn)
    assert_accessible(page)
    assert "Part 1 of 3" in _main(page)
    _fits_phone(page, "a part of the module")
    for part in (1, 2):
        page.get_by_role("button", name="Continue", exact=True).click()
        page.wait_for_url(re.compile(rf"page={part + 1}$"))
        assert_accessible(page)
        assert f"Part {part + 1} of 3" in _main(page)
    page.get_by_role("button", name="Continue to the quiz").click()
    wait_for_path(page, f"/training/modules/{module.slug}/quiz/")
    assert_accessible(page)

    # 3. Nothing chosen: an error for each question, in the GOV.UK summary.
    page.get_by_role("button", name="Submit your answers").click()
    wait_for_path(page, f"/training/modules/{module.slug}/quiz/")
    assert_accessible(page)
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Select an answer to question 1." in summary
    assert "Select an answer to question 3." in summary

    # 4. One answer wrong: 2 of 3 is under the pass mark. The explanation says why.
    _answer(page, 1, "First answer to 1")
    _answer(page, 2, "Second answer to 2")
    _answer(page, 3, "Second answer to 3")
    page.get_by_role("button", name="Submit your answers").click()
    wait_for_path(page, f"/training/modules/{module.slug}/quiz/result/")
    assert_accessible(page)
    result = _main(page)
    assert "You did not pass this time" in result
    assert "Explanation 1" in result
    assert "Explanation 2" not in result
    _fits_phone(page, "the quiz result")

    # 5. Try again, and pass.
    page.get_by_role("button", name="Try again").click()
    wait_for_path(page, f"/training/modules/{module.slug}/quiz/")
    assert_accessible(page)
    for question in (1, 2, 3):
        _answer(page, question, f"Second answer to {question}")
    page.get_by_role("button", name="Submit your answers").click()
    wait_for_path(page, f"/training/modules/{module.slug}/quiz/result/")
    assert_accessible(page)
    assert "You passed" in _main(page)
    assert "Explanation" not in _main(page)
    _fits_phone(page, "the quiz result after a pass")
    completion = Completion.objects.get(person=officer, module=module)
    assignment.refresh_from_db()
    assert assignment.completion == completion
    assert list(QuizAttempt.objects.filter(person=officer).values_list("passed", flat=True)) == [
        True,
        False,
    ]

    # 6. Feedback: left out, then given.
    page.get_by_role("link", name="Tell us what you thought of this module").click()
    wait_for_path(page, f"/training/completions/{completion.public_id}/feedback/")
    assert_accessible(page)
    page.get_by_role("button", name="Send feedback").click()
    wait_for_path(page, f"/training/completions/{completion.public_id}/feedback/")
    assert_accessible(page)
    assert "Select how good the module was." in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Very good").check()
    page.get_by_label("What would make it better?").fill(BETTER)
    page.get_by_role("group", name="Has this module changed what you will do?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("button", name="Send feedback").click()
    wait_for_path(page, "/training/")
    assert_accessible(page)
    assert "Thank you" in _main(page)
    feedback = Feedback.objects.get(completion=completion)
    assert (feedback.rating, feedback.better, feedback.changed) == (5, BETTER, "yes")
    assert "Completed" in page.locator("#assigned").inner_text()

    # 7. The certificate, from the history: on screen, and as it prints.
    page.locator("#history").get_by_role("link", name=re.compile(r"^Certificate")).click()
    wait_for_path(page, f"/training/certificates/{completion.public_id}/")
    assert_accessible(page)
    certificate = page.locator("#certificate").inner_text()
    assert "Sam Officer" in certificate
    assert TITLE in certificate
    assert completion.verification_code in certificate
    assert page.get_by_role("button", name="Print this page").is_visible()  # JavaScript is on
    page.emulate_media(media="print")
    assert page.locator("#certificate").is_visible()
    for hidden in ("header", "footer", ".govuk-exit-this-page", ".govuk-back-link", "#print-help"):
        assert not page.locator(hidden).first.is_visible(), f"{hidden} is printed"
    page.emulate_media(media="screen")
    assert Assignment.objects.filter(person=officer, completion__isnull=True).count() == 0


# --- walk fixes (tests/training/test_walk_fixes.py has the HTTP side) ------------------------
# Paper widths: A4 less the 1.5 cm page margins on each side, and Letter less the same.
PRINT_WIDTHS = (680, 703)


def test_the_printed_certificate_fits_the_page_and_prints_on_white(page):
    officer = make_person(full_name="Sam Officer")
    module = ModuleFactory(title=TITLE)
    completion = CompletionFactory(person=officer, module=module)
    sign_in(page, officer)
    visit(page, f"/training/certificates/{completion.public_id}/")

    page.emulate_media(media="print")
    for width in PRINT_WIDTHS:
        page.set_viewport_size({"width": width, "height": 1000})
        sizes = page.evaluate(
            """() => {
              const box = document.querySelector('#certificate').getBoundingClientRect();
              return {left: box.left, right: box.right,
                      page: document.documentElement.clientWidth,
                      scroll: document.documentElement.scrollWidth};
            }"""
        )
        assert sizes["left"] >= 0, f"the certificate starts off the page at {width}px: {sizes}"
        assert sizes["right"] <= sizes["page"], f"the certificate is too wide at {width}px: {sizes}"
        assert sizes["scroll"] <= width, f"the printed page scrolls sideways at {width}px: {sizes}"
    backgrounds = page.evaluate(
        """() => [document.documentElement, document.body].map(
             (el) => getComputedStyle(el).backgroundColor)"""
    )
    assert backgrounds == ["rgb(255, 255, 255)"] * 2, (
        f"the printed page is not white: {backgrounds}"
    )
    page.emulate_media(media="screen")


def test_feedback_counts_characters_instead_of_cutting_off_a_long_answer(page):
    page.set_viewport_size(DESKTOP)
    officer = make_person()
    completion = CompletionFactory(person=officer, module=ModuleFactory())
    sign_in(page, officer)
    visit(page, f"/training/completions/{completion.public_id}/feedback/")

    box = page.get_by_label("What would make it better?")
    assert box.get_attribute("maxlength") is None
    box.fill("x" * 2005)
    assert len(box.input_value()) == 2005  # nothing cut off
    assert "5 characters too many" in page.locator(".govuk-character-count").inner_text()
    page.get_by_label("Very good").check()
    page.get_by_role("group", name="Has this module changed what you will do?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("button", name="Send feedback").click()
    wait_for_path(page, f"/training/completions/{completion.public_id}/feedback/")
    assert_accessible(page)
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "What would make it better must be 2,000 characters or fewer." in summary
    assert len(page.get_by_label("What would make it better?").input_value()) == 2005
    assert not Feedback.objects.exists()


def test_a_learner_goes_back_to_a_part_and_is_told_why_a_later_one_waits(page):
    page.set_viewport_size(DESKTOP)
    officer = make_person()
    module = ModuleFactory(version__sections=4)
    learn = f"/training/modules/{module.slug}/learn/"
    sign_in(page, officer)
    visit(page, f"{learn}?page=1")
    page.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_url(re.compile(r"page=2$"))
    assert_accessible(page)

    visit(page, f"{learn}?page=4")
    assert "Part 2 of 4" in _main(page)
    banner = page.locator("#not-reached").inner_text()
    assert "You have not reached part 4 yet" in banner
    page.locator("#parts").get_by_role("link", name="Part 1 heading").click()
    page.wait_for_url(re.compile(r"page=1$"))
    assert_accessible(page)
    assert "Part 1 of 4" in _main(page)
    _fits_phone(page, "a part read again")


def test_a_line_manager_reads_the_notice_part_and_their_team_on_a_phone(page):
    manager = make_person(full_name="Lin Manager")
    for number in range(10):
        person = make_person(full_name=f"Team Member {number}")
        TrainingProfileFactory(person=person, line_manager=manager)
        for days in (-3, 12, 200):
            AssignmentFactory(
                person=person,
                module=ModuleFactory(),
                due_on=timezone.localdate() + datetime.timedelta(days=days),
            )
    sign_in(page, manager)

    # The notice's link: the overview says why they are here and links to the part.
    visit(page, "/training/modules/supporting-a-colleague-who-is-targeted/?from=notice")
    page.locator("#from-notice").get_by_role("link").click()
    page.wait_for_url(re.compile(r"from=notice$"))
    assert_accessible(page)
    assert "If you receive a line-manager notice" in page.locator("h1").inner_text()
    _fits_phone(page, "the notice part")

    # The team: a summary first, and each person's modules folded away.
    page.set_viewport_size(PHONE)
    visit(page, "/training/team/")
    height = page.evaluate("() => document.documentElement.scrollHeight")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the team page scrolls sideways: {width}px"
    assert height <= 4000, f"the team page of ten people is {height}px long on a phone"
    summary = page.locator("#team-summary").inner_text()
    assert "Team Member 0" in summary
    page.locator("#member-1 summary").click()
    assert page.locator("#member-1 table").is_visible()
    assert_accessible(page)
    page.set_viewport_size(DESKTOP)
