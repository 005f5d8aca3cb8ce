from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from harmsportal.navigation import nav_for
from harmsportal.notifications.selectors import notifications_for_user


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    nav = nav_for(user) if user is not None else []
    path = request.path
    for item in nav:
        item["active"] = path.startswith(item["url"]) and item["url"] != "/"
    unread = 0
    if user is not None and user.is_authenticated:
        unread = notifications_for_user(user).filter(read_at__isnull=True).count()
    return {
        "service_name": settings.HARMSPORTAL_SERVICE_NAME,
        "nav_items": nav,
        "unread_notifications": unread,
        "is_demo": settings.HARMSPORTAL_DEMO,
    }
