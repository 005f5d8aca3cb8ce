"""Writes to what a force offers: its support services, its champions' directory listings and
its signposting resources. Only the force's own champions make them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from wellbeing.models import ChampionListing, Resource, SupportService
from wellbeing.selectors import is_champion_of

if TYPE_CHECKING:
    from harmsportal.people.models import Force, User


def _refuse_unless_champion(actor: User, force: Force, doing: str) -> None:
    if not is_champion_of(actor, force):
        raise ValidationError(f"Only {force.name}'s wellbeing champions can {doing}.")


@transaction.atomic
def support_service_save(
    *,
    actor: User,
    force: Force,
    service: SupportService | None = None,
    name: str,
    support_type: str,
    capacity: int,
    target_wait_days: int,
    how_to_refer: str,
    active: bool,
) -> SupportService:
    """Add a support service to `force`, or change `service` (which must be the force's)."""
    _refuse_unless_champion(actor, force, "change its support services")
    if service is None:
        service = SupportService(force=force)
    else:
        service = SupportService.objects.select_for_update().get(pk=service.pk)
        if service.force_id != force.pk:
            raise ValidationError("This service belongs to another force.")
    service.name = name
    service.support_type = support_type
    service.capacity = capacity
    service.target_wait_days = target_wait_days
    service.how_to_refer = how_to_refer
    service.active = active
    service.full_clean(exclude=["force"])
    try:
        with transaction.atomic():
            service.save()
    except IntegrityError as exc:
        # Two champions naming two services alike at the same moment: the constraint decides.
        raise ValidationError(
            {"name": f"{force.name} already has a service called {name}."}
        ) from exc
    return service


@transaction.atomic
def listing_save(
    *,
    actor: User,
    force: Force,
    display_name: str,
    role_title: str,
    how_to_reach: str,
    listed: bool,
) -> ChampionListing:
    """The actor's own entry in `force`'s champions' directory, created or changed."""
    _refuse_unless_champion(actor, force, "be listed in its champions' directory")
    listing, _ = ChampionListing.objects.select_for_update().get_or_create(
        force=force,
        user=actor,
        defaults={"display_name": display_name, "how_to_reach": how_to_reach},
    )
    listing.display_name = display_name
    listing.role_title = role_title
    listing.how_to_reach = how_to_reach
    listing.listed = listed
    listing.updated_at = timezone.now()
    listing.save()
    return listing


@transaction.atomic
def resource_publish(
    *,
    actor: User,
    force: Force,
    title: str,
    kind: str,
    summary: str,
    url: str,
    phone: str,
    for_families: bool,
    shared_with_all_forces: bool,
) -> Resource:
    """A resource in `force`'s library; shared with every force if the champion chose it."""
    _refuse_unless_champion(actor, force, "publish to its library")
    resource = Resource(
        force=force,
        title=title,
        kind=kind,
        summary=summary,
        url=url,
        phone=phone,
        for_families=for_families,
        shared_with_all_forces=shared_with_all_forces,
        published_by=actor,
    )
    resource.full_clean()  # the model's https-only rule, the same one the form used
    resource.save()
    return resource


@transaction.atomic
def resource_withdraw(*, actor: User, resource: Resource) -> bool:
    """Take a force's resource out of every library. False if it was already withdrawn."""
    resource = (
        Resource.objects.select_for_update(of=("self",)).select_related("force").get(pk=resource.pk)
    )
    if resource.force is None:
        raise ValidationError("National resources are looked after centrally.")
    _refuse_unless_champion(actor, resource.force, "withdraw its resources")
    if resource.withdrawn_at is not None:
        return False
    resource.withdrawn_at = timezone.now()
    resource.save(update_fields=["withdrawn_at"])
    return True
