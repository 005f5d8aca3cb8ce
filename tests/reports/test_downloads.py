"""Evidence downloads, on both routes: the name comes from the detected type, never the upload.

An outside probe found `invoice.csv` (text) downloading as `invoice.csv`, which a spreadsheet
runs as formulas, and a PNG named `image.html` downloading as `image.html`; and triage's route
without the sandbox CSP. Both routes now go through `reports.downloads`.
"""

from __future__ import annotations

import re

import pytest

from harmsportal.audit.models import AccessLog
from reports.downloads import EXTENSIONS, SANDBOX_CSP
from reports.services.evidence import report_evidence_add
from reports.services.sending import report_submit
from tests.reports import hostile_files
from tests.reports.factories import DraftReportFactory

# (uploaded name, bytes, the extension and type the download must have)
KINDS = {
    "jpeg named .exe-like": (
        "holiday.jpeg.html",
        hostile_files.jpeg(gps=True),
        ".jpg",
        "image/jpeg",
    ),
    "png named image.html": ("image.html", hostile_files.png(), ".png", "image/png"),
    "webp named .svg": ("pic.svg", hostile_files.webp(), ".webp", "image/webp"),
    "gif named .js": ("anim.js", hostile_files.animated_gif(), ".gif", "image/gif"),
    "pdf named .xlsx": ("statement.xlsx", hostile_files.clean_pdf(), ".pdf", "application/pdf"),
    "text named invoice.csv": (
        "invoice.csv",
        b'=HYPERLINK("http://example.invalid","click"),1,2\nname,amount\n',
        ".txt",
        "text/plain",
    ),
}


def _sent_report_with(officer, filename: str, data: bytes):
    draft = DraftReportFactory(reporter=officer)
    evidence = report_evidence_add(actor=officer, report=draft, data=data, filename=filename)
    report = report_submit(actor=officer, report=draft)
    return report, evidence


def _routes(report, evidence) -> dict[str, str]:
    return {
        "reporter": f"/reports/{report.public_id}/evidence/{evidence.public_id}/",
        "triage": f"/triage/cases/{report.case.public_id}/evidence/{evidence.public_id}/",
    }


def _filename(response) -> str:
    match = re.search(r'filename="([^"]+)"', response["Content-Disposition"])
    assert match, response["Content-Disposition"]
    return match.group(1)


@pytest.mark.parametrize("kind", KINDS, ids=list(KINDS))
@pytest.mark.parametrize("route", ["reporter", "triage"])
@pytest.mark.parametrize("copy", ["", "?copy=original", "?copy=viewing"])
def test_download_name_and_type_come_from_the_detected_type_on_both_routes(
    client, officer, triager, kind, route, copy
):
    uploaded, data, extension, mime = KINDS[kind]
    report, evidence = _sent_report_with(officer, uploaded, data)
    client.force_login(officer if route == "reporter" else triager)

    response = client.get(_routes(report, evidence)[route] + copy)

    if copy == "?copy=viewing" and not evidence.has_viewing_copy:
        assert response.status_code == 404  # a PDF or text file has only its original
        return
    assert response.status_code == 200
    name = _filename(response)
    stem, _, _ = uploaded.partition(".")
    assert stem not in name  # nothing of the uploaded name survives
    assert name.startswith(f"{report.reference}-evidence-")
    served_original = copy == "?copy=original" or not evidence.has_viewing_copy
    if not served_original:  # a WebP's viewing copy is a JPEG, a GIF's a PNG, and so on
        mime = evidence.viewing_mime
        extension = EXTENSIONS[mime]
    assert name.endswith(extension)
    assert name.count(".") == 1
    assert response["Content-Type"].split(";")[0] == mime
    assert response["Content-Disposition"].startswith("attachment;")
    if served_original:
        assert response.content == data
        assert "viewing-copy" not in name
    else:
        assert "viewing-copy" in name
        if kind.startswith("jpeg"):  # the photo carries GPS; its viewing copy must not
            assert hostile_files.CAMERA_MAKE.encode() not in response.content


@pytest.mark.parametrize("route", ["reporter", "triage"])
def test_both_downloads_send_the_sandbox_csp_nosniff_and_no_store(client, officer, triager, route):
    report, evidence = _sent_report_with(officer, "image.html", hostile_files.png())
    client.force_login(officer if route == "reporter" else triager)

    response = client.get(_routes(report, evidence)[route])

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == SANDBOX_CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("route", ["reporter", "triage"])
def test_each_download_is_recorded_once_in_the_access_log(client, officer, triager, route):
    report, evidence = _sent_report_with(officer, "a.jpg", hostile_files.jpeg(gps=True))
    reader = officer if route == "reporter" else triager
    client.force_login(reader)
    before = AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD).count()

    client.get(_routes(report, evidence)[route] + "?copy=original")

    logged = AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD)
    assert logged.count() == before + 1
    assert logged.latest("pk").actor == reader
