"""A person's keys to the read-only trends API: make one (shown once), list them, revoke one."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from harmsportal.disclosure import disclosure_k
from harmsportal.people.access import role_required
from harmsportal.people.models import AGGREGATE_ROLES
from harmsportal.trends.tokens import (
    MAX_DAYS,
    api_token_create,
    api_token_revoke,
    default_days,
    get_token_for_user,
    token_status,
    tokens_of,
)

STATUS_TAGS = {
    "Active": "govuk-tag--green",
    "Expired": "govuk-tag--grey",
    "Revoked": "govuk-tag--red",
}
DAYS_MESSAGE = f"Enter a number of days from 1 to {MAX_DAYS}"


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="Name the key",
        help_text="So you can tell your keys apart, for example “Power BI monthly report”.",
        max_length=80,
        error_messages={
            "required": "Enter a name for the key",
            "max_length": "The name must be 80 characters or fewer",
        },
    )
    days = forms.IntegerField(
        label="How many days should the key work for?",
        help_text=f"From 1 to {MAX_DAYS} days. A key stops working after a year at most.",
        min_value=1,
        max_value=MAX_DAYS,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "required": DAYS_MESSAGE,
            "invalid": DAYS_MESSAGE,
            "min_value": DAYS_MESSAGE,
            "max_value": f"A key can work for {MAX_DAYS} days at most: enter {MAX_DAYS} or fewer",
        },
    )


def _rows(request: HttpRequest) -> list[dict]:
    now = timezone.now()
    rows = []
    for token in tokens_of(request.user):
        status = token_status(token, now)
        rows.append({"token": token, "status": status, "tag": STATUS_TAGS[status]})
    return rows


@role_required(*AGGREGATE_ROLES)
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ApiKeyForm(request.POST)
    else:
        form = ApiKeyForm(initial={"days": default_days()})
    if request.method == "POST" and form.is_valid():
        try:
            token, key = api_token_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Shown in this answer only (never stored, never in a session); the page is
            # served no-store, as every signed-in page is.
            context = {"token": token, "key": key, "api_url": _api_url(request)}
            return render(request, "trends/api_token_created.html", context)
    context = {
        "form": form,
        "rows": _rows(request),
        "api_url": _api_url(request),
        "rate": _rate_words(settings.HARMSPORTAL_API_RATE),
        "k": disclosure_k(),
    }
    return render(request, "trends/api_tokens.html", context)


@role_required(*AGGREGATE_ROLES)
def revoke(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Asks first (GET); revokes on POST. Anyone else's key is a 404, as a missing one is."""
    token = get_token_for_user(request.user, pk)
    if request.method == "POST":
        api_token_revoke(actor=request.user, token=token)
        messages.success(request, f"You have revoked the key '{token.name}'. It no longer works.")
        return redirect("trends:api_tokens")
    if token.revoked_at is not None:
        messages.info(request, f"The key '{token.name}' is already revoked.")
        return redirect("trends:api_tokens")
    return render(request, "trends/api_token_revoke.html", {"token": token})


def _rate_words(rate: str) -> str:
    """ "120/min" as "120 requests a minute" (DRF reads the first letter of the period)."""
    number, _, period = rate.partition("/")
    unit = {"s": "second", "m": "minute", "h": "hour", "d": "day"}.get(period[:1], period)
    return f"{number} requests a {unit}"


def _api_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/trends/api/v1/")
