"""A police station shares one outgoing address: a shift change must sign in, an attack must not.

The probe found that about 20 failures from one address locked every account there, and about
30 successful sign-ins a minute from one address started returning 429. Decision 0004 keeps the
(account, address) lockout and counts only failures per address.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from harmsportal.people.throttling import address_failures
from tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"
STATION = "198.51.100.20"  # one police station's outgoing address
ELSEWHERE = "203.0.113.77"
START = datetime(2026, 11, 23, 6, 55, tzinfo=UTC)
WRONG = "not-the-password-1"


def _login(email: str, password: str = PASSWORD, ip: str = STATION):
    """Sign in through the real allauth form, as a fresh browser would."""
    return Client().post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=ip)


def _signed_in_as(response, user) -> bool:
    return response.status_code == 302 and response.wsgi_request.user == user


@pytest.mark.django_db
def test_a_shift_change_of_200_signs_in_while_an_attacker_fails_from_the_same_address():
    shift = UserFactory.create_batch(200)
    victim = UserFactory()  # the account the attacker goes after hardest
    sprayed = UserFactory.create_batch(40)  # accounts the attacker tries a few guesses on
    attacks = [(victim.email, WRONG)] * 5
    attacks += [(user.email, f"guess-{n}-{user.pk}") for n in range(3) for user in sprayed]

    results = []
    with time_machine.travel(START, tick=False) as clock:
        for index, user in enumerate(shift):
            # One attacker guess beside most sign-ins, all within the same minute.
            if index < len(attacks):
                email, password = attacks[index]
                assert _login(email, password).status_code in (200, 429)
            results.append(_signed_in_as(_login(user.email), user))
            clock.shift(timedelta(milliseconds=250))

        failed = [user.email for user, ok in zip(shift, results, strict=True) if not ok]
        assert failed == []
        # The attacker's failures passed the per-address limit during the shift change...
        assert address_failures(STATION) >= settings.HARMSPORTAL_LOGIN_ADDRESS_FAILURE_LIMIT
        # ...and it is still the same minute.
        assert time.time() - START.timestamp() < 60

        # The attacked account stays locked from the station, even with its right password.
        locked = _login(victim.email)
        assert locked.status_code == 429
        assert "Too many" in locked.content.decode()
        # The officer can still sign in from elsewhere: the lock is the pair, not the account.
        assert _signed_in_as(_login(victim.email, ip=ELSEWHERE), victim)

        # Someone whose account was never attacked still signs in at the busy station.
        latecomer = UserFactory()
        assert _signed_in_as(_login(latecomer.email), latecomer)


@pytest.mark.django_db
def test_successful_sign_ins_from_one_address_are_never_rate_limited():
    people = UserFactory.create_batch(60)
    with time_machine.travel(START, tick=False):
        responses = [_login(user.email) for user in people]
    assert [response.status_code for response in responses] == [302] * 60


@pytest.mark.django_db
def test_other_accounts_failures_never_refuse_a_correct_password():
    strangers = UserFactory.create_batch(30)
    officer = UserFactory()
    with time_machine.travel(START, tick=False):
        for stranger in strangers:
            for _ in range(4):
                _login(stranger.email, WRONG)
        assert address_failures(STATION) == 120
        assert _signed_in_as(_login(officer.email), officer)


@pytest.mark.django_db
def test_at_a_busy_address_an_account_that_fails_is_locked_sooner():
    strangers = UserFactory.create_batch(25)
    officer = UserFactory()
    busy = settings.HARMSPORTAL_LOGIN_FAILURE_LIMIT_BUSY_ADDRESS
    with time_machine.travel(START, tick=False):
        for stranger in strangers:
            for _ in range(4):
                _login(stranger.email, WRONG)
        assert address_failures(STATION) == settings.HARMSPORTAL_LOGIN_ADDRESS_FAILURE_LIMIT
        for _ in range(busy):
            _login(officer.email, WRONG)
        assert _login(officer.email).status_code == 429
        # At a quiet address the same account still has its ordinary allowance.
        for _ in range(busy):
            _login(officer.email, WRONG, ip=ELSEWHERE)
        assert _signed_in_as(_login(officer.email, ip=ELSEWHERE), officer)


@pytest.mark.django_db
def test_below_the_address_limit_an_account_keeps_its_five_tries():
    officer = UserFactory()
    with time_machine.travel(START, tick=False):
        for _ in range(settings.HARMSPORTAL_LOGIN_FAILURE_LIMIT - 1):
            assert _login(officer.email, WRONG).status_code == 200
        assert _signed_in_as(_login(officer.email), officer)


@pytest.mark.django_db
def test_behind_a_proxy_the_forwarded_address_is_the_one_throttled(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    officer = UserFactory()
    proxy = "10.0.0.5"

    def via_proxy(password: str, client_ip: str):
        return Client().post(
            LOGIN,
            {"login": officer.email, "password": password},
            REMOTE_ADDR=proxy,
            # A client may send its own X-Forwarded-For; the proxy appends the real address.
            HTTP_X_FORWARDED_FOR=f"192.0.2.1, {client_ip}",
        )

    with time_machine.travel(START, tick=False):
        for _ in range(settings.HARMSPORTAL_LOGIN_FAILURE_LIMIT):
            via_proxy(WRONG, STATION)
        assert via_proxy(PASSWORD, STATION).status_code == 429
        assert via_proxy(PASSWORD, ELSEWHERE).status_code == 302
