"""The reporter journey, driven page by page through the HTTP client."""

from __future__ import annotations

import html
import itertools
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from harmsportal.notifications.models import Notification
from reports import steps as journey_steps
from reports.forms import SharingForm
from reports.intake import intake_handler_replaced
from reports.models import Evidence, Report, ReportStatus, Subject
from tests.reports import hostile_files
from tests.reports.factories import (
    DESCRIPTION,
    DraftReportFactory,
    image_upload,
    step_answers,
)

REFERENCE = re.compile(r"OH-WYP-\d{4}-\d{6}")


def _step_url(report: Report, slug: str) -> str:
    return f"/reports/{report.public_id}/step/{slug}/"


def start_report(client) -> tuple[Report, str]:
    response = client.post("/reports/new/")
    assert response.status_code == 302
    report = Report.objects.latest("pk")
    return report, response["Location"]


def walk_to_check(client, report: Report, url: str, *, overrides=None) -> list[str]:
    """Answer every question from `url` on, following the journey. Returns the slugs seen."""
    overrides = overrides or {}
    seen = []
    while url != f"/reports/{report.public_id}/check/":
        slug = url.rstrip("/").split("/")[-1]
        seen.append(slug)
        page = client.get(url)
        assert page.status_code == 200, f"{url} answered {page.status_code}"
        if slug == "evidence":
            response = client.post(url, {"file": image_upload(), "action": "continue"})
        else:
            response = client.post(url, overrides.get(slug, step_answers(slug, report)))
        assert response.status_code == 302, f"{slug}: {response.content.decode()[:2000]}"
        url = response["Location"]
    return seen


@pytest.fixture
def intake_calls():
    calls: list[Report] = []
    with intake_handler_replaced(calls.append):
        yield calls


def test_officer_files_a_complete_report_and_sees_the_reference(
    client, officer, intake_calls, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    start = client.get("/reports/new/")
    assert "within 24 hours if you are at high risk" in start.content.decode()
    assert "within 3 working days" in start.content.decode()
    assert "call 999" in start.content.decode()

    report, first = start_report(client)
    assert first == _step_url(report, "who")
    seen = walk_to_check(client, report, first)
    assert seen == [
        "who",
        "what",
        "where",
        "when",
        "role",
        "description",
        "perpetrator",
        "offline",
        "impact",
        "support",
        "line-manager",
        "contact",
        "evidence",
    ]

    check = client.get(f"/reports/{report.public_id}/check/").content.decode()
    assert "Doxxing or malicious identification" in check
    assert "3 February 2026" in check
    assert "screenshot.jpg" in check

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reports/{report.public_id}/submit/")
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{report.public_id}/done/"

    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert REFERENCE.fullmatch(report.reference)
    done = client.get(response["Location"]).content.decode()
    assert report.reference in done
    assert "govuk-panel--confirmation" in done

    acknowledgement = Notification.objects.get(user=officer, kind="acknowledgement")
    assert acknowledgement.title == f"We have received your report {report.reference}"
    assert acknowledgement.link_path == f"/reports/{report.public_id}/"
    assert intake_calls == [report]
    assert report.status_events.filter(status=ReportStatus.SUBMITTED).exists()
    # The email says only that a report arrived; none of what happened goes in it.
    assert len(mail.outbox) == 1
    assert DESCRIPTION[:40] not in mail.outbox[0].body
    assert report.reference not in mail.outbox[0].subject


def test_the_answers_given_are_saved_on_the_report(client, officer):
    client.force_login(officer)
    report, first = start_report(client)
    walk_to_check(client, report, first)
    report.refresh_from_db()
    assert report.subject == Subject.SELF
    assert set(report.categories.values_list("slug", flat=True)) == {"doxxing", "threats"}
    assert set(report.platforms.values_list("slug", flat=True)) == {"x", "facebook"}
    assert str(report.started_on) == "2026-02-03"
    assert report.related_to_role is True
    assert report.offline_impacts == ["home_visited", "property_targeted"]
    assert report.impact_level == 4
    assert report.line_manager_consent is False
    evidence = report.evidence.get()
    assert evidence.kind == Evidence.Kind.IMAGE
    assert evidence.has_viewing_copy


def test_family_account_reports_harm_they_suffered_because_of_the_officers_role(
    client, family_member, officer, intake_calls
):
    client.force_login(family_member)
    start = html.unescape(client.get("/reports/new/").content.decode())
    assert "your family member's work in policing" in start

    report, first = start_report(client)
    assert first == _step_url(report, "whose-role")
    page = client.get(first).content.decode()
    assert "Whose work in policing is this connected to?" in page
    assert officer.get_full_name() in page

    seen = walk_to_check(client, report, first)
    assert "who" not in seen
    assert "line-manager" not in seen
    assert seen[:3] == ["whose-role", "sharing", "what"]

    response = client.post(f"/reports/{report.public_id}/submit/")
    assert response.status_code == 302
    report.refresh_from_db()
    assert REFERENCE.fullmatch(report.reference)
    assert report.family_link.member == officer
    assert report.shared_with_member is True
    assert report.force.code == "WYP"
    assert intake_calls == [report]


def test_role_question_names_the_family_member_for_a_family_account(client, family_member, officer):
    client.force_login(family_member)
    report, first = start_report(client)
    client.post(first, step_answers("whose-role", report))
    page = html.unescape(client.get(_step_url(report, "role")).content.decode())
    assert f"connected to {officer.get_full_name()}'s work in policing" in page


def test_officer_reports_on_behalf_of_a_child_under_13(client, officer, intake_calls):
    client.force_login(officer)
    report, first = start_report(client)
    seen = walk_to_check(client, report, first, overrides={"who": {"subject": "family"}})
    assert seen[:4] == ["who", "family-member", "child", "what"]

    page = client.get(_step_url(report, "impact")).content.decode()
    assert "How much is this affecting them?" in page

    client.post(f"/reports/{report.public_id}/submit/")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.subject == Subject.CHILD
    assert report.child_first_name == "Mia"
    assert report.child_age_band == "10_to_12"
    assert report.family_link is None
    assert (
        "Mia, a child aged 10 to 12" in client.get(f"/reports/{report.public_id}/").content.decode()
    )


def test_officer_reports_for_a_linked_family_member_with_an_account(client, officer, family_member):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer, subject=Subject.FAMILY)
    page = client.get(_step_url(report, "family-member")).content.decode()
    assert family_member.get_full_name() in page
    link = family_member.linked_members.get()
    response = client.post(
        _step_url(report, "family-member"), {"person": f"link-{link.pk}", "action": "continue"}
    )
    assert response["Location"] == _step_url(report, "what")
    report.refresh_from_db()
    assert report.family_link == link
    assert report.subject == Subject.FAMILY


