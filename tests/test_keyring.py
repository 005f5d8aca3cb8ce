"""The one key ring behind the evidence files and the MFA secrets."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured

from harmsportal.keyring import key_ring, key_ring_of


def test_the_first_key_encrypts_and_every_key_decrypts(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.HARMSPORTAL_EVIDENCE_KEYS = [old]
    token = key_ring("HARMSPORTAL_EVIDENCE_KEYS").encrypt(b"secret")

    settings.HARMSPORTAL_EVIDENCE_KEYS = [new, old]
    ring = key_ring("HARMSPORTAL_EVIDENCE_KEYS")
    rotated = ring.rotate(token)

    assert ring.decrypt(token) == b"secret"
    assert Fernet(new).decrypt(rotated) == b"secret"
    assert ring.rotate(rotated) is None  # already under the first key


def test_a_setting_with_no_keys_gives_no_ring(settings):
    settings.HARMSPORTAL_MFA_KEYS = ["", "  "]

    assert key_ring("HARMSPORTAL_MFA_KEYS") is None


def test_each_setting_is_its_own_ring(settings):
    settings.HARMSPORTAL_EVIDENCE_KEYS = [Fernet.generate_key().decode()]
    settings.HARMSPORTAL_MFA_KEYS = [Fernet.generate_key().decode()]
    token = key_ring("HARMSPORTAL_EVIDENCE_KEYS").encrypt(b"evidence")

    with pytest.raises(InvalidToken):
        key_ring("HARMSPORTAL_MFA_KEYS").decrypt(token)


def test_a_malformed_key_is_named_by_setting_and_position_never_by_value():
    with pytest.raises(ImproperlyConfigured) as caught:
        key_ring_of("HARMSPORTAL_MFA_KEYS", (Fernet.generate_key().decode(), "typo-in-real-key"))

    assert str(caught.value).startswith("HARMSPORTAL_MFA_KEYS entry 2 ")
    assert "typo-in-real-key" not in str(caught.value)
