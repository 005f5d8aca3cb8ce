"""The staff idle-timeout warning in a browser (WCAG 2.2.1 Timing adjustable).

Playwright's clock stands in for the 30 minutes: the page's timers are fast-forwarded, while
the server's session stays as fresh as the real time that passed.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from harmsportal.people.models import Role, User
from tests.e2e.conftest import assert_accessible, visit, wait_for_path
from tests.e2e.test_triage_journey import sign_in
from tests.factories import enrol_totp, make_person

EXTEND = "/session/extend/"
# HARMSPORTAL_STAFF_IDLE_SECONDS is 30 minutes; the warning opens 2 minutes before the end.
BEFORE_WARNING = "27:50"


def _is_extend(request) -> bool:
    return request.method == "POST" and urlsplit(request.url).path == EXTEND


def _signed_in_triager(page, settings) -> None:
    settings.HARMSPORTAL_REQUIRE_STAFF_MFA = True
    triager = make_person(Role.TRIAGE, kind=User.Kind.STAFF, mfa=False, full_name="Tri Ager")
    secret = enrol_totp(triager)
    sign_in(page, triager, totp_secret=secret)
    # From here the page's clock is Playwright's: it runs normally until fast-forwarded.
    page.clock.install()
    visit(page, "/triage/")
    assert (
        page.locator("#staff-timeout-notice")
        .inner_text()
        .startswith("For security, you will be signed out after 30 minutes without activity.")
    )


def test_warning_opens_before_the_timeout_and_stay_signed_in_extends(page, settings):
    _signed_in_triager(page, settings)
    dialog = page.locator("dialog#timeout-warning")
    expect(dialog).to_be_hidden()
    claim = page.get_by_role("button", name="Claim next case")
    claim.focus()

    page.clock.fast_forward(BEFORE_WARNING)
    expect(dialog).to_be_hidden()
    page.clock.fast_forward("00:15")

    expect(dialog).to_be_visible()
    expect(page.get_by_role("dialog", name="You will be signed out soon")).to_be_visible()
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    expect(dialog).to_contain_text("We will sign you out in 1 minute")
    assert page.evaluate("() => document.querySelector('#timeout-warning').matches(':modal')")
    assert_accessible(page)

    with page.expect_response(lambda r: _is_extend(r.request)) as extended:
        stay.click()
    assert extended.value.status == 204
    expect(dialog).to_be_hidden()
    expect(claim).to_be_focused()  # focus goes back where it was
    assert urlsplit(page.url).path == "/triage/"

    # The timer started again: nothing until nearly another 28 minutes have passed.
    page.clock.fast_forward("20:00")
    expect(dialog).to_be_hidden()
    page.clock.fast_forward("08:10")
    expect(dialog).to_be_visible()
    assert_accessible(page)


def test_escape_means_stay_signed_in(page, settings):
    _signed_in_triager(page, settings)
    dialog = page.locator("dialog#timeout-warning")

    page.clock.fast_forward("28:05")
    expect(dialog).to_be_visible()
    with page.expect_response(lambda r: _is_extend(r.request)) as extended:
        page.keyboard.press("Escape")
    assert extended.value.status == 204
    expect(dialog).to_be_hidden()
    assert urlsplit(page.url).path == "/triage/"
    assert_accessible(page)


def test_the_screen_reader_countdown_changes_at_most_every_15_seconds(page, settings):
    _signed_in_triager(page, settings)
    live = page.locator("dialog#timeout-warning [aria-live]")

    page.clock.fast_forward("28:01")
    expect(page.locator("dialog#timeout-warning")).to_be_visible()
    assert live.inner_text() == ""  # the dialog's description says the time when it opens
    seen = []
    for _ in range(30):
        page.clock.run_for(1000)
        text = live.inner_text()
        if text and (not seen or seen[-1] != text):
            seen.append(text)
    assert 1 <= len(seen) <= 3, seen
    assert all(t.startswith("We will sign you out in 1 minute") for t in seen), seen
    assert_accessible(page)


def test_when_time_runs_out_the_page_goes_to_sign_in_and_back(page, settings):
    _signed_in_triager(page, settings)
    # The server's session ends on its own schedule; here, by losing the cookie.
    page.context.clear_cookies()

    page.clock.fast_forward("28:05")
    expect(page.locator("dialog#timeout-warning")).to_be_visible()
    page.clock.fast_forward("02:00")

    wait_for_path(page, "/accounts/login/")
    assert_accessible(page)
    assert parse_qs(urlsplit(page.url).query)["next"] == ["/triage/"]
