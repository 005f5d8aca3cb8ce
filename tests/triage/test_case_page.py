"""Working a case through its pages: reading (audited), assessment, actions, notes, evidence."""

from __future__ import annotations

import hashlib

import pytest
from django.core import mail

from harmsportal.audit.models import AccessLog
from harmsportal.notifications.models import Notification
from reports.evidence.storage import store_encrypted
from reports.models import Evidence, HarmCategory
from reports.services.evidence import report_evidence_add
from reports.services.sending import report_submit
from tests.reports.factories import DraftReportFactory, image_upload
from tests.triage.factories import (
    REPORT_TEXT,
    AssessedCaseFactory,
    CaseFactory,
    ClaimedCaseFactory,
    reporter_in,
)
from triage.models import Case, CaseAction, CaseStatus

pytestmark = pytest.mark.django_db


def url(case: Case, action: str = "") -> str:
    return f"/triage/cases/{case.public_id}/{action}"


def test_opening_a_case_shows_the_report_and_records_the_read(client, triager):
    case = CaseFactory()
    client.force_login(triager)
    page = client.get(url(case)).content.decode()
    assert case.report.reference in page
    assert REPORT_TEXT.split(" on ")[0] in page
    log = AccessLog.objects.get(actor=triager)
    assert (log.action, log.object_type, log.object_id) == (
        "read",
        "reports.report",
        str(case.report_id),
    )
    assert (log.actor_role, log.force_slug) == ("triage", "west-yorkshire")


def test_the_reporter_sees_that_triage_read_their_report_but_not_who(client, triager):
    case = CaseFactory()
    client.force_login(triager)
    client.get(url(case))
    client.force_login(case.report.reporter)
    page = client.get(f"/reports/{case.report.public_id}/").content.decode()
    seen_by = page.split('id="seen-by"', 1)[1]
    assert "Triage" in seen_by
    assert "West Yorkshire Police" in seen_by
    assert triager.get_full_name() not in seen_by


def test_a_supervisors_read_is_recorded_as_the_supervisor_role(client, triage_supervisor):
    case = CaseFactory()
    client.force_login(triage_supervisor)
    client.get(url(case))
    assert AccessLog.objects.get(actor=triage_supervisor).actor_role == "triage_supervisor"


def _assessment(risk: str = "medium", **extra) -> dict:
    doxxing = HarmCategory.objects.get(slug="doxxing").pk
    return {
        "risk": risk,
        "categories": [doxxing],
        "recording_decision": "non_crime_incident",
        **extra,
    }


def test_assessing_as_immediate_shows_999_guidance_and_alerts_supervisors_at_once(
    client, triage_supervisor, django_capture_on_commit_callbacks
):
    case = ClaimedCaseFactory()
    client.force_login(case.assignee)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(case, "assess/"), _assessment("immediate"), follow=True)
    page = response.content.decode()
    assert "call 999 or your force control room" in page
    alert = Notification.objects.get(user=triage_supervisor)
    assert (alert.kind, alert.link_path) == ("alert", url(case))
    # The reporter is emailed too: they asked to be offered support (decision 0008).
    staff_mail = [message for message in mail.outbox if message.to != [case.report.reporter.email]]
    assert [message.to for message in staff_mail] == [[triage_supervisor.email]]
    assert case.report.reference not in staff_mail[0].body


def test_saving_an_immediate_assessment_again_does_not_alert_twice(client, triage_supervisor):
    case = ClaimedCaseFactory()
    client.force_login(case.assignee)
    client.post(url(case, "assess/"), _assessment("immediate"))
    client.post(url(case, "assess/"), _assessment("immediate", crime_reference="13/1234/26"))
    assert Notification.objects.filter(user=triage_supervisor, kind="alert").count() == 1


def test_an_assessment_can_change_the_reporters_categories(client):
    case = ClaimedCaseFactory(categories=["abuse"])
    client.force_login(case.assignee)
    threats = HarmCategory.objects.get(slug="threats").pk
    client.post(url(case, "assess/"), {**_assessment(), "categories": [threats]})
    stored = Case.objects.get(pk=case.pk)
    assert list(stored.categories.values_list("slug", flat=True)) == ["threats"]
    assert list(stored.report.categories.values_list("slug", flat=True)) == ["abuse"]


