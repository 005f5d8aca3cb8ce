"""Project-wide middleware."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_resolver, get_urlconf
from django.utils.cache import add_never_cache_headers

log = logging.getLogger(__name__)


class NoStoreForAuthenticatedMiddleware:
    """`Cache-Control: no-store` on every page served to a signed-in person.

    Pages behind sign-in hold personal and sensitive information; a shared or family computer
    must not be able to show them again from its cache after sign-out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


def _is_out_of_range(exception: Exception) -> bool:
    """An integer from the request that Python's date types or the database could not hold.

    Also the admin's IncorrectLookupParameters, which its change list turns into a redirect
    but views built on it (django-import-export's export) let through: a query the admin
    cannot use is the request's fault too.
    """
    if isinstance(exception, OverflowError | IncorrectLookupParameters):
        return True
    if isinstance(exception, DataError):
        # Postgres: SQLSTATE 22003 numeric_value_out_of_range ("bigint out of range"); and
        # psycopg's refusal of a NUL character, which no Postgres text column can hold.
        cause = exception.__cause__
        message = str(exception)
        return (
            getattr(cause, "sqlstate", None) == "22003"
            or "out of range" in message
            or "cannot contain NUL" in message
        )
    return False


def _bad_request(request: HttpRequest, why: str) -> HttpResponse:
    handler = get_resolver(get_urlconf()).resolve_error_handler(400)
    return handler(request, BadRequest(why))


class NulCharactersRefusedMiddleware:
    """A NUL character in the address is refused with the portal's 400 page.

    No one types a NUL; it arrives only from a probe. SQLite stores it, but Postgres cannot
    hold it in any text column, so once it reached a lookup or the access log (the admin
    records every address it serves) the request ended in a 500. Refused here, at the door,
    it reaches neither the database nor a log. Form fields are already refused by Django's
    CharField, and anything else that slips through is caught by OutOfRangeIntegersMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or "\x00" in value
            for key, values in request.GET.lists()
            for value in values
        ):
            log.warning("NUL character in the address of a %s answered with 400", request.method)
            return _bad_request(request, "The address holds a character the portal cannot use.")
        return self.get_response(request)


class OutOfRangeIntegersMiddleware:
    """The last resort for an out-of-range integer that got past the checks at the boundary.

    Forms refuse such integers with an error (harmsportal.forms), page numbers are bounded
    (harmsportal.pagination) and `in` lookups drop them (harmsportal.lookups). Anything that
    still raises OverflowError, or a database "out of range" error, while handling a request
    was caused by what the request sent: the answer is the portal's 400 page, not a 500.
    It is logged, so the missing check can be added where the integer came in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not _is_out_of_range(exception):
            return None
        log.warning(
            "Unusable value in %s %s answered with 400: %r",
            request.method,
            request.path,
            exception,
        )
        return _bad_request(request, "The request holds a value the portal cannot use.")


class MethodNotAllowedPageMiddleware:
    """A page, not a blank 405, for a POST-only address opened directly.

    `require_POST` answers a GET with an empty 405. A person meets it by refreshing, going
    Back or following a bookmark to an action's address, and a blank page in the middle of
    reporting harm helps nobody. The status and the Allow header stay as they were.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content:
            return response
        page = render(request, "errors/405.html", status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page
