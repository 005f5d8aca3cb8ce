"""A reporter's own reports: the list, a report's page, messages, outcome and withdrawal."""

from __future__ import annotations

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harmsportal.people.models import FamilyLink
from reports.models import Report, ReportMessage, ReportStatus, Subject
from reports.services.conversation import report_message_send
from reports.services.lifecycle import report_outcome_record, report_progress_start
from tests.reports.factories import DraftReportFactory, SubmittedReportFactory, family_report


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_my_reports_lists_sent_reports_with_status_tags_and_drafts(client, officer):
    sent = SubmittedReportFactory(reporter=officer)
    withdrawn = SubmittedReportFactory(reporter=officer, status=ReportStatus.WITHDRAWN)
    DraftReportFactory(reporter=officer)
    client.force_login(officer)
    page = _page(client, "/reports/")
    assert sent.reference in page
    assert withdrawn.reference in page
    assert 'govuk-tag govuk-tag--blue">Received' in page
    assert 'govuk-tag govuk-tag--orange">Withdrawn' in page
    assert "Draft — continue" in page


def test_my_reports_shows_nobody_elses_reports(client, officer, staff_member):
    theirs = SubmittedReportFactory(reporter=staff_member)
    client.force_login(officer)
    page = _page(client, "/reports/")
    assert theirs.reference not in page
    assert "You have not made any reports yet." in page


def test_a_report_page_shows_answers_and_the_status_timeline(client, officer, triager):
    report = SubmittedReportFactory(reporter=officer)
    report.status_events.create(status=ReportStatus.SUBMITTED, note="We received your report.")
    report_progress_start(actor=triager, report=report)
    client.force_login(officer)
    page = _page(client, f"/reports/{report.public_id}/")
    assert f"Report {report.reference}" in page
    assert "Doxxing or malicious identification" in page
    assert "An account posted my photo" in page
    timeline = page[page.index('id="timeline"') :]
    assert timeline.index("Received") < timeline.index("Being looked at")
    assert "Someone in your force's triage team is looking at it." in timeline


def test_a_draft_has_no_report_page_and_goes_back_to_the_journey(client, officer):
    draft = DraftReportFactory(reporter=officer)
    client.force_login(officer)
    response = client.get(f"/reports/{draft.public_id}/")
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{draft.public_id}/check/"


