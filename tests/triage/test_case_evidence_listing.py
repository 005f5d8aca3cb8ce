"""The case page lists each piece of evidence once, in its own section."""

from __future__ import annotations

from reports.services.evidence import report_evidence_add
from reports.services.sending import report_submit
from tests.reports import hostile_files
from tests.reports.factories import DraftReportFactory


def test_the_case_page_lists_each_file_once(client, officer, triager):
    draft = DraftReportFactory(reporter=officer)
    report_evidence_add(actor=officer, report=draft, data=hostile_files.png(), filename="shot.png")
    report = report_submit(actor=officer, report=draft)
    client.force_login(triager)

    page = client.get(f"/triage/cases/{report.case.public_id}/").content.decode()

    assert page.count("shot.png") == 1
    assert page.count('id="evidence"') == 1


def test_the_case_page_says_when_there_is_no_evidence(client, officer, triager):
    report = report_submit(actor=officer, report=DraftReportFactory(reporter=officer))
    client.force_login(triager)

    page = client.get(f"/triage/cases/{report.case.public_id}/").content.decode()

    assert "The reporter did not add any evidence." in page
    assert page.count('id="evidence"') == 1
