"""Training for a family account in a browser, end to end (issue 9, acceptance 1).

The officer's partner signs in with their family account, finds the family module on their
training page, reads every part, passes its quiz, gives feedback, and then does the digital
footprint self-check, saving their answers, reading them back and deleting them. A module
written for the workforce is a 404 to them. Every page passes axe-core (the `page` fixture
fails a test that loads a page without checking it), and the self-check and its advice fit a
375px phone without scrolling sideways.
"""

from __future__ import annotations

import re

from harmsportal.people.models import User
from tests.e2e.conftest import assert_accessible, visit, wait_for_path
from tests.e2e.test_triage_journey import sign_in
from tests.factories import link_family, make_person
from training.content import load_national_modules
from training.models import Completion, Feedback, FootprintCheck, Module, QuizAttempt

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 720}
FAMILY_MODULE = "keeping-your-family-safe-online"
WORKFORCE_MODULE = "leading-a-culture-of-care"


def _fits_phone(page, where: str) -> None:
    """At 375px wide the page must not scroll sideways."""
    page.set_viewport_size(PHONE)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    page.set_viewport_size(DESKTOP)
    assert width <= PHONE["width"], f"{where} scrolls sideways at 375px: {width}px wide"


def _main(page) -> str:
    return page.locator("main").inner_text()


def _answer(page, label: str, option: str) -> None:
    page.get_by_role("group", name=label).get_by_label(option, exact=True).check()


