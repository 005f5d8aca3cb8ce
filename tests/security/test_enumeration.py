"""No user enumeration: sign-in, sign-up and password reset answer an email that has an account
exactly as one that has none, and do the same work (issue 11).

"The same work" is counted, not timed: every password hash the portal computes goes through
the configured hasher, so a counting hasher shows whether one path skips the hash the other
pays for (the difference a stopwatch would find). Pages are compared whole, byte for byte, once
the CSRF token and script nonces (random per request) and the email typed in are put back to placeholders.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db.models import Q
from django.test import Client

from harmsportal.notifications.models import Notification
from harmsportal.people.models import User
from tests.factories import force, make_person

KNOWN = "sam.officer@example.police.uk"
UNKNOWN = "nobody.here@example.police.uk"
WRONG = "not-the-password-1"
NEW_PASSWORD = "a-long-enough-passphrase-77"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
NONCE = re.compile(r'nonce="[^"]+"')


class CountingHasher(MD5PasswordHasher):
    """The suite's fast hasher, counting each hash it computes (checking one computes one too)."""

    algorithm = "counting_md5"
    computed = 0

    def encode(self, password, salt):
        CountingHasher.computed += 1
        return super().encode(password, salt).replace("md5$", "counting_md5$", 1)

    def verify(self, password, encoded):
        return super().verify(password, encoded.replace("counting_md5$", "md5$", 1))


@pytest.fixture
def hashes(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]

    def count(action) -> tuple[object, int]:
        CountingHasher.computed = 0
        result = action()
        return result, CountingHasher.computed

    return count


@pytest.fixture
def known(db, hashes) -> User:
    # Made under the counting hasher, so checking its password is counted too.
    return make_person(email=KNOWN)


def _page(response, typed: str) -> str:
    html = response.content.decode()
    html = CSRF.sub('name="csrfmiddlewaretoken" value="TOKEN"', html)
    html = NONCE.sub('nonce="NONCE"', html)
    return html.replace(typed, "EMAIL")


def _same_answer(first, first_email: str, second, second_email: str) -> None:
    assert first.status_code == second.status_code
    assert first.get("Location") == second.get("Location")
    assert sorted(first.cookies) == sorted(second.cookies)
    assert _page(first, first_email) == _page(second, second_email)


def _emails_to(address: str) -> int:
    # Outbox rows carrying an email: to an address, or to the account that holds it.
    emails = Notification.objects.exclude(email_subject="")
    return emails.filter(Q(to_email__iexact=address) | Q(user__email__iexact=address)).count()


# --- sign-in ----------------------------------------------------------------------------------
def _sign_in(email: str, password: str = WRONG):
    return Client().post("/accounts/login/", {"login": email, "password": password})


def test_sign_in_answers_an_unknown_email_as_a_wrong_password_and_hashes_once_for_each(
    known, hashes
):
    wrong_password, known_hashes = hashes(lambda: _sign_in(KNOWN))
    no_account, unknown_hashes = hashes(lambda: _sign_in(UNKNOWN))

    assert wrong_password.status_code == 200
    assert "not correct" in wrong_password.content.decode()
    _same_answer(wrong_password, KNOWN, no_account, UNKNOWN)
    assert known_hashes == unknown_hashes == 1


def test_the_lockout_comes_at_the_same_try_for_an_unknown_email(known, settings):
    for _ in range(settings.HARMSPORTAL_LOGIN_FAILURE_LIMIT):
        _sign_in(KNOWN)
        _sign_in(UNKNOWN)
    locked, nobody = _sign_in(KNOWN), _sign_in(UNKNOWN)
    assert locked.status_code == 429
    _same_answer(locked, KNOWN, nobody, UNKNOWN)


# --- sign-up ----------------------------------------------------------------------------------
def _sign_up(email: str):
    return Client().post(
        "/accounts/signup/",
        {
            "full_name": "Alex Example",
            "email": email,
            "kind": User.Kind.OFFICER,
            "force": force().pk,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        follow=True,
    )


def test_sign_up_answers_a_taken_email_as_a_new_one_and_hashes_once_for_each(known, hashes):
    taken, taken_hashes = hashes(lambda: _sign_up(KNOWN))
    fresh, fresh_hashes = hashes(lambda: _sign_up(UNKNOWN))

    assert [url for url, _ in taken.redirect_chain] == ["/accounts/confirm-email/"]
    assert "Check your email" in taken.content.decode()
    _same_answer(taken, KNOWN, fresh, UNKNOWN)
    assert taken.redirect_chain == fresh.redirect_chain
    # The new account pays for hashing its password; the taken address pays the same.
    assert taken_hashes == fresh_hashes == 1
    # Each address gets one email: a confirmation link, or "you already have an account".
    assert _emails_to(KNOWN) == _emails_to(UNKNOWN) == 1
    assert User.objects.filter(email__iexact=KNOWN).count() == 1  # nobody took over the account


# --- password reset ---------------------------------------------------------------------------
def _reset(email: str):
    return Client().post("/accounts/password/reset/", {"email": email}, follow=True)


def test_password_reset_answers_an_unknown_email_as_a_known_one_with_the_same_work(known, hashes):
    for_account, known_hashes = hashes(lambda: _reset(KNOWN))
    for_nobody, unknown_hashes = hashes(lambda: _reset(UNKNOWN))

    assert [url for url, _ in for_account.redirect_chain] == ["/accounts/password/reset/done/"]
    _same_answer(for_account, KNOWN, for_nobody, UNKNOWN)
    assert for_account.redirect_chain == for_nobody.redirect_chain
    assert known_hashes == unknown_hashes == 0
    # A reset link, or a note that the address has no account: one email either way.
    assert _emails_to(KNOWN) == _emails_to(UNKNOWN) == 1
