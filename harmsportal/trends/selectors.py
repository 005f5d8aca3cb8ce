"""Who may see which force's figures: the one chokepoint every trends page, export and API
call goes through.

Force leads and oversight (the PCC's office) see the forces they hold that role in; national
analysts see every force. Professional Standards see nothing (their routes are 404s before
this is asked). A force someone may not see is treated exactly like one that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from harmsportal.people.models import Force, Role

if TYPE_CHECKING:
    from harmsportal.people.models import User

# Roles that see their own force's figures; a national analyst sees every force.
FORCE_ROLES = (Role.FORCE_LEAD, Role.OVERSIGHT)
NATIONAL_ROLES = (Role.NATIONAL_ANALYST,)


def sees_every_force(user: User) -> bool:
    return (
        user.is_authenticated and not user.professional_standards and user.has_role(*NATIONAL_ROLES)
    )


def trends_forces_for(user: User) -> list[Force]:
    """The forces whose figures `user` may see, by name (every force for a national analyst)."""
    if not user.is_authenticated or user.professional_standards:
        return []
    if sees_every_force(user):
        return list(Force.objects.order_by("name"))
    forces = {m.force for m in user.membership_list() if m.role in FORCE_ROLES}
    return sorted(forces, key=lambda force: force.name)


def scope_force_ids(user: User) -> tuple[int, ...] | None:
    """The force ids a `Scope` for `user` may cover: None means every force."""
    if sees_every_force(user):
        return None
    return tuple(force.pk for force in trends_forces_for(user))


def find_force_for_user(user: User, slug: str) -> Force | None:
    """The force `slug` names if `user` may see its figures, else None (missing or forbidden
    alike): for query parameters, where the caller answers with a message or a 400."""
    for force in trends_forces_for(user):
        if force.slug == slug:
            return force
    return None


def get_force_for_user(user: User, slug: str) -> Force:
    """The force `slug` names if `user` may see its figures; 404 for missing and forbidden
    alike, so nobody can probe which forces exist on the portal."""
    force = find_force_for_user(user, slug)
    if force is None:
        raise Http404
    return force
