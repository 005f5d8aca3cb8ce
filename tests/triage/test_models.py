"""The case state machine: each move is idempotent and illegal moves are refused clearly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.triage.factories import (
    ActionUnderWayCaseFactory,
    AssessedCaseFactory,
    CaseFactory,
    ClaimedCaseFactory,
    ClosedCaseFactory,
    OutcomeGivenCaseFactory,
    triager_in,
)
from triage.models import RISK_WEIGHT, Case, CaseStatus, ClaimConflictError, Risk

pytestmark = pytest.mark.django_db


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_claiming_a_new_case_assigns_it_and_marks_it_claimed(triager):
    case = CaseFactory()
    assert case.claim(triager) is True
    stored = _fresh(case)
    assert stored.status == CaseStatus.CLAIMED
    assert stored.assignee == triager
    assert stored.claimed_at is not None


def test_claiming_a_case_twice_by_the_same_person_changes_nothing(triager):
    case = CaseFactory()
    case.claim(triager)
    claimed_at = _fresh(case).claimed_at
    assert case.claim(triager) is False
    assert _fresh(case).claimed_at == claimed_at


def test_claiming_a_case_someone_else_holds_is_refused(triager):
    case = ClaimedCaseFactory()
    with pytest.raises(ValidationError, match="Someone else is already working"):
        case.claim(triager)
    assert _fresh(case).assignee != triager


def test_a_claim_made_from_a_stale_copy_loses_to_the_first_claim(triager):
    case = CaseFactory()
    stale = _fresh(case)
    other = triager_in()
    assert case.claim(other) is True
    with pytest.raises(ClaimConflictError):
        stale.claim(triager)
    assert _fresh(case).assignee == other


def test_handing_back_an_unassessed_case_makes_it_new_again():
    case = ClaimedCaseFactory()
    assert case.unclaim() is True
    stored = _fresh(case)
    assert (stored.status, stored.assignee) == (CaseStatus.NEW, None)
    assert stored.unclaim() is False


def test_handing_back_an_assessed_case_keeps_its_assessment():
    case = AssessedCaseFactory(risk=Risk.HIGH)
    case.unclaim()
    stored = _fresh(case)
    assert (stored.status, stored.assignee, stored.risk) == (CaseStatus.ASSESSED, None, "high")


def test_assessment_moves_a_claimed_case_on_and_sets_its_priority():
    case = ClaimedCaseFactory()
    assert case.assess(risk=Risk.IMMEDIATE, recording_decision="crime") is True
    stored = _fresh(case)
    assert stored.status == CaseStatus.ASSESSED
    assert stored.priority == RISK_WEIGHT[Risk.IMMEDIATE]
    assert stored.first_response_due == stored.submitted_at + timedelta(hours=1)


def test_repeating_the_same_assessment_changes_nothing():
    case = AssessedCaseFactory(risk=Risk.LOW, recording_decision="no_recording")
    updated = case.updated_at
    assert case.assess(risk=Risk.LOW, recording_decision="no_recording") is False
    assert _fresh(case).updated_at == updated


def test_revising_the_risk_of_an_assessed_case_keeps_its_status():
    case = ActionUnderWayCaseFactory(risk=Risk.LOW)
    assert case.assess(risk=Risk.HIGH, recording_decision="crime") is True
    stored = _fresh(case)
    assert (stored.status, stored.priority) == (CaseStatus.ACTION_UNDER_WAY, RISK_WEIGHT["high"])


def test_the_first_action_marks_action_under_way_and_later_ones_change_nothing():
    case = AssessedCaseFactory()
    assert case.start_action() is True
    assert case.start_action() is False
    assert _fresh(case).status == CaseStatus.ACTION_UNDER_WAY


def test_giving_the_outcome_stops_the_clocks_and_counts_as_a_first_response():
    case = AssessedCaseFactory()
    assert case.give_outcome() is True
    stored = _fresh(case)
    assert stored.status == CaseStatus.OUTCOME_GIVEN
    assert stored.next_update_due is None
    assert stored.first_responded_at == stored.outcome_given_at
    assert stored.clocks() == []
    assert stored.give_outcome() is False


def test_closing_twice_is_harmless():
    case = ClosedCaseFactory()
    closed_at = case.closed_at
    assert case.close() is False
    assert _fresh(case).closed_at == closed_at


def test_reopening_a_closed_case_starts_fresh_clocks_and_clears_breach_flags(triager):
    case = ClosedCaseFactory()
    long_ago = timezone.now() - timedelta(days=60)
    Case.objects.filter(pk=case.pk).update(
        outcome_breached_at=long_ago, outcome_escalated_at=long_ago
    )
    case = _fresh(case)
    assert case.reopen(triager) is True
    stored = _fresh(case)
    assert stored.status == CaseStatus.ASSESSED
    assert stored.assignee == triager
    assert stored.outcome_due > timezone.now() + timedelta(days=27)
    assert stored.next_update_due > timezone.now() + timedelta(days=13)
    assert (stored.outcome_breached_at, stored.outcome_escalated_at) == (None, None)
    assert stored.reopen(triager) is False


def test_reopening_to_reassess_puts_the_case_back_to_claimed(triager):
    case = OutcomeGivenCaseFactory()
    assert case.reopen(triager, reassess=True) is True
    assert _fresh(case).status == CaseStatus.CLAIMED


@pytest.mark.parametrize(
    ("factory", "move", "message"),
    [
        (CaseFactory, lambda c, u: c.assess(risk="low", recording_decision="crime"), "Claim"),
        (CaseFactory, lambda c, u: c.start_action(), "Assess the risk"),
        (CaseFactory, lambda c, u: c.give_outcome(), "Assess the risk"),
        (CaseFactory, lambda c, u: c.close(), "Give the reporter an outcome"),
        (ClaimedCaseFactory, lambda c, u: c.start_action(), "Assess the risk"),
        (ClaimedCaseFactory, lambda c, u: c.give_outcome(), "Assess the risk"),
        (AssessedCaseFactory, lambda c, u: c.close(), "Give the reporter an outcome"),
        (
            OutcomeGivenCaseFactory,
            lambda c, u: c.assess(risk="low", recording_decision="crime"),
            "Reopen",
        ),
        (OutcomeGivenCaseFactory, lambda c, u: c.start_action(), "Reopen"),
        (OutcomeGivenCaseFactory, lambda c, u: c.unclaim(), "outcome"),
        (ClosedCaseFactory, lambda c, u: c.claim(u), "Reopen"),
        (ClosedCaseFactory, lambda c, u: c.reassign(u), "Reopen"),
        (ClosedCaseFactory, lambda c, u: c.give_outcome(), "Reopen"),
        (
            ClaimedCaseFactory,
            lambda c, u: c.assess(risk="severe", recording_decision="crime"),
            "risk",
        ),
    ],
)
def test_an_illegal_move_raises_a_clear_validation_error_and_changes_nothing(
    triager, factory, move, message
):
    case = factory()
    before = _fresh(case)
    with pytest.raises(ValidationError, match=message):
        move(case, triager)
    after = _fresh(case)
    assert (after.status, after.assignee_id, after.risk) == (
        before.status,
        before.assignee_id,
        before.risk,
    )


def test_a_report_can_have_only_one_case_in_the_database():
    case = CaseFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(
            report=case.report,
            force=case.force,
            submitted_at=case.submitted_at,
            first_response_due=case.first_response_due,
            outcome_due=case.outcome_due,
        )


def test_the_database_refuses_a_new_case_with_an_assignee(triager):
    case = CaseFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(assignee=triager)
