"""Acceptance 5, in a browser: "Exit this page" signs out, and Back shows the sign-in page.

Once with a click and once with GOV.UK's shortcut, Shift pressed three times (the component's
JavaScript follows the button's link, which is the portal's exit route). There is no internet
here, so the neutral site is a page the live server also answers at another site's address
(127.0.0.1 rather than localhost), where the browser sends none of the portal's cookies.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible, visit, wait_for_path
from tests.e2e.test_report_journey import sign_in
from tests.factories import make_person
from tests.reports.factories import SubmittedReportFactory


@pytest.fixture
def neutral(live_url: str) -> str:
    # Stands in for the weather site: another host name for the live server, so another site.
    return live_url.replace("://localhost:", "://127.0.0.1:") + "/accessibility/"


@pytest.fixture
def on_a_report(page: Page, settings, neutral: str) -> str:
    """An officer signed in and reading their report; returns the report's reference."""
    assert neutral.startswith("http://127.0.0.1:")
    settings.HARMSPORTAL_EXIT_URL = neutral
    officer = make_person(full_name="Sam Officer")
    report = SubmittedReportFactory(reporter=officer)
    sign_in(page, officer.email)
    visit(page, f"/reports/{report.public_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(report.reference)
    return report.reference


def _left_for_the_neutral_site_then_back(page: Page, reference: str, neutral: str) -> None:
    page.wait_for_url(neutral)
    page.wait_for_load_state("load")
    assert not Session.objects.exists()  # signed out on the way, not just sent elsewhere
    assert_accessible(page)

    page.go_back()

    wait_for_path(page, "/accounts/login/")
    assert urlsplit(page.url).query.startswith("next=/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.locator("body")).not_to_contain_text(reference)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert_accessible(page)


def test_clicking_exit_this_page_signs_out_and_back_shows_sign_in(
    page: Page, on_a_report: str, neutral: str
):
    exit_button = page.get_by_role("button", name="Emergency Exit this page")
    assert exit_button.get_attribute("href") == "/exit/"

    exit_button.click()

    _left_for_the_neutral_site_then_back(page, on_a_report, neutral)


def test_pressing_shift_three_times_signs_out_and_back_shows_sign_in(
    page: Page, on_a_report: str, neutral: str
):
    page.locator("h1").click()  # the page has the keyboard's focus, as when someone is reading

    for _ in range(3):
        page.keyboard.press("Shift")

    _left_for_the_neutral_site_then_back(page, on_a_report, neutral)
