"""The outcome reaches the reporter in the portal; the email says only "sign in"; notes never leak."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from reports.models import ReportStatus
from reports.services.lifecycle import report_withdraw
from tests.triage.factories import (
    REPORT_TEXT,
    AssessedCaseFactory,
    ClaimedCaseFactory,
    ClosedCaseFactory,
    OutcomeGivenCaseFactory,
)
from triage.models import Case, CaseStatus

pytestmark = pytest.mark.django_db

EXPLANATION = "We asked the platform to remove the post with your address, and it has gone."
SECRET_NOTE = "Reporter's ex-partner may be behind this; PNC check pending."


def url(case: Case, action: str = "") -> str:
    return f"/triage/cases/{case.public_id}/{action}"


def report_page(case: Case) -> str:
    """The reporter's own page for the report, in their own browser."""
    reporter = Client()
    reporter.force_login(case.report.reporter)
    response = reporter.get(f"/reports/{case.report.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_reporter_sees_the_outcome_in_the_portal(client):
    case = AssessedCaseFactory()
    client.force_login(case.assignee)
    response = client.post(
        url(case, "outcome/"), {"category": "takedown", "explanation": EXPLANATION}
    )
    assert response.status_code == 302
    stored = Case.objects.get(pk=case.pk)
    assert stored.status == CaseStatus.OUTCOME_GIVEN
    assert stored.report.status == ReportStatus.OUTCOME_GIVEN
    page = report_page(case)
    assert "Content reported to the platform for removal" in page
    assert EXPLANATION in page


def test_the_outcome_email_says_only_that_there_is_an_update(
    client, django_capture_on_commit_callbacks
):
    case = AssessedCaseFactory()
    client.force_login(case.assignee)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(case, "outcome/"), {"category": "takedown", "explanation": EXPLANATION})
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [case.report.reporter.email]
    text = f"{email.subject}\n{email.body}"
    assert "Sign in" in text
    for secret in (
        EXPLANATION,
        REPORT_TEXT,
        case.report.reference,
        "Content reported to the platform",
        "takedown",
        "doxx",
    ):
        assert secret.lower() not in text.lower()


def test_the_reporter_sees_messages_but_never_internal_notes(client):
    case = AssessedCaseFactory()
    client.force_login(case.assignee)
    client.post(url(case, "notes/new/"), {"body": SECRET_NOTE})
    client.post(url(case, "messages/new/"), {"body": "We have contacted the platform."})
    page = report_page(case)
    assert "We have contacted the platform." in page
    assert "PNC" not in page
    assert "ex-partner" not in page
    assert "Internal note" not in page


def test_an_outcome_needs_a_plain_english_explanation(client):
    case = AssessedCaseFactory()
    client.force_login(case.assignee)
    response = client.post(url(case, "outcome/"), {"category": "advice", "explanation": "  "})
    assert "Enter an explanation of the outcome for the reporter." in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ASSESSED


def test_an_unassessed_case_cannot_be_given_an_outcome(client):
    case = ClaimedCaseFactory()
    client.force_login(case.assignee)
    response = client.post(url(case, "outcome/"), {"category": "advice", "explanation": "Done."})
    assert "Assess the risk before giving an outcome." in response.content.decode()
    assert Case.objects.get(pk=case.pk).report.status != ReportStatus.OUTCOME_GIVEN


def test_closing_after_the_outcome_closes_the_report_too(client):
    case = OutcomeGivenCaseFactory()
    client.force_login(case.assignee)
    client.post(url(case, "close/"))
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.report.status) == (CaseStatus.CLOSED, ReportStatus.CLOSED)


def test_reopening_keeps_the_reason_as_an_internal_note_and_restarts_the_report(client, triager):
    case = ClosedCaseFactory()
    client.force_login(triager)
    client.post(url(case, "reopen/"), {"reason": "Reporter says the post is back up."})
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.assignee) == (CaseStatus.ASSESSED, triager)
    assert stored.report.status == ReportStatus.IN_PROGRESS
    assert stored.notes.get().body == "Reopened: Reporter says the post is back up."
    assert "post is back up" not in report_page(case)


def test_a_case_whose_report_was_withdrawn_can_be_closed_without_an_outcome(client):
    case = ClaimedCaseFactory()
    report_withdraw(actor=case.report.reporter, report=case.report, reason="Sorted now")
    client.force_login(case.assignee)
    client.post(url(case, "close/"))
    stored = Case.objects.get(pk=case.pk)
    assert stored.status == CaseStatus.CLOSED
    assert stored.report.status == ReportStatus.WITHDRAWN
