"""How each triager wants to hear about their cases."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TriagePreference(models.Model):
    """How a triager wants to hear that a reporter wrote. In the portal always; email if chosen."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="triage_preference"
    )
    email_when_reporter_writes = models.BooleanField(
        default=False,
        help_text="Also send an email (which never says what was written) when a reporter "
        "writes on a case this person holds.",
    )

    def __str__(self) -> str:
        return f"Triage preferences of user {self.user_id}"
