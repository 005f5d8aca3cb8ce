"""Finding a case by its reference, or part of it, from the queue's search box."""

from __future__ import annotations

import pytest

from harmsportal.people.models import Membership, Role
from tests.factories import force
from tests.triage.factories import CaseFactory, ClosedCaseFactory, reporter_in

QUEUE = "/triage/"


def _rows(response_or_page) -> str:
    """The queue table only (the search box repeats the query, so look below it)."""
    page = response_or_page
    if not isinstance(page, str):
        page = page.content.decode()
    return page[page.index('id="queue"') :] if 'id="queue"' in page else ""


@pytest.mark.django_db
def test_the_whole_reference_finds_the_case_and_nothing_else(client, triager):
    wanted, other = CaseFactory(), CaseFactory()
    client.force_login(triager)
    rows = _rows(client.get(QUEUE, {"q": wanted.report.reference}))
    assert wanted.report.reference in rows
    assert other.report.reference not in rows


@pytest.mark.django_db
def test_part_of_the_reference_in_any_case_finds_it(client, triager):
    wanted, other = CaseFactory(), CaseFactory()
    reference = wanted.report.reference  # OH-WYP-2026-000123
    client.force_login(triager)
    for query in (reference[-6:], reference.lower(), f"  {reference[3:].lower()}  "):
        rows = _rows(client.get(QUEUE, {"q": query}))
        assert reference in rows, query
        assert other.report.reference not in rows, query


@pytest.mark.django_db
def test_a_search_finds_closed_cases_too_unless_a_status_is_chosen(client, triager):
    closed = ClosedCaseFactory(assignee=triager)
    client.force_login(triager)
    assert closed.report.reference in _rows(client.get(QUEUE, {"q": closed.report.reference}))
    page = client.get(QUEUE, {"q": closed.report.reference, "status": "open"}).content.decode()
    assert closed.report.reference not in _rows(page)
    assert "No case in your queue has a reference containing" in page


@pytest.mark.django_db
def test_search_never_reaches_another_forces_cases(client, other_force_triager, triager):
    ours = CaseFactory()
    client.force_login(other_force_triager)
    page = client.get(QUEUE, {"q": ours.report.reference}).content.decode()
    assert 'id="queue"' not in page
    assert "No case in your queue has a reference containing" in page


@pytest.mark.django_db
def test_someone_in_two_forces_finds_cases_in_both(client, triager):
    Membership.objects.create(user=triager, force=force("north-yorkshire"), role=Role.TRIAGE)
    triager.forget_roles()
    ours = CaseFactory()
    theirs = CaseFactory(reporter=reporter_in("north-yorkshire"))
    client.force_login(triager)
    rows = _rows(client.get(QUEUE, {"q": "2026-"}))
    assert ours.report.reference in rows
    assert theirs.report.reference in rows


@pytest.mark.django_db
def test_the_search_box_is_a_labelled_govuk_input_kept_after_searching(client, triager):
    case = CaseFactory()
    client.force_login(triager)
    part = case.report.reference[-4:]
    page = client.get(QUEUE, {"q": part}).content.decode()
    assert '<label class="govuk-label" for="id_q">Find a case by its reference</label>' in page
    assert 'class="govuk-input govuk-input--width-20"' in page
    assert f'value="{part}"' in page
    assert case.report.reference in page


@pytest.mark.django_db
def test_an_overlong_search_is_a_form_error_not_a_crash(client, triager):
    client.force_login(triager)
    response = client.get(QUEUE, {"q": "x" * 200})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "govuk-input--error" in page
