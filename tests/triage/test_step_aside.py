"""Stepping aside: someone who knows the person declares a conflict, and the case is never
theirs again — not by claim, claim next (on SQLite and in Postgres's SKIP LOCKED statement),
reassignment or reopening."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from harmsportal.notifications.models import Notification
from tests.reports.test_access import _without_nonces
from tests.triage.factories import (
    AssessedCaseFactory,
    CaseFactory,
    ClaimedCaseFactory,
    OutcomeGivenCaseFactory,
    triager_in,
)
from triage.models import Case, CaseConflict, CaseEvent, CaseStatus
from triage.services.claiming import case_claim, case_claim_next, case_reassign
from triage.services.moving import case_step_aside
from triage.services.working import case_note_add, case_reopen

REASON = "We were at training school together."


def _path(case: Case, action: str = "") -> str:
    return f"/triage/cases/{case.public_id}/{action}"


def test_stepping_aside_releases_the_case_and_keeps_the_declaration(client, triager):
    case = ClaimedCaseFactory(assignee=triager)
    client.force_login(triager)
    response = client.post(_path(case, "step-aside/"), {"reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == "/triage/"

    case.refresh_from_db()
    assert (case.assignee_id, case.status) == (None, CaseStatus.NEW)
    conflict = CaseConflict.objects.get(case=case, source=CaseConflict.Source.DECLARED)
    assert (conflict.user, conflict.reason) == (triager, REASON)
    assert conflict.declared_at is not None
    event = case.events.get(kind=CaseEvent.Kind.CONFLICT_DECLARED)
    assert event.actor == triager
    assert event.from_user == triager
    page = client.get("/triage/").content.decode()
    assert f"You have stepped aside from case {case.report.reference}" in page


def test_an_assessed_case_goes_back_to_the_queue_still_assessed(triager):
    case = AssessedCaseFactory(assignee=triager)
    case_step_aside(actor=triager, case=case, reason=REASON)
    case.refresh_from_db()
    assert (case.assignee_id, case.status) == (None, CaseStatus.ASSESSED)


def test_someone_not_holding_the_case_can_step_aside_without_moving_it(triager):
    holder = triager_in()
    case = ClaimedCaseFactory(assignee=holder)
    assert case_step_aside(actor=triager, case=case, reason=REASON) is True
    case.refresh_from_db()
    assert case.assignee == holder
    assert CaseConflict.objects.filter(case=case, user=triager).exists()


def test_a_reason_is_required(client, triager):
    case = ClaimedCaseFactory(assignee=triager)
    client.force_login(triager)
    page = client.post(_path(case, "step-aside/"), {"reason": " "}).content.decode()
    assert "Enter how you know the person." in page
    case.refresh_from_db()
    assert case.assignee == triager
    assert not CaseConflict.objects.filter(source=CaseConflict.Source.DECLARED).exists()


def test_the_reason_never_reaches_the_reporter(client, triager):
    case = ClaimedCaseFactory(assignee=triager)
    case_step_aside(actor=triager, case=case, reason=REASON)
    reporter = case.report.reporter
    client.force_login(reporter)
    assert REASON not in client.get(f"/reports/{case.report.public_id}/").content.decode()
    assert not Notification.objects.filter(user=reporter, title__contains=REASON).exists()


def test_stepping_aside_twice_changes_nothing(triager):
    case = ClaimedCaseFactory(assignee=triager)
    assert case_step_aside(actor=triager, case=case, reason=REASON) is True
    assert case_step_aside(actor=triager, case=case, reason="Again") is False
    assert CaseConflict.objects.get(case=case, source=CaseConflict.Source.DECLARED).reason == REASON
    assert case.events.filter(kind=CaseEvent.Kind.CONFLICT_DECLARED).count() == 1


def test_they_can_never_claim_it_again(client, triager):
    case = ClaimedCaseFactory(assignee=triager)
    case_step_aside(actor=triager, case=case, reason=REASON)
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="stepped aside"):
        case_claim(actor=triager, case=case)
    client.force_login(triager)
    client.post(_path(case, "claim/"))
    assert Case.objects.get(pk=case.pk).assignee is None
    client.force_login(triager_in())
    assert "Claim this case" in client.get(_path(case)).content.decode()  # others may


def test_claim_next_passes_over_the_case_on_every_database(triager):
    # On SQLite this is the optimistic path; on Postgres, the SKIP LOCKED statement.
    now = timezone.now()
    known = CaseFactory(submitted_at=now - timedelta(days=2))  # the head of the queue
    other = CaseFactory(submitted_at=now - timedelta(days=1))
    case_step_aside(actor=triager, case=known, reason=REASON)
    assert case_claim_next(actor=triager) == other
    assert case_claim_next(actor=triager) is None
    assert Case.objects.get(pk=known.pk).assignee is None
    colleague = triager_in()
    assert case_claim_next(actor=colleague) == known


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED needs Postgres")
def test_the_skip_locked_statement_itself_excludes_the_conflict(triager):
    known = CaseFactory()
    case_step_aside(actor=triager, case=known, reason=REASON)
    assert Case.claim_head_of_queue(triager, force_ids=[known.force_id]) is None
    assert Case.claim_head_of_queue(triager, force_ids=[known.force_id, known.force_id + 1]) is None
    colleague = triager_in()
    assert Case.claim_head_of_queue(colleague, force_ids=[known.force_id]) == known


def test_the_reassign_form_does_not_offer_them_and_the_service_refuses(
    client, triager, triage_supervisor
):
    case = ClaimedCaseFactory(assignee=triager)
    case_step_aside(actor=triager, case=case, reason=REASON)
    client.force_login(triage_supervisor)
    form_page = client.get(_path(case, "reassign/")).content.decode()
    assert f'value="{triager.pk}"' not in form_page
    response = client.post(_path(case, "reassign/"), {"assignee": triager.pk})
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).assignee is None
    with pytest.raises(ValidationError, match="stepped aside"):
        case_reassign(actor=triage_supervisor, case=case, assignee=triager)


def test_they_cannot_reopen_it_for_themselves_or_work_it_as_a_supervisor(
    triager, triage_supervisor
):
    case = OutcomeGivenCaseFactory(assignee=triager)
    case_step_aside(actor=triage_supervisor, case=case, reason=REASON)
    with pytest.raises(ValidationError, match="stepped aside"):
        case_reopen(actor=triage_supervisor, case=case, reason="Reporter replied")
    # A note is still fine: it is not working the case.
    case_note_add(actor=triage_supervisor, case=case, body="Declared a conflict; over to the team.")


def test_a_finished_case_they_held_is_released_so_nobody_reopens_it_for_them(triager):
    case = OutcomeGivenCaseFactory(assignee=triager)
    case_step_aside(actor=triager, case=case, reason=REASON)
    case.refresh_from_db()
    assert case.assignee_id is None
    assert case.status == CaseStatus.OUTCOME_GIVEN


def test_after_stepping_aside_they_no_longer_read_the_case_or_see_it_in_the_queue(client, triager):
    case = ClaimedCaseFactory(assignee=triager)
    client.force_login(triager)

    response = client.post(_path(case, "step-aside/"), {"reason": REASON})

    assert response.status_code == 302
    assert response["Location"] == "/triage/"
    assert client.get(_path(case)).status_code == 404
    assert case.report.reference not in client.get("/triage/?status=all").content.decode()
    missing = client.get(f"/triage/cases/{uuid.uuid4()}/")
    forbidden = client.get(_path(case))
    assert _without_nonces(forbidden) == _without_nonces(missing)  # exactly like a missing case
