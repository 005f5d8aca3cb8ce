"""The permission matrix for every triage route: role x route x expected status.

Only triage and triage supervisors of the case's own force get in. Everyone else gets 403 (no
triage role at all), 404 (a triage role, but in another force; or Professional Standards), and
nothing changes. tests/test_permission_matrix.py holds the same rule for every route.
"""

from __future__ import annotations

import pytest

from harmsportal.audit.models import AccessLog
from harmsportal.people.models import Force
from reports.evidence.storage import store_encrypted
from reports.models import Evidence, HarmCategory
from tests.triage.factories import ActionUnderWayCaseFactory
from triage.models import Case

CASE_ROUTES = [
    ("get", ""),
    ("post", "claim/"),
    ("post", "unclaim/"),
    ("get", "reassign/"),
    ("post", "reassign/"),
    ("get", "assess/"),
    ("post", "assess/"),
    ("get", "actions/new/"),
    ("post", "actions/new/"),
    ("get", "notes/new/"),
    ("post", "notes/new/"),
    ("get", "messages/new/"),
    ("post", "messages/new/"),
    ("get", "outcome/"),
    ("post", "outcome/"),
    ("post", "close/"),
    ("get", "reopen/"),
    ("post", "reopen/"),
    ("get", "evidence/{evidence}/"),
    ("get", "transfer/"),
    ("post", "transfer/"),
    ("get", "step-aside/"),
    ("post", "step-aside/"),
]
FORCE_ROUTES = [
    ("get", "/triage/"),
    ("post", "/triage/claim-next/"),
    ("get", "/triage/supervisor/"),
]
# Supervisor-only routes: a triager of the right force gets 403 there.
SUPERVISOR_ONLY = {"reassign/", "transfer/", "/triage/supervisor/"}
NO_TRIAGE_ROLE = ("psd_officer", "officer", "family_member", "champion", "force_lead", "analyst")


@pytest.fixture
def case(db, triager) -> Case:
    """A West Yorkshire case in the middle of being worked, with one evidence file."""
    case = ActionUnderWayCaseFactory(assignee=triager)
    Evidence.objects.create(
        report=case.report,
        kind=Evidence.Kind.TEXT,
        original_filename="messages.txt",
        mime="text/plain",
        stored_path=store_encrypted(b"the messages they sent"),
        uploaded_by=case.report.reporter,
    )
    return case


def _payload(triager) -> dict:
    """What a permitted user would send: enough to change the case if the route let it."""
    return {
        "assignee": triager.pk,
        "risk": "immediate",
        "categories": [HarmCategory.objects.get(slug="threats").pk],
        "recording_decision": "crime",
        "kind": "no_further_action",
        "note": "Closing",
        "body": "Something written",
        "category": "advice",
        "explanation": "All done",
        "reason": "Again",
        "to_force": Force.objects.get(slug="north-yorkshire").pk,
    }


def _path(case: Case, route: str) -> str:
    if route.startswith("/"):
        return route
    evidence = case.report.evidence.get()
    return f"/triage/cases/{case.public_id}/" + route.format(evidence=evidence.public_id)


def _request(client, method: str, path: str, data: dict):
    return client.post(path, data) if method == "post" else client.get(path)


def _snapshot(case: Case) -> tuple:
    stored = Case.objects.get(pk=case.pk)
    return (
        stored.status,
        stored.assignee_id,
        stored.risk,
        stored.notes.count(),
        stored.actions.count(),
        stored.report.messages.count(),
        stored.report.status,
        stored.force_id,
        stored.report.force_id,
        stored.conflicts.count(),
    )


@pytest.mark.parametrize("who", NO_TRIAGE_ROLE)
@pytest.mark.parametrize(("method", "route"), CASE_ROUTES + FORCE_ROUTES)
def test_people_without_a_triage_role_are_refused_every_triage_route(
    client, persona, case, triager, who, method, route
):
    person = persona(who)
    before = _snapshot(case)
    client.force_login(person)
    response = _request(client, method, _path(case, route), _payload(triager))
    # 404 to Professional Standards on every staff route; 403 to anyone else without the role.
    assert response.status_code == (404 if who == "psd_officer" else 403)
    assert _snapshot(case) == before
    assert not AccessLog.objects.filter(actor=person).exists()


