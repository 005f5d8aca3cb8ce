"""What a force offers: its support services, its champions' directory, and the library."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from harmsportal.people.models import Force
from wellbeing.models.choices import SupportType


def validate_https(url: str) -> None:
    """Only https links: no javascript:, data:, http: or anything else a page could misuse."""
    if url and not url.lower().startswith("https://"):
        raise ValidationError("Enter a link that starts with https://")


class SupportService(models.Model):
    """A support service a force can refer to, with how many open cases it can hold."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="support_services")
    name = models.CharField(max_length=120)
    support_type = models.CharField(max_length=24, choices=SupportType.choices)
    capacity = models.PositiveIntegerField(
        validators=[MaxValueValidator(100_000)],
        help_text="How many open referrals it can hold at once.",
    )
    target_wait_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Days from acceptance to first support.",
    )
    how_to_refer = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["force", "support_type", "name"]
        constraints = [
            models.UniqueConstraint(fields=["force", "name"], name="supportservice_force_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ChampionListing(models.Model):
    """A champion's entry in their force's directory: how colleagues can reach them."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="champion_listings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    display_name = models.CharField(max_length=120)
    role_title = models.CharField(max_length=120, blank=True)
    how_to_reach = models.TextField(help_text="Phone, email, hours, or where to find you.")
    listed = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["force", "display_name"]
        constraints = [
            models.UniqueConstraint(fields=["force", "user"], name="championlisting_force_user"),
        ]

    def __str__(self) -> str:
        return self.display_name


class Resource(models.Model):
    """A signposting resource: national (no force), or a force's own, optionally shared to all."""

    class Kind(models.TextChoices):
        GUIDANCE = "guidance", "Guidance"
        HELPLINE = "helpline", "Helpline"
        REMOVAL = "removal", "Removing your personal data"
        SECURITY = "security", "Securing your accounts"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # None: a national resource. Otherwise the force that published it.
    force = models.ForeignKey(
        Force, on_delete=models.PROTECT, null=True, blank=True, related_name="resources"
    )
    shared_with_all_forces = models.BooleanField(default=False)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=160)
    summary = models.TextField()
    url = models.URLField(max_length=500, blank=True, validators=[validate_https])
    phone = models.CharField(max_length=40, blank=True)
    for_families = models.BooleanField(default=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url="") | Q(url__istartswith="https://"),
                name="resource_url_https_only",
            ),
        ]

    def __str__(self) -> str:
        return self.title
