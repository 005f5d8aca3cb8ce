"""Triage pages. Every view is role-gated and scoped to the user's triage forces."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from harmsportal.people.access import role_required
from harmsportal.people.models import Membership, Role

TRIAGE_ROLES = (Role.TRIAGE, Role.TRIAGE_SUPERVISOR)


@role_required(*TRIAGE_ROLES)
def queue(request: HttpRequest) -> HttpResponse:
    forces = list(request.user.forces_with_role(*TRIAGE_ROLES))
    team = (
        Membership.objects.filter(force__in=forces, role__in=TRIAGE_ROLES)
        .select_related("user", "force")
        .order_by("force__name", "role", "user__full_name")
    )
    return render(request, "triage/queue.html", {"forces": forces, "team": team})
