"""Project-level pages: home, health, accessibility, privacy and error pages."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from harmsportal.navigation import home_for
from harmsportal.people.models import STAFF_ROLES, User

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        # Who may use the portal, in the words sign-up uses for each kind of person (one term
        # for special constables: volunteers, as User.Kind says).
        kinds = [User.Kind.OFFICER.label, User.Kind.STAFF.label, User.Kind.VOLUNTEER.label]
        return render(request, "home.html", {"member_kinds": kinds})
    return render(request, "home.html", {"home": home_for(request.user)})


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def exit_page(request: HttpRequest) -> HttpResponse:
    """ "Exit this page": end the session, then go to a neutral site.

    A plain link (GET) so it works without JavaScript and so GOV.UK's component, which follows
    the button's href when Shift is pressed three times, goes through here too. Exempt from
    CSRF: a forged request can only sign someone out, while a CSRF failure page would keep a
    person in danger on the portal. logout() flushes the session, so Back to any signed-in
    page finds no session and lands on sign-in; those pages are never stored
    (NoStoreForAuthenticatedMiddleware), and Clear-Site-Data asks the browser to drop its
    cache (back-forward cache included) and this site's storage.
    """
    logout(request)
    response = HttpResponseRedirect(settings.HARMSPORTAL_EXIT_URL)
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/accessibility.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/privacy.html")


@never_cache
@login_required  # before the method check, as on every route: signed out is sent to sign in
@require_POST
def session_extend(request: HttpRequest) -> HttpResponse:
    """Keep a signed-in session alive: the timeout warning's "Stay signed in" button.

    There is nothing to do here. StaffSessionTimeoutMiddleware has already restarted the
    idle timer for this request, so an empty 204 is the whole answer. CSRF protected, like
    every POST; someone whose session has already ended is sent to sign in.
    """
    return HttpResponse(status=204)


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_broker() -> str:
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database (and the broker, when one is configured) answers; 503 if not."""
    checks: dict[str, str] = {}
    healthy = True
    probes = [("database", _check_database)]
    if settings.CELERY_BROKER_URL:
        probes.append(("broker", _check_broker))
    else:
        checks["broker"] = "not configured (tasks run eagerly)"
    for name, probe in probes:
        try:
            checks[name] = probe()
        except Exception as exc:  # a health check reports every failure, whatever it is
            logger.warning("healthz: %s failed: %s", name, exc)
            checks[name] = "unavailable"
            healthy = False
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


def error_400(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def error_403(request: HttpRequest, exception=None) -> HttpResponse:
    # The words suit the person: a family account, someone with no staff role, or a role holder.
    user = getattr(request, "user", None)
    holds_staff_role = (
        user is not None
        and user.is_authenticated
        and any(m.role in STAFF_ROLES for m in user.membership_list())
    )
    return render(request, "errors/403.html", {"holds_staff_role": holds_staff_role}, status=403)


def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # Rendered without the request, so no context processor (and no database query) runs:
    # the failure being reported may be the database itself.
    return HttpResponse(render_to_string("errors/500.html", {"request": None}), status=500)
