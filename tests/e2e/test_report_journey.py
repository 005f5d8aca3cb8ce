"""Acceptance: an officer and a family member each file a complete report in a real browser.

They sign in through the real form, answer every question, upload a photo, check their
answers, send, and see their reference. axe-core checks every page they land on.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page

from reports.models import Report, ReportStatus
from tests.e2e.conftest import assert_accessible, visit
from tests.factories import PASSWORD, link_family, make_person
from tests.reports import hostile_files

REFERENCE = re.compile(r"OH-WYP-\d{4}-\d{6}")


def arrive(page: Page, pattern: str) -> None:
    """Wait for a page whose path matches `pattern`, then check its accessibility."""
    page.wait_for_url(re.compile(pattern))
    page.wait_for_load_state("load")
    assert_accessible(page)


def sign_in(page: Page, email: str) -> None:
    visit(page, "/accounts/login/")
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"^sign in$", re.IGNORECASE)).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.wait_for_load_state("load")
    assert_accessible(page)


def answer(page: Page, step: str, choose: list[str]) -> None:
    """On `step`, tick or choose each label, then continue."""
    arrive(page, rf"/reports/[0-9a-f-]+/step/{step}/$")
    for label in choose:
        page.get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Continue").click()


def answer_common_questions(page: Page) -> None:
    answer(page, "what", ["Doxxing or malicious identification", "Threats to you or your family"])
    answer(page, "where", ["X (formerly Twitter)"])

    arrive(page, r"/reports/[0-9a-f-]+/step/when/$")
    page.get_by_label("Day").fill("12")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Continue").click()

    answer(page, "role", ["Yes"])

    arrive(page, r"/reports/[0-9a-f-]+/step/description/$")
    page.get_by_label("Tell us what happened").fill(
        "An account posted the street I live on and told people to visit me."
    )
    page.get_by_role("button", name="Continue").click()

    answer(page, "perpetrator", ["No"])
    answer(page, "offline", ["None of these"])
    answer(page, "impact", ["A lot"])
    answer(page, "support", ["Yes"])


def add_photo_and_send(page: Page) -> str:
    answer(page, "contact", ["Email me to say there is an update, then I'll sign in"])

    arrive(page, r"/reports/[0-9a-f-]+/step/evidence/$")
    page.get_by_label("Upload a file").set_input_files(
        {"name": "screenshot.jpg", "mimeType": "image/jpeg", "buffer": hostile_files.jpeg(gps=True)}
    )
    page.get_by_role("button", name="Upload file").click()
    arrive(page, r"/reports/[0-9a-f-]+/step/evidence/$")
    assert "screenshot.jpg" in page.locator("main").inner_text()
    page.get_by_role("button", name="Continue").click()

    arrive(page, r"/reports/[0-9a-f-]+/check/$")
    main = page.locator("main").inner_text()
    assert "Doxxing or malicious identification" in main
    assert "screenshot.jpg" in main
    page.get_by_role("button", name="Send report").click()

    arrive(page, r"/reports/[0-9a-f-]+/done/$")
    reference = page.locator("#report-reference").inner_text().strip()
    assert REFERENCE.fullmatch(reference), reference
    assert page.get_by_role("heading", name="Report sent", level=1).is_visible()
    return reference


def test_officer_files_a_complete_report_with_a_photo_and_sees_the_reference(page):
    officer = make_person(full_name="Sam Officer")
    sign_in(page, officer.email)

    visit(page, "/reports/new/")
    page.get_by_role("button", name="Start now").click()
    answer(page, "who", ["Me"])
    answer_common_questions(page)
    answer(page, "line-manager", ["No"])
    reference = add_photo_and_send(page)

    report = Report.objects.get(reference=reference)
    assert report.reporter == officer
    assert report.status == ReportStatus.SUBMITTED
    assert report.evidence.get().has_viewing_copy

    page.get_by_role("link", name="your report's page").click()
    arrive(page, rf"/reports/{report.public_id}/$")
    assert reference in page.locator("h1").inner_text()
    visit(page, "/reports/")
    assert reference in page.locator("main").inner_text()


def test_family_member_files_a_complete_report_and_sees_the_reference(page):
    officer = make_person(full_name="Sam Officer")
    family = make_person(kind="family", full_name="Jo Family")
    link_family(officer, family)
    sign_in(page, family.email)

    visit(page, "/reports/new/")
    page.get_by_role("button", name="Start now").click()
    answer(page, "whose-role", ["Sam Officer, West Yorkshire Police"])
    answer(page, "sharing", ["Yes"])
    answer_common_questions(page)
    reference = add_photo_and_send(page)

    report = Report.objects.get(reference=reference)
    assert report.reporter == family
    assert report.shared_with_member is True


def test_validation_errors_and_the_not_connected_page_are_accessible(page):
    officer = make_person(full_name="Sam Officer")
    sign_in(page, officer.email)
    visit(page, "/reports/new/")
    page.get_by_role("button", name="Start now").click()

    arrive(page, r"/reports/[0-9a-f-]+/step/who/$")
    page.get_by_role("button", name="Continue").click()
    arrive(page, r"/reports/[0-9a-f-]+/step/who/$")
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    page.get_by_label("Me", exact=True).check()
    page.get_by_role("button", name="Continue").click()

    answer(page, "what", ["Abuse and insults"])
    answer(page, "where", ["Email"])
    arrive(page, r"/reports/[0-9a-f-]+/step/when/$")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Continue").click()
    arrive(page, r"/reports/[0-9a-f-]+/step/when/$")
    assert "must be a real date" in page.locator("main").inner_text()
    page.get_by_label("It is still going on").check()
    page.get_by_label("Day").fill("")
    page.get_by_label("Month").fill("")
    page.get_by_label("Year").fill("")
    page.get_by_role("button", name="Continue").click()

    answer(page, "role", ["No"])
    arrive(page, r"/reports/[0-9a-f-]+/not-connected/$")
    assert "Victim Support" in page.locator("main").inner_text()


def test_a_reporters_own_pages_are_accessible_and_work_without_javascript(page):
    from harmsportal.audit.services import access_record
    from harmsportal.people.models import Role
    from reports.services.conversation import report_message_send
    from reports.services.lifecycle import report_outcome_record, report_progress_start
    from reports.services.sending import report_submit
    from tests.reports.factories import DraftReportFactory

    officer = make_person(full_name="Sam Officer")
    triager = make_person(Role.TRIAGE, kind="staff", full_name="Tri Ager")
    report = report_submit(actor=officer, report=DraftReportFactory(reporter=officer))
    report_progress_start(actor=triager, report=report)
    report_message_send(actor=triager, report=report, body="Are you safe at home tonight?")
    access_record(actor=triager, action="read", obj=report, force=report.force, role="triage")
    report_outcome_record(
        actor=triager, report=report, category="advice", explanation="We sent safety advice."
    )
    draft = DraftReportFactory(reporter=officer)
    sign_in(page, officer.email)

    visit(page, "/reports/")
    assert "Draft — continue" in page.locator("main").inner_text()
    visit(page, f"/reports/{report.public_id}/")
    main = page.locator("main").inner_text()
    assert "We sent safety advice." in main
    assert "Tri Ager" not in main

    page.get_by_label("Send a message to the team handling your report").fill("Thank you.")
    page.get_by_role("button", name="Send message").click()
    arrive(page, rf"/reports/{report.public_id}/#messages$")
    assert "Your message has been sent." in page.locator("main").inner_text()

    page.get_by_role("link", name="Withdraw this report").click()
    arrive(page, rf"/reports/{report.public_id}/withdraw/$")
    page.get_by_role("button", name="Withdraw report").click()
    arrive(page, rf"/reports/{report.public_id}/$")
    assert "This report was withdrawn" in page.locator("main").inner_text()

    visit(page, f"/reports/{draft.public_id}/delete/")
    page.get_by_role("button", name="Delete draft").click()
    arrive(page, r"/reports/$")
    assert not Report.objects.filter(pk=draft.pk).exists()
