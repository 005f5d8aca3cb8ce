"""Details a user noticed on the reporter's pages (issue 7), each as the reporter sees it."""

from __future__ import annotations

import re

import pytest

from harmsportal.people.models import FamilyLink
from reports.forms.what import STARTED_AFTER
from reports.models import Evidence, Platform, Report, ReportStatus, Subject
from reports.services.drafting import report_start
from reports.services.lifecycle import report_outcome_record
from tests.reports.factories import DraftReportFactory, SubmittedReportFactory, family_report

pytestmark = pytest.mark.django_db


def _step_url(report: Report, slug: str) -> str:
    return f"/reports/{report.public_id}/step/{slug}/"


def _check(client, report: Report) -> str:
    response = client.get(f"/reports/{report.public_id}/check/")
    assert response.status_code == 200
    return response.content.decode()


def _summary_row(html: str, key: str) -> str:
    """The value cell of the summary-list row whose key is `key`."""
    match = re.search(
        rf'<dt class="govuk-summary-list__key">{re.escape(key)}</dt>\s*'
        r'<dd class="govuk-summary-list__value">(.*?)</dd>',
        html,
        re.S,
    )
    assert match, f"no row {key!r}"
    return match.group(1).strip()


# ---------------------------------------------------------------------------
# Check your answers: a question not answered yet says so and links to it
# ---------------------------------------------------------------------------


def test_check_answers_says_the_child_questions_are_not_answered_yet(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer, subject=Subject.CHILD)
    page = _check(client, report)
    assert ", a child aged" not in page
    assert _summary_row(page, "Family member") == "A child under 13"
    child = _summary_row(page, "About the child")
    assert "Not answered yet" in child
    assert f'href="{_step_url(report, "child")}?change=1"' in child