def test_choosing_hate_asks_which_characteristic(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    hate = report.categories.model.objects.get(slug="hate")
    response = client.post(
        _step_url(report, "what"), {"categories": [hate.pk], "action": "continue"}
    )
    assert response["Location"] == _step_url(report, "hate")
    response = client.post(_step_url(report, "hate"), step_answers("hate"))
    assert response["Location"] == _step_url(report, "where")
    report.refresh_from_db()
    assert report.hate_characteristics == ["religion"]


# ---------------------------------------------------------------------------
# Back links, save and return
# ---------------------------------------------------------------------------


def _back_link(html: str) -> str:
    match = re.search(r'<a href="([^"]+)" class="govuk-back-link"', html)
    assert match, "no back link on the page"
    return match.group(1)


def test_each_back_link_goes_to_the_previous_question(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    steps = journey_steps.steps_for(report)
    assert _back_link(client.get(_step_url(report, steps[0].slug)).content.decode()) == (
        "/reports/new/"
    )
    for previous, current in itertools.pairwise(steps):
        html = client.get(_step_url(report, current.slug)).content.decode()
        assert _back_link(html) == _step_url(report, previous.slug), current.slug
    check = client.get(f"/reports/{report.public_id}/check/").content.decode()
    assert _back_link(check) == _step_url(report, "evidence")


def test_going_back_shows_the_answer_already_given(client, officer):
    client.force_login(officer)
    report, first = start_report(client)
    client.post(first, step_answers("who"))
    client.post(_step_url(report, "what"), step_answers("what"))
    back = client.get(_step_url(report, "what")).content.decode()
    doxxing = report.categories.model.objects.get(slug="doxxing")
    assert re.search(rf'value="{doxxing.pk}"[^>]*checked', back)


def test_save_and_come_back_later_keeps_the_draft_for_its_reporter(client, officer):
    client.force_login(officer)
    report, first = start_report(client)
    client.post(first, step_answers("who"))
    response = client.post(
        _step_url(report, "what"), {**step_answers("what"), "action": "save_exit"}
    )
    assert response["Location"] == "/reports/"

    listing = client.get("/reports/").content.decode()
    assert "Draft — continue" in listing
    assert f'href="{_step_url(report, "where")}"' in listing
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert report.categories.count() == 2


def test_a_draft_is_resumed_from_the_first_unanswered_question(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer, description="", impact_level=None)
    listing = client.get("/reports/").content.decode()
    assert f'href="{_step_url(report, "description")}"' in listing


# ---------------------------------------------------------------------------
# Validation: every step shows the error summary and keeps what was entered
# ---------------------------------------------------------------------------

INVALID = {
    # slug: (data posted, error shown, a pattern for what was entered, still on the page)
    "who": ({}, "Select who was harmed", None),
    "family-member": ({}, "Select which member of your family was harmed", None),
    "child": ({"child_first_name": "Mia"}, "Select how old the child is", 'value="Mia"'),
    "what": ({}, "Select what happened", None),
    "hate": ({}, "Select what you were targeted for", None),
    "where": ({}, "Select where it happened", None),
    "when": (
        {"started_on_0": "31", "started_on_1": "2", "started_on_2": "2026"},
        "The date it started must be a real date",
        'value="31"',
    ),
    "role": ({}, "Select yes if what happened is connected to policing", None),
    "description": (
        {"description": "Abuse every day. " * 400},
        "What happened must be 5,000 characters or fewer",
        r"Abuse every day\. Abuse every day\.",
    ),
    "perpetrator": (
        {"perpetrator_details": "They post as ExampleUser99"},
        "Select yes if you know who did this",
        "They post as ExampleUser99",
    ),
    "offline": (
        {"offline_impacts": ["none", "home_visited"]},
        "Select &#x27;None of these&#x27; on its own",
        r'value="home_visited"[^>]*checked',
    ),
    "impact": ({}, "Select how much this is affecting you", None),
    "support": ({}, "Select whether you would like to be offered wellbeing support.", None),
    "line-manager": ({}, "Select whether we can tell your line manager.", None),
    "contact": (
        {"contact_preference": "phone", "phone": "12"},
        "Enter a phone number, like 07700 900 982",
        'value="12"',
    ),
    "evidence": (
        {"link_url": "not a link", "action": "add_link"},
        "Enter a link in the right format",
        'value="not a link"',
    ),
}


def _draft_where_step_applies(slug: str, officer) -> Report:
    if slug == "family-member":
        return DraftReportFactory(reporter=officer, subject=Subject.FAMILY)
    if slug == "child":
        return DraftReportFactory(reporter=officer, subject=Subject.CHILD)
    if slug == "hate":
        return DraftReportFactory(reporter=officer, categories=["hate"])
    return DraftReportFactory(reporter=officer)


@pytest.mark.parametrize("slug", list(INVALID))
def test_an_invalid_answer_shows_the_error_and_keeps_what_was_entered(client, officer, slug):
    client.force_login(officer)
    report = _draft_where_step_applies(slug, officer)
    before = Report.objects.filter(pk=report.pk).values().get()
    data, error, kept = INVALID[slug]
    response = client.post(_step_url(report, slug), {"action": "continue", **data})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "govuk-error-summary" in html
    assert error in html
    assert html.count(error) >= 2  # in the summary and beside the question
    assert "<title>Error:" in html
    if kept:
        assert re.search(kept, html), f"{kept!r} was not kept"

    assert Report.objects.filter(pk=report.pk).values().get() == before


@pytest.mark.parametrize("slug", ["whose-role", "sharing"])
def test_family_account_steps_show_errors_too(client, family_member, slug):
    client.force_login(family_member)
    report, _ = start_report(client)
    if slug == "sharing":
        client.post(_step_url(report, "whose-role"), step_answers("whose-role", report))
    response = client.post(_step_url(report, slug), {"action": "continue"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    expected = {
        "whose-role": "Select whose work in policing this is connected to",
        "sharing": "Select yes if you want your family member to see this report",
    }[slug]
    assert expected in html


def test_every_step_is_covered_by_the_validation_tests():
    assert set(INVALID) | {"whose-role", "sharing"} == set(journey_steps.BY_SLUG)


def test_a_date_in_the_future_is_refused(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    response = client.post(
        _step_url(report, "when"),
        {"started_on_0": "1", "started_on_1": "1", "started_on_2": "2999", "action": "continue"},
    )
    assert "The date it started must be today or in the past" in response.content.decode()


def test_it_is_still_going_on_is_enough_without_a_date(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer, is_ongoing=False)
    response = client.post(_step_url(report, "when"), {"is_ongoing": "on", "action": "continue"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_ongoing is True
    assert report.started_on is None


# ---------------------------------------------------------------------------
# Evidence
# ---------------------------------------------------------------------------


def test_uploads_already_accepted_are_kept_after_a_later_validation_error(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    evidence_url = _step_url(report, "evidence")
    response = client.post(evidence_url, {"file": image_upload("threat.jpg"), "action": "upload"})
    assert response.status_code == 302

    # The same page refuses a bad link, and an earlier question refuses a bad answer...
    html = client.post(
        evidence_url, {"link_url": "not a link", "action": "add_link"}
    ).content.decode()
    assert "Enter a link in the right format" in html
    assert "threat.jpg" in html
    client.post(_step_url(report, "description"), {"description": "", "action": "continue"})

    # ...and the file is still there, listed and kept against the draft.
    assert "threat.jpg" in client.get(evidence_url).content.decode()
    assert report.evidence.get().original_filename == "threat.jpg"


def test_a_file_uploaded_with_a_bad_link_is_kept(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    response = client.post(
        _step_url(report, "evidence"),
        {"file": image_upload("post.jpg"), "link_url": "nope", "action": "continue"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a link in the right format" in html
    assert "post.jpg" in html
    assert report.evidence.filter(original_filename="post.jpg").exists()


def test_a_refused_file_shows_the_pipelines_reason(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    bad = SimpleUploadedFile("invoice.pdf", hostile_files.windows_executable())
    response = client.post(_step_url(report, "evidence"), {"file": bad, "action": "upload"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert not report.evidence.exists()


def test_links_can_be_added_and_files_removed(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    url = _step_url(report, "evidence")
    client.post(url, {"file": image_upload("one.jpg"), "action": "upload"})
    client.post(url, {"link_url": "https://example.com/post/123", "action": "add_link"})
    page = client.get(url).content.decode()
    assert "one.jpg" in page
    assert "https://example.com/post/123" in page
    assert "Add another file or link" in page

    image = report.evidence.get(kind=Evidence.Kind.IMAGE)
    response = client.post(f"/reports/{report.public_id}/evidence/{image.public_id}/remove/")
    assert response["Location"] == url
    assert list(report.evidence.values_list("kind", flat=True)) == [Evidence.Kind.LINK]


def test_upload_without_choosing_a_file_says_so(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    response = client.post(_step_url(report, "evidence"), {"action": "upload"})
    assert "Select a file to upload" in response.content.decode()


def test_an_oversized_upload_is_refused_with_the_size_and_the_link_typed_is_kept(
    client, officer, settings
):
    settings.HARMSPORTAL_EVIDENCE_MAX_BYTES = 200_000
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    big = SimpleUploadedFile("photo.jpg", b"\xff\xd8" + b"0" * 400_000)
    response = client.post(
        _step_url(report, "evidence"),
        {"file": big, "link_url": "https://example.com/post/9", "action": "upload"},
    )
    html = response.content.decode()
    assert "The selected file must be smaller than" in html
    assert not report.evidence.filter(kind=Evidence.Kind.IMAGE).exists()
    assert "https://example.com/post/9" in html


# ---------------------------------------------------------------------------
# Related to the policing role
# ---------------------------------------------------------------------------


def test_answering_no_to_the_policing_role_explains_and_signposts(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    response = client.post(
        _step_url(report, "role"), {"related_to_role": "no", "action": "continue"}
    )
    assert response["Location"] == f"/reports/{report.public_id}/not-connected/"
    page = client.get(response["Location"]).content.decode()
    assert "This service is for harm connected to policing" in page
    assert "Victim Support" in page
    assert "999" in page
    assert f'href="{_step_url(report, "role")}"' in page


def test_a_report_not_connected_to_the_role_cannot_be_sent(client, officer, intake_calls):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer, related_to_role=False)
    check = client.get(f"/reports/{report.public_id}/check/").content.decode()
    assert "this report cannot be sent" in check
    assert "Send report" not in check

    response = client.post(f"/reports/{report.public_id}/submit/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "harm connected to the policing role" in html
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert report.reference == ""
    assert not Notification.objects.filter(user=officer).exists()
    assert intake_calls == []


def test_an_incomplete_draft_cannot_be_sent_and_lists_what_is_missing(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer, description="", wants_support="")
    check = client.get(f"/reports/{report.public_id}/check/").content.decode()
    assert "You have not answered every question yet" in check
    assert f'href="{_step_url(report, "description")}"' in check
    assert f'href="{_step_url(report, "support")}"' in check
    response = client.post(f"/reports/{report.public_id}/submit/")
    assert "There are questions you have not answered yet" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


# ---------------------------------------------------------------------------
# Check your answers and Change links
# ---------------------------------------------------------------------------


def test_change_link_returns_to_check_answers_after_editing(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    check = client.get(f"/reports/{report.public_id}/check/").content.decode()
    change_url = f"{_step_url(report, 'where')}?change=1"
    assert f'href="{change_url}"' in check

    page = client.get(change_url).content.decode()
    assert _back_link(page) == f"/reports/{report.public_id}/check/"
    tiktok = report.platforms.model.objects.get(slug="tiktok")
    response = client.post(change_url, {"platforms": [tiktok.pk], "action": "continue"})
    assert response["Location"] == f"/reports/{report.public_id}/check/"
    assert "TikTok" in client.get(response["Location"]).content.decode()


def test_a_change_that_opens_a_new_question_asks_it_before_returning(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    hate = report.categories.model.objects.get(slug="hate")
    response = client.post(
        f"{_step_url(report, 'what')}?change=1", {"categories": [hate.pk], "action": "continue"}
    )
    assert response["Location"] == f"{_step_url(report, 'hate')}?change=1"
    response = client.post(response["Location"], step_answers("hate"))
    assert response["Location"] == f"/reports/{report.public_id}/check/"


def test_sending_twice_keeps_one_reference(client, officer, intake_calls):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    client.post(f"/reports/{report.public_id}/submit/")
    report.refresh_from_db()
    first = report.reference
    response = client.post(f"/reports/{report.public_id}/submit/")
    assert response["Location"] == f"/reports/{report.public_id}/done/"
    report.refresh_from_db()
    assert report.reference == first
    assert Notification.objects.filter(kind="acknowledgement").count() == 1
    assert len(intake_calls) == 1


def test_a_sent_report_can_no_longer_be_edited(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    client.post(f"/reports/{report.public_id}/submit/")
    response = client.post(_step_url(report, "description"), step_answers("description"))
    assert response["Location"] == f"/reports/{report.public_id}/"


def test_a_draft_can_be_deleted_by_its_reporter(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    page = client.get(f"/reports/{report.public_id}/delete/").content.decode()
    assert "Are you sure you want to delete this draft?" in page
    response = client.post(f"/reports/{report.public_id}/delete/")
    assert response["Location"] == "/reports/"
    assert not Report.objects.filter(pk=report.pk).exists()


@pytest.mark.parametrize(
    ("preference", "says", "never_says"),
    [
        ("email", "and sent you an email. The email does not include", "we will not email you"),
        ("phone", "You asked us to phone you, so we will not email you.", "sent you an email"),
        ("portal", "so we will not email or phone you.", "The email does not include"),
    ],
)
def test_the_sent_page_says_whether_an_email_was_sent(
    client, officer, intake_calls, preference, says, never_says
):
    client.force_login(officer)
    phone = "07700 900982" if preference == "phone" else ""
    report = DraftReportFactory(reporter=officer, contact_preference=preference, phone=phone)
    client.post(f"/reports/{report.public_id}/submit/")
    page = html.unescape(client.get(f"/reports/{report.public_id}/done/").content.decode())
    assert "We have put a confirmation in your Harms Portal inbox" in page
    assert says in page
    assert never_says not in page


def test_the_sharing_question_says_what_the_family_member_will_and_will_not_see(
    client, family_member, officer
):
    client.force_login(family_member)
    report, _ = start_report(client)
    client.post(_step_url(report, "whose-role"), step_answers("whose-role", report))
    page = html.unescape(client.get(_step_url(report, "sharing")).content.decode())
    assert "Do you want Sam Officer to be able to see this report?" in page
    assert (
        "If you say yes, Sam Officer will be able to see this report and its messages, unless "
        "their role means they cannot. They cannot open your evidence"
    ) in page
    assert "can read this report" not in page


def test_a_name_in_the_sharing_question_is_never_markup(family_member, officer):
    officer.full_name = '<img src=x onerror="alert(1)"> Officer'
    officer.save(update_fields=["full_name"])
    report = DraftReportFactory(
        reporter=family_member, family_link=family_member.linked_members.get()
    )
    hint = str(SharingForm(report=report).fields["shared_with_member"].help_text)
    assert "<img" not in hint
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Officer will be able to see" in hint
