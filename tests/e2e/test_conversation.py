"""The conversation both ways, in a browser: the reporter replies; the triager holding the case
sees the notification and the unread marker, opens the case and answers; the reporter reads
the answer. Every page visited passes axe-core (the `page` fixture fails a skipped one).
"""

from __future__ import annotations

import re

from harmsportal.people.models import Role, User
from tests.e2e.conftest import assert_accessible, visit, wait_for_path
from tests.e2e.test_triage_journey import sign_in, sign_out
from tests.factories import enrol_totp, make_person
from tests.triage.factories import AssessedCaseFactory, reporter_in
from triage.services.working import case_message_send

QUESTION = "Are you and your family safe at home tonight?"
REPLY = "We are safe, but a new post went up this morning with my car's number plate."
ANSWER = "Thank you. We have asked the platform to take the new post down today."


def test_the_reporter_replies_and_the_triager_sees_it_and_answers(page, settings):
    settings.HARMSPORTAL_REQUIRE_STAFF_MFA = True
    triager = make_person(Role.TRIAGE, kind=User.Kind.STAFF, mfa=False, full_name="Tri Ager")
    secret = enrol_totp(triager)
    officer = reporter_in()
    case = AssessedCaseFactory(reporter=officer, assignee=triager)
    case_message_send(actor=triager, case=case, body=QUESTION)
    reference = case.report.reference

    # The reporter reads the question and replies.
    sign_in(page, officer)
    visit(page, f"/reports/{case.report.public_id}/")
    assert QUESTION in page.locator("main").inner_text()
    page.get_by_label("Send a message to the team handling your report").fill(REPLY)
    page.get_by_role("button", name="Send message").click()
    wait_for_path(page, f"/reports/{case.report.public_id}/")
    assert_accessible(page)
    assert REPLY in page.locator("main").inner_text()
    sign_out(page)

    # The triager is told in the portal, by case reference and never the words.
    sign_in(page, triager, totp_secret=secret)
    visit(page, "/notifications/")
    inbox = page.locator("main").inner_text()
    assert f"The reporter sent a message on case {reference}" in inbox
    assert REPLY not in inbox

    # The queue marks the case unread.
    visit(page, "/triage/")
    row = page.locator("#queue tr", has_text=reference)
    assert "New from reporter" in row.inner_text()

    # Opening the case shows the reply, and the marker goes.
    row.get_by_role("link", name=reference).click()
    wait_for_path(page, f"/triage/cases/{case.public_id}/")
    assert_accessible(page)
    assert "New from reporter" in page.locator("#new-from-reporter").inner_text()
    assert REPLY in page.locator("main").inner_text()
    assert "Message from the reporter" in page.locator("#case-history").inner_text()

    # The triager answers.
    page.get_by_role("link", name="Send a message to the reporter").click()
    wait_for_path(page, f"/triage/cases/{case.public_id}/messages/new/")
    assert_accessible(page)
    page.get_by_label("Message to the reporter").fill(ANSWER)
    page.get_by_role("button", name="Send message").click()
    wait_for_path(page, f"/triage/cases/{case.public_id}/")
    assert_accessible(page)
    assert "Message sent to the reporter." in page.locator("main").inner_text()
    visit(page, "/triage/")
    assert "New from reporter" not in page.locator("#queue tr", has_text=reference).inner_text()
    sign_out(page)

    # The reporter reads the answer.
    sign_in(page, officer)
    visit(page, f"/reports/{case.report.public_id}/")
    thread = page.locator("main").inner_text()
    assert re.search(re.escape(REPLY) + r".*" + re.escape(ANSWER), thread, re.DOTALL)