@pytest.mark.parametrize(("method", "route"), CASE_ROUTES)
def test_triage_in_another_force_gets_404_for_every_case_route(
    client, other_force_triager, case, triager, method, route
):
    before = _snapshot(case)
    client.force_login(other_force_triager)
    response = _request(client, method, _path(case, route), _payload(triager))
    expected = 403 if route in SUPERVISOR_ONLY else 404
    assert response.status_code == expected
    assert _snapshot(case) == before
    assert not AccessLog.objects.filter(actor=other_force_triager).exists()


def test_triage_in_another_force_sees_and_claims_nothing_of_this_forces_queue(
    client, other_force_triager, db
):
    waiting = ActionUnderWayCaseFactory()
    Case.objects.filter(pk=waiting.pk).update(assignee=None)
    client.force_login(other_force_triager)
    assert waiting.report.reference not in client.get("/triage/").content.decode()
    client.post("/triage/claim-next/")
    assert Case.objects.get(pk=waiting.pk).assignee is None
    assert client.get("/triage/supervisor/").status_code == 403


@pytest.mark.parametrize(("method", "route"), CASE_ROUTES + FORCE_ROUTES)
def test_the_forces_triage_supervisor_can_use_every_triage_route(
    client, triage_supervisor, case, triager, method, route
):
    # The positive half of the matrix: proves each route exists, so the 404s above are real.
    client.force_login(triage_supervisor)
    response = _request(client, method, _path(case, route), _payload(triager))
    assert response.status_code == (302 if method == "post" else 200)


@pytest.mark.parametrize(("method", "route"), CASE_ROUTES + FORCE_ROUTES)
def test_the_forces_triager_can_use_every_route_but_the_supervisors(
    client, case, triager, method, route
):
    client.force_login(triager)
    response = _request(client, method, _path(case, route), _payload(triager))
    expected = 403 if route in SUPERVISOR_ONLY else 302 if method == "post" else 200
    assert response.status_code == expected


@pytest.mark.parametrize(("method", "route"), CASE_ROUTES + FORCE_ROUTES)
def test_anonymous_visitors_are_sent_to_sign_in(client, case, method, route):
    response = _request(client, method, _path(case, route), {})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# Moving a case (transfer, step aside): each cell expects exactly one status.
MOVING_ROUTES = [
    ("get", "transfer/"),
    ("post", "transfer/"),
    ("get", "step-aside/"),
    ("post", "step-aside/"),
]
MOVING_STATUS = {
    # Professional Standards: every staff route is simply not there.
    ("psd_officer", "transfer/"): 404,
    ("psd_officer", "step-aside/"): 404,
    # Signed in without the route's role.
    ("officer", "transfer/"): 403,
    ("officer", "step-aside/"): 403,
    ("champion", "transfer/"): 403,
    ("champion", "step-aside/"): 403,
    ("triager", "transfer/"): 403,
    ("other_force_triager", "transfer/"): 403,
    # The right role, another force's case.
    ("other_force_triager", "step-aside/"): 404,
    ("other_force_supervisor", "transfer/"): 404,
    ("other_force_supervisor", "step-aside/"): 404,
}


@pytest.fixture
def other_force_supervisor(db):
    from harmsportal.people.models import Role, User
    from tests.factories import make_person

    # Supervises North Yorkshire triage: a West Yorkshire case is not theirs to move.
    return make_person(Role.TRIAGE_SUPERVISOR, force_slug="north-yorkshire", kind=User.Kind.STAFF)


@pytest.mark.parametrize(("who", "route"), sorted(MOVING_STATUS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_moving_routes_answer_exactly_one_status_to_each_outsider(
    client, persona, request, case, triager, who, route, method
):
    person = request.getfixturevalue(who) if who == "other_force_supervisor" else persona(who)
    before = _snapshot(case)
    client.force_login(person)
    response = _request(client, method, _path(case, route), _payload(triager))
    assert response.status_code == MOVING_STATUS[(who, route)]
    assert _snapshot(case) == before


def test_the_supervisor_moves_the_case_and_the_triager_steps_aside(
    client, case, triager, triage_supervisor
):
    client.force_login(triager)
    assert client.post(_path(case, "step-aside/"), _payload(triager)).status_code == 302
    assert case.conflicts.filter(user=triager).exists()
    client.force_login(triage_supervisor)
    assert client.post(_path(case, "transfer/"), _payload(triager)).status_code == 302
    assert Case.objects.get(pk=case.pk).force.slug == "north-yorkshire"
