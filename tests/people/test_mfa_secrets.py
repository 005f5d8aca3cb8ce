"""TOTP secrets and recovery-code seeds are encrypted at rest, and the keys can be rotated."""

from __future__ import annotations

import logging

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import generate_totp_secret
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from harmsportal.people import mfa
from harmsportal.people.models import Role
from tests.factories import PASSWORD, enrol_totp, make_person
from tests.people.test_mfa import ENROL_URL, FROZEN, totp_now

LATER = "2026-11-21 10:05:05+00:00"  # another TOTP window, so no code is a replay
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def stored(user, kind=Authenticator.Type.TOTP) -> dict:
    return Authenticator.objects.get(user=user, type=kind).data


def signs_in_with(client, user, code: str) -> bool:
    client.post("/accounts/logout/")
    first = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert first["Location"] == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    return response.status_code == 302 and client.get("/triage/").status_code == 200


def rotate() -> str:
    from io import StringIO

    out = StringIO()
    call_command("rotate_mfa_keys", stdout=out)
    return out.getvalue()


@time_machine.travel(FROZEN, tick=False)
def test_totp_enrolled_through_the_pages_is_stored_encrypted_and_still_signs_in(client, db):
    triager = make_person(Role.TRIAGE, mfa=False)
    client.post("/accounts/login/", {"login": triager.email, "password": PASSWORD})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.get(ENROL_URL)
    secret = client.session["mfa.totp.secret"]
    assert client.post(ENROL_URL, {"code": totp_now(secret)}).status_code == 302

    value = stored(triager)["secret"]
    assert value.startswith(mfa.PREFIX)
    assert secret not in value

    with time_machine.travel(LATER, tick=False):
        assert signs_in_with(client, triager, totp_now(secret))


@time_machine.travel(FROZEN, tick=False)
def test_a_legacy_plain_secret_still_signs_in_and_rotation_encrypts_it(client, db):
    triager = make_person(Role.TRIAGE, mfa=False)
    secret = generate_totp_secret()
    Authenticator.objects.create(
        user=triager, type=Authenticator.Type.TOTP, data={"secret": secret}
    )
    assert signs_in_with(client, triager, totp_now(secret))

    assert "Re-encrypted 1 " in rotate()
    assert stored(triager)["secret"].startswith(mfa.PREFIX)
    with time_machine.travel(LATER, tick=False):
        assert signs_in_with(client, triager, totp_now(secret))


@time_machine.travel(FROZEN, tick=False)
def test_rotation_moves_secrets_to_the_new_key(client, db, settings):
    settings.HARMSPORTAL_MFA_KEYS = [OLD_KEY]
    triager = make_person(Role.TRIAGE, mfa=False)
    secret = enrol_totp(triager)
    RecoveryCodes.activate(triager)
    codes = RecoveryCodes(Authenticator.objects.get(user=triager, type="recovery_codes"))
    before = codes.generate_codes()
    under_old = stored(triager)["secret"]

    settings.HARMSPORTAL_MFA_KEYS = [NEW_KEY, OLD_KEY]
    assert "Re-encrypted 2 " in rotate()
    assert "Re-encrypted 0 " in rotate()  # idempotent
    assert stored(triager)["secret"] != under_old

    settings.HARMSPORTAL_MFA_KEYS = [NEW_KEY]
    assert signs_in_with(client, triager, totp_now(secret))
    recovery = Authenticator.objects.get(user=triager, type="recovery_codes")
    assert RecoveryCodes(recovery).generate_codes() == before

    settings.HARMSPORTAL_MFA_KEYS = [OLD_KEY]  # the old key alone no longer opens them
    with pytest.raises(InvalidToken):
        mfa.decrypt_value(stored(triager)["secret"])


@time_machine.travel(FROZEN, tick=False)
def test_recovery_codes_are_encrypted_and_still_sign_in(client, db):
    triager = make_person(Role.TRIAGE)
    RecoveryCodes.activate(triager)
    seed = stored(triager, Authenticator.Type.RECOVERY_CODES)["seed"]
    assert seed.startswith(mfa.PREFIX)

    recovery = Authenticator.objects.get(user=triager, type=Authenticator.Type.RECOVERY_CODES)
    code = RecoveryCodes(recovery).generate_codes()[0]
    assert signs_in_with(client, triager, code)
    recovery.refresh_from_db()
    assert code not in RecoveryCodes(recovery).get_unused_codes()


def test_production_without_keys_refuses_to_store_a_secret(db, settings):
    settings.HARMSPORTAL_MFA_KEYS = []
    settings.DEBUG = False
    settings.HARMSPORTAL_DEMO = False
    with pytest.raises(ImproperlyConfigured, match="HARMSPORTAL_MFA_KEYS"):
        mfa.MFAAdapter().encrypt("secret")
    with pytest.raises(ImproperlyConfigured):
        enrol_totp(make_person(mfa=False))


def test_demo_without_keys_stores_plain_and_warns_once(settings, monkeypatch, caplog):
    settings.HARMSPORTAL_MFA_KEYS = []
    settings.HARMSPORTAL_DEMO = True
    monkeypatch.setattr(mfa, "_warned", False)
    adapter = mfa.MFAAdapter()
    with caplog.at_level(logging.WARNING, logger="harmsportal.people.mfa"):
        assert adapter.encrypt("secret") == "secret"
        assert adapter.decrypt(adapter.encrypt("secret")) == "secret"
    assert sum("HARMSPORTAL_MFA_KEYS" in record.message for record in caplog.records) == 1


def test_an_invalid_key_is_refused_without_echoing_it(settings):
    settings.HARMSPORTAL_MFA_KEYS = ["not-a-real-key-but-secret"]
    with pytest.raises(ImproperlyConfigured) as excinfo:
        mfa.MFAAdapter().encrypt("secret")
    assert "not-a-real-key" not in str(excinfo.value)