def test_an_incomplete_assessment_is_shown_again_with_its_errors(client):
    case = ClaimedCaseFactory()
    client.force_login(case.assignee)
    response = client.post(url(case, "assess/"), {"recording_decision": "crime"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Select how serious the risk to the person is." in page
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLAIMED


def test_someone_who_has_not_claimed_the_case_cannot_assess_it(client, triager):
    case = ClaimedCaseFactory()
    client.force_login(triager)
    response = client.post(url(case, "assess/"), _assessment())
    assert "is working on this case" in response.content.decode()
    assert Case.objects.get(pk=case.pk).risk == ""


def test_no_further_action_needs_a_reason(client):
    case = AssessedCaseFactory()
    client.force_login(case.assignee)
    response = client.post(url(case, "actions/new/"), {"kind": "no_further_action"})
    assert "Enter the reason for no further action." in response.content.decode()
    assert not case.actions.exists()


def test_a_referral_for_investigation_records_the_crime_reference(client):
    case = AssessedCaseFactory()
    client.force_login(case.assignee)
    client.post(
        url(case, "actions/new/"),
        {"kind": "investigation_referral", "crime_reference": "13/98765/26", "note": "To CID"},
    )
    stored = Case.objects.get(pk=case.pk)
    assert stored.status == CaseStatus.ACTION_UNDER_WAY
    assert stored.crime_reference == "13/98765/26"
    action = stored.actions.get()
    assert (action.kind, action.by) == (CaseAction.Kind.INVESTIGATION_REFERRAL, case.assignee)


def test_notes_and_messages_are_labelled_differently_on_the_case_page(client):
    case = AssessedCaseFactory()
    client.force_login(case.assignee)
    client.post(url(case, "notes/new/"), {"body": "Checked PNC, nothing further."})
    client.post(url(case, "messages/new/"), {"body": "We are looking at what you sent."})
    page = client.get(url(case)).content.decode()
    notes = page.split('id="notes"', 1)[1].split('id="actions"', 1)[0]
    thread = page.split('id="messages"', 1)[1].split('id="notes"', 1)[0]
    assert "Internal note — not visible to the reporter" in notes
    assert "Checked PNC" in notes
    assert "Message to the reporter" in thread
    assert "We are looking at what you sent." in thread
    assert "Checked PNC" not in thread


def test_a_message_to_the_reporter_stops_the_first_response_clock(client):
    case = AssessedCaseFactory()
    client.force_login(case.assignee)
    client.post(url(case, "messages/new/"), {"body": "We have your report."})
    stored = Case.objects.get(pk=case.pk)
    assert stored.first_responded_at is not None
    assert stored.next_update_due > stored.first_responded_at
    assert stored.report.messages.get().from_reporter is False


# ---------------------------------------------------------------------------
# Evidence
# ---------------------------------------------------------------------------


def _case_with_photo() -> Case:
    reporter = reporter_in()
    draft = DraftReportFactory(reporter=reporter)
    upload = image_upload()
    report_evidence_add(actor=reporter, report=draft, data=upload.read(), filename=upload.name)
    report = report_submit(actor=reporter, report=draft)
    return Case.objects.get(report=report)


def test_evidence_downloads_as_an_audited_attachment_that_is_never_cached(client, triager):
    case = _case_with_photo()
    evidence = case.report.evidence.get()
    client.force_login(triager)
    response = client.get(url(case, f"evidence/{evidence.public_id}/"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    log = AccessLog.objects.get(actor=triager, action="download")
    assert (log.object_type, log.object_id) == ("reports.evidence", str(evidence.pk))
    assert (log.actor_role, log.force_slug) == ("triage", "west-yorkshire")


def test_the_viewing_copy_is_served_unless_the_original_is_asked_for(client, triager):
    case = _case_with_photo()
    evidence = case.report.evidence.get()
    client.force_login(triager)
    copy = client.get(url(case, f"evidence/{evidence.public_id}/")).content
    original = client.get(url(case, f"evidence/{evidence.public_id}/?copy=original")).content
    assert hashlib.sha256(original).hexdigest() == evidence.sha256
    assert hashlib.sha256(copy).hexdigest() != evidence.sha256


def test_evidence_of_another_report_or_a_link_is_not_found_through_this_case(client, triager):
    case = CaseFactory()
    other = _case_with_photo()
    link = Evidence.objects.create(
        report=case.report,
        kind="link",
        link_url="https://example.com/post/1",
        uploaded_by=case.report.reporter,
    )
    text = Evidence.objects.create(
        report=case.report,
        kind="text",
        original_filename="chat.txt",
        mime="text/plain",
        stored_path=store_encrypted(b"saved chat"),
        uploaded_by=case.report.reporter,
    )
    client.force_login(triager)
    assert client.get(url(case, f"evidence/{other.report.evidence.get().pk}/")).status_code == 404
    assert client.get(url(case, f"evidence/{link.public_id}/")).status_code == 404
    assert client.get(url(case, f"evidence/{text.public_id}/")).content == b"saved chat"
