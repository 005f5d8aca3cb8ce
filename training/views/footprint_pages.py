"""The digital-footprint self-check: tailored advice, and only the fact of completion kept."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse


@login_required
def footprint(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9


@login_required
def saved(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404  # placeholder: built in issue 9
