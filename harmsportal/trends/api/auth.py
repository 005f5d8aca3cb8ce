"""Who may call the trends API: a person's API key (`Authorization: Bearer <key>`) or their
signed-in session, and the roles that see trends.

A key is checked afresh at every call: an unknown, expired or revoked key, or one whose owner
is no longer active, has been flagged Professional Standards or no longer holds a role that
sees trends, is refused with 401 and one plain message (so nobody can tell which). What the
call may read is then scoped by the owner's roles at that moment (`trends.selectors`).
"""

from __future__ import annotations

from django.http import Http404
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission

from harmsportal.people.models import AGGREGATE_ROLES
from harmsportal.trends.tokens import live_token_for_key, token_used

KEY_REFUSED = (
    "This API key cannot be used: it is mistyped, expired or revoked, or its owner no longer "
    "holds a role that sees trends. Make a new key at /trends/api-keys/."
)
NOT_SIGNED_IN = (
    "Send your API key in the Authorization header (Authorization: Bearer <key>), or sign in "
    "to the portal. Make a key at /trends/api-keys/."
)
NO_ROLE = (
    "Only force leads, oversight (the PCC's office) and national analysts can use the trends API."
)


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>`. No header: not this method (a session may still sign the
    request in). A header naming a key that cannot be used: 401."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(KEY_REFUSED)
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(KEY_REFUSED) from None
        token = live_token_for_key(key)
        if token is None:
            raise AuthenticationFailed(KEY_REFUSED)
        token_used(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to a request with no credentials at all.
        return 'Bearer realm="trends"'


class SeesTrends(BasePermission):
    """The API's gate, as `role_required(*AGGREGATE_ROLES)` is the pages': nobody signed in is
    401, Professional Standards 404 (to them the API is simply not there), anyone else without
    a role that sees trends 403. A view narrows the roles with `required_roles`."""

    message = NO_ROLE

    def has_permission(self, request, view) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False  # DRF answers 401: the request carried no credentials
        if user.professional_standards:
            raise Http404
        return user.is_active and user.has_role(*getattr(view, "required_roles", AGGREGATE_ROLES))
