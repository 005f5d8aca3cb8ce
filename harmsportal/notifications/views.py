"""The in-portal inbox: the same notifications that were emailed, with their details."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from harmsportal.notifications.links import local_path_or_none
from harmsportal.notifications.selectors import get_notification_for_user, notifications_for_user
from harmsportal.notifications.services import notifications_mark_all_read

INBOX_PAGE_SIZE = 20


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = notifications_for_user(request.user)
    page = Paginator(notifications, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=1),
        "unread_count": notifications.filter(read_at=None).count(),
    }
    return render(request, "notifications/inbox.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def open_notification(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    notification = get_notification_for_user(request.user, pk)
    notification.mark_read()
    # Only ever a path on this site, whatever the row holds.
    return redirect(local_path_or_none(notification.link_path) or "notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    if notifications_mark_all_read(actor=request.user):
        messages.success(request, "All your notifications are marked as read.")
    return redirect("notifications:inbox")
