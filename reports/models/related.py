"""What hangs off a report: its evidence, its message thread and its status timeline."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from reports.models.choices import ReportStatus
from reports.models.report import Report


class Evidence(models.Model):
    """A file (kept encrypted, byte-exact) or a link the reporter gave with their report."""

    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        PDF = "pdf", "PDF document"
        TEXT = "text", "Text file"
        LINK = "link", "Link"

    # Opaque id for URLs: reveals nothing about how many exist (the pk never leaves the server).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    original_filename = models.CharField(
        max_length=255, blank=True, help_text="As uploaded; for display only, never a path."
    )
    mime = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    stored_path = models.CharField(max_length=255, blank=True)
    viewing_path = models.CharField(max_length=255, blank=True)
    viewing_mime = models.CharField(max_length=100, blank=True)
    link_url = models.URLField(max_length=2000, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="link") & ~Q(link_url=""))
                | (~Q(kind="link") & ~Q(stored_path="")),
                name="evidence_file_or_link",
            ),
        ]

    def __str__(self) -> str:
        return self.link_url if self.is_link else self.original_filename

    @property
    def is_link(self) -> bool:
        return self.kind == self.Kind.LINK

    @property
    def has_viewing_copy(self) -> bool:
        return bool(self.viewing_path)


class ReportMessage(models.Model):
    """A message between the reporter and the triage team. Always visible to the reporter."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_reporter = models.BooleanField()
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Message on {self.report} at {self.created_at:%Y-%m-%d %H:%M}"

    def mark_read(self) -> bool:
        if self.read_at is not None:
            return False
        self.read_at = timezone.now()
        self.save(update_fields=["read_at"])
        return True


class ReportStatusEvent(models.Model):
    """One entry in the status timeline the reporter sees."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="status_events")
    status = models.CharField(max_length=20, choices=ReportStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True, help_text="Shown to the reporter.")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report}: {self.get_status_display()} at {self.at:%Y-%m-%d %H:%M}"
