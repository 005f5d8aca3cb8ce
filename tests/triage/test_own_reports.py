"""Nobody triages their own report, nor a report of the family member they are linked to.

A family account reports under the linked member's force, where the member may work in
triage: without these conflicts they could read a report the family member chose not to
share with them (found in review).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from harmsportal.notifications.models import Notification
from harmsportal.people.models import Role, User
from reports.services.conversation import report_message_send
from tests.factories import link_family, make_person
from tests.reports.factories import SubmittedReportFactory, family_report
from tests.triage.factories import ClaimedCaseFactory, triager_in
from triage.models import Case, CaseConflict
from triage.selectors import cases_visible_to
from triage.services.claiming import case_claim, case_claim_next, case_open_from_report
from triage.services.moving import case_step_aside, case_transfer


@pytest.fixture
def triaging_officer(db) -> User:
    # A West Yorkshire officer who works in triage, and whose partner has a family account.
    return make_person(Role.TRIAGE, full_name="Tess Triage")


@pytest.fixture
def partner(triaging_officer) -> User:
    family = make_person(kind=User.Kind.FAMILY, full_name="Pat Partner")
    link_family(triaging_officer, family)
    return family


def _path(case: Case) -> str:
    return f"/triage/cases/{case.public_id}/"


def test_a_triager_never_sees_their_family_members_unshared_report(
    client, triaging_officer, partner
):
    case = case_open_from_report(family_report(partner, shared=False))
    client.force_login(triaging_officer)

    assert client.get(_path(case)).status_code == 404
    assert case.report.reference not in client.get("/triage/?status=all").content.decode()
    assert case_claim_next(actor=triaging_officer) is None
    with pytest.raises(ValidationError):
        case_claim(actor=triaging_officer, case=case)
    assert not cases_visible_to(triaging_officer).filter(pk=case.pk).exists()


def test_a_triager_never_sees_the_case_of_their_own_report(client, triaging_officer):
    case = case_open_from_report(SubmittedReportFactory(reporter=triaging_officer))
    client.force_login(triaging_officer)
    assert client.get(_path(case)).status_code == 404
    assert case_claim_next(actor=triaging_officer) is None


def test_colleagues_still_work_the_case_and_the_page_does_not_list_the_reporter_as_stepped_aside(
    client, triaging_officer, partner
):
    case = case_open_from_report(family_report(partner, shared=False))
    colleague = triager_in()
    client.force_login(colleague)
    page = client.get(_path(case)).content.decode()
    assert "Claim this case" in page
    assert 'id="stepped-aside"' not in page
    assert set(case.conflicts.values_list("user_id", "source")) == {
        (partner.pk, CaseConflict.Source.REPORT),
        (triaging_officer.pk, CaseConflict.Source.REPORT),
    }


def test_a_supervisor_is_not_alerted_about_their_own_familys_report(partner):
    supervisor = User.objects.get(pk=partner.linked_members.get().member_id)
    supervisor.memberships.create(
        force=supervisor.memberships.first().force, role="triage_supervisor"
    )
    other_supervisor = make_person(Role.TRIAGE_SUPERVISOR)
    report = family_report(partner, shared=False)
    case_open_from_report(report)

    report_message_send(actor=partner, report=report, body="Something new happened.")

    alerted = set(
        Notification.objects.filter(kind=Notification.Kind.ALERT).values_list("user_id", flat=True)
    )
    assert other_supervisor.pk in alerted
    assert supervisor.pk not in alerted


def test_a_supervisor_who_stepped_aside_no_longer_sees_the_case_on_the_supervisor_page(
    client, triager
):
    supervisor = make_person(Role.TRIAGE_SUPERVISOR)
    case = ClaimedCaseFactory(assignee=triager)
    case_step_aside(actor=supervisor, case=case, reason="We play football together.")
    case.refresh_from_db()
    case.first_response_due = case.submitted_at  # long past: a breach
    case.save(update_fields=["first_response_due"])
    client.force_login(supervisor)
    assert case.report.reference not in client.get("/triage/supervisor/").content.decode()


def test_the_reason_for_stepping_aside_does_not_travel_with_a_transfer(client, triager):
    from harmsportal.people.models import Force

    case = ClaimedCaseFactory(assignee=triager)
    case_step_aside(actor=triager, case=case, reason="We play football together.")
    supervisor = make_person(Role.TRIAGE_SUPERVISOR)
    north = Force.objects.get(slug="north-yorkshire")
    case_transfer(
        actor=supervisor, case=Case.objects.get(pk=case.pk), to_force=north, reason="Moved."
    )
    client.force_login(make_person(Role.TRIAGE, force_slug="north-yorkshire"))
    page = client.get(_path(case)).content.decode()
    assert "Stepped aside" in page
    assert "football" not in page
