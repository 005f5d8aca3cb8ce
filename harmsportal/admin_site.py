"""The admin site: platform admins only, signed in through allauth (so MFA applies)."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from harmsportal.audit.models import AccessLog
from harmsportal.audit.services import access_record
from harmsportal.people.models import Role


class PortalAdminSite(admin.AdminSite):
    site_header = "Harms Portal administration"
    site_title = "Harms Portal administration"
    index_title = "Platform administration"

    def admin_view(self, view, cacheable=False):
        """Every admin page a platform admin opens or changes is written to the access log."""
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def audited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                # Straight to the portal's sign-in, where MFA and throttling apply.
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            if not self.has_permission(request):
                # The rule of every staff route (people.access.role_required): not there for
                # Professional Standards, refused (403) to anyone else without the role.
                if user.professional_standards:
                    raise Http404
                raise PermissionDenied
            response = inner(request, *args, **kwargs)
            if self.has_permission(request):
                access_record(
                    actor=request.user,
                    action=AccessLog.Action.LOGIN_AS_ADMIN,
                    object_type="admin",
                    object_id=request.path[:64],
                    role=Role.PLATFORM_ADMIN,
                    reason=f"{request.method} {request.get_full_path()}",
                )
            return response

        return audited

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_authenticated and user.is_platform_admin)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        # The admin has no login form of its own: everyone signs in through allauth, where MFA
        # and throttling apply. Its other pages refuse anyone signed in who is not a platform
        # admin with 403 (404 to Professional Standards); this page is simply not there.
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = reverse("admin:index")
        if not request.user.is_authenticated:
            return redirect_to_login(next_url, settings.LOGIN_URL)
        if self.has_permission(request):
            # Not redirect(): it would try a bare word such as "-1" as a view name (a 500).
            return HttpResponseRedirect(next_url)
        raise Http404
