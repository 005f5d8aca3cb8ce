"""The portal's own error pages, even with DEBUG on (`make run`).

With DEBUG on, Django answers a missing page with its technical 404, which lists every URL
pattern, and a crash or a bad request with its technical 500, which shows code and settings.
The demo runs with DEBUG on (autoreload, static files from the source folders), and must look
like the service, so unless HARMSPORTAL_TECHNICAL_ERRORS is set this middleware puts the
portal's page in place of Django's. Django has already logged the exception, traceback and
all, to the console by then, so a developer loses nothing. With DEBUG off it does nothing:
Django calls the handlers in harmsportal/urls.py itself.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse

from harmsportal import views


class PortalErrorPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not settings.DEBUG or settings.HARMSPORTAL_TECHNICAL_ERRORS:
            return response
        exception = getattr(request, "_portal_exception", None)
        if exception is not None:
            return self._page_for(request, exception, response)
        if response.status_code == 404 and request.resolver_match is None:
            # No URL pattern matched: the technical 404 that lists them all.
            return views.error_404(request)
        if response.status_code == 500:
            # A crash in a middleware inside this one (views' own go through process_exception).
            return views.error_500(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        # Only noted here: returning nothing lets Django log it and run its own handling first.
        request._portal_exception = exception

    @staticmethod
    def _page_for(request: HttpRequest, exception: Exception, response: HttpResponse):
        if isinstance(exception, Http404):
            return views.error_404(request, exception)
        if isinstance(exception, BadRequest | SuspiciousOperation):
            return views.error_400(request, exception)
        if response.status_code >= 500:
            return views.error_500(request)
        return response  # PermissionDenied and the like already use the portal's handlers
