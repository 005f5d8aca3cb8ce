"""The trends dashboards: a force's trends, and the national views for analysts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from harmsportal.people.access import role_required
from harmsportal.people.models import AGGREGATE_ROLES, Role
from harmsportal.trends.selectors import get_force_for_user


@role_required(*AGGREGATE_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "trends/placeholder.html", {"title": "Trends"})


@role_required(*AGGREGATE_ROLES)
def force(request: HttpRequest, force: str) -> HttpResponse:
    found = get_force_for_user(request.user, force)
    return render(request, "trends/placeholder.html", {"title": f"Trends for {found.name}"})


@role_required(Role.NATIONAL_ANALYST)
def national(request: HttpRequest) -> HttpResponse:
    return render(request, "trends/placeholder.html", {"title": "National trends"})


@role_required(Role.NATIONAL_ANALYST)
def non_crime(request: HttpRequest) -> HttpResponse:
    return render(request, "trends/placeholder.html", {"title": "Harms no offence covers"})
