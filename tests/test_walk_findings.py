"""What two outside walks of the portal found, each pinned by a test."""

from __future__ import annotations

import re

from tests.reports.factories import DraftReportFactory
from tests.triage.factories import ClaimedCaseFactory


def _label(page: str, for_id: str) -> str:
    match = re.search(rf'<label class="govuk-label"[^>]*for="{for_id}"[^>]*>([^<]*)</label>', page)
    assert match, for_id
    return match.group(1)


def test_fields_another_answer_makes_required_are_not_labelled_optional(client, officer):
    draft = DraftReportFactory(reporter=officer)
    client.force_login(officer)
    where = client.get(f"/reports/{draft.public_id}/step/where/").content.decode()
    contact = client.get(f"/reports/{draft.public_id}/step/contact/").content.decode()
    assert _label(where, "id_platform_other") == "Where else did it happen?"
    assert _label(contact, "id_phone") == "Phone number"


def test_reassigning_to_the_person_who_holds_it_says_so_instead_of_claiming_success(
    client, triager, triage_supervisor
):
    case = ClaimedCaseFactory(assignee=triager)
    client.force_login(triage_supervisor)
    response = client.post(
        f"/triage/cases/{case.public_id}/reassign/", {"assignee": triager.pk}, follow=True
    )
    page = response.content.decode()
    assert f"{triager.get_full_name()} already holds this case." in page
    assert "Case reassigned" not in page
    assert not case.events.filter(kind="reassigned").exists()


def test_stepping_aside_is_a_warning_button_and_says_it_cannot_be_undone(client, triager):
    case = ClaimedCaseFactory(assignee=triager)
    client.force_login(triager)
    page = client.get(f"/triage/cases/{case.public_id}/step-aside/").content.decode()
    assert "govuk-button--warning" in page
    assert "This cannot be undone." in page


def _active_items(page: str) -> list[str]:
    return re.findall(
        r'govuk-service-navigation__item--active">\s*<a[^>]*>(?:<strong[^>]*>)?([^<]+)', page
    )


def test_the_menu_marks_one_item_and_the_journey_belongs_to_report_harm(client, officer):
    draft = DraftReportFactory(reporter=officer)
    client.force_login(officer)
    assert _active_items(client.get("/reports/new/").content.decode()) == ["Report harm"]
    step = client.get(f"/reports/{draft.public_id}/step/who/").content.decode()
    assert _active_items(step) == ["Report harm"]
    assert _active_items(client.get("/reports/").content.decode()) == ["My reports"]


def test_the_case_page_offers_a_way_to_its_actions_from_the_top(client, triager):
    case = ClaimedCaseFactory(assignee=triager)
    client.force_login(triager)
    page = client.get(f"/triage/cases/{case.public_id}/").content.decode()
    assert page.index('href="#what-you-can-do"') < page.index('id="what-you-can-do"')


def test_opening_an_action_address_directly_shows_a_page_not_a_blank_405(client, triager):
    case = ClaimedCaseFactory(assignee=triager)
    client.force_login(triager)
    response = client.get(f"/triage/cases/{case.public_id}/close/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    page = response.content.decode()
    assert "This page cannot be opened directly" in page
    assert "Nothing has been changed." in page
