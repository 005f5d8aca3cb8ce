"""A triager's own choices about how the portal tells them things."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from triage.models import TriagePreference

if TYPE_CHECKING:
    from harmsportal.people.models import User


def triage_preference_of(user: User) -> TriagePreference:
    """The user's preferences, or the defaults (portal only) if they never chose."""
    return TriagePreference.objects.filter(user=user).first() or TriagePreference(user=user)


@transaction.atomic
def triage_preference_set(*, actor: User, email_when_reporter_writes: bool) -> TriagePreference:
    """Record `actor`'s own choice; nobody sets another person's preferences here."""
    preference, _ = TriagePreference.objects.update_or_create(
        user=actor, defaults={"email_when_reporter_writes": email_when_reporter_writes}
    )
    return preference
