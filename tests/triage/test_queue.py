"""The queue: the user's forces only, filters, sorting, pagination, and a fixed query count."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.triage.factories import (
    AssessedCaseFactory,
    CaseFactory,
    ClaimedCaseFactory,
    ClosedCaseFactory,
    bulk_open_cases,
    reporter_in,
)
from triage.forms import assignee_key
from triage.models import Case

pytestmark = pytest.mark.django_db

QUEUE = "/triage/"


def references(response) -> list[str]:
    """The case references in the queue table, top to bottom."""
    table = response.content.decode().split('id="queue"', 1)
    if len(table) < 2:
        return []
    return re.findall(r">(OH-[A-Z]+-\d{4}-\d{6})</a>", table[1])


def test_the_queue_lists_only_the_triagers_own_forces_cases(client, triager):
    ours = CaseFactory()
    theirs = CaseFactory(reporter=reporter_in("north-yorkshire"))
    client.force_login(triager)
    listed = references(client.get(QUEUE))
    assert ours.report.reference in listed
    assert theirs.report.reference not in listed


def test_the_queue_shows_open_cases_by_default_and_all_cases_on_request(client, triager):
    open_case = CaseFactory()
    closed = ClosedCaseFactory()
    client.force_login(triager)
    assert references(client.get(QUEUE)) == [open_case.report.reference]
    everything = references(client.get(QUEUE, {"status": "all"}))
    assert set(everything) == {open_case.report.reference, closed.report.reference}


def test_filtering_by_risk_and_by_kind_of_harm(client, triager):
    high = AssessedCaseFactory(risk="high", categories=["threats"])
    low = AssessedCaseFactory(risk="low", categories=["abuse"])
    unassessed = CaseFactory(categories=["abuse"])
    client.force_login(triager)
    assert references(client.get(QUEUE, {"risk": "high"})) == [high.report.reference]
    assert references(client.get(QUEUE, {"risk": "unassessed"})) == [unassessed.report.reference]
    assert set(references(client.get(QUEUE, {"category": "abuse"}))) == {
        low.report.reference,
        unassessed.report.reference,
    }


def test_filtering_by_assignee_me_and_unassigned(client, triager):
    mine = ClaimedCaseFactory(assignee=triager)
    someone_elses = ClaimedCaseFactory()
    nobodys = CaseFactory()
    client.force_login(triager)
    assert references(client.get(QUEUE, {"assignee": "me"})) == [mine.report.reference]
    assert references(client.get(QUEUE, {"assignee": "unassigned"})) == [nobodys.report.reference]
    # A colleague is chosen by an opaque key, never their integer id (it lands in the URL).
    key = assignee_key(someone_elses.assignee)
    assert f'<option value="{key}">' in client.get(QUEUE).content.decode()
    theirs = references(client.get(QUEUE, {"assignee": key}))
    assert theirs == [someone_elses.report.reference]


def test_filtering_by_service_clock_state(client, triager):
    now = timezone.now()
    breached = CaseFactory(submitted_at=now - timedelta(hours=30))
    due_soon = CaseFactory(submitted_at=now - timedelta(hours=12))
    on_time = AssessedCaseFactory(risk="low", submitted_at=now)
    client.force_login(triager)
    assert references(client.get(QUEUE, {"sla": "breached"})) == [breached.report.reference]
    assert references(client.get(QUEUE, {"sla": "due_soon"})) == [due_soon.report.reference]
    assert references(client.get(QUEUE, {"sla": "on_time"})) == [on_time.report.reference]
    page = client.get(QUEUE).content.decode()
    assert "Breached" in page
    assert "govuk-tag--red" in page


def test_the_queue_sorts_by_any_column_in_either_direction(client, triager):
    now = timezone.now()
    older = AssessedCaseFactory(risk="low", submitted_at=now - timedelta(days=2))
    newer = AssessedCaseFactory(risk="high", submitted_at=now - timedelta(days=1))
    client.force_login(triager)
    # Default: highest risk first.
    assert references(client.get(QUEUE)) == [newer.report.reference, older.report.reference]
    oldest_first = references(client.get(QUEUE, {"sort": "received"}))
    assert oldest_first == [older.report.reference, newer.report.reference]
    newest_first = references(client.get(QUEUE, {"sort": "-received"}))
    assert newest_first == [newer.report.reference, older.report.reference]
    response = client.get(QUEUE, {"sort": "received"})
    assert 'aria-sort="ascending"' in response.content.decode()


def test_the_queue_is_paginated_and_pages_keep_the_filters(client, triager):
    bulk_open_cases(30, reporter=reporter_in())
    client.force_login(triager)
    first = client.get(QUEUE, {"assignee": "unassigned"})
    assert len(references(first)) == 20
    assert "?assignee=unassigned&amp;page=2" in first.content.decode()
    second = client.get(QUEUE, {"assignee": "unassigned", "page": 2})
    assert len(references(second)) == 10
    assert not set(references(first)) & set(references(second))


def test_the_queue_makes_the_same_number_of_queries_for_5_cases_as_for_200(
    client, triager, django_assert_num_queries
):
    reporter = reporter_in()
    cases = bulk_open_cases(5, reporter=reporter)
    ClaimedCaseFactory(assignee=triager)
    client.force_login(triager)
    client.get(QUEUE)  # warm caches that are not per request (content types, sessions)

    with CaptureQueriesContext(connection) as small:
        response = client.get(QUEUE, {"status": "all"})
    assert response.status_code == 200
    assert len(references(response)) == 6

    cases += bulk_open_cases(200, reporter=reporter)
    assert Case.objects.count() == 206
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(QUEUE, {"status": "all"})
    assert len(references(response)) == 20


def test_a_filter_matching_nothing_says_so(client, triager):
    CaseFactory()
    client.force_login(triager)
    response = client.get(QUEUE, {"status": "closed"})
    assert response.status_code == 200
    assert "No cases match these filters." in response.content.decode()


def test_a_long_queue_counts_up_to_a_limit_and_every_page_stays_reachable(
    client, triager, monkeypatch
):
    monkeypatch.setattr("triage.views.queue_pages.QUEUE_COUNT_LIMIT", 40)
    bulk_open_cases(70, reporter=reporter_in())
    client.force_login(triager)
    first = client.get(QUEUE).content.decode()
    assert "More than 40 cases" in first
    assert 'aria-label="Page 2"' in first
    assert 'aria-label="Page 4"' not in first  # no "last page" the count does not know
    # Beyond the limit, the count reaches the page after the one asked for: Next still works.
    seen = []
    for number in range(1, 5):
        response = client.get(QUEUE, {"page": number})
        seen += references(response)
        has_next = 'rel="next"' in response.content.decode()
        assert has_next == (number < 4)
    assert len(seen) == len(set(seen)) == 70


def test_a_queue_within_the_limit_shows_its_exact_count(client, triager, monkeypatch):
    monkeypatch.setattr("triage.views.queue_pages.QUEUE_COUNT_LIMIT", 40)
    bulk_open_cases(40, reporter=reporter_in())
    client.force_login(triager)
    page = client.get(QUEUE, {"page": 2}).content.decode()
    assert "40 cases</caption>" in page
    assert "(page 2 of 2)" in page
