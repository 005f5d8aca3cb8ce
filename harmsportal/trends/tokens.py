"""API keys for the read-only trends API: making one, revoking one, and finding the live key a
request carries.

A key is 256 random bits, shown to its owner once, when it is made. Only its SHA-256 is
stored (a key is random, so a fast hash is enough: there is no password to guess), with its
first characters so its owner can tell their keys apart. A key lasts `days` (90 by default,
a year at most) and can be revoked at any time. What a key may read is decided at every call
from its owner's roles at that moment (`trends.api.auth`), never when it was made.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from harmsportal.audit.models import AccessLog
from harmsportal.audit.services import access_record
from harmsportal.people.models import AGGREGATE_ROLES
from harmsportal.trends.models import ApiToken

if TYPE_CHECKING:
    from harmsportal.people.models import User

# Every key starts with this, so a key pasted somewhere it should not be is easy to recognise
# (and for secret scanners to find).
KEY_PREFIX = "hpt_"
# How many characters of a key are kept to tell keys apart: the marker and 8 random ones.
SHOWN_CHARACTERS = 12
MAX_DAYS = 365  # the "one year at most", whatever the settings say
MAX_LIVE_KEYS = 10
# last_used_at is written at most this often for one key: a BI tool calling every second
# must not turn every read into a write.
LAST_USED_EVERY = timedelta(minutes=1)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def default_days() -> int:
    return settings.HARMSPORTAL_API_TOKEN_DAYS


def may_hold_api_key(user: User) -> bool:
    """Whether `user` may make or use an API key now: active, not Professional Standards, and
    holding a role that sees trends."""
    return user.is_active and not user.professional_standards and user.has_role(*AGGREGATE_ROLES)


def token_status(token: ApiToken, now=None) -> str:
    now = now or timezone.now()
    if token.revoked_at is not None:
        return "Revoked"
    if token.expires_at <= now:
        return "Expired"
    return "Active"


@transaction.atomic
def api_token_create(*, actor: User, name: str, days: int) -> tuple[ApiToken, str]:
    """Make a key for `actor` that lasts `days` days; return it with the key itself, which is
    never stored and cannot be shown again.

    Raises ValidationError when `actor` may not hold a key, `days` is not 1 to 365, the name
    is empty, or they already have MAX_LIVE_KEYS live keys.
    """
    if not may_hold_api_key(actor):
        raise ValidationError(
            "Only force leads, oversight and national analysts can make API keys."
        )
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationError(f"A key can last from 1 to {MAX_DAYS} days.", code="days")
    name = (name or "").strip()
    if not name:
        raise ValidationError("Enter a name for the key.", code="name")
    now = timezone.now()
    live = ApiToken.objects.select_for_update().filter(
        user=actor, revoked_at=None, expires_at__gt=now
    )
    if len(live) >= MAX_LIVE_KEYS:
        raise ValidationError(
            f"You already have {MAX_LIVE_KEYS} keys that work. Revoke one you no longer use "
            "before you make another.",
            code="too_many",
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name[:80],
        prefix=key[:SHOWN_CHARACTERS],
        key_hash=key_hash(key),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    access_record(
        actor=actor,
        action=AccessLog.Action.CREATE,
        obj=token,
        object_id=token.public_id,
        reason=f"API key made, lasting {days} days",
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke `actor`'s own key at once. Revoking a key twice changes nothing.

    Raises ValidationError for someone else's key (views reach keys through
    `get_token_for_user`, a 404 for anyone else's).
    """
    if token.user_id != actor.pk:
        raise ValidationError("You can only revoke your own API keys.")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    access_record(
        actor=actor,
        action=AccessLog.Action.UPDATE,
        obj=token,
        object_id=token.public_id,
        reason="API key revoked",
    )
    return token


# --- reads ---------------------------------------------------------------------------------
def tokens_of(user: User) -> list[ApiToken]:
    """A person's own keys, newest first (revoked and expired ones too, so they can see why a
    tool stopped working)."""
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-pk"))


def get_token_for_user(user: User, public_id) -> ApiToken:
    """`user`'s own key by its public id; 404 for a key that is missing or someone else's
    alike."""
    return get_object_or_404(ApiToken, user=user, public_id=public_id)


def live_token_for_key(key: str) -> ApiToken | None:
    """The live key `key` names, with its owner loaded; None for an unknown, expired or
    revoked key, or one whose owner may no longer hold one (left, moved on, or flagged
    Professional Standards): their roles are read afresh at every call."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash(key)).first()
    if token is None or not token.is_live() or not may_hold_api_key(token.user):
        return None
    return token


def token_used(token: ApiToken) -> None:
    """Note that `token` was used now, at most once a minute (one conditional UPDATE)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk, last_used_at=token.last_used_at).update(last_used_at=now)
    token.last_used_at = now
