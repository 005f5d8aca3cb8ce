"""Compliance for training admins, teams for line managers, aggregates, module review, certificate checks."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse


@login_required
def compliance(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9


@login_required
def compliance_export(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9


@login_required
def team(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9


@login_required
def team_export(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9


@login_required
def figures(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9


@login_required
def review(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9


@login_required
def verify(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9
