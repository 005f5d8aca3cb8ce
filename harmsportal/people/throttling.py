"""How django-axes names the account in a login attempt made through allauth."""

from __future__ import annotations

from django.http import HttpRequest


def login_identifier(request: HttpRequest, credentials: dict | None) -> str:
    """The email being signed in to, lower-cased, from allauth's credentials or the form."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or ""
    if not value and request is not None and request.method == "POST":
        value = request.POST.get("login", "")
    return str(value).strip().lower()
