"""Staff roles must enrol MFA before any staff page; TOTP codes cannot be replayed."""

from __future__ import annotations

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from harmsportal.people.middleware import MFA_EXEMPT_PREFIXES
from harmsportal.people.models import Role
from tests.factories import PASSWORD, make_person
from tests.routes import all_routes

ENROL_URL = "/accounts/2fa/totp/activate/"
FROZEN = "2026-11-21 10:00:05+00:00"


def totp_now(secret: str) -> str:
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _sign_in_with_password(client, email: str):
    return client.post("/accounts/login/", {"login": email, "password": PASSWORD})


def _confirm_password(client):
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302


# Every route of the portal, from the URLconf (tests/routes.py): a new route is covered the
# moment it exists. allauth's own pages are left out there; MFA enrolment lives among them.
ROUTES = all_routes()


def test_route_discovery_finds_staff_reporter_and_admin_pages():
    paths = {route.sample_path() for route in ROUTES}
    assert {"/triage/", "/reports/", "/admin/", "/"} <= paths


@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_staff_user_without_mfa_is_sent_to_enrolment_from_every_route_but_the_exempt(
    client, db, route
):
    triager = make_person(Role.TRIAGE, Role.PLATFORM_ADMIN, mfa=False)
    client.force_login(triager)
    url = route.sample_path()
    response = client.get(url)
    if url.startswith(MFA_EXEMPT_PREFIXES):
        # Public pages, and the quick exit: it must sign anyone out at once.
        assert response.get("Location") != ENROL_URL
    else:
        assert response.status_code == 302
        assert response["Location"] == ENROL_URL


def test_quick_exit_signs_out_a_staff_user_who_has_not_enrolled(client, db):
    client.force_login(make_person(Role.TRIAGE, mfa=False))
    response = client.get("/exit/")
    assert response.status_code == 302
    assert response["Location"] != ENROL_URL
    assert "_auth_user_id" not in client.session


def test_reporter_without_mfa_is_not_sent_to_enrolment(client, officer):
    client.force_login(officer)
    assert client.get("/").status_code == 200


def test_setting_off_lets_staff_in_without_mfa(client, db, settings):
    settings.HARMSPORTAL_REQUIRE_STAFF_MFA = False
    client.force_login(make_person(Role.TRIAGE, mfa=False))
    assert client.get("/triage/").status_code == 200


def test_enrolment_page_itself_is_reachable_without_mfa(client, db):
    triager = make_person(Role.TRIAGE, mfa=False)
    _sign_in_with_password(client, triager.email)
    # allauth asks for the password again before any change to MFA; that page is exempt too.
    response = client.get(ENROL_URL, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")
    _confirm_password(client)
    assert client.get(ENROL_URL).status_code == 200


@time_machine.travel(FROZEN, tick=False)
def test_triager_enrols_totp_then_gets_in(client, db):
    triager = make_person(Role.TRIAGE, mfa=False)
    signed_in = _sign_in_with_password(client, triager.email)
    assert signed_in.status_code == 302
    assert client.get("/triage/")["Location"] == ENROL_URL

    _confirm_password(client)
    client.get(ENROL_URL)  # allauth keeps the pending secret in the session
    secret = client.session["mfa.totp.secret"]
    response = client.post(ENROL_URL, {"code": totp_now(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=triager, type=Authenticator.Type.TOTP).exists()
    assert client.get("/triage/").status_code == 200


@time_machine.travel(FROZEN, tick=False)
def test_a_totp_code_cannot_be_replayed(client, db):
    triager = make_person(Role.TRIAGE, mfa=False)
    from tests.factories import enrol_totp

    secret = enrol_totp(triager)
    code = totp_now(secret)

    first = _sign_in_with_password(client, triager.email)
    assert first["Location"] == "/accounts/2fa/authenticate/"
    accepted = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert accepted.status_code == 302
    assert client.get("/triage/").status_code == 200

    client.post("/accounts/logout/")
    _sign_in_with_password(client, triager.email)
    replayed = client.post("/accounts/2fa/authenticate/", {"code": code})

    assert replayed.status_code == 200  # the form is shown again with an error
    assert replayed.context["form"].errors
    assert client.get("/triage/").status_code == 302  # still not signed in


@time_machine.travel(FROZEN, tick=False)
def test_wrong_totp_code_is_refused(client, db):
    triager = make_person(Role.TRIAGE)
    _sign_in_with_password(client, triager.email)
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200
    assert response.context["form"].errors
