"""Subject access: the signed-in person's own data, as a readable page and as JSON.

PLACEHOLDER until the subject-access helper builds it.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


@login_required
@require_GET
def download_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse({})
