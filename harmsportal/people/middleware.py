"""Staff-role policies: MFA before any staff page, and a 30-minute idle timeout."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

# Pages a staff user without MFA may still reach: enrolment itself, signing out (the quick
# exit too: it must end anyone's session at once), and the public pages every visitor can read.
MFA_EXEMPT_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/exit/",
    "/accounts/reauthenticate/",
    "/static/",
    "/healthz",
    "/accessibility/",
    "/privacy/",
)
ENROLMENT_URL_NAME = "mfa_activate_totp"


def user_has_mfa(user) -> bool:
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


class StaffMFARequiredMiddleware:
    """Send anyone holding a staff role to MFA enrolment until they have TOTP or a passkey.

    allauth has no "require MFA" switch. This applies to every URL except the exempt ones,
    so no staff page (including the admin) is reachable without MFA. The setting
    HARMSPORTAL_REQUIRE_STAFF_MFA turns it off, for the local demo only.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._must_enrol(request):
            messages.info(
                request,
                "Your role gives you access to other people's information, so you need to set "
                "up two-factor authentication before you continue.",
                extra_tags="mfa-required",
            )
            return redirect(ENROLMENT_URL_NAME)
        return self.get_response(request)

    def _must_enrol(self, request: HttpRequest) -> bool:
        if not settings.HARMSPORTAL_REQUIRE_STAFF_MFA:
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if request.path.startswith(MFA_EXEMPT_PREFIXES):
            return False
        if not user.is_staff_role_holder:
            return False
        # One indexed query per staff request; not cached, so removing MFA takes effect at once.
        return not user_has_mfa(user)


class StaffSessionTimeoutMiddleware:
    """Staff sessions end after HARMSPORTAL_STAFF_IDLE_SECONDS without a request (sliding)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff_role_holder:
            # set_expiry with seconds makes the session expire that long after its last save;
            # touching it on each request gives an idle (not absolute) timeout.
            request.session.set_expiry(settings.HARMSPORTAL_STAFF_IDLE_SECONDS)
        return self.get_response(request)
