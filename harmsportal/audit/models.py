"""The append-only access log: every read of sensitive data and every export."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AccessLog(models.Model):
    """One access to something sensitive. Rows are never changed or removed.

    On Postgres a trigger (migration 0002) refuses UPDATE and DELETE, so not even a bug or a
    shell session can rewrite history. The actor is kept as a plain reference (no cascading
    foreign key) for the same reason: deleting a user must not touch the log.
    """

    class Action(models.TextChoices):
        READ = "read", "Read"
        DOWNLOAD = "download", "Downloaded"
        EXPORT = "export", "Exported"
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        ERASE = "erase", "Erased"
        LOGIN_AS_ADMIN = "admin", "Used administration"  # every admin page opened or changed

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_role = models.CharField(max_length=32, blank=True)
    force_slug = models.CharField(max_length=64, blank=True, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_role} {self.action} {self.object_type}:{self.object_id}"
