"""Transferring a case to another force: the case, its report and access all move with it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from harmsportal.notifications.models import Notification
from harmsportal.people.models import Role, User
from reports.models import Report
from reports.services.lifecycle import report_withdraw
from tests.factories import force, make_person
from tests.triage.factories import (
    AssessedCaseFactory,
    ClosedCaseFactory,
    triager_in,
)
from triage import sla
from triage.models import Case, CaseEvent, CaseStatus
from triage.services.moving import case_transfer

REASON = "The officer moved to North Yorkshire in March; their home force should handle this."


def _path(case: Case, action: str = "") -> str:
    return f"/triage/cases/{case.public_id}/{action}"


@pytest.fixture
def north_yorkshire():
    return force("north-yorkshire")


@pytest.fixture
def their_supervisor(db) -> User:
    # Supervises triage in North Yorkshire, the force the case is sent to.
    return make_person(Role.TRIAGE_SUPERVISOR, force_slug="north-yorkshire", kind=User.Kind.STAFF)


@pytest.fixture
def case(triager) -> Case:
    return AssessedCaseFactory(assignee=triager, risk="medium")


def _transfer(client, case, to_force, reason=REASON):
    return client.post(_path(case, "transfer/"), {"to_force": to_force.pk, "reason": reason})


def test_a_supervisor_transfers_a_case_and_it_arrives_new_and_unassigned(
    client, triage_supervisor, case, north_yorkshire, their_supervisor
):
    before = timezone.now()
    client.force_login(triage_supervisor)
    response = _transfer(client, case, north_yorkshire)
    assert response.status_code == 302
    assert response["Location"] == "/triage/"

    case.refresh_from_db()
    report = Report.objects.get(pk=case.report_id)
    assert case.force == north_yorkshire
    assert report.force == north_yorkshire
    assert (case.status, case.assignee_id, case.risk) == (CaseStatus.NEW, None, "")
    # Fresh clocks from the moment of transfer, by the receiving force's holidays.
    assert case.first_response_due == sla.first_response_due(
        case.updated_at, "", subdivision=north_yorkshire.holiday_subdivision
    )
    assert case.first_response_due > before
    assert case.outcome_due == sla.outcome_due(case.updated_at)
    assert case.first_responded_at is None
    # The reason is kept for the receiving team, and in the case's history.
    event = case.events.get(kind=CaseEvent.Kind.TRANSFERRED)
    assert REASON in event.detail
    assert "West Yorkshire Police" in event.detail
    assert event.actor == triage_supervisor
    assert case.notes.filter(body__contains=REASON).exists()


def test_the_other_forces_supervisors_are_told_naming_the_reference(
    client, triage_supervisor, case, north_yorkshire, their_supervisor
):
    client.force_login(triage_supervisor)
    _transfer(client, case, north_yorkshire)
    told = Notification.objects.get(user=their_supervisor, kind=Notification.Kind.ALERT)
    assert case.report.reference in told.title
    assert told.link_path == _path(case)
    assert REASON not in told.title
    # The sending force's own supervisor is not alerted about the arrival.
    assert not Notification.objects.filter(
        user=triage_supervisor, title__contains="transferred"
    ).exists()


def test_access_moves_with_the_case(
    client, triage_supervisor, triager, other_force_triager, case, north_yorkshire
):
    client.force_login(triage_supervisor)
    _transfer(client, case, north_yorkshire)

    client.force_login(triager)
    assert client.get(_path(case)).status_code == 404
    assert case.report.reference not in client.get("/triage/", {"status": "all"}).content.decode()
    assert client.post(_path(case, "claim/")).status_code == 404

    client.force_login(other_force_triager)
    assert case.report.reference in client.get("/triage/").content.decode()
    assert client.get(_path(case)).status_code == 200
    client.post("/triage/claim-next/")
    case.refresh_from_db()
    assert case.assignee == other_force_triager


def test_the_reporter_sees_which_force_handles_it_but_never_the_reason(
    client, triage_supervisor, case, north_yorkshire
):
    client.force_login(triage_supervisor)
    _transfer(client, case, north_yorkshire)
    reporter = case.report.reporter
    told = Notification.objects.filter(user=reporter, title__contains="now handled by").get()
    assert told.title == (
        f"Your report {case.report.reference} is now handled by North Yorkshire Police"
    )
    client.force_login(reporter)
    page = client.get(f"/reports/{case.report.public_id}/").content.decode()
    assert "handled by North Yorkshire Police" in page
    assert "Your report is now handled by North Yorkshire Police, the force best placed" in page
    assert REASON not in page
    assert not Notification.objects.filter(user=reporter, title__contains=REASON).exists()


def test_an_immediate_risk_case_keeps_its_place_at_the_head_of_the_new_queue(
    triage_supervisor, triager, north_yorkshire
):
    case = AssessedCaseFactory(assignee=triager, risk="immediate")
    case_transfer(actor=triage_supervisor, case=case, to_force=north_yorkshire, reason=REASON)
    case.refresh_from_db()
    assert case.priority == 4
    assert case.risk == ""


def test_a_breached_case_starts_again_without_its_breach_flags(
    triage_supervisor, triager, north_yorkshire
):
    case = AssessedCaseFactory(assignee=triager)
    Case.objects.filter(pk=case.pk).update(
        first_response_breached_at=timezone.now() - timedelta(hours=1),
        first_response_escalated_at=timezone.now() - timedelta(hours=1),
    )
    case_transfer(actor=triage_supervisor, case=case, to_force=north_yorkshire, reason=REASON)
    case.refresh_from_db()
    assert case.first_response_breached_at is None
    assert case.first_response_escalated_at is None


def test_a_plain_triager_cannot_transfer(client, triager, case, north_yorkshire):
    client.force_login(triager)
    assert client.get(_path(case, "transfer/")).status_code == 403
    assert _transfer(client, case, north_yorkshire).status_code == 403
    case.refresh_from_db()
    assert case.force.slug == "west-yorkshire"
    with pytest.raises(PermissionDenied):
        case_transfer(actor=triager, case=case, to_force=north_yorkshire, reason=REASON)


def test_a_supervisor_of_another_force_cannot_transfer_this_forces_case(case, north_yorkshire):
    outsider = make_person(
        Role.TRIAGE_SUPERVISOR, force_slug="north-yorkshire", kind=User.Kind.STAFF
    )
    with pytest.raises(PermissionDenied):
        case_transfer(actor=outsider, case=case, to_force=north_yorkshire, reason=REASON)


def test_a_reason_is_required_and_the_current_force_is_not_offered(
    client, triage_supervisor, case, north_yorkshire
):
    client.force_login(triage_supervisor)
    form_page = client.get(_path(case, "transfer/")).content.decode()
    assert "North Yorkshire Police" in form_page
    assert f'value="{case.force.pk}"' not in form_page
    page = _transfer(client, case, north_yorkshire, reason="  ").content.decode()
    assert "Enter why the case is being transferred." in page
    case.refresh_from_db()
    assert case.force.slug == "west-yorkshire"
    with pytest.raises(ValidationError):
        case_transfer(actor=triage_supervisor, case=case, to_force=case.force, reason=REASON)


def test_finished_and_withdrawn_cases_are_not_transferred(
    triage_supervisor, triager, north_yorkshire
):
    closed = ClosedCaseFactory(assignee=triager)
    with pytest.raises(ValidationError, match="Only an open case"):
        case_transfer(actor=triage_supervisor, case=closed, to_force=north_yorkshire, reason=REASON)
    withdrawn = AssessedCaseFactory(assignee=triager)
    report_withdraw(actor=withdrawn.report.reporter, report=withdrawn.report)
    with pytest.raises(ValidationError):
        case_transfer(
            actor=triage_supervisor, case=withdrawn, to_force=north_yorkshire, reason=REASON
        )
    assert Case.objects.get(pk=withdrawn.pk).force.slug == "west-yorkshire"


def test_the_case_page_offers_transfer_to_supervisors_only(client, triage_supervisor, triager):
    case = AssessedCaseFactory(assignee=triager_in())
    client.force_login(triage_supervisor)
    assert "Transfer to another force" in client.get(_path(case)).content.decode()
    client.force_login(triager)
    assert "Transfer to another force" not in client.get(_path(case)).content.decode()


def test_the_triager_who_held_it_is_told_and_pointed_at_their_own_queue(
    client, triage_supervisor, triager, case, north_yorkshire
):
    client.force_login(triage_supervisor)
    _transfer(client, case, north_yorkshire)
    told = Notification.objects.get(user=triager, kind=Notification.Kind.ALERT)
    assert case.report.reference in told.title
    assert "North Yorkshire" in told.title
    assert REASON not in told.title
    assert told.link_path == "/triage/"  # the case itself is now another force's


def test_the_sending_forces_late_update_and_crime_reference_stay_behind(
    client, triage_supervisor, case, north_yorkshire
):
    Case.objects.filter(pk=case.pk).update(
        update_met_late_at=timezone.now(), crime_reference="13/1234/26", offence_crosswalk="s.1"
    )
    client.force_login(triage_supervisor)
    _transfer(client, case, north_yorkshire)
    case.refresh_from_db()
    assert (case.update_met_late_at, case.crime_reference, case.offence_crosswalk) == (None, "", "")
    assert case.sla_state().key != "met_late"
