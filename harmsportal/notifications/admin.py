from __future__ import annotations

from django.contrib import admin, messages

from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notifications_retry_failed


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only delivery status. Titles and links are left out: they belong to the inbox."""

    list_display = ("kind", "email_status", "attempts", "created_at", "sent_at")
    list_filter = ("email_status", "kind")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    fields = (
        "id",
        "kind",
        "email_status",
        "attempts",
        "last_error",
        "created_at",
        "claimed_at",
        "next_attempt_at",
        "sent_at",
        "read_at",
    )
    readonly_fields = fields
    actions = ("retry_failed_emails",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Retry failed emails")
    def retry_failed_emails(self, request, queryset) -> None:
        count = notifications_retry_failed(notification_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            f"{count} failed email{'s' if count != 1 else ''} will be sent again. "
            "Selected emails that had not failed were left alone.",
            messages.SUCCESS,
        )
