"""Encryption at rest for evidence files: Fernet tokens under a MultiFernet key ring.

Keys come from settings.HARMSPORTAL_EVIDENCE_KEYS: the first key encrypts, every key decrypts,
so a new key is rolled out by putting it first, running `manage.py rotate_evidence_keys`, and
only then removing the old one. The keys are deliberately independent of SECRET_KEY, so either
can be rotated (or leaked) without touching the other.

With no keys configured, only a development or demo installation may run: it gets a random
key generated once into MEDIA_ROOT/../evidence-dev.key. Production refuses to start storing.
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

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
    keys = tuple(key.strip() for key in settings.HARMSPORTAL_EVIDENCE_KEYS if key.strip())
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
        'first) before storing evidence. Generate one with: python -c "from '
        'cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
    )


@functools.lru_cache(maxsize=8)
def _key_ring(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except ValueError as exc:
            # Never echo the value: it may be a real key with a typo in it.
            raise ImproperlyConfigured(
                f"HARMSPORTAL_EVIDENCE_KEYS entry {position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)"
            ) from exc
    return MultiFernet(fernets), fernets[0]


def _ring() -> tuple[MultiFernet, Fernet]:
    return _key_ring(_configured_keys())


def encrypt(data: bytes) -> bytes:
    return _ring()[0].encrypt(data)


def decrypt(token: bytes) -> bytes:
    """Raises cryptography.fernet.InvalidToken if no configured key opens the token."""
    return _ring()[0].decrypt(token)


def rotate(token: bytes) -> bytes | None:
    """Re-encrypt `token` under the first key; None when it already uses that key.

    Raises cryptography.fernet.InvalidToken if no configured key opens the token.
    """
    ring, current = _ring()
    try:
        current.decrypt(token)
    except InvalidToken:
        return ring.rotate(token)
    return None
