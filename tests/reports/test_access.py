"""Who may read a report and its evidence: the reporter, and a linked member it was shared with
(the report and its messages only: evidence files are the reporter's alone).

Everyone else — Professional Standards, triage of this force or another, champions, leads,
analysts — gets the same 404 as for a report that does not exist. Triage reads reports
through its own cases, never here.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from harmsportal.audit.models import AccessLog
from harmsportal.audit.services import access_record
from harmsportal.people.models import Role
from harmsportal.people.services import family_link_end
from reports.models import Report
from reports.selectors import get_report_for_user, reports_visible_to
from reports.services.conversation import report_sharing_stop
from reports.services.evidence import report_evidence_add
from reports.services.sending import report_submit
from tests.reports import hostile_files
from tests.reports.factories import DraftReportFactory, SubmittedReportFactory, family_report

OUTSIDERS = [
    "staff_member",
    "psd_officer",
    "triager",
    "triage_supervisor",
    "other_force_triager",
    "champion",
    "force_lead",
    "oversight",
    "analyst",
    "trainer",
    "platform_admin",
]


def _with_image(reporter, **fields) -> Report:
    """A report sent through the real services, with a photo that carries GPS data."""
    draft = DraftReportFactory(reporter=reporter, **fields)
    report_evidence_add(
        actor=reporter, report=draft, data=hostile_files.jpeg(gps=True), filename="a.jpg"
    )
    return report_submit(actor=reporter, report=draft)


def _family_fields(family_user, *, shared: bool) -> dict:
    link = family_user.linked_members.get()
    return {
        "family_link": link,
        "force": link.force,
        "shared_with_member": shared,
        "line_manager_answered": False,
    }


def _urls(report: Report) -> list[str]:
    evidence = report.evidence.get()
    base = f"/reports/{report.public_id}/"
    return [
        base,
        f"{base}evidence/{evidence.public_id}/",
        f"{base}evidence/{evidence.public_id}/?copy=viewing",
    ]


@pytest.fixture
def officer_report(officer) -> Report:
    return _with_image(officer)


def test_reporter_can_read_their_report_and_download_its_evidence(client, officer, officer_report):
    client.force_login(officer)
    for url in _urls(officer_report):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_else_can_read_a_report_or_its_evidence(client, persona, officer_report, who):
    client.force_login(persona(who))
    for url in _urls(officer_report):
        assert client.get(url).status_code == 404, url
    assert not AccessLog.objects.filter(actor_id=persona(who).pk).exists()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_a_forbidden_report_looks_exactly_like_a_missing_one(client, persona, officer, who):
    report = SubmittedReportFactory(reporter=officer)
    client.force_login(persona(who))
    forbidden = client.get(f"/reports/{report.public_id}/")
    missing = client.get("/reports/999999/")
    assert forbidden.status_code == missing.status_code == 404
    assert _without_nonces(forbidden) == _without_nonces(missing)


def _without_nonces(response) -> str:
    # Each response carries a fresh CSP nonce and CSRF token; everything else must match.
    page = re.sub(r'nonce="[^"]*"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def test_anonymous_visitor_is_sent_to_sign_in(client, officer_report):
    for url in _urls(officer_report):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_linked_officer_gets_404_for_an_unshared_family_report(client, officer, family_member):
    report = _with_image(family_member, **_family_fields(family_member, shared=False))
    client.force_login(officer)
    for url in _urls(report):
        assert client.get(url).status_code == 404, url


def test_linked_officer_can_read_a_family_report_shared_with_them(client, officer, family_member):
    report = _with_image(family_member, **_family_fields(family_member, shared=True))
    client.force_login(officer)
    response = client.get(f"/reports/{report.public_id}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Shared with you by {family_member.get_full_name()}" in page
    assert "Send message" not in page
    assert "Withdraw this report" not in page
    assert "Who has seen your report" not in page
    assert AccessLog.objects.filter(actor_id=officer.pk, actor_role="linked member").exists()


def test_linked_officer_gets_404_for_the_evidence_of_a_shared_family_report(
    client, officer, family_member
):
    report = _with_image(family_member, **_family_fields(family_member, shared=True))
    client.force_login(officer)
    original, viewing_copy = _urls(report)[1:]
    assert client.get(original).status_code == 404
    assert client.get(viewing_copy).status_code == 404
    assert not AccessLog.objects.filter(actor_id=officer.pk, action="download").exists()


def test_linked_officer_sees_how_much_evidence_there_is_but_no_file_names_or_links(
    client, officer, family_member
):
    report = _with_image(family_member, **_family_fields(family_member, shared=True))
    client.force_login(officer)
    page = client.get(f"/reports/{report.public_id}/").content.decode()
    assert "Jo added 1 file as evidence." in page
    assert "/evidence/" not in page
    assert "a.jpg" not in page


def test_a_shared_family_report_is_listed_for_the_linked_officer(client, officer, family_member):
    report = family_report(family_member, shared=True)
    client.force_login(officer)
    listing = client.get("/reports/").content.decode()
    assert report.reference in listing
    assert "Reports your family have shared with you" in listing


def test_linked_officer_cannot_message_or_withdraw_a_shared_report(client, officer, family_member):
    report = family_report(family_member, shared=True)
    client.force_login(officer)
    assert client.post(f"/reports/{report.public_id}/messages/", {"body": "Hi"}).status_code == 404
    assert client.get(f"/reports/{report.public_id}/withdraw/").status_code == 404
    assert client.post(f"/reports/{report.public_id}/withdraw/").status_code == 404


def test_a_shared_family_draft_stays_private_to_its_reporter(officer, family_member):
    link = family_member.linked_members.get()
    draft = DraftReportFactory(
        reporter=family_member, family_link=link, force=link.force, shared_with_member=True
    )
    assert not reports_visible_to(officer).filter(pk=draft.pk).exists()


@pytest.mark.parametrize("ended_by", ["officer", "family_member"])
def test_ending_the_family_link_stops_sharing(client, persona, officer, family_member, ended_by):
    report = family_report(family_member, shared=True)
    family_link_end(actor=persona(ended_by), link=family_member.linked_members.get())
    assert not reports_visible_to(officer).filter(pk=report.pk).exists()
    client.force_login(officer)
    assert client.get(f"/reports/{report.public_id}/").status_code == 404
    assert report.reference not in client.get("/reports/").content.decode()


def test_a_link_that_is_not_accepted_shares_nothing(officer, family_member):
    report = family_report(family_member, shared=True)
    family_member.linked_members.update(accepted_at=None)
    assert not reports_visible_to(officer).filter(pk=report.pk).exists()


def test_professional_standards_never_see_a_family_report_even_when_shared(psd_officer):
    from tests.factories import link_family, make_person

    family = make_person(kind="family")
    link_family(psd_officer, family)
    report = family_report(family, shared=True)
    assert not reports_visible_to(psd_officer).filter(pk=report.pk).exists()


def test_professional_standards_can_see_their_own_report(client, psd_officer):
    report = SubmittedReportFactory(reporter=psd_officer)
    client.force_login(psd_officer)
    assert client.get(f"/reports/{report.public_id}/").status_code == 200


@pytest.mark.parametrize(
    "path",
    ["step/who/", "check/", "done/", "delete/", "not-connected/"],
)
def test_another_persons_draft_is_404(client, officer, staff_member, path):
    draft = DraftReportFactory(reporter=officer)
    client.force_login(staff_member)
    assert client.get(f"/reports/{draft.public_id}/{path}").status_code == 404
    assert client.post(f"/reports/{draft.public_id}/submit/").status_code == 404


def test_another_persons_draft_evidence_cannot_be_removed(client, officer, staff_member):
    draft = DraftReportFactory(reporter=officer)
    evidence = report_evidence_add(
        actor=officer, report=draft, data=hostile_files.jpeg(), filename="a.jpg"
    )
    client.force_login(staff_member)
    response = client.post(f"/reports/{draft.public_id}/evidence/{evidence.public_id}/remove/")
    assert response.status_code == 404
    assert draft.evidence.exists()


def test_evidence_of_one_report_cannot_be_reached_through_another(client, officer):
    mine = _with_image(officer)
    other = SubmittedReportFactory(reporter=officer)
    evidence = mine.evidence.get()
    client.force_login(officer)
    assert (
        client.get(f"/reports/{other.public_id}/evidence/{evidence.public_id}/").status_code == 404
    )


def test_a_link_has_no_download(client, officer):
    draft = DraftReportFactory(reporter=officer)
    from reports.services.evidence import report_link_add

    link = report_link_add(actor=officer, report=draft, url="https://example.com/p/1")
    client.force_login(officer)
    assert client.get(f"/reports/{draft.public_id}/evidence/{link.public_id}/").status_code == 404


def test_chokepoint_raises_404_for_missing_and_forbidden_alike(officer, staff_member):
    from django.http import Http404

    report = SubmittedReportFactory(reporter=officer)
    with pytest.raises(Http404):
        get_report_for_user(staff_member, report.public_id)
    with pytest.raises(Http404):
        get_report_for_user(officer, uuid.uuid4())
    assert get_report_for_user(officer, report.public_id) == report


# ---------------------------------------------------------------------------
# Auditing, and "Who has seen my report"
# ---------------------------------------------------------------------------


def test_reading_and_downloading_are_audited_with_role_and_force(client, officer, officer_report):
    client.force_login(officer)
    evidence = officer_report.evidence.get()
    client.get(f"/reports/{officer_report.public_id}/")
    client.get(f"/reports/{officer_report.public_id}/evidence/{evidence.public_id}/")
    read = AccessLog.objects.get(object_type="reports.report", object_id=str(officer_report.pk))
    assert (read.actor_id, read.action, read.actor_role, read.force_slug) == (
        officer.pk,
        "read",
        "reporter",
        "west-yorkshire",
    )
    download = AccessLog.objects.get(object_type="reports.evidence", object_id=str(evidence.pk))
    assert (download.action, download.actor_role) == ("download", "reporter")


def test_who_has_seen_my_report_shows_role_and_force_not_the_name(
    client, officer, triager, officer_report
):
    access_record(
        actor=triager,
        action="read",
        obj=officer_report,
        force=officer_report.force,
        role=Role.TRIAGE,
    )
    client.force_login(officer)
    page = client.get(f"/reports/{officer_report.public_id}/").content.decode()
    section = page[page.index('id="seen-by"') :]
    assert "Triage" in section
    assert "West Yorkshire Police" in section
    assert triager.get_full_name() not in page
    assert triager.email not in page


def test_who_has_seen_my_report_leaves_out_the_reporters_own_reads(client, officer, officer_report):
    client.force_login(officer)
    client.get(f"/reports/{officer_report.public_id}/")
    page = client.get(f"/reports/{officer_report.public_id}/").content.decode()
    assert "Nobody else has opened your report yet." in page


def test_who_has_seen_my_report_includes_evidence_downloads(
    client, officer, triager, officer_report
):
    evidence = officer_report.evidence.get()
    access_record(
        actor=triager, action="download", obj=evidence, force=officer_report.force, role="triage"
    )
    client.force_login(officer)
    page = client.get(f"/reports/{officer_report.public_id}/").content.decode()
    section = page[page.index('id="seen-by"') :]
    assert "Downloaded" in section


def test_evidence_is_served_as_an_attachment_that_is_never_sniffed_or_cached(
    client, officer, officer_report
):
    evidence = officer_report.evidence.get()
    client.force_login(officer)
    response = client.get(
        f"/reports/{officer_report.public_id}/evidence/{evidence.public_id}/?copy=original"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('.jpg"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response.content == hostile_files.jpeg(gps=True)


def test_the_viewing_copy_has_no_location_data(client, officer, officer_report):
    evidence = officer_report.evidence.get()
    client.force_login(officer)
    response = client.get(
        f"/reports/{officer_report.public_id}/evidence/{evidence.public_id}/?copy=viewing"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "viewing-copy" in response["Content-Disposition"]
    assert hostile_files.CAMERA_MAKE.encode() not in response.content
    assert response.content != hostile_files.jpeg(gps=True)


def test_an_uploaded_pdf_has_no_viewing_copy(client, officer):
    draft = DraftReportFactory(reporter=officer)
    evidence = report_evidence_add(
        actor=officer, report=draft, data=hostile_files.clean_pdf(), filename="letter.pdf"
    )
    client.force_login(officer)
    url = f"/reports/{draft.public_id}/evidence/{evidence.public_id}/"
    assert client.get(url).status_code == 200
    assert client.get(f"{url}?copy=viewing").status_code == 404


def test_uploaded_filenames_are_display_only(client, officer):
    draft = DraftReportFactory(reporter=officer)
    upload = SimpleUploadedFile("../../etc/passwd.jpg", hostile_files.jpeg())
    client.force_login(officer)
    client.post(f"/reports/{draft.public_id}/step/evidence/", {"file": upload, "action": "upload"})
    evidence = draft.evidence.get()
    assert evidence.original_filename == "passwd.jpg"
    assert ".." not in evidence.stored_path


# ---------------------------------------------------------------------------
# A family account stops sharing its report
# ---------------------------------------------------------------------------


def test_family_reporter_stops_sharing_from_their_report_page(client, officer, family_member):
    report = family_report(family_member, shared=True)
    client.force_login(family_member)
    page = client.get(f"/reports/{report.public_id}/").content.decode()
    assert "Stop sharing with Sam</button>" in page
    response = client.post(f"/reports/{report.public_id}/stop-sharing/", follow=True)
    assert response.redirect_chain == [(f"/reports/{report.public_id}/", 302)]
    page = response.content.decode()
    assert "You have stopped sharing this report with Sam." in page
    assert "You have not shared this report with Sam Officer." in page
    assert "Stop sharing" not in page
    report.refresh_from_db()
    assert report.shared_with_member is False
    client.force_login(officer)
    assert client.get(f"/reports/{report.public_id}/").status_code == 404


def test_stopping_sharing_twice_changes_nothing(family_member):
    report = family_report(family_member, shared=True)
    assert report_sharing_stop(actor=family_member, report=report) is True
    assert report_sharing_stop(actor=family_member, report=report) is False
    assert report.shared_with_member is False


@pytest.mark.parametrize("who", ["officer", "triager"])
def test_only_the_family_reporter_can_stop_sharing(client, persona, family_member, who):
    report = family_report(family_member, shared=True)
    client.force_login(persona(who))
    assert client.post(f"/reports/{report.public_id}/stop-sharing/").status_code == 404
    with pytest.raises(ValidationError):
        report_sharing_stop(actor=persona(who), report=report)
    report.refresh_from_db()
    assert report.shared_with_member is True


def test_stopping_sharing_needs_a_post(client, family_member):
    report = family_report(family_member, shared=True)
    client.force_login(family_member)
    assert client.get(f"/reports/{report.public_id}/stop-sharing/").status_code == 405
    report.refresh_from_db()
    assert report.shared_with_member is True


def test_an_officers_own_report_has_no_sharing_section(client, officer):
    report = SubmittedReportFactory(reporter=officer)
    client.force_login(officer)
    page = client.get(f"/reports/{report.public_id}/").content.decode()
    assert 'id="sharing"' not in page


# ---------------------------------------------------------------------------
# Adding evidence to a sent report: the reporter's alone
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_nobody_else_can_add_evidence_to_a_report(client, persona, officer, who, method):
    report = SubmittedReportFactory(reporter=officer)
    client.force_login(persona(who))
    url = f"/reports/{report.public_id}/add/"
    data = {"link_url": "https://example.com/p/1", "action": "add_link"}
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == 404
    assert not report.evidence.exists()


def test_the_reporter_can_open_add_evidence_on_their_sent_report(client, officer):
    report = SubmittedReportFactory(reporter=officer)
    client.force_login(officer)
    response = client.get(f"/reports/{report.public_id}/add/")
    assert response.status_code == 200
    assert "Add evidence to your report" in response.content.decode()


def test_linked_officer_cannot_add_evidence_to_a_shared_family_report(
    client, officer, family_member
):
    report = family_report(family_member, shared=True)
    client.force_login(officer)
    url = f"/reports/{report.public_id}/add/"
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"link_url": "https://example.com/p/1", "action": "add_link"}).status_code
        == 404
    )
    assert not report.evidence.exists()


def test_anonymous_visitor_is_sent_to_sign_in_to_add_evidence(client, officer):
    report = SubmittedReportFactory(reporter=officer)
    response = client.get(f"/reports/{report.public_id}/add/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
