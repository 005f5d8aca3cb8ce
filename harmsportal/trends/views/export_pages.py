"""Streamed CSV and XLSX exports of the published trends figures, in the user's scope
(decision 0012).

Each starts from the scope chokepoint (`trends.exports.scope.export_scope_for`): a filter it
cannot take is a 400 with a plain message, never another force's figures. The export is
recorded in the access log before the first byte is sent, then streamed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from harmsportal.people.access import role_required
from harmsportal.people.models import AGGREGATE_ROLES
from harmsportal.trends.exports import xlsx
from harmsportal.trends.exports.csv_stream import csv_chunks
from harmsportal.trends.exports.scope import (
    ExportFilterError,
    export_scope_for,
    trends_export_record,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from harmsportal.trends.exports.scope import ExportScope

FORMATS: dict[str, tuple[str, Callable[[ExportScope], Iterator[bytes]]]] = {
    "csv": ("text/csv; charset=utf-8", csv_chunks),
    "xlsx": (xlsx.CONTENT_TYPE, xlsx.xlsx_chunks),
}


@role_required(*AGGREGATE_ROLES)
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv")


@role_required(*AGGREGATE_ROLES)
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "xlsx")


def _export(request: HttpRequest, name: str) -> HttpResponse:
    try:
        scope = export_scope_for(request.user, request.GET, today=timezone.localdate())
    except ExportFilterError as refused:
        return HttpResponseBadRequest(str(refused), content_type="text/plain; charset=utf-8")
    trends_export_record(actor=request.user, scope=scope, export_format=name)
    content_type, chunks = FORMATS[name]
    response = StreamingHttpResponse(chunks(scope), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{scope.filename(name)}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
