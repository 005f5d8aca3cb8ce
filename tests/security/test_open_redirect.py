"""No `next=` sends anyone to another site: sign-in, the MFA step, sign-out, the admin's sign-in,
re-authentication, sign-up, and every other route that might take one.

The addresses below are the ones browsers treat as another site although they look local
(scheme-relative, backslashes, a tab or a space before the slashes, userinfo before the host,
an encoded slash), plus a `javascript:` address. For each, a redirect the portal answers with
must stay on the portal; a sign-in that ignores the address still signs the person in.

The hostile crawl (tests/security/test_crawl.py) sends an off-site `next` with GET to every URL
pattern as every role; the last test here sends one with POST to every URL pattern of the
resolver, signed out and as a person of every kind, so a new view that reads `next` from a form
is held to the same rule the moment it exists.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.db import transaction
from django.test import Client

from harmsportal.people.models import Force, Role, User
from tests.factories import PASSWORD, enrol_totp, make_person

HOSTILE_NEXT = (
    "//evil.example/",
    "///evil.example/",
    "https://evil.example/",
    "http:evil.example",
    "https:/evil.example",
    "/\\evil.example/",
    "\\\\evil.example/",
    "\\/evil.example/",
    " //evil.example/",
    "\t//evil.example/",
    "/%2F%2Fevil.example/",
    "/%5Cevil.example/",
    "http://testserver@evil.example/",
    "javascript:alert(document.domain)",
    "data:text/html,<script>alert(1)</script>",
)
LOGIN = "/accounts/login/"


def stays_on_site(location: str) -> bool:
    """Whether a browser following `location` from http://testserver/ stays on the portal.

    Browsers read a backslash as a slash and drop tabs and newlines (and leading spaces), so
    the address is normalised as a browser would before it is judged: only an address with no
    scheme and no host (a path here, "/…" or relative, but not "//…"), or this site named in
    full, pass. A path such as "/%2F%2Fevil.example/" stays here: a browser asks this site.
    """
    text = "".join(ch for ch in location if ch not in "\t\r\n").strip()
    text = text.replace("\\", "/")
    target = urlsplit(text)
    if target.scheme or target.netloc or text.startswith("//"):
        return target.scheme in ("http", "https") and target.hostname == "testserver"
    return True


def test_the_judge_refuses_every_hostile_address_and_passes_local_ones():
    encoded = {"/%2F%2Fevil.example/", "/%5Cevil.example/"}  # here, once the browser asks
    assert [value for value in HOSTILE_NEXT if stays_on_site(value)] == sorted(encoded)
    for local in ("/", "/reports/", "/triage/?page=2", "-1", "http://testserver/reports/"):
        assert stays_on_site(local), local


def _totp_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_sign_in_ignores_an_offsite_next(client, officer, target):
    page = client.get(LOGIN, {"next": target})
    assert page.status_code == 200

    response = client.post(LOGIN, {"login": officer.email, "password": PASSWORD, "next": target})

    assert response.status_code == 302
    assert stays_on_site(response["Location"]), response["Location"]
    assert client.session.get("_auth_user_id") == str(officer.pk)  # signed in all the same


@pytest.mark.parametrize("target", HOSTILE_NEXT[:6] + HOSTILE_NEXT[-2:])
def test_the_mfa_step_ignores_an_offsite_next(client, db, target):
    triager = make_person(Role.TRIAGE, kind=User.Kind.STAFF, mfa=False)
    secret = enrol_totp(triager)
    first = client.post(LOGIN, {"login": triager.email, "password": PASSWORD, "next": target})
    assert first.status_code == 302
    assert urlsplit(first["Location"]).path == "/accounts/2fa/authenticate/"

    response = client.post("/accounts/2fa/authenticate/", {"code": _totp_now(secret)})

    assert response.status_code == 302
    assert stays_on_site(response["Location"]), response["Location"]
    assert client.session.get("_auth_user_id") == str(triager.pk)


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_sign_out_ignores_an_offsite_next(client, officer, target):
    client.force_login(officer)

    response = client.post("/accounts/logout/", {"next": target})

    assert response.status_code == 302
    assert stays_on_site(response["Location"]), response["Location"]
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_the_admin_sign_in_ignores_an_offsite_next(client, platform_admin, target):
    anonymous = client.get("/admin/login/", {"next": target})
    assert anonymous.status_code == 302
    # Sent to the portal's sign-in; the address it will return to is the admin's, not theirs.
    login = urlsplit(anonymous["Location"])
    assert login.path == LOGIN
    assert stays_on_site(parse_qs(login.query)["next"][0])

    client.force_login(platform_admin)
    response = client.get("/admin/login/", {"next": target})

    assert response.status_code == 302
    assert stays_on_site(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", HOSTILE_NEXT[:6])
def test_re_authentication_ignores_an_offsite_next(client, officer, target):
    client.force_login(officer)

    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD, "next": target})

    assert response.status_code == 302
    assert stays_on_site(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", HOSTILE_NEXT[:6])
def test_sign_up_ignores_an_offsite_next(client, db, target):
    response = client.post(
        "/accounts/signup/",
        {
            "full_name": "Robin Newcomer",
            "kind": "staff",
            "force": str(Force.objects.get(slug="west-yorkshire").pk),
            "email": f"new.{abs(hash(target))}@example.police.uk",
            "password1": "a-long-new-password-for-tests",
            "password2": "a-long-new-password-for-tests",
            "next": target,
        },
    )

    assert response.status_code == 302
    assert stays_on_site(response["Location"]), response["Location"]


IDENTITIES = (None, "officer", "family_member", "triager", "platform_admin")


@pytest.mark.parametrize("who", IDENTITIES)
def test_no_route_redirects_off_site_on_a_posted_next(request, db, who):
    """Every URL pattern, POSTed a hostile `next` (in the form and the query) by `who`.

    Each pattern gets the next hostile address in turn, so all of them are sent. Each
    request runs in a savepoint that is rolled back: what a POST does is undone before the
    next. The CSRF check is off, as it is for any form the portal itself serves.
    """
    from tests.security.test_crawl import STRICT_FALLBACK, every_pattern

    client = Client(raise_request_exception=False)
    if who is not None:
        if who == "family_member":
            request.getfixturevalue("family_member")
        client.force_login(request.getfixturevalue(who))
    offsite = []
    redirects = 0
    for number, pattern in enumerate(every_pattern()):
        if pattern.text.startswith(("accounts/logout/", "exit/")) and who is not None:
            # Both end the session the rest of the sweep needs; their own test is above.
            continue
        target = HOSTILE_NEXT[number % len(HOSTILE_NEXT)]
        values = {name: STRICT_FALLBACK.get(kind, "1") for name, kind in pattern.kinds.items()}
        path = pattern.path(values)
        with transaction.atomic():  # always rolled back, a database error with it
            response = client.post(f"{path}?next={target}", {"next": target})
            transaction.set_rollback(True)
        location = response.get("Location")
        if location is not None:
            redirects += 1
            if pattern.route_name == "exit":  # the quick exit's own, fixed address
                allowed = location == settings.HARMSPORTAL_EXIT_URL
            else:
                allowed = stays_on_site(location)
            if not allowed:
                offsite.append(f"POST {path} as {who}: {location}")
    assert offsite == []
    assert redirects > 0  # the sweep reached views that redirect, not only refusals


@pytest.mark.parametrize("target", ["-1", "home"])
def test_the_admin_sign_in_treats_next_as_an_address_never_a_view_name(
    client, platform_admin, target
):
    # redirect() tried a bare word as a view name: "-1" was a 500 (found by the crawl).
    client.force_login(platform_admin)

    response = client.get("/admin/login/", {"next": target})

    assert response.status_code == 302
    assert response["Location"] == target
