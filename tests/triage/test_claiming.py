"""Claiming: claim next takes the right case atomically, and nobody ever gets a case twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from harmsportal.notifications.models import Notification
from harmsportal.people.models import Membership, Role
from reports.models import ReportStatus
from tests.factories import force
from tests.triage.factories import (
    AssessedCaseFactory,
    CaseFactory,
    ClaimedCaseFactory,
    bulk_open_cases,
    reporter_in,
    triager_in,
)
from triage.models import Case, CaseStatus
from triage.services import claiming
from triage.services.claiming import case_claim_next, case_unclaim
from triage.services.working import case_assess

CLAIM_NEXT = "/triage/claim-next/"


def _case_url(case: Case, action: str = "") -> str:
    return f"/triage/cases/{case.public_id}/{action}"


@pytest.mark.django_db
def test_claim_next_takes_the_highest_risk_first_then_the_oldest(triager):
    now = timezone.now()
    medium = AssessedCaseFactory(risk="medium", submitted_at=now - timedelta(days=3))
    oldest_new = CaseFactory(submitted_at=now - timedelta(days=2))
    newer_new = CaseFactory(submitted_at=now - timedelta(days=1))
    immediate = AssessedCaseFactory(risk="immediate", submitted_at=now - timedelta(hours=1))
    for case in (medium, immediate):
        case_unclaim(actor=case.assignee, case=case)

    order = [case_claim_next(actor=triager).pk for _ in range(4)]

    assert order == [immediate.pk, oldest_new.pk, newer_new.pk, medium.pk]
    assert case_claim_next(actor=triager) is None


@pytest.mark.django_db
def test_a_claim_alone_leaves_the_reporters_status_as_received(triager):
    case = CaseFactory()
    case_claim_next(actor=triager)
    case.report.refresh_from_db()
    assert case.report.status == ReportStatus.SUBMITTED


@pytest.mark.django_db
def test_the_assessment_tells_the_reporter_someone_is_looking_at_their_report(triager):
    case = ClaimedCaseFactory(assignee=triager)
    case_assess(
        actor=triager,
        case=case,
        risk="low",
        categories=case.categories.all(),
        recording_decision="no_recording",
    )
    case.report.refresh_from_db()
    assert case.report.status == ReportStatus.IN_PROGRESS
    assert case.report.status_events.filter(status=ReportStatus.IN_PROGRESS).exists()


@pytest.mark.django_db
def test_someone_triaging_for_two_forces_claims_from_both_in_queue_order(triager):
    Membership.objects.create(user=triager, force=force("north-yorkshire"), role=Role.TRIAGE)
    triager.forget_roles()
    now = timezone.now()
    ours = CaseFactory(submitted_at=now - timedelta(hours=1))
    theirs = CaseFactory(
        reporter=reporter_in("north-yorkshire"), submitted_at=now - timedelta(hours=2)
    )
    elsewhere = CaseFactory(reporter=reporter_in("police-scotland"))

    order = [case_claim_next(actor=triager).pk for _ in range(2)]

    assert order == [theirs.pk, ours.pk]
    assert case_claim_next(actor=triager) is None
    assert Case.objects.get(pk=elsewhere.pk).assignee is None


@pytest.mark.django_db
def test_claim_next_never_reaches_into_another_forces_queue(other_force_triager):
    case = CaseFactory()
    assert case_claim_next(actor=other_force_triager) is None
    assert Case.objects.get(pk=case.pk).assignee is None


@pytest.mark.django_db
def test_the_optimistic_claim_moves_on_when_it_loses_a_race(monkeypatch, triager):
    first = CaseFactory(submitted_at=timezone.now() - timedelta(hours=2))
    second = CaseFactory(submitted_at=timezone.now() - timedelta(hours=1))
    rival = triager_in()
    real = claiming.claimable_cases_for
    raced = []

    class _ReadJustBeforeTheRivalClaimed:
        def __init__(self, case):
            self.case = case

        def select_related(self, *fields):
            return self

        def first(self):
            return self.case

    def racing(user):
        if raced:
            return real(user)
        stale = real(user).first()
        Case.objects.get(pk=stale.pk).claim(rival)
        raced.append(stale.pk)
        return _ReadJustBeforeTheRivalClaimed(stale)

    monkeypatch.setattr(claiming, "claimable_cases_for", racing)
    claimed = claiming._claim_next_optimistic(triager)

    assert raced == [first.pk]
    assert claimed.pk == second.pk
    assert Case.objects.get(pk=first.pk).assignee == rival
    assert Case.objects.get(pk=second.pk).assignee == triager


@pytest.mark.django_db
def test_claim_next_button_takes_the_triager_to_their_new_case(client, triager):
    case = CaseFactory()
    client.force_login(triager)
    response = client.post(CLAIM_NEXT, follow=True)
    assert response.redirect_chain[-1][0] == _case_url(case)
    assert f"You claimed case {case.report.reference}" in response.content.decode()
    assert Case.objects.get(pk=case.pk).assignee == triager


@pytest.mark.django_db
def test_claim_next_with_an_empty_queue_says_so(client, triager):
    client.force_login(triager)
    response = client.post(CLAIM_NEXT, follow=True)
    assert "There are no unassigned cases in your queue" in response.content.decode()


@pytest.mark.django_db
def test_claiming_a_case_someone_else_holds_shows_why_and_changes_nothing(client, triager):
    case = ClaimedCaseFactory()
    holder = case.assignee
    client.force_login(triager)
    response = client.post(_case_url(case, "claim/"), follow=True)
    assert "Someone else is already working on this case" in response.content.decode()
    assert Case.objects.get(pk=case.pk).assignee == holder


@pytest.mark.django_db
def test_only_the_assignee_or_a_supervisor_can_hand_a_case_back(client, triager, triage_supervisor):
    case = ClaimedCaseFactory()
    client.force_login(triager)
    client.post(_case_url(case, "unclaim/"))
    assert Case.objects.get(pk=case.pk).assignee is not None

    client.force_login(triage_supervisor)
    client.post(_case_url(case, "unclaim/"))
    stored = Case.objects.get(pk=case.pk)
    assert (stored.assignee, stored.status) == (None, CaseStatus.NEW)


@pytest.mark.django_db
def test_a_supervisor_reassigns_a_case_and_the_new_assignee_is_alerted(
    client, triager, triage_supervisor
):
    case = ClaimedCaseFactory()
    client.force_login(triage_supervisor)
    response = client.post(_case_url(case, "reassign/"), {"assignee": triager.pk})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).assignee == triager
    alert = Notification.objects.get(user=triager, kind="alert")
    assert alert.link_path == _case_url(case)


@pytest.mark.django_db
def test_a_case_cannot_be_reassigned_to_someone_outside_the_forces_triage_team(
    client, triage_supervisor, other_force_triager
):
    case = ClaimedCaseFactory()
    holder = case.assignee
    client.force_login(triage_supervisor)
    response = client.post(_case_url(case, "reassign/"), {"assignee": other_force_triager.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Case.objects.get(pk=case.pk).assignee == holder


# ---------------------------------------------------------------------------
# Concurrency, on Postgres (SKIP LOCKED)
# ---------------------------------------------------------------------------

CLAIMERS = 16
OPEN_CASES = 500


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason=(
        "SELECT … FOR UPDATE SKIP LOCKED needs Postgres; SQLite has no row locks (its "
        "optimistic path is tested above). CI runs this on Postgres."
    ),
)
# Real commits from 16 connections; serialized rollback puts back the forces (data migration
# rows) that the flush after a transactional test removes, for this test and those after it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sixteen_claimers_empty_a_queue_of_500_with_every_case_claimed_exactly_once():
    cases = bulk_open_cases(OPEN_CASES, reporter=reporter_in())
    claimers = [triager_in() for _ in range(CLAIMERS)]
    claimed: dict[int, list[int]] = {person.pk: [] for person in claimers}
    errors: list[BaseException] = []
    start = threading.Barrier(CLAIMERS)

    def work(person):
        try:
            start.wait()
            while (case := case_claim_next(actor=person)) is not None:
                claimed[person.pk].append(case.pk)
        except BaseException as error:  # reported below; a thread must not die silently
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(person,)) for person in claimers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    every_claim = [pk for pks in claimed.values() for pk in pks]
    assert len(every_claim) == OPEN_CASES
    assert set(every_claim) == {case.pk for case in cases}
    assert Case.objects.filter(assignee__isnull=True).count() == 0
    for person_pk, pks in claimed.items():
        assert set(Case.objects.filter(pk__in=pks).values_list("assignee_id", flat=True)) <= {
            person_pk
        }
    assert sum(1 for pks in claimed.values() if pks) > 1, "claims were not concurrent"
