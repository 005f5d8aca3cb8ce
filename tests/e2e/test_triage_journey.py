"""Triage in a browser: claim next, assess, message the reporter, give the outcome; then the
officer who reported sees the outcome, and the only email they got says "sign in".

Every page visited passes axe-core (the `page` fixture fails the test if one is skipped).
"""

from __future__ import annotations

import re
import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail

from harmsportal.people.models import Role, User
from reports.services.sending import report_submit
from tests.e2e.conftest import assert_accessible, visit, wait_for_path
from tests.factories import PASSWORD, enrol_totp, make_person
from tests.reports.factories import DraftReportFactory
from tests.triage.factories import ClaimedCaseFactory, ClosedCaseFactory, triager_in
from triage.models import Case

TOTP_PERIOD = 30
DESCRIPTION = "Someone posted my home street and my children's school on a local group."
MESSAGE = "Thank you for telling us. We are asking the platform to remove the post today."
OUTCOME = "The platform removed the post with your street. We have also flagged your address."


def totp_now(secret: str) -> str:
    """The code an authenticator app would show now, never one about to roll over."""
    if TOTP_PERIOD - (time.time() % TOTP_PERIOD) < 3:
        time.sleep(3)
    return format_hotp_value(hotp_value(secret, int(time.time()) // TOTP_PERIOD))


def sign_in(page, user: User, *, totp_secret: str = "") -> None:
    visit(page, "/accounts/login/")
    page.locator('input[name="login"]').fill(user.email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"^sign in$", re.IGNORECASE)).click()
    if totp_secret:
        wait_for_path(page, "/accounts/2fa/authenticate/")
        assert_accessible(page)
        code = page.locator('input[name="code"]')
        code.fill(totp_now(totp_secret))
        code.press("Enter")
    page.wait_for_url(lambda url: "/accounts/" not in url)
    assert_accessible(page)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("load")
    assert_accessible(page)


def test_triage_works_a_case_to_its_outcome_and_the_officer_sees_it(page, settings):
    settings.HARMSPORTAL_REQUIRE_STAFF_MFA = True
    officer = make_person(full_name="Sam Officer")
    report = report_submit(
        actor=officer,
        report=DraftReportFactory(reporter=officer, description=DESCRIPTION),
    )
    triager = make_person(Role.TRIAGE, kind=User.Kind.STAFF, mfa=False, full_name="Tri Ager")
    secret = enrol_totp(triager)
    mail.outbox.clear()

    # Triage: the queue, then claim next.
    sign_in(page, triager, totp_secret=secret)
    visit(page, "/triage/")
    assert page.get_by_role("heading", name="Triage queue", level=1).is_visible()
    assert report.reference in page.locator("#queue").inner_text()
    page.get_by_role("button", name="Claim next case").click()
    case = Case.objects.get(report=report)
    wait_for_path(page, f"/triage/cases/{case.public_id}/")
    assert_accessible(page)
    assert f"You claimed case {report.reference}" in page.locator("main").inner_text()

    # Assess.
    page.get_by_role("link", name="Assess the risk").click()
    wait_for_path(page, f"/triage/cases/{case.public_id}/assess/")
    assert_accessible(page)
    page.get_by_label("Medium").check()
    page.get_by_label("Non-crime incident").check()
    page.get_by_role("button", name="Save assessment").click()
    wait_for_path(page, f"/triage/cases/{case.public_id}/")
    assert_accessible(page)
    assert "Assessment saved." in page.locator("main").inner_text()

    # Message the reporter.
    page.get_by_role("link", name="Send a message to the reporter").click()
    wait_for_path(page, f"/triage/cases/{case.public_id}/messages/new/")
    assert_accessible(page)
    page.get_by_label("Message to the reporter").fill(MESSAGE)
    page.get_by_role("button", name="Send message").click()
    wait_for_path(page, f"/triage/cases/{case.public_id}/")
    assert_accessible(page)
    assert MESSAGE in page.locator("#messages ~ .govuk-inset-text").first.inner_text()

    # Give the outcome.
    page.get_by_role("link", name="Give the outcome").click()
    wait_for_path(page, f"/triage/cases/{case.public_id}/outcome/")
    assert_accessible(page)
    page.get_by_label("Content reported to the platform for removal").check()
    page.get_by_label("Explain the outcome to the reporter").fill(OUTCOME)
    page.get_by_role("button", name="Send the outcome").click()
    wait_for_path(page, f"/triage/cases/{case.public_id}/")
    assert_accessible(page)
    assert "Outcome given" in page.locator("#case-summary").inner_text()
    sign_out(page)

    # The officer signs in and reads the outcome and the message.
    sign_in(page, officer)
    visit(page, f"/reports/{report.public_id}/")
    assert OUTCOME in page.locator("#outcome").inner_text()
    assert MESSAGE in page.locator("main").inner_text()

    # Their emails said only that there is an update: no report text, no outcome.
    to_officer = [email for email in mail.outbox if email.to == [officer.email]]
    assert to_officer, "the officer was not emailed about the update"
    for email in to_officer:
        text = f"{email.subject}\n{email.body}"
        assert "Sign in" in text
        for secret_text in (DESCRIPTION, OUTCOME, MESSAGE, report.reference):
            assert secret_text not in text


def test_every_other_triage_page_passes_accessibility_checks(page, settings):
    settings.HARMSPORTAL_REQUIRE_STAFF_MFA = True
    supervisor = make_person(
        Role.TRIAGE_SUPERVISOR, kind=User.Kind.STAFF, mfa=False, full_name="Sue Pervisor"
    )
    secret = enrol_totp(supervisor)
    working = ClaimedCaseFactory(assignee=triager_in(full_name="Tri Ager"))
    finished = ClosedCaseFactory()

    sign_in(page, supervisor, totp_secret=secret)
    visit(page, "/triage/supervisor/")
    assert page.get_by_role("heading", name="Breaches and workload", level=1).is_visible()
    visit(page, "/triage/?status=all&sort=-received&sla=breached")
    for path in ("", "reassign/", "assess/", "actions/new/", "notes/new/", "messages/new/"):
        visit(page, f"/triage/cases/{working.public_id}/{path}")
    visit(page, f"/triage/cases/{finished.public_id}/")
    visit(page, f"/triage/cases/{finished.public_id}/reopen/")

    # A form sent back with errors is accessible too, with its error summary.
    page.get_by_role("button", name="Reopen case").click()
    wait_for_path(page, f"/triage/cases/{finished.public_id}/reopen/")
    assert_accessible(page)
    assert (
        "Enter why you are reopening this case."
        in page.locator(".govuk-error-summary").inner_text()
    )
