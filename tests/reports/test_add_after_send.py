"""The reporter adds evidence or links to a report they have already sent.

The same pipeline as the draft's (checks, encryption, the metadata-free viewing copy); only
the reporter, only while the report is open; and the triager holding the case is told, as
for a message, by case reference only.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from harmsportal.notifications.models import Notification
from reports.models import Evidence
from reports.services.evidence import report_evidence_add_after_send, report_link_add_after_send
from reports.services.lifecycle import report_withdraw
from tests.reports import hostile_files
from tests.reports.factories import image_upload
from tests.triage.factories import ClaimedCaseFactory, ClosedCaseFactory
from triage.models import Case, CaseEvent

LINK = "https://example.com/posts/42"


def _add(report) -> str:
    return f"/reports/{report.public_id}/add/"


@pytest.fixture
def case(officer, triager) -> Case:
    """The officer's sent report, its case held by the West Yorkshire triager."""
    return ClaimedCaseFactory(reporter=officer, assignee=triager)


def test_the_reporter_uploads_a_file_and_the_triager_holding_the_case_is_told(
    client, officer, triager, case
):
    report = case.report
    client.force_login(officer)
    response = client.post(_add(report), {"file": image_upload("later.jpg"), "action": "upload"})
    assert response.status_code == 302
    assert response["Location"] == _add(report)

    kept = report.evidence.get()
    assert kept.original_filename == "later.jpg"
    assert kept.kind == Evidence.Kind.IMAGE
    assert kept.has_viewing_copy  # the same pipeline: GPS-free viewing copy
    assert kept.uploaded_at > report.submitted_at
    told = Notification.objects.get(user=triager, title__contains="added evidence")
    assert report.reference in told.title
    assert "later.jpg" not in told.title
    assert case.events.filter(kind=CaseEvent.Kind.EVIDENCE_ADDED, actor=officer).exists()


def test_the_case_lists_the_new_file_with_its_date(client, officer, triager, case):
    report_evidence_add_after_send(
        actor=officer, report=case.report, data=hostile_files.jpeg(), filename="later.jpg"
    )
    client.force_login(triager)
    page = client.get(f"/triage/cases/{case.public_id}/").content.decode()
    evidence = page[page.index('id="evidence"') :]
    assert "later.jpg" in evidence
    assert "Added after the report was sent" in evidence


def test_the_reporter_adds_a_link_and_finishes_on_their_report(client, officer, triager, case):
    client.force_login(officer)
    client.post(_add(case.report), {"link_url": LINK, "action": "add_link"})
    assert case.report.evidence.get().link_url == LINK
    assert Notification.objects.filter(user=triager, title__contains="added evidence").exists()
    done = client.post(_add(case.report), {"action": "done"})
    assert done["Location"] == f"/reports/{case.report.public_id}/#evidence"
    page = client.get(f"/reports/{case.report.public_id}/").content.decode()
    assert LINK in page
    assert "Add more evidence or links" in page


def test_a_refused_file_is_explained_and_nobody_is_told(client, officer, triager, case):
    client.force_login(officer)
    upload = SimpleUploadedFile("run.exe", hostile_files.windows_executable())
    page = client.post(_add(case.report), {"file": upload, "action": "upload"}).content.decode()
    assert "There is a problem" in page
    assert not case.report.evidence.exists()
    assert not Notification.objects.filter(user=triager, title__contains="added evidence").exists()


def test_nothing_is_added_to_a_closed_or_withdrawn_report(client, officer, triager):
    closed = ClosedCaseFactory(reporter=officer, assignee=triager).report
    withdrawn = ClaimedCaseFactory(reporter=officer, assignee=triager).report
    report_withdraw(actor=officer, report=withdrawn)
    client.force_login(officer)
    for report in (closed, withdrawn):
        assert client.get(_add(report))["Location"] == f"/reports/{report.public_id}/"
        client.post(_add(report), {"link_url": LINK, "action": "add_link"})
        assert not report.evidence.exists()
        assert (
            "Add more evidence or links"
            not in client.get(f"/reports/{report.public_id}/").content.decode()
        )
        with pytest.raises(ValidationError):
            report_link_add_after_send(actor=officer, report=report, url=LINK)


def test_only_the_reporter_may_add(officer, staff_member, case):
    with pytest.raises(ValidationError):
        report_link_add_after_send(actor=staff_member, report=case.report, url=LINK)
    with pytest.raises(ValidationError):
        report_evidence_add_after_send(
            actor=staff_member, report=case.report, data=hostile_files.jpeg(), filename="a.jpg"
        )
    assert not case.report.evidence.exists()


def test_with_nobody_holding_the_case_its_supervisors_are_told(
    client, officer, triager, triage_supervisor
):
    from triage.services.claiming import case_unclaim

    case = ClaimedCaseFactory(reporter=officer, assignee=triager)
    case_unclaim(actor=triager, case=case)
    client.force_login(officer)
    client.post(_add(case.report), {"link_url": LINK, "action": "add_link"})
    assert Notification.objects.filter(
        user=triage_supervisor, title__contains="added evidence"
    ).exists()
    assert not Notification.objects.filter(user=triager, title__contains="added evidence").exists()
