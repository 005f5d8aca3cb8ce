"""Audience rules and assigning modules by hand."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from harmsportal.people.access import role_required
from harmsportal.people.models import Role


@role_required(Role.TRAINING_ADMIN, Role.PLATFORM_ADMIN)
def rules(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9


@role_required(Role.TRAINING_ADMIN, Role.PLATFORM_ADMIN)
def rule_edit(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9


@role_required(Role.TRAINING_ADMIN, Role.PLATFORM_ADMIN)
def assign(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9
