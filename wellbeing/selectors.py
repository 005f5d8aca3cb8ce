"""Every read of a referral starts here, scoped to the person asking.

Two chokepoints, one per side of a referral, each a 404 alike for a referral that does not
exist and one the user may not see, so nobody can probe what exists:

- `get_referral_for_person(user, pk)`: the person's own referral (`/wellbeing/mine/…`).
- `get_referral_for_champion(user, pk)`: a referral of a force where `user` is a champion, once
  the person has consented (accepted, or referred themselves), less any the champion stepped
  aside from, their own, and those of family they are linked to.

Triage, leads, analysts and Professional Standards never read a referral: triage reaches only
its own offer through the case (`offer_for_case`), and aggregates come from `wellbeing.capacity`.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from harmsportal.people.models import WELLBEING_ROLES, FamilyLink, Force, Role, User
from harmsportal.people.selectors import live_link_q, reporting_force_of
from triage.models import Case
from wellbeing.models import (
    CHAMPION_STATES,
    OPEN_STATES,
    ChampionListing,
    Referral,
    Resource,
    SupportPlan,
    SupportService,
)


def champion_force_ids(user: User) -> list[int]:
    """Ids of the forces where `user` is a champion, from the membership cache (no query)."""
    if not user.is_authenticated or user.professional_standards:
        return []
    return sorted({m.force_id for m in user.membership_list() if m.role in WELLBEING_ROLES})


def is_champion_of(user: User, force: Force | int) -> bool:
    force_id = force if isinstance(force, int) else force.pk
    return force_id in champion_force_ids(user)


def _family_of(user: User) -> Q:
    """Referrals of people linked to `user` by a live family link, either way round: a
    champion never works their own family's referral."""
    linked = FamilyLink.objects.filter(live_link_q())
    return Q(person__in=linked.filter(member=user).values("family_user")) | Q(
        person__in=linked.filter(family_user=user).values("member")
    )


def referrals_for_champion(user: User) -> QuerySet[Referral]:
    """The referrals `user` may work as a champion. The queue, filters and counts start here."""
    force_ids = champion_force_ids(user)
    if not force_ids:
        return Referral.objects.none()
    return (
        Referral.objects.filter(force_id__in=force_ids)
        .filter(state__in=CHAMPION_STATES)
        .filter(consent_given_at__isnull=False)
        .exclude(person=user)
        .exclude(conflicts__user=user)
        .exclude(_family_of(user))
    )


