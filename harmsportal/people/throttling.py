"""Login throttling for addresses that many people share (docs/decisions/0004).

django-axes locks an (account, address) pair after repeated failures. A police station or
headquarters sends every sign-in from one outgoing address, so nothing here may refuse a correct
password for an account that has not itself failed: other accounts' failures and other people's
successful sign-ins from the same address never count against it. The only per-address limit
counts failures, and when an address passes it, each account failing there is locked sooner.
"""

from __future__ import annotations

import logging

from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

log = logging.getLogger(__name__)


def login_identifier(request: HttpRequest, credentials: dict | None) -> str:
    """The email being signed in to, lower-cased, from allauth's credentials or the form."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or ""
    if not value and request is not None and request.method == "POST":
        value = request.POST.get("login", "")
    return str(value).strip().lower()


def client_address(request: HttpRequest) -> str | None:
    """The address a sign-in came from, as allauth reads it.

    Behind N trusted proxies (ALLAUTH_TRUSTED_PROXY_COUNT) that is the Nth address from the
    right of X-Forwarded-For, the one our own proxies appended; anything to its left is the
    client's to choose. With no proxy, REMOTE_ADDR.
    """
    count = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if count and len(addresses) >= count:
        return addresses[-count]
    return request.META.get("REMOTE_ADDR")


def address_failures(address: str | None) -> int:
    """Failed sign-ins from `address`, on any account, within the cool-off window."""
    if not address:
        return 0
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return total or 0


def failure_limit(request: HttpRequest, credentials: dict | None) -> int:
    """How many failures the (account, address) pair of this attempt may make before it locks.

    axes compares the pair's own failures with this number, so an account with no failures of
    its own is never locked, however busy the address. Past the address's failure limit, each
    account failing there gets fewer tries (never fewer than one).
    """
    limit = settings.HARMSPORTAL_LOGIN_FAILURE_LIMIT
    address = getattr(request, "axes_ip_address", None) or client_address(request)
    failures = address_failures(address)
    if failures < settings.HARMSPORTAL_LOGIN_ADDRESS_FAILURE_LIMIT:
        return limit
    if failures == settings.HARMSPORTAL_LOGIN_ADDRESS_FAILURE_LIMIT:
        log.warning("Login failures from %s passed the shared-address limit.", address)
    return max(1, min(limit, settings.HARMSPORTAL_LOGIN_FAILURE_LIMIT_BUSY_ADDRESS))


# --- the MFA step -----------------------------------------------------------------------------
# allauth throttles wrong MFA codes with its "login_failed" limit, which is switched off above
# (decision 0004), so without this someone holding the password could try codes without end.
# The same rule as for passwords: the (account, address) pair locks after
# HARMSPORTAL_LOGIN_FAILURE_LIMIT wrong codes until the cool-off has passed since its first,
# so a burst from one address never stops the person entering their code from another.
def mfa_too_many_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        "To keep your account safe, entering codes from this device is paused for a short while. "
        f"Wait {minutes} minutes and try again."
    )


def _mfa_key(user, request: HttpRequest | None) -> str:
    # allauth's forms read the request from its context; a form built outside a request has none.
    address = client_address(request) if request is not None else None
    return f"harmsportal:mfa-failures:{user.pk}:{address or '-'}"


def mfa_code_locked(user, request: HttpRequest | None) -> bool:
    return cache.get(_mfa_key(user, request), 0) >= settings.HARMSPORTAL_LOGIN_FAILURE_LIMIT


def mfa_failure_record(user, request: HttpRequest | None) -> None:
    key = _mfa_key(user, request)
    # add() starts the window at the first failure; incr() keeps that expiry (locmem, Redis).
    cache.add(key, 0, timeout=int(settings.AXES_COOLOFF_TIME.total_seconds()))
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls: this failure starts a new window
        cache.add(key, 1, timeout=int(settings.AXES_COOLOFF_TIME.total_seconds()))


def mfa_failures_clear(user, request: HttpRequest | None) -> None:
    cache.delete(_mfa_key(user, request))
