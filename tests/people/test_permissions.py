"""Permission matrix for the role-gated routes the foundation provides."""

from __future__ import annotations

import pytest

TRIAGE_QUEUE = "/triage/"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("officer", 403),
        ("family_member", 403),
        ("psd_officer", 404),
        ("champion", 403),
        ("force_lead", 403),
        ("analyst", 403),
        ("triager", 200),
        ("triage_supervisor", 200),
    ],
)
def test_triage_queue_is_for_triage_roles_only(client, persona, who, expected):
    client.force_login(persona(who))
    response = client.get(TRIAGE_QUEUE)
    assert response.status_code == expected


def test_anonymous_visitor_is_sent_to_sign_in_for_triage(client, db):
    response = client.get(TRIAGE_QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_triager_sees_only_their_own_forces_team(client, triager, other_force_triager):
    client.force_login(triager)
    page = client.get(TRIAGE_QUEUE).content.decode()
    assert "West Yorkshire Police" in page
    assert "North Yorkshire Police" not in page


def test_professional_standards_get_404_not_403_on_a_staff_route(client, psd_officer):
    client.force_login(psd_officer)
    response = client.get(TRIAGE_QUEUE)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
