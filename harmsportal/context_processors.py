from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from harmsportal.navigation import nav_for
from harmsportal.notifications.selectors import notifications_for_user

# The report journey's pages belong to "Report harm", though they live under /reports/.
JOURNEY_ROUTES = frozenset(
    {"start", "step", "not_connected", "evidence_remove", "check", "submit", "done"}
)


def _current_url(request: HttpRequest, urls: list[str]) -> str | None:
    """The one navigation item the page belongs to: the longest matching prefix."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.namespace == "reports" and match.url_name in JOURNEY_ROUTES:
        return reverse("reports:start")
    candidates = [url for url in urls if url != "/" and request.path.startswith(url)]
    return max(candidates, key=len, default=None)


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    nav = nav_for(user) if user is not None else []
    current = _current_url(request, [item["url"] for item in nav])
    for item in nav:
        item["active"] = item["url"] == current
    unread = 0
    if user is not None and user.is_authenticated:
        unread = notifications_for_user(user).filter(read_at__isnull=True).count()
    return {
        "service_name": settings.HARMSPORTAL_SERVICE_NAME,
        "nav_items": nav,
        "unread_notifications": unread,
        "is_demo": settings.HARMSPORTAL_DEMO,
        # How long an unsent draft is kept unsaved (privacy: draft retention), said where
        # reporters start, keep and read about drafts.
        "draft_retention_days": settings.HARMSPORTAL_DRAFT_RETENTION_DAYS,
    }
