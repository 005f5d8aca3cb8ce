"""Reading the access log."""

from __future__ import annotations

from django.db import models

from harmsportal.audit.models import AccessLog
from harmsportal.audit.services import object_label


def accesses_of(obj: models.Model, *, exclude_actor_id: int | None = None):
    """Accesses to `obj`, newest first (for "who has seen my report")."""
    qs = AccessLog.objects.filter(object_type=object_label(obj), object_id=str(obj.pk))
    if exclude_actor_id is not None:
        qs = qs.exclude(actor_id=exclude_actor_id)
    return qs