def test_check_answers_names_the_child_once_the_questions_are_answered(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(
        reporter=officer, subject=Subject.CHILD, child_first_name="Mia", child_age_band="10_to_12"
    )
    page = _check(client, report)
    assert _summary_row(page, "Family member").startswith("Mia, a child aged")
    assert _summary_row(page, "Child&#x27;s first name") == "Mia"
    assert "Not answered yet" not in page


def test_an_unanswered_line_manager_question_is_not_shown_as_no(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer, line_manager_answered=False)
    page = _check(client, report)
    row = _summary_row(page, "Whether we can tell your line manager")
    assert "Not answered yet" in row
    assert f'href="{_step_url(report, "line-manager")}?change=1"' in row
    assert "Tell your line manager" not in page


# ---------------------------------------------------------------------------
# No pre-selected radios for the line-manager question
# ---------------------------------------------------------------------------


def test_the_line_manager_question_starts_with_nothing_selected(client, officer):
    client.force_login(officer)
    report = report_start(actor=officer)
    page = client.get(_step_url(report, "line-manager")).content.decode()
    radios = re.findall(r'<input type="radio"[^>]*name="line_manager_consent"[^>]*>', page)
    assert len(radios) == 2
    assert not any("checked" in radio for radio in radios)


def test_the_line_manager_question_must_be_answered(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer, line_manager_answered=False)
    response = client.post(_step_url(report, "line-manager"), {"action": "continue"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Select whether we can tell your line manager.") == 2
    report.refresh_from_db()
    assert report.line_manager_answered is False


def test_an_answered_no_is_shown_when_coming_back(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer, line_manager_answered=False)
    client.post(
        _step_url(report, "line-manager"), {"line_manager_consent": "no", "action": "continue"}
    )
    page = client.get(_step_url(report, "line-manager")).content.decode()
    assert re.search(r'value="no"[^>]*checked', page)
    assert not re.search(r'value="yes"[^>]*checked', page)


# ---------------------------------------------------------------------------
# "Somewhere else" asks where
# ---------------------------------------------------------------------------


def _platform(slug: str) -> Platform:
    return Platform.objects.current().get(slug=slug)


def test_somewhere_else_reveals_a_question_asking_where(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    page = client.get(_step_url(report, "where")).content.decode()
    other = _platform("other")
    # The text box sits inside the "Somewhere else" option's conditional reveal, tied to it.
    assert re.search(
        rf'value="{other.pk}"[^>]*data-aria-controls="conditional-id_platforms_\d+"', page
    )
    reveal = re.search(
        r'<div class="govuk-checkboxes__conditional[^"]*" id="conditional-id_platforms_\d+">'
        r"(.*?)</div>\s*</div>",
        page,
        re.S,
    )
    assert reveal
    assert 'name="platform_other"' in reveal.group(1)
    assert page.count('name="platform_other"') == 1


def test_somewhere_else_needs_to_say_where(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    response = client.post(
        _step_url(report, "where"),
        {"platforms": [_platform("other").pk], "platform_other": " ", "action": "continue"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Enter where else it happened.") == 2
    assert 'href="#id_platform_other"' in page
    # Shown open, even with JavaScript, so the error is never hidden.
    assert "govuk-checkboxes__conditional--hidden" not in page
    assert list(report.platforms.values_list("slug", flat=True)) == ["x"]


def test_where_else_is_kept_and_shown_on_check_answers_and_the_report(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    response = client.post(
        _step_url(report, "where"),
        {
            "platforms": [_platform("x").pk, _platform("other").pk],
            "platform_other": "  A gaming forum ",
            "action": "continue",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.platform_other == "A gaming forum"
    assert "Somewhere else: A gaming forum" in _summary_row(
        _check(client, report), "Where it happened"
    )
    again = client.get(_step_url(report, "where")).content.decode()
    assert 'value="A gaming forum"' in again
    assert "govuk-checkboxes__conditional--hidden" not in again

    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.SUBMITTED, reference="OH-WYP-2026-000999"
    )
    page = client.get(f"/reports/{report.public_id}/").content.decode()
    assert "Somewhere else: A gaming forum" in page


def test_unticking_somewhere_else_forgets_where(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer, platform_other="A gaming forum")
    client.post(
        _step_url(report, "where"),
        {
            "platforms": [_platform("x").pk],
            "platform_other": "A gaming forum",
            "action": "continue",
        },
    )
    report.refresh_from_db()
    assert report.platform_other == ""


def test_the_reveal_is_closed_while_somewhere_else_is_not_ticked(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    page = client.get(_step_url(report, "where")).content.decode()
    # Hidden only where GOV.UK Frontend runs: the class applies under .govuk-frontend-supported.
    assert "govuk-checkboxes__conditional govuk-checkboxes__conditional--hidden" in page


# ---------------------------------------------------------------------------
# Dates: four-digit years, and nothing before online harm was possible
# ---------------------------------------------------------------------------


def _post_date(client, report: Report, day: str, month: str, year: str) -> str:
    response = client.post(
        _step_url(report, "when"),
        {"started_on_0": day, "started_on_1": month, "started_on_2": year, "action": "continue"},
    )
    assert response.status_code == 200
    return response.content.decode()


def test_a_two_digit_year_asks_for_four_numbers(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    assert _post_date(client, report, "3", "2", "26").count("Year must include 4 numbers.") == 2


def test_a_date_in_1900_is_refused_with_the_earliest_date(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer, started_on=None)
    page = _post_date(client, report, "1", "1", "1900")
    assert STARTED_AFTER.year == 1990
    assert "The date it started must be after 1 January 1990." in page
    report.refresh_from_db()
    assert report.started_on is None


def test_a_future_date_is_refused(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    page = _post_date(client, report, "1", "1", "2999")
    assert "The date it started must be today or in the past." in page


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [
        ("9223372036854775808", "1", "2020"),
        ("1", "9223372036854775808", "2020"),
        ("1", "1", "9223372036854775808"),
    ],
)
def test_huge_numbers_in_a_date_are_a_form_error(client, officer, day, month, year):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    page = _post_date(client, report, day, month, year)
    assert "There is a problem" in page


def test_a_missing_part_of_the_date_is_named(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    page = _post_date(client, report, "3", "", "")
    assert "The date it started must include a month and a year." in page


# ---------------------------------------------------------------------------
# The report page: evidence listed once, the outcome in the body font
# ---------------------------------------------------------------------------


def _sent_with_evidence(officer) -> Report:
    report = SubmittedReportFactory(reporter=officer)
    Evidence.objects.create(
        report=report,
        kind=Evidence.Kind.IMAGE,
        original_filename="abusive-post.png",
        size=1234,
        sha256="0" * 64,
        stored_path="evidence/never-opened-by-this-test",
        uploaded_by=officer,
    )
    _link(report, "https://example.com/post/1")
    return report


def _link(report: Report, url: str) -> Evidence:
    return Evidence.objects.create(
        report=report, kind=Evidence.Kind.LINK, link_url=url, uploaded_by=report.reporter
    )


def test_the_reporter_sees_each_piece_of_evidence_once(client, officer):
    report = _sent_with_evidence(officer)
    client.force_login(officer)
    page = client.get(f"/reports/{report.public_id}/").content.decode()
    main = page.split('id="main-content"', 1)[1]
    assert main.count("abusive-post.png") == 1 + main.count("with location details removed")
    assert main.count("https://example.com/post/1") == 1
    assert main.count(">Evidence</h2>") == 1
    assert '<dt class="govuk-summary-list__key">Evidence</dt>' not in main


def test_the_reporter_is_told_when_there_is_no_evidence(client, officer):
    report = SubmittedReportFactory(reporter=officer)
    client.force_login(officer)
    page = client.get(f"/reports/{report.public_id}/").content.decode()
    assert "You did not add any evidence." in page
    assert page.count(">Evidence</h2>") == 1


def test_the_member_sees_how_much_evidence_once(client, officer, family_member):
    report = family_report(family_member, shared=True)
    _link(report, "https://example.com/post/2")
    client.force_login(officer)
    page = client.get(f"/reports/{report.public_id}/").content.decode()
    assert page.count("1 link") == 1
    assert "https://example.com/post/2" not in page
    assert page.count(">Evidence</h2>") == 1


def test_the_outcome_explanation_is_in_the_body_font(client, officer, triager):
    report = SubmittedReportFactory(reporter=officer)
    report_outcome_record(
        actor=triager,
        report=report,
        category="advice",
        explanation="We asked the platform to remove the post.\n\nIt has been removed.",
    )
    client.force_login(officer)
    page = client.get(f"/reports/{report.public_id}/").content.decode()
    explanation = re.search(
        r'<div class="govuk-body" id="outcome-explanation">(.*?)</div>', page, re.S
    )
    assert explanation
    assert "We asked the platform to remove the post." in explanation.group(1)


# ---------------------------------------------------------------------------
# A shared report never tells the member "You started this report"
# ---------------------------------------------------------------------------


def test_the_member_reads_that_their_partner_started_the_report(client, officer, family_member):
    report = family_report(family_member, shared=True)
    report.status_events.create(status=ReportStatus.DRAFT, note="You started this report.")
    report.status_events.create(
        status=ReportStatus.SUBMITTED, note="We received your report and sent it to triage."
    )
    client.force_login(officer)
    page = client.get(f"/reports/{report.public_id}/").content.decode()
    timeline = page.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    assert "Your partner started this report." in timeline
    assert "We received the report and sent it to triage." in timeline
    assert "You " not in timeline
    assert "your report" not in timeline


def test_the_relationship_named_is_the_family_members(client, officer, family_member):
    FamilyLink.objects.filter(family_user=family_member).update(
        relationship=FamilyLink.Relationship.PARENT
    )
    report = family_report(family_member, shared=True)
    report.status_events.create(status=ReportStatus.DRAFT, note="You started this report.")
    client.force_login(officer)
    page = client.get(f"/reports/{report.public_id}/").content.decode()
    assert "Your parent started this report." in page


def test_the_reporter_still_reads_you(client, family_member):
    report = family_report(family_member, shared=True)
    report.status_events.create(status=ReportStatus.DRAFT, note="You started this report.")
    client.force_login(family_member)
    page = client.get(f"/reports/{report.public_id}/").content.decode()
    assert "You started this report." in page


# ---------------------------------------------------------------------------
# Sign-up in GOV.UK wording
# ---------------------------------------------------------------------------


def test_sign_up_asks_for_a_password_in_gov_uk_wording(client, settings):
    page = client.get("/accounts/signup/").content.decode()
    assert re.search(
        r'<label class="govuk-label" for="id_password1">Create a password</label>', page
    )
    assert re.search(
        r'<label class="govuk-label" for="id_password2">Confirm password</label>', page
    )
    assert re.search(r'<label class="govuk-label" for="id_email">Email address</label>', page)
    # The hint says the rules the validators enforce, in words, before the person types.
    assert "Your password must be at least 10 characters." in page
    assert "Password (again)" not in page
    assert "too similar to your other personal information" not in page
    assert "<ul><li>Your password" not in page


def test_the_password_hint_follows_the_validators(client, settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 14},
        }
    ]
    page = client.get("/accounts/signup/").content.decode()
    assert "Your password must be at least 14 characters." in page


def _boxes_in_error(page: str) -> list[str]:
    boxes = re.findall(r'<input type="text" name="started_on_(\d)"([^>]*)>', page)
    return [index for index, attrs in boxes if "govuk-input--error" in attrs]


def test_a_date_error_outlines_only_the_boxes_it_is_about(client, officer):
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    assert _boxes_in_error(_post_date(client, report, "3", "2", "26")) == ["2"]  # the year
    assert _boxes_in_error(_post_date(client, report, "3", "", "2026")) == ["1"]  # the month
    assert _boxes_in_error(_post_date(client, report, "31", "2", "2026")) == ["0", "1", "2"]
