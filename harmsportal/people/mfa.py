"""Encryption at rest for MFA secrets: allauth's TOTP secrets and recovery-code seeds.

allauth keeps them in Authenticator.data and, by default, stores them as given, so a database
dump or backup would let anyone generate a staff member's codes. This adapter encrypts them as
Fernet tokens under the HARMSPORTAL_MFA_KEYS key ring (harmsportal.keyring, shared with the
evidence files): the first key encrypts, every key decrypts, so a key is rotated by putting a
new one first, running `manage.py rotate_mfa_keys`, and only then removing the old one. The
keys are independent of SECRET_KEY and of the evidence keys, so each can be rotated or leaked
alone.

Stored values carry the prefix "fernet:". A value without it is a plain secret written before
encryption was switched on: it is read as-is, and `rotate_mfa_keys` encrypts it.

With no keys configured, a development or demo installation stores secrets plain, as allauth
does, after one warning. Production (DEBUG and HARMSPORTAL_DEMO off) refuses to store a secret
(ImproperlyConfigured), at the first write rather than at import so `manage.py check` still runs.
"""

from __future__ import annotations

import logging
from typing import Any

from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from harmsportal.keyring import GENERATE_HINT, KeyRing, key_ring

logger = logging.getLogger(__name__)

SETTING = "HARMSPORTAL_MFA_KEYS"
PREFIX = "fernet:"
# Authenticator.data keys allauth passes through encrypt()/decrypt(): TOTP "secret", recovery
# codes "seed", and "migrated_codes" (a list, for codes imported from django-allauth-2fa).
SECRET_FIELDS = ("secret", "seed")
SECRET_LIST_FIELDS = ("migrated_codes",)

_warned = False


def _may_store_plain() -> bool:
    return bool(settings.DEBUG or getattr(settings, "HARMSPORTAL_DEMO", False))


def _ring() -> KeyRing | None:
    """The key ring, or None when a development/demo installation has no keys."""
    global _warned
    ring = key_ring(SETTING)
    if ring is not None:
        return ring
    if _may_store_plain():
        if not _warned:
            _warned = True
            logger.warning(
                "HARMSPORTAL_MFA_KEYS is empty: MFA secrets are stored unencrypted. "
                "Never run a real service like this."
            )
        return None
    raise ImproperlyConfigured(
        "Set HARMSPORTAL_MFA_KEYS to one or more Fernet keys (comma-separated, newest first) "
        f"before enrolling MFA. {GENERATE_HINT}"
    )


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX)


def encrypt_value(text: str) -> str:
    ring = _ring()
    if ring is None:
        return text
    return PREFIX + ring.encrypt(text.encode()).decode("ascii")


def decrypt_value(stored: str) -> str:
    """Plain (legacy) values are returned as-is.

    Raises cryptography.fernet.InvalidToken if no configured key opens an encrypted value, and
    ImproperlyConfigured if there are no keys to try.
    """
    if not is_encrypted(stored):
        return stored
    ring = key_ring(SETTING)
    if ring is None:
        raise ImproperlyConfigured(
            "An MFA secret is encrypted but HARMSPORTAL_MFA_KEYS is empty: set the keys it was "
            "encrypted with."
        )
    return ring.decrypt(stored[len(PREFIX) :].encode("ascii")).decode()


def rotate_value(stored: str) -> str | None:
    """`stored` re-encrypted under the first key; None when it already uses that key.

    Plain values are encrypted. Raises InvalidToken if no configured key opens the value, and
    ImproperlyConfigured if no keys are configured (even in development: rotation needs keys).
    """
    ring = key_ring(SETTING)
    if ring is None:
        raise ImproperlyConfigured("Set HARMSPORTAL_MFA_KEYS before rotating MFA secrets.")
    if not is_encrypted(stored):
        return PREFIX + ring.encrypt(stored.encode()).decode("ascii")
    rotated = ring.rotate(stored[len(PREFIX) :].encode("ascii"))
    return None if rotated is None else PREFIX + rotated.decode("ascii")


def rotate_data(data: dict[str, Any]) -> bool:
    """Re-encrypt the secret fields of one Authenticator.data in place; True if any changed."""
    changed = False
    for field in SECRET_FIELDS:
        value = data.get(field)
        if isinstance(value, str):
            rotated = rotate_value(value)
            if rotated is not None:
                data[field] = rotated
                changed = True
    for field in SECRET_LIST_FIELDS:
        values = data.get(field)
        if isinstance(values, list):
            for index, value in enumerate(values):
                if isinstance(value, str):
                    rotated = rotate_value(value)
                    if rotated is not None:
                        values[index] = rotated
                        changed = True
    return changed


class MFAAdapter(DefaultMFAAdapter):
    """allauth's MFA adapter with secrets encrypted at rest (settings.MFA_ADAPTER)."""

    def encrypt(self, text: str) -> str:
        return encrypt_value(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_value(encrypted_text)
