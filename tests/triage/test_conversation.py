"""The conversation works both ways: when the reporter writes, triage is told and sees it."""

from __future__ import annotations

import pytest
from django.core import mail

from harmsportal.notifications.models import Notification
from reports.intake import WROTE_EVIDENCE, intake_reporter_wrote
from tests.triage.factories import (
    AssessedCaseFactory,
    CaseFactory,
    ClaimedCaseFactory,
    OutcomeGivenCaseFactory,
    triager_in,
)
from triage.models import Case, CaseEvent, TriagePreference

pytestmark = pytest.mark.django_db

SECRET = "He followed me home from the station"


def reporter_writes(client, case: Case, body: str = SECRET) -> None:
    client.force_login(case.report.reporter)
    response = client.post(f"/reports/{case.report.public_id}/messages/", {"body": body})
    assert response.status_code == 302


def queue_row(client, user, case: Case, query: dict | None = None) -> str:
    client.force_login(user)
    page = client.get("/triage/", query or {}).content.decode()
    if case.report.reference not in page:
        return ""
    return page.split(case.report.reference, 1)[1].split("</tr>", 1)[0]


def test_the_holder_is_told_in_the_portal_by_case_reference_never_the_words(client, triager):
    case = AssessedCaseFactory(assignee=triager)
    reporter_writes(client, case)
    (told,) = Notification.objects.filter(user=triager)
    assert told.title == f"The reporter sent a message on case {case.report.reference}"
    assert SECRET not in told.title
    assert told.link_path == f"/triage/cases/{case.public_id}/"
    # Nobody chose email, so none is sent.
    assert told.email_status == Notification.EmailStatus.NOT_REQUIRED
    assert case.events.filter(kind=CaseEvent.Kind.REPORTER_MESSAGED).exists()


def test_the_holder_is_emailed_only_if_they_chose_email(
    client, triager, django_capture_on_commit_callbacks
):
    TriagePreference.objects.create(user=triager, email_when_reporter_writes=True)
    case = AssessedCaseFactory(assignee=triager)
    with django_capture_on_commit_callbacks(execute=True):
        reporter_writes(client, case)
    (email,) = [message for message in mail.outbox if triager.email in message.to]
    assert SECRET not in email.body
    assert case.report.reference not in email.body + email.subject


def test_the_queue_marks_the_case_unread_until_the_holder_opens_it(client, triager):
    colleague = triager_in(full_name="Col League")
    case = AssessedCaseFactory(assignee=triager)
    reporter_writes(client, case)
    assert "New from reporter" in queue_row(client, triager, case)
    assert "New from reporter" in queue_row(client, colleague, case)
    client.get(f"/triage/cases/{case.public_id}/")  # the colleague opens it: still unread
    assert "New from reporter" in queue_row(client, triager, case)
    page = client.get(f"/triage/cases/{case.public_id}/").content.decode()
    assert 'id="new-from-reporter"' in page  # shown once, to the holder who opens it
    assert "New from reporter" not in queue_row(client, triager, case)


def test_with_nobody_holding_it_the_force_sees_the_marker_and_supervisors_are_told(
    client, triager, triage_supervisor, other_force_triager
):
    case = CaseFactory()
    reporter_writes(client, case)
    assert "New from reporter" in queue_row(client, triager, case)
    assert queue_row(client, other_force_triager, case) == ""
    (told,) = Notification.objects.filter(user=triage_supervisor)
    assert told.title == f"The reporter sent a message on case {case.report.reference}"
    assert not Notification.objects.filter(user=triager).exists()
    # Claiming and opening it is what clears it.
    client.force_login(triager)
    client.post(f"/triage/cases/{case.public_id}/claim/")
    client.get(f"/triage/cases/{case.public_id}/")
    assert Case.objects.get(pk=case.pk).unread_since is None


def test_answering_the_reporter_clears_the_marker(client, triager):
    case = AssessedCaseFactory(assignee=triager)
    reporter_writes(client, case)
    client.force_login(triager)
    client.post(f"/triage/cases/{case.public_id}/messages/new/", {"body": "Thank you."})
    assert Case.objects.get(pk=case.pk).unread_since is None


def test_evidence_added_after_sending_tells_the_holder_too(triager):
    case = ClaimedCaseFactory(assignee=triager)
    intake_reporter_wrote(case.report, actor=case.report.reporter, what=WROTE_EVIDENCE)
    (told,) = Notification.objects.filter(user=triager)
    assert told.title == f"The reporter added evidence to case {case.report.reference}"
    assert case.events.filter(kind=CaseEvent.Kind.EVIDENCE_ADDED).exists()
    assert Case.objects.get(pk=case.pk).unread_since is not None


def test_a_reply_after_the_outcome_brings_the_case_back_to_the_teams_attention(
    client, triager, triage_supervisor
):
    replied = OutcomeGivenCaseFactory(assignee=triager)
    quiet = OutcomeGivenCaseFactory(assignee=triager)
    assert queue_row(client, triager, replied) == ""  # an outcome: out of the Open view
    reporter_writes(client, replied, "Thank you, but it has started again.")

    # Still in the default Open view, visibly tagged, and in its own filter.
    row = queue_row(client, triager, replied)
    assert "Reporter replied" in row
    assert "New from reporter" in row
    assert queue_row(client, triager, quiet) == ""
    assert queue_row(client, triager, replied, {"status": "replied"})
    assert queue_row(client, triager, quiet, {"status": "replied"}) == ""
    # The supervisor view counts it.
    client.force_login(triage_supervisor)
    page = client.get("/triage/supervisor/").content.decode()
    section = page.split('id="replied"', 1)[1].split("<h2", 1)[0]
    assert ">1</strong> case with an outcome has a new message" in section
    assert "/triage/?status=replied" in section

    # Answering them puts it back with the finished cases.
    client.force_login(triager)
    client.post(f"/triage/cases/{replied.public_id}/messages/new/", {"body": "We will call you."})
    assert Case.objects.get(pk=replied.pk).reporter_replied_at is None
    assert queue_row(client, triager, replied) == ""


def test_a_reply_to_a_closed_case_counts_too(client, triager):
    case = OutcomeGivenCaseFactory(assignee=triager)
    client.force_login(triager)
    client.post(f"/triage/cases/{case.public_id}/close/")
    reporter_writes(client, case)
    assert "Reporter replied" in queue_row(client, triager, case)
    page = client.get(f"/triage/cases/{case.public_id}/").content.decode()
    assert 'id="reporter-replied"' in page
    assert "Answer the reporter" in page
    client.post(f"/triage/cases/{case.public_id}/messages/new/", {"body": "We will call you."})
    assert Case.objects.get(pk=case.pk).reporter_replied_at is None
    client.force_login(case.report.reporter)
    assert "We will call you." in client.get(f"/reports/{case.report.public_id}/").content.decode()
