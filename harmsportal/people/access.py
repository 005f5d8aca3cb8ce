"""The one role check every view uses: `@role_required(...)`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from harmsportal.people.models import Role


def role_required(*roles: str) -> Callable:
    """Allow a signed-in user holding any of `roles` in some force; refuse everyone else.

    Anonymous visitors are sent to sign in. Professional Standards get 404 on every gated
    route; other signed-in people without the role get the 403 page. The view itself must still scope every object to the user's forces through its
    app's selectors; this decorator only answers "may this person use this page at all".
    Professional Standards never hold case-reading roles (people.models), so they never pass
    a check for one.
    """
    unknown = set(roles) - set(Role.values)
    if not roles or unknown:
        raise ValueError(f"role_required needs known roles, got {roles!r}")

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.professional_standards:
                # Care, not discipline: to Professional Standards every staff route is simply
                # not there (404), exactly like a page that does not exist.
                raise Http404
            if not user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_roles = frozenset(roles)  # read by the staff MFA middleware
        return wrapper

    return decorator
