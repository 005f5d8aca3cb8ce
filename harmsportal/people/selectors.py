"""Reads for people: family links scoped to their member, and invitation look-ups.

The one way any app reads FamilyLink: reports asks here which links are live, never queries
the model itself, so the rule for a live link is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from harmsportal.people.models import FamilyLink, Force, User

FAMILY_INVITE_SALT = "harmsportal.family-invite"
# Kinds of account that may invite family members. Family accounts only come by invitation.
MEMBER_KINDS = frozenset({User.Kind.OFFICER, User.Kind.STAFF, User.Kind.VOLUNTEER})


class InviteProblem:
    """Why an invitation link cannot be used. Each has its own plain-English page."""

    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class InviteLookup:
    """What a visitor's invitation token points at: a usable link, or a problem (and the link
    when it is known, so the page can name who to ask for a new one)."""

    link: FamilyLink | None
    problem: str | None = None


def can_invite_family(user: User) -> bool:
    return user.is_authenticated and user.kind in MEMBER_KINDS


def family_links_for_member(member: User) -> QuerySet[FamilyLink]:
    return FamilyLink.objects.filter(member=member).select_related("family_user")


def get_family_link_for_member(member: User, pk: UUID) -> FamilyLink:
    """The member's own link, or 404 for both missing and someone else's."""
    return get_object_or_404(family_links_for_member(member), public_id=pk)


def live_link_q(through: str = "") -> Q:
    """A link that was accepted and that neither side has ended; `through` is the lookup path
    from another model, such as "family_link__" from a report."""
    return Q(**{f"{through}accepted_at__isnull": False}) & Q(**{f"{through}revoked_at": None})


def live_links_as_member(member: User) -> QuerySet[FamilyLink]:
    """The family members `member` (an officer, staff member or volunteer) may report for."""
    return (
        FamilyLink.objects.filter(live_link_q(), member=member)
        .select_related("family_user")
        .order_by("accepted_at")
    )


def live_links_as_family(family_user: User) -> QuerySet[FamilyLink]:
    """The members a family account is linked to, whose policing role touches them."""
    return (
        FamilyLink.objects.filter(live_link_q(), family_user=family_user)
        .select_related("member", "force")
        .order_by("accepted_at")
    )


def reporting_force_of(user: User) -> Force | None:
    """The force `user` reports harm under, or None when they have none.

    A family account reports under the force of the member whose role touches them (the first
    live link); everyone else under their reporter membership. A national analyst holds no
    reporter membership, so has none. Starting a report and the menu's offer to make one both
    ask here.
    """
    if user.kind == User.Kind.FAMILY:
        link = live_links_as_family(user).first()
        return link.force if link is not None else None
    return user.home_force


def get_accepted_link_for(user: User, pk: UUID) -> FamilyLink:
    """An accepted link (ended or not) with `user` on either side; 404 for anything else."""
    links = FamilyLink.objects.filter(
        Q(member=user) | Q(family_user=user), accepted_at__isnull=False
    ).select_related("member", "family_user")
    return get_object_or_404(links, public_id=pk)


def forces_for_signup() -> QuerySet[Force]:
    return Force.objects.order_by("name")


def inviter_first_name(link: FamilyLink) -> str:
    """Only the inviter's first name is ever shown to the person invited."""
    full_name = (link.member.full_name or "").strip()
    return full_name.split()[0] if full_name else "Your family member"


def invite_max_age() -> timedelta:
    return timedelta(days=settings.HARMSPORTAL_FAMILY_INVITE_DAYS)


def invite_problem(link: FamilyLink) -> str | None:
    """Why `link` can no longer be accepted, or None if it still can."""
    if link.revoked_at:
        return InviteProblem.WITHDRAWN
    if link.accepted_at:
        return InviteProblem.USED
    if link.is_expired:
        return InviteProblem.EXPIRED
    return None


def family_invite_lookup(token: str) -> InviteLookup:
    """Resolve an invitation token. Never raises: every failure is an `InviteProblem`."""
    expired_signature = False
    try:
        payload = signing.loads(token, salt=FAMILY_INVITE_SALT, max_age=invite_max_age())
    except signing.SignatureExpired:
        # The signature is genuine but old: read it again without the age limit only to
        # find whose invitation it was, so the page can say who to ask.
        expired_signature = True
        payload = signing.loads(token, salt=FAMILY_INVITE_SALT)
    except signing.BadSignature:
        return InviteLookup(link=None, problem=InviteProblem.INVALID)
    link = _link_for_payload(payload)
    if link is None:
        return InviteLookup(link=None, problem=InviteProblem.INVALID)
    problem = invite_problem(link)
    if problem is None and expired_signature:
        problem = InviteProblem.EXPIRED
    return InviteLookup(link=link, problem=problem)


def _link_for_payload(payload) -> FamilyLink | None:
    if not isinstance(payload, dict):
        return None
    link_id = payload.get("link")
    nonce = payload.get("nonce")
    if not isinstance(link_id, str) or not isinstance(nonce, str):
        return None
    try:
        public_id = UUID(link_id)
    except ValueError:
        return None
    link = FamilyLink.objects.select_related("member", "force").filter(public_id=public_id).first()
    if link is None or link.nonce != nonce:
        return None
    return link


def user_for_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).first()
