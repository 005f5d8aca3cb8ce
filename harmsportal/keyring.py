"""Key rings for encryption at rest, one per setting: the evidence keys and the MFA keys.

Each setting (HARMSPORTAL_EVIDENCE_KEYS, HARMSPORTAL_MFA_KEYS) holds Fernet keys, newest first.
The first key encrypts and every key decrypts, so a key is rotated by putting a new one first,
re-encrypting what is stored (`rotate_evidence_keys`, `rotate_mfa_keys`) and only then removing
the old one. The settings are independent of SECRET_KEY and of each other, so each can be
rotated, or leaked, alone. What to do with no keys (a development key, plain storage, refusal)
is the caller's policy, not this module's.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

GENERATE_HINT = (
    'Generate one with: python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"'
)


@dataclass(frozen=True)
class KeyRing:
    ring: MultiFernet
    current: Fernet  # the first key: everything new is encrypted under it

    def encrypt(self, data: bytes) -> bytes:
        return self.ring.encrypt(data)

    def decrypt(self, token: bytes) -> bytes:
        """Raises cryptography.fernet.InvalidToken if no key in the ring opens `token`."""
        return self.ring.decrypt(token)

    def rotate(self, token: bytes) -> bytes | None:
        """`token` re-encrypted under the first key; None when it already uses that key.

        Raises cryptography.fernet.InvalidToken if no key in the ring opens `token`.
        """
        try:
            self.current.decrypt(token)
        except InvalidToken:
            return self.ring.rotate(token)
        return None


def configured_keys(setting: str) -> tuple[str, ...]:
    """The non-blank keys in `setting`, newest first."""
    return tuple(key.strip() for key in getattr(settings, setting) if key.strip())


@functools.lru_cache(maxsize=16)
def key_ring_of(setting: str, keys: tuple[str, ...]) -> KeyRing:
    """The ring for `keys` (at least one). `setting` only names the source in errors.

    Raises ImproperlyConfigured for a malformed key, naming its position but never its value,
    which may be a real key with a typo in it.
    """
    if not keys:
        raise ImproperlyConfigured(f"Set {setting} to one or more Fernet keys. {GENERATE_HINT}")
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{setting} entry {position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)"
            ) from exc
    return KeyRing(ring=MultiFernet(fernets), current=fernets[0])


def key_ring(setting: str) -> KeyRing | None:
    """The ring from `setting`, or None when it holds no keys."""
    keys = configured_keys(setting)
    return key_ring_of(setting, keys) if keys else None