def get_referral_for_champion(user: User, pk: UUID | str) -> Referral:
    """The one chokepoint for a champion's referral pages; 404 for missing and forbidden alike."""
    try:
        return (
            referrals_for_champion(user)
            .select_related("force", "person", "champion", "service", "case__report")
            .get(public_id=pk)
        )
    except (Referral.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def referrals_of_person(user: User) -> QuerySet[Referral]:
    """The person's own referrals, newest first. Declined offers included: they can change
    their mind."""
    if not user.is_authenticated:
        return Referral.objects.none()
    return Referral.objects.filter(person=user).select_related("force", "champion", "service")


def get_referral_for_person(user: User, pk: UUID | str) -> Referral:
    """The person's own referral, or 404 for missing and someone else's alike."""
    try:
        return referrals_of_person(user).select_related("case__report").get(public_id=pk)
    except (Referral.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def offer_for_case(case: Case) -> Referral | None:
    """The referral offered from `case`, if any. Callers reached the case through
    `triage.selectors.get_case_for_user`: triage sees only that an offer exists and its state."""
    return Referral.objects.filter(case=case).only("state", "public_id", "reference").first()


def current_plan(referral: Referral) -> SupportPlan | None:
    return referral.plans.select_related("by").first()


def champions_of(force: Force, *, referral: Referral | None = None) -> QuerySet[User]:
    """Active champions of `force`; about `referral`, less anyone who may not see it."""
    champions = User.objects.filter(
        memberships__force=force,
        memberships__role=Role.CHAMPION,
        is_active=True,
        professional_standards=False,
    )
    if referral is not None:
        # The same people the chokepoint keeps out: the person, their live family links either
        # way round, and anyone who stepped aside.
        linked = FamilyLink.objects.filter(live_link_q())
        champions = (
            champions.exclude(pk=referral.person_id)
            .exclude(pk__in=referral.conflicts.values("user_id"))
            .exclude(pk__in=linked.filter(family_user=referral.person_id).values("member"))
            .exclude(pk__in=linked.filter(member=referral.person_id).values("family_user"))
        )
    return champions.distinct().order_by("full_name", "email")


def services_of(force_ids: Iterable[int]) -> QuerySet[SupportService]:
    return SupportService.objects.filter(force_id__in=list(force_ids))


def active_services_for(referral: Referral) -> QuerySet[SupportService]:
    return with_open_counts(SupportService.objects.filter(force=referral.force, active=True))


def with_open_counts(services: QuerySet[SupportService]) -> QuerySet[SupportService]:
    """Each service with `open_count`, its open referrals, exact (not through `disclose`).
    Only for champions' own pages: they work these referrals and see them one by one, so an
    exact count shows them nothing new, and a withheld one would hide that a service is full.
    Anyone else's aggregates come from `wellbeing.capacity`, through `disclose`."""
    return services.annotate(
        open_count=Count("referrals", filter=Q(referrals__state__in=OPEN_STATES))
    )


def open_referral_count(force: Force) -> int:
    return Referral.objects.filter(force=force, state__in=OPEN_STATES).count()


def directory_for(user: User) -> QuerySet[ChampionListing]:
    """The champions' directory of the forces `user` belongs to (a family account: the force
    of the member they are linked to)."""
    force_ids = {m.force_id for m in user.membership_list()}
    force = reporting_force_of(user)
    if force is not None:
        force_ids.add(force.pk)
    return (
        ChampionListing.objects.filter(force_id__in=force_ids, listed=True)
        # Only people who are champions of that force now (the role can end; the row stays).
        .filter(
            user__is_active=True,
            user__memberships__force=F("force"),
            user__memberships__role=Role.CHAMPION,
        )
        .select_related("force")
    )


def resources_for(user: User) -> QuerySet[Resource]:
    """The signposting library as `user` sees it: national resources, their own force's, and
    those any force shared with all forces. Family accounts see those marked for families."""
    force_ids = {m.force_id for m in user.membership_list()}
    force = reporting_force_of(user)
    if force is not None:
        force_ids.add(force.pk)
    visible = (
        Resource.objects.filter(withdrawn_at__isnull=True)
        .filter(Q(force__isnull=True) | Q(shared_with_all_forces=True) | Q(force_id__in=force_ids))
        .select_related("force")
    )
    if user.kind == User.Kind.FAMILY:
        visible = visible.filter(for_families=True)
    return visible


def urgent_routes_of(force: Force) -> QuerySet[Resource]:
    """The force's own helplines in the library (not withdrawn): its urgent routes on the
    crisis page. National and other forces' resources are not the force's own route."""
    return Resource.objects.filter(
        force=force, kind=Resource.Kind.HELPLINE, withdrawn_at__isnull=True
    ).order_by("title")


def get_resource_for_user(user: User, pk: UUID | str) -> Resource:
    return get_object_or_404(resources_for(user), public_id=pk)


def get_service_for_champion(user: User, pk: UUID | str) -> SupportService:
    """A support service of a force where `user` is a champion; 404 for any other alike."""
    return get_object_or_404(
        services_of(champion_force_ids(user)).select_related("force"), public_id=pk
    )


def get_resource_for_publisher(user: User, pk: UUID | str) -> Resource:
    """A resource published by a force where `user` is a champion (withdrawn ones too, so a
    second withdrawal is harmless); 404 for national resources and other forces' alike."""
    return get_object_or_404(
        Resource.objects.filter(force_id__in=champion_force_ids(user)).select_related("force"),
        public_id=pk,
    )


def champion_forces(user: User) -> list[Force]:
    """The forces where `user` is a champion, by name, from the membership cache (no query)."""
    force_ids = set(champion_force_ids(user))
    forces = {m.force for m in user.membership_list() if m.force_id in force_ids}
    return sorted(forces, key=lambda force: force.name)
