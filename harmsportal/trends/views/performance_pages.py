"""A force's performance for its PCC, and the printable accountability pack."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from harmsportal.people.access import role_required
from harmsportal.people.models import AGGREGATE_ROLES
from harmsportal.trends.selectors import get_force_for_user


@role_required(*AGGREGATE_ROLES)
def performance(request: HttpRequest, force: str) -> HttpResponse:
    found = get_force_for_user(request.user, force)
    return render(request, "trends/placeholder.html", {"title": f"{found.name}: performance"})


@role_required(*AGGREGATE_ROLES)
def pack(request: HttpRequest, force: str) -> HttpResponse:
    found = get_force_for_user(request.user, force)
    return render(request, "trends/placeholder.html", {"title": f"{found.name}: pack"})
