"""A burst from one address cannot lock the victim out from another (issue 11, decision 0004).

The attacker knows the victim's email and hammers it from one address: wrong passwords, a
forged X-Forwarded-For naming the victim's own address, password resets, sign-ups, and wrong
codes at the MFA step with the victim's password in hand. Each test
first shows the attack did lock something (the attacker's own address), so it can fail both
ways, then that the victim, from their own address, signs in as if nothing had happened.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from harmsportal.notifications.models import Notification
from harmsportal.people import throttling
from harmsportal.people.models import Role, User
from tests.factories import PASSWORD, enrol_totp, force, make_person
from tests.people.test_mfa import totp_now

LOGIN = "/accounts/login/"
MFA_STEP = "/accounts/2fa/authenticate/"
MFA_REAUTH = "/accounts/2fa/reauthenticate/"
SIGNED_IN_PAGE = "/reports/"
ATTACKER = "198.51.100.66"
VICTIM_HOME = "203.0.113.10"  # the victim's own connection
PROXY = "10.0.0.5"  # our own reverse proxy, when there is one
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
BURST = 30
RESET_LINK = re.compile(r"/accounts/password/reset/key/[0-9a-z]+-[^/\s]+/")
WRONG = "guess-{n}-not-it"


@pytest.fixture
def victim(db) -> User:
    return make_person(email="victim.officer@example.police.uk")


def _login(email: str, password: str, ip: str, **headers):
    return Client().post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=ip, **headers)


def _signed_in_as(response, user) -> bool:
    return response.status_code == 302 and response.wsgi_request.user == user


def test_a_burst_of_wrong_passwords_locks_only_the_attackers_address(victim, settings):
    with time_machine.travel(START, tick=False) as clock:
        refused = 0
        for n in range(BURST):
            refused += _login(victim.email, WRONG.format(n=n), ATTACKER).status_code == 429
            clock.shift(timedelta(milliseconds=250))  # 30 tries in 7.5 seconds
        # The burst was throttled where it came from: past the limit every try is refused...
        # (the try that reaches the limit is itself answered with the lock).
        assert refused == BURST - (settings.HARMSPORTAL_LOGIN_FAILURE_LIMIT - 1)
        # ...and even the right password is refused from there.
        assert _login(victim.email, PASSWORD, ATTACKER).status_code == 429

        # From home the victim has their whole allowance: a few typos, then in.
        for n in range(settings.HARMSPORTAL_LOGIN_FAILURE_LIMIT - 1):
            assert _login(victim.email, f"typo-{n}", VICTIM_HOME).status_code == 200
        assert _signed_in_as(_login(victim.email, PASSWORD, VICTIM_HOME), victim)


def test_a_forged_forwarded_address_cannot_put_the_victims_address_in_the_lock(victim, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    with time_machine.travel(START, tick=False):
        for n in range(20):
            # The attacker writes the victim's address into X-Forwarded-For; our proxy appends
            # the address it really saw, and only that one counts.
            forged = _login(
                victim.email,
                WRONG.format(n=n),
                PROXY,
                HTTP_X_FORWARDED_FOR=f"{VICTIM_HOME}, {ATTACKER}",
            )
            assert forged.status_code in (200, 429)
        assert _login(victim.email, PASSWORD, PROXY, HTTP_X_FORWARDED_FOR=ATTACKER).status_code == (
            429
        )
        home = _login(victim.email, PASSWORD, PROXY, HTTP_X_FORWARDED_FOR=VICTIM_HOME)
        assert _signed_in_as(home, victim)


def test_a_burst_of_password_resets_neither_locks_the_victim_out_nor_changes_the_password(victim):
    with time_machine.travel(START, tick=False):
        answers = [
            Client()
            .post("/accounts/password/reset/", {"email": victim.email}, REMOTE_ADDR=ATTACKER)
            .status_code
            for _ in range(30)
        ]
        assert 429 in answers  # the burst was throttled
        sent = Notification.objects.filter(user=victim).exclude(email_subject="").count()
        assert 0 < sent < 30  # the victim's inbox was not flooded by every request
        victim.refresh_from_db()
        assert victim.check_password(PASSWORD)  # a request alone changes nothing

        # allauth also limits resets per address emailed (5 a minute), so for that minute the
        # victim's own request is refused too; but each email the attacker set off holds a
        # working link, so the victim who forgot their password can still set a new one.
        latest = (
            Notification.objects.filter(user=victim).exclude(email_subject="").latest("created_at")
        )
        link = RESET_LINK.search(latest.email_body).group(0)
        home = Client(REMOTE_ADDR=VICTIM_HOME)
        form_page = home.get(link)
        assert form_page.status_code == 302
        new = {"password1": "victims-new-passphrase-5", "password2": "victims-new-passphrase-5"}
        assert home.post(form_page["Location"], new).status_code == 302
        assert _signed_in_as(_login(victim.email, new["password1"], VICTIM_HOME), victim)


def test_a_burst_of_sign_ups_with_the_victims_email_leaves_their_account_alone(victim):
    data = {
        "full_name": "Not The Victim",
        "email": victim.email,
        "kind": User.Kind.OFFICER,
        "force": force("north-yorkshire").pk,
        "password1": "attackers-own-passphrase-9",
        "password2": "attackers-own-passphrase-9",
    }
    with time_machine.travel(START, tick=False):
        answers = [
            Client().post("/accounts/signup/", data, REMOTE_ADDR=ATTACKER).status_code
            for _ in range(30)
        ]
        assert 429 in answers  # throttled at the attacker's address
        assert User.objects.filter(email__iexact=victim.email).count() == 1
        victim.refresh_from_db()
        assert victim.full_name != "Not The Victim"
        assert _signed_in_as(_login(victim.email, PASSWORD, VICTIM_HOME), victim)


@time_machine.travel(START, tick=False)
def test_a_burst_of_wrong_codes_at_the_mfa_step_locks_only_the_attackers_address(db, settings):
    # The attacker has the password (phished, reused) but not the phone.
    victim = make_person(Role.TRIAGE, kind=User.Kind.STAFF, mfa=False)
    secret = enrol_totp(victim)
    right = totp_now(secret)
    attacker = Client(REMOTE_ADDR=ATTACKER)
    assert attacker.post(LOGIN, {"login": victim.email, "password": PASSWORD})["Location"] == (
        MFA_STEP
    )
    wrong = [f"{n:06d}" for n in range(BURST) if f"{n:06d}" != right]
    for code in wrong:
        assert attacker.post(MFA_STEP, {"code": code}).status_code == 200
    # Locked where the guesses came from: even the right code is refused there now.
    locked = attacker.post(MFA_STEP, {"code": right})
    assert throttling.mfa_too_many_message() in locked.content.decode()
    assert attacker.get(SIGNED_IN_PAGE).status_code == 302

    # From home the victim mistypes a few times, then gets in with the right code.
    home = Client(REMOTE_ADDR=VICTIM_HOME)
    home.post(LOGIN, {"login": victim.email, "password": PASSWORD})
    for code in wrong[: settings.HARMSPORTAL_LOGIN_FAILURE_LIMIT - 1]:
        assert home.post(MFA_STEP, {"code": code}).status_code == 200
    assert home.post(MFA_STEP, {"code": right}).status_code == 302
    assert home.get(SIGNED_IN_PAGE).status_code == 200


@time_machine.travel(START, tick=False)
def test_wrong_codes_when_asked_again_for_a_code_lock_that_address_too(db, settings):
    # Someone at a signed-in staff member's unlocked screen, asked for a code before a change.
    holder = make_person(Role.TRIAGE, kind=User.Kind.STAFF, mfa=False)
    secret = enrol_totp(holder)
    right = totp_now(secret)
    screen = Client(REMOTE_ADDR=ATTACKER)
    screen.force_login(holder)
    wrong = [f"{n:06d}" for n in range(10) if f"{n:06d}" != right]
    for code in wrong[: settings.HARMSPORTAL_LOGIN_FAILURE_LIMIT]:
        screen.post(MFA_REAUTH, {"code": code})
    locked = screen.post(MFA_REAUTH, {"code": right})
    assert locked.status_code == 200
    assert throttling.mfa_too_many_message() in locked.content.decode()
    # The holder, elsewhere, is asked for a code and gives it.
    own = Client(REMOTE_ADDR=VICTIM_HOME)
    own.force_login(holder)
    assert own.post(MFA_REAUTH, {"code": right}).status_code == 302
