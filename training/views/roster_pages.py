"""Roster import: upload, dry-run preview, then apply all or nothing."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from harmsportal.people.access import role_required
from harmsportal.people.models import Role


@role_required(Role.TRAINING_ADMIN, Role.PLATFORM_ADMIN)
def roster(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9


@role_required(Role.TRAINING_ADMIN, Role.PLATFORM_ADMIN)
def preview(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9
