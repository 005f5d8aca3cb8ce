"""Recording accesses. Later apps call `access_record` for every sensitive read and export."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from harmsportal.audit.models import AccessLog

if TYPE_CHECKING:
    from harmsportal.people.models import Force, User


def object_label(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def access_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    force: Force | None = None,
    role: str = "",
    reason: str = "",
) -> AccessLog:
    """Append one row to the access log.

    Call it inside the same transaction as the read or export it records, so that the data is
    never shown without the record (Zulip-style `actions`). Pass `obj` or `object_type`.
    """
    if obj is not None:
        object_type = object_type or object_label(obj)
        object_id = object_id or obj.pk
    if not object_type:
        raise ValueError("access_record needs obj or object_type")
    return AccessLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_role=role,
        force_slug=force.slug if force is not None else "",
        object_type=object_type,
        object_id=str(object_id),
        action=action,
        reason=reason[:200],
    )
