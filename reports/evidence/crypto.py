"""Encryption at rest for evidence files, under the HARMSPORTAL_EVIDENCE_KEYS key ring.

The ring itself (first key encrypts, every key decrypts, `rotate_evidence_keys` to move files
to a new first key) is harmsportal.keyring's, shared with the MFA secrets. The evidence policy
lives here: with no keys configured, only a development or demo installation may run, and it
gets a random key generated once into MEDIA_ROOT/../evidence-dev.key. Production refuses to
start storing.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from harmsportal.keyring import GENERATE_HINT, KeyRing, configured_keys, key_ring_of

logger = logging.getLogger(__name__)

SETTING = "HARMSPORTAL_EVIDENCE_KEYS"
DEV_KEY_FILENAME = "evidence-dev.key"
# Warn once per process and key file, not on every upload.
_warned_about: set[Path] = set()


def dev_key_path() -> Path:
    # Beside MEDIA_ROOT, not inside it, so no evidence path can ever name the key file.
    return Path(settings.MEDIA_ROOT).resolve().parent / DEV_KEY_FILENAME


def _read_or_create_dev_key(path: Path) -> str:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    key = Fernet.generate_key()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    logger.warning("Generated a development evidence key at %s", path)
    return key.decode()


def _configured_keys() -> tuple[str, ...]:
    keys = configured_keys(SETTING)
    if keys:
        return keys
    if settings.DEBUG or getattr(settings, "HARMSPORTAL_DEMO", False):
        path = dev_key_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        if path not in _warned_about:
            _warned_about.add(path)
            logger.warning(
                "HARMSPORTAL_EVIDENCE_KEYS is empty: encrypting evidence with the development "
                "key in %s. Never run a real service like this.",
                path,
            )
        return (_read_or_create_dev_key(path),)
    raise ImproperlyConfigured(
        "Set HARMSPORTAL_EVIDENCE_KEYS to one or more Fernet keys (comma-separated, newest "
        f"first) before storing evidence. {GENERATE_HINT}"
    )


def _ring() -> KeyRing:
    return key_ring_of(SETTING, _configured_keys())


def encrypt(data: bytes) -> bytes:
    return _ring().encrypt(data)


def decrypt(token: bytes) -> bytes:
    """Raises cryptography.fernet.InvalidToken if no configured key opens the token."""
    return _ring().decrypt(token)


def rotate(token: bytes) -> bytes | None:
    """Re-encrypt `token` under the first key; None when it already uses that key.

    Raises cryptography.fernet.InvalidToken if no configured key opens the token.
    """
    return _ring().rotate(token)