def test_the_reporter_sends_a_message_and_sees_the_thread(client, officer, triager):
    report = SubmittedReportFactory(reporter=officer)
    report_message_send(actor=triager, report=report, body="Are you safe at home tonight?")
    client.force_login(officer)
    response = client.post(
        f"/reports/{report.public_id}/messages/", {"body": "Yes, thank you. Another post went up."}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{report.public_id}/#messages"
    page = _page(client, f"/reports/{report.public_id}/")
    thread = page[page.index('id="messages"') :]
    assert thread.index("Are you safe at home tonight?") < thread.index("Another post went up.")
    assert "The team handling this report" in thread
    assert triager.get_full_name() not in page


def test_reading_the_report_marks_triage_messages_read(client, officer, triager):
    report = SubmittedReportFactory(reporter=officer)
    message = report_message_send(actor=triager, report=report, body="Please call us.")
    client.force_login(officer)
    client.get(f"/reports/{report.public_id}/")
    message.refresh_from_db()
    assert message.read_at is not None


def test_an_empty_message_shows_an_error_and_sends_nothing(client, officer):
    report = SubmittedReportFactory(reporter=officer)
    client.force_login(officer)
    response = client.post(f"/reports/{report.public_id}/messages/", {"body": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Enter a message" in page
    assert not ReportMessage.objects.exists()


def test_a_too_long_message_keeps_what_was_typed(client, officer):
    report = SubmittedReportFactory(reporter=officer)
    client.force_login(officer)
    body = "They keep posting. " * 300
    page = client.post(f"/reports/{report.public_id}/messages/", {"body": body}).content.decode()
    assert "5,000 characters or fewer" in page
    assert "They keep posting. They keep posting." in page


def test_the_outcome_appears_when_triage_gives_it(client, officer, triager):
    report = SubmittedReportFactory(reporter=officer)
    client.force_login(officer)
    assert 'id="outcome"' not in _page(client, f"/reports/{report.public_id}/")
    report_outcome_record(
        actor=triager,
        report=report,
        category="takedown",
        explanation="We asked X to remove the posts that named your street.",
    )
    page = _page(client, f"/reports/{report.public_id}/")
    outcome = page[page.index('id="outcome"') :]
    assert "Content reported to the platform for removal" in outcome
    assert "named your street" in outcome


def test_withdrawing_asks_for_confirmation_then_withdraws(client, officer):
    report = SubmittedReportFactory(reporter=officer)
    client.force_login(officer)
    assert "Withdraw this report" in _page(client, f"/reports/{report.public_id}/")
    confirm = _page(client, f"/reports/{report.public_id}/withdraw/")
    assert f"Are you sure you want to withdraw report {report.reference}?" in confirm
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED  # looking at the page changes nothing

    response = client.post(f"/reports/{report.public_id}/withdraw/", {"reason": "It has stopped."})
    assert response["Location"] == f"/reports/{report.public_id}/"
    report.refresh_from_db()
    assert report.status == ReportStatus.WITHDRAWN
    assert report.withdrawal_reason == "It has stopped."
    page = _page(client, f"/reports/{report.public_id}/")
    assert "This report was withdrawn" in page
    assert "Withdraw this report" not in page
    assert "Send message" not in page


def test_a_reason_is_optional_when_withdrawing(client, officer):
    report = SubmittedReportFactory(reporter=officer)
    client.force_login(officer)
    client.post(f"/reports/{report.public_id}/withdraw/", {"reason": ""})
    report.refresh_from_db()
    assert report.status == ReportStatus.WITHDRAWN


@pytest.mark.parametrize("status", [ReportStatus.WITHDRAWN, ReportStatus.CLOSED])
def test_a_finished_report_cannot_be_withdrawn(client, officer, status):
    report = SubmittedReportFactory(reporter=officer, status=status)
    client.force_login(officer)
    response = client.post(f"/reports/{report.public_id}/withdraw/", {"reason": ""})
    assert response["Location"] == f"/reports/{report.public_id}/"
    report.refresh_from_db()
    assert report.status == status


def _fill_my_reports(officer, family_member, count: int) -> None:
    """`count` drafts and `count` sent reports of every kind, and as many shared with them."""
    link = FamilyLink.objects.get(member=officer, family_user=family_member)
    about = [
        {"subject": Subject.SELF},
        {"subject": Subject.FAMILY, "family_link": link},
        {"subject": Subject.CHILD, "child_first_name": "Mia", "child_age_band": "5_to_9"},
    ]
    for n in range(count):
        # A draft about hate, not yet described: its next question needs the categories.
        DraftReportFactory(reporter=officer, description="", categories=["hate"], **about[n % 3])
        SubmittedReportFactory(reporter=officer, **about[n % 3])
        family_report(family_member, shared=True)


def test_my_reports_asks_as_many_queries_for_twelve_reports_as_for_two(
    client, officer, family_member, django_assert_max_num_queries
):
    client.force_login(officer)
    _fill_my_reports(officer, family_member, 2)
    with CaptureQueriesContext(connection) as with_two:
        _page(client, "/reports/")
    _fill_my_reports(officer, family_member, 10)
    with django_assert_max_num_queries(len(with_two)):
        page = _page(client, "/reports/")
    assert page.count("Draft — continue") == 12
    assert page.count("Jo Family (partner or spouse)") == 4
    assert page.count("Mia, a child aged 5 to 9") == 3
    assert f"/reports/{Report.objects.filter(status='draft').first().public_id}/step/hate/" in page
