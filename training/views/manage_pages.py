"""Authoring: force modules by their training admins, national ones by platform admins, force notes."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from harmsportal.people.access import role_required
from harmsportal.people.models import Role


@role_required(Role.TRAINING_ADMIN, Role.PLATFORM_ADMIN)
def manage(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9


@role_required(Role.TRAINING_ADMIN, Role.PLATFORM_ADMIN)
def module_new(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9


@role_required(Role.TRAINING_ADMIN, Role.PLATFORM_ADMIN)
def module_edit(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9


@role_required(Role.TRAINING_ADMIN, Role.PLATFORM_ADMIN)
def version_new(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9


@role_required(Role.TRAINING_ADMIN, Role.PLATFORM_ADMIN)
def module_retire(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9


@role_required(Role.TRAINING_ADMIN, Role.PLATFORM_ADMIN)
def force_note(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9


@role_required(Role.TRAINING_ADMIN, Role.PLATFORM_ADMIN)
def version_edit(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9


@role_required(Role.TRAINING_ADMIN, Role.PLATFORM_ADMIN)
def version_publish(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9
