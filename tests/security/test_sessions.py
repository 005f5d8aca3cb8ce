"""Sessions: a new key at each sign-in step, sign-out that clears the browser too, and a new
password or a deactivation that ends the person's sessions everywhere (issue 11).

Every sign-in here goes through allauth's real forms, as a browser would; the other device is a
second test client holding its own session cookie.
"""

from __future__ import annotations

import time_machine
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client

from harmsportal.people.models import Role
from harmsportal.people.sessions import user_sessions_end
from tests.factories import PASSWORD, enrol_totp, make_person
from tests.people.test_mfa import totp_now
from tests.people.test_professional_standards import user_change_data, user_change_url

LOGIN = "/accounts/login/"
LOGOUT = "/accounts/logout/"
MFA_STEP = "/accounts/2fa/authenticate/"
SIGNED_IN_PAGE = "/reports/"  # any page that needs sign-in
FROZEN = "2026-11-21 10:00:05+00:00"
NEW_PASSWORD = "a-brand-new-passphrase-42"


def _sign_in(email: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post(LOGIN, {"login": email, "password": password})
    assert response.status_code == 302, response
    return client


def _is_signed_in(client: Client) -> bool:
    return client.get(SIGNED_IN_PAGE).status_code == 200


def _sessions_of(user) -> list[str]:
    return [
        session.session_key
        for session in Session.objects.all()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]


def _planted_session(client: Client) -> str:
    """A session that exists before sign-in, as one an attacker planted would (fixation)."""
    session = client.session
    session["planted"] = True
    session.save()
    return session.session_key


# --- the key rotates --------------------------------------------------------------------------
@time_machine.travel(FROZEN, tick=False)
def test_the_session_key_changes_when_the_password_is_accepted_and_again_at_the_mfa_step(
    client, db
):
    triager = make_person(Role.TRIAGE, kind="staff", mfa=False)
    secret = enrol_totp(triager)
    before = _planted_session(client)

    password_step = client.post(LOGIN, {"login": triager.email, "password": PASSWORD})
    assert password_step["Location"] == MFA_STEP
    half_signed_in = client.session.session_key
    mfa_step = client.post(MFA_STEP, {"code": totp_now(secret)})
    assert mfa_step.status_code == 302
    signed_in = client.session.session_key

    assert len({before, half_signed_in, signed_in}) == 3
    # The earlier keys are gone from the store, not merely unused: presenting them gets nothing.
    assert not Session.objects.filter(session_key__in=[before, half_signed_in]).exists()
    assert client.session[SESSION_KEY] == str(triager.pk)
    assert (
        client.session["planted"] is True
    )  # the data moves with the new key; only the key changes


def test_a_reporter_gets_a_new_session_key_at_sign_in(client, officer):
    before = _planted_session(client)
    assert client.post(LOGIN, {"login": officer.email, "password": PASSWORD}).status_code == 302

    assert client.session.session_key != before
    attacker = Client()
    attacker.cookies["sessionid"] = before  # the planted id the attacker kept
    assert not _is_signed_in(attacker)
    assert _is_signed_in(client)


# --- signing out -------------------------------------------------------------------------------
def test_signing_out_flushes_the_session_and_sends_clear_site_data(officer):
    client = _sign_in(officer.email)
    key = client.session.session_key

    response = client.post(LOGOUT)

    assert response.status_code == 302
    cleared = {part.strip() for part in response["Clear-Site-Data"].split(",")}
    assert cleared == {'"cache"', '"cookies"', '"storage"'}
    assert not Session.objects.filter(session_key=key).exists()
    assert SESSION_KEY not in client.session
    # The old cookie, replayed from another browser, opens nothing.
    replay = Client()
    replay.cookies["sessionid"] = key
    assert not _is_signed_in(replay)


def test_the_sign_out_page_itself_clears_nothing(officer):
    client = _sign_in(officer.email)
    page = client.get(LOGOUT)  # "Sign out" with its button: a GET never signs anyone out
    assert page.status_code == 200
    assert "Clear-Site-Data" not in page
    assert _is_signed_in(client)


# --- a new password ends the other sessions ---------------------------------------------------
def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(officer):
    here = _sign_in(officer.email)
    phone = _sign_in(officer.email)
    phone_key = phone.session.session_key

    response = here.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert _is_signed_in(here)
    assert not Session.objects.filter(session_key=phone_key).exists()
    assert not _is_signed_in(phone)


def test_resetting_the_password_from_the_email_ends_every_session(officer):
    laptop = _sign_in(officer.email)
    stolen = _sign_in(officer.email)  # someone who knew the old password
    officer.refresh_from_db()  # the token covers last_login, which signing in just set
    key = default_token_generator.make_token(officer)
    link = f"/accounts/password/reset/key/{user_pk_to_url_str(officer)}-{key}/"

    resetter = Client()
    form_page = resetter.get(link)  # allauth moves the key into the session, then shows the form
    assert form_page.status_code == 302
    done = resetter.post(
        form_page["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert done.status_code == 302
    assert _sessions_of(officer) == []
    assert not _is_signed_in(laptop)
    assert not _is_signed_in(stolen)
    assert _is_signed_in(_sign_in(officer.email, NEW_PASSWORD))


def test_a_platform_admin_setting_someones_password_ends_their_sessions(officer, platform_admin):
    device = _sign_in(officer.email)
    admin = Client()
    admin.force_login(platform_admin)

    response = admin.post(
        f"/admin/people/user/{officer.pk}/password/",
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert not _is_signed_in(device)
    assert admin.get("/admin/").status_code == 200  # the admin's own session is untouched


# --- deactivation ends them too ----------------------------------------------------------------
def test_deactivating_someone_ends_their_sessions_and_reactivating_does_not_bring_them_back(
    officer, platform_admin
):
    device = _sign_in(officer.email)
    key = device.session.session_key
    admin = Client()
    admin.force_login(platform_admin)
    data = user_change_data(officer, flagged=False)

    deactivate = {name: value for name, value in data.items() if name != "is_active"}
    assert admin.post(user_change_url(officer), deactivate).status_code == 302
    officer.refresh_from_db()
    assert officer.is_active is False
    assert not Session.objects.filter(session_key=key).exists()

    assert admin.post(user_change_url(officer), data).status_code == 302
    officer.refresh_from_db()
    assert officer.is_active is True
    assert not _is_signed_in(device)  # the old session stays ended: they sign in afresh
    assert _is_signed_in(_sign_in(officer.email))


def test_saving_someone_without_deactivating_them_leaves_their_sessions_alone(
    officer, platform_admin
):
    device = _sign_in(officer.email)
    admin = Client()
    admin.force_login(platform_admin)
    data = {**user_change_data(officer, flagged=False), "full_name": "Sam Renamed"}
    assert admin.post(user_change_url(officer), data).status_code == 302
    assert _is_signed_in(device)


def test_ending_sessions_touches_only_that_persons_sessions(officer, staff_member):
    mine = [_sign_in(officer.email) for _ in range(3)]
    theirs = _sign_in(staff_member.email)
    keep = mine[0].session.session_key

    assert user_sessions_end(user=officer, keep=keep) == 2

    assert [_is_signed_in(client) for client in mine] == [True, False, False]
    assert _is_signed_in(theirs)