def test_a_family_account_completes_the_family_module_and_the_footprint_self_check(page):
    load_national_modules()  # a transactional test before this one may have flushed them
    page.set_viewport_size(DESKTOP)
    officer = make_person(full_name="Sam Officer")
    family = make_person(kind=User.Kind.FAMILY, full_name="Jo Family")
    link_family(officer, family)
    module = Module.objects.get(slug=FAMILY_MODULE)
    version = module.published_version()
    sections = list(version.sections.all())
    questions = list(version.questions.prefetch_related("answers"))

    # 1. The training page lists the family module and the self-check, nothing internal.
    sign_in(page, family)
    visit(page, "/training/")
    main = _main(page)
    assert module.title in main
    assert "Leading a culture of care" not in main
    assert "Recognising and reporting online harm" not in main
    visit(page, f"/training/modules/{WORKFORCE_MODULE}/", status=404)

    # 2. The family module: every part, then the quiz.
    visit(page, "/training/")
    page.get_by_role("link", name=module.title).first.click()
    wait_for_path(page, f"/training/modules/{FAMILY_MODULE}/")
    assert_accessible(page)
    page.locator("#start").click()
    learn_path = f"/training/modules/{FAMILY_MODULE}/learn/"
    for number, section in enumerate(sections, start=1):
        wait_for_path(page, learn_path)
        assert_accessible(page)
        assert page.locator("h1").inner_text().strip() == section.heading
        if number == 1:
            _fits_phone(page, "the first part of the family module")
        last = number == len(sections)
        page.get_by_role("button", name="Continue to the quiz" if last else "Continue").click()
    wait_for_path(page, f"/training/modules/{FAMILY_MODULE}/quiz/")
    assert_accessible(page)
    for question in questions:
        right = next(a for a in question.answers.all() if a.is_correct)
        group = page.get_by_role("group", name=re.compile(re.escape(question.text)))
        group.get_by_label(right.text, exact=True).check()
    page.get_by_role("button", name="Submit your answers").click()
    wait_for_path(page, f"/training/modules/{FAMILY_MODULE}/quiz/result/")
    assert_accessible(page)
    assert "You passed" in _main(page)
    attempt = QuizAttempt.objects.get(person=family, version=version)
    assert (attempt.passed, attempt.correct, attempt.total) == (
        True,
        len(questions),
        len(questions),
    )
    completion = Completion.objects.get(person=family, version=version)

    # 3. Feedback on the module.
    page.locator("#feedback-link").click()
    wait_for_path(page, f"/training/completions/{completion.public_id}/feedback/")
    assert_accessible(page)
    _answer(page, "How good was this module?", "Very good")
    _answer(page, "Has this module changed what you will do?", "Yes")
    page.get_by_role("button", name="Send feedback").click()
    wait_for_path(page, "/training/")
    assert_accessible(page)
    assert Feedback.objects.get(completion=completion).rating == 5

    # 4. The footprint self-check: a missing answer is explained, what was chosen is kept.
    page.locator("#footprint-card").click()
    wait_for_path(page, "/training/footprint/")
    assert_accessible(page)
    _fits_phone(page, "the footprint self-check /training/footprint/")
    yes_no = {
        "Have you searched online for your own name in the last year?": "No",
        "Have you done a reverse image search of your profile photos?": "Yes",
        "Do any of your public profiles mention policing, or show you or a family member in "
        "police uniform?": "No",
        "Are you on the open register?": "Yes, I am on it",
        "Have you checked people-search sites, such as 192.com, for your name and "
        "address?": "No, not yet",
        "Do any photos that you or your family have posted show your house number, your "
        "street or your car's number plate?": "No",
        "Is location turned off for your phone's camera?": "Yes, it is off",
        "Do children in your household have social media or gaming accounts?": (
            "Yes, but we have not checked their settings yet"
        ),
        "Do you record runs, rides or walks with a fitness app?": "No, I do not use one",
        "Is 2-step verification turned on for your email and social media accounts?": (
            "Yes, on all of them"
        ),
        "Do you use a different password for each of your important accounts?": (
            "Yes, or I use a password manager"
        ),
    }
    for question, option in yes_no.items():
        _answer(page, question, option)
    page.get_by_label("Save my answers so I can come back to them").check()
    page.get_by_role("button", name="Get my advice").click()
    wait_for_path(page, "/training/footprint/")
    assert_accessible(page)
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Select whether the recovery details on your main email account are up to date" in (
        summary
    )
    assert page.get_by_label("Save my answers so I can come back to them").is_checked()
    assert (
        page.get_by_role("group", name="Are you on the open register?")
        .get_by_label("Yes, I am on it")
        .is_checked()
    )
    assert not FootprintCheck.objects.filter(person=family).exists()
    page.locator(".govuk-error-summary a").first.click()  # the summary links to the question
    _answer(
        page,
        "Are the recovery phone number and email address on your main email account up to date?",
        "Yes",
    )
    page.get_by_role("button", name="Get my advice").click()
    page.wait_for_selector("#to-do")
    assert_accessible(page)
    _fits_phone(page, "the footprint advice page")
    advice = page.locator("#to-do").inner_text()
    for title in (
        "Search for yourself",
        "Opt out of the open register",
        "Ask people-search sites to remove you",
        "Check children's accounts together",
    ):
        assert title in advice
    assert "Turn on 2-step verification" not in advice
    assert "2-step verification is on for your email and social media." in _main(page)
    check = FootprintCheck.objects.get(person=family)
    assert check.saved_answers["open_register"] == "on"

    # 5. The saved answers, read back and deleted; the completion stays.
    page.get_by_role("link", name="see or delete your saved answers").click()
    wait_for_path(page, "/training/footprint/saved/")
    assert_accessible(page)
    _fits_phone(page, "the saved footprint answers")
    assert "Yes, I am on it" in page.locator("#saved-answers").inner_text()
    page.get_by_role("button", name="Delete my saved answers").click()
    page.wait_for_url(re.compile(r"/training/footprint/saved/\?delete=confirm$"))
    assert_accessible(page)
    page.get_by_role("button", name="Yes, delete my saved answers").click()  # the confirm step
    page.wait_for_url(re.compile(r"/training/footprint/saved/$"))
    assert_accessible(page)
    assert "Your saved answers have been deleted." in _main(page)
    check.refresh_from_db()
    assert check.saved_answers is None
    assert FootprintCheck.objects.filter(person=family).count() == 1
