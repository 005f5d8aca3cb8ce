"""A person's keys to the read-only trends API: make, list, revoke."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from harmsportal.people.access import role_required
from harmsportal.people.models import AGGREGATE_ROLES


@role_required(*AGGREGATE_ROLES)
def tokens(request: HttpRequest) -> HttpResponse:
    return render(request, "trends/placeholder.html", {"title": "API keys"})


@role_required(*AGGREGATE_ROLES)
@require_POST
def revoke(request: HttpRequest, pk: UUID) -> HttpResponse:
    return render(request, "trends/placeholder.html", {"title": "API keys"})
