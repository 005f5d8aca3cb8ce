"""Writes for people: signing up, the voluntary questions, and family invitations."""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notification_email_queue, notification_send
from harmsportal.people.models import DEMOGRAPHIC_FIELDS, FamilyLink, Force, Membership, Role, User
from harmsportal.people.selectors import (
    FAMILY_INVITE_SALT,
    MEMBER_KINDS,
    InviteProblem,
    invite_problem,
    inviter_first_name,
    user_for_email,
)


# --- signing up ------------------------------------------------------------------------------
@transaction.atomic
def user_signup_complete(*, actor: User, full_name: str, kind: str, force: Force) -> Membership:
    """Finish a self-service sign-up: name, kind, and the reporter role in the chosen force."""
    if kind not in MEMBER_KINDS:
        # Family accounts only ever come from an invitation (family_link_accept).
        raise ValidationError({"kind": "Select police officer, police staff or volunteer."})
    actor.full_name = full_name.strip()
    actor.kind = kind
    actor.save(update_fields=["full_name", "kind"])
    membership, _ = Membership.objects.get_or_create(user=actor, force=force, role=Role.REPORTER)
    return membership


@transaction.atomic
def user_demographics_update(*, actor: User, answers: dict[str, str]) -> User:
    """Save the optional answers. A blank answer means "not answered", never an error."""
    for field in DEMOGRAPHIC_FIELDS:
        setattr(actor, field, answers.get(field) or "")
    actor.save(update_fields=list(DEMOGRAPHIC_FIELDS))
    return actor


# --- family invitations ----------------------------------------------------------------------
def family_invite_token(link: FamilyLink) -> str:
    return signing.dumps(
        {"link": str(link.public_id), "nonce": link.nonce}, salt=FAMILY_INVITE_SALT
    )


def family_invite_path(link: FamilyLink) -> str:
    return reverse("people:family_accept", args=[family_invite_token(link)])


@transaction.atomic
def family_link_invite(*, actor: User, email: str, relationship: str) -> FamilyLink:
    """Invite a family member by email and queue the email in the same transaction.

    The outcome never tells the inviter whether `email` has a member account: a link is made,
    listed and emailed either way. An unknown address or a family account gets the invitation
    link; a police officer's, staff member's or volunteer's account cannot become a family
    account, so its owner is told instead that someone tried, and how to be linked if they want.
    Raises ValidationError (keyed by form field) when the invitation is not allowed, including
    past HARMSPORTAL_FAMILY_INVITES_PER_DAY invitations in 24 hours.
    """
    email = email.strip().lower()
    if actor.kind not in MEMBER_KINDS:
        raise ValidationError("Only police officers, staff and volunteers can invite family.")
    force = actor.home_force
    if force is None:
        raise ValidationError(
            "You need to belong to a force before you can invite family. Contact your force lead."
        )
    # Serialise invitations from one member, so two quick clicks cannot make two pending invites
    # or slip past the daily limit together.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    _refuse_over_daily_limit(actor=actor)
    _refuse_invite(actor=actor, email=email)
    link = FamilyLink.objects.create(
        member=actor,
        email=email,
        relationship=relationship,
        force=force,
        expires_at=timezone.now() + timedelta(days=settings.HARMSPORTAL_FAMILY_INVITE_DAYS),
    )
    existing = user_for_email(email)
    if existing is not None and existing.kind != User.Kind.FAMILY:
        _tell_member_someone_tried(link=link, member=existing)
        return link
    notification_send(
        to_email=email,
        kind=Notification.Kind.FAMILY_INVITE,
        title=f"{inviter_first_name(link)} has invited you to Harms Portal",
        link_path=family_invite_path(link),
        user=None,
    )
    return link


def _tell_member_someone_tried(*, link: FamilyLink, member: User) -> None:
    # An account email (no inbox row): the words are ours and carry no link to accept.
    context = {
        "first_name": inviter_first_name(link),
        "service_name": settings.HARMSPORTAL_SERVICE_NAME,
        "site_url": settings.SITE_URL,
    }
    notification_email_queue(
        to_email=member.email,
        subject=f"{settings.HARMSPORTAL_SERVICE_NAME}: someone tried to add you as family",
        body_text=render_to_string("people/email/family_invite_to_member.txt", context),
        user=member,
    )


def _refuse_over_daily_limit(*, actor: User) -> None:
    limit = settings.HARMSPORTAL_FAMILY_INVITES_PER_DAY
    window = timedelta(days=1)
    sent = list(
        FamilyLink.objects.filter(member=actor, created_at__gt=timezone.now() - window)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(sent) < limit:
        return
    # The oldest of the last `limit` invitations leaves the window first.
    next_at = timezone.localtime(sent[-1] + window)
    when = f"{_govuk_time(next_at)} on {next_at:%-d %B %Y}"
    raise ValidationError(
        f"You can send up to {limit} invitation{pluralize(limit)} in 24 hours. "
        f"You can send another from {when}."
    )


def _govuk_time(moment) -> str:
    """GOV.UK style: 9:15am, 12:30pm."""
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment:%M}{'am' if moment.hour < 12 else 'pm'}"


def _refuse_invite(*, actor: User, email: str) -> None:
    if email == actor.email.lower():
        raise ValidationError({"email": "Enter your family member's email address, not your own."})
    links = FamilyLink.objects.filter(member=actor, email__iexact=email, revoked_at=None)
    if links.filter(accepted_at__isnull=False).exists():
        raise ValidationError({"email": "You are already linked to this family member."})
    if links.filter(accepted_at=None, expires_at__gt=timezone.now()).exists():
        raise ValidationError(
            {
                "email": (
                    "You have already invited this person. Withdraw that invitation first "
                    "if you want to send a new one."
                )
            }
        )


@transaction.atomic
def family_link_revoke(*, actor: User, link: FamilyLink) -> FamilyLink:
    """Withdraw an invitation that has not been accepted. Withdrawing twice changes nothing."""
    if link.member_id != actor.pk:
        raise ValidationError("You can only withdraw your own invitations.")
    link = FamilyLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at:
        return link
    if link.accepted_at:
        raise ValidationError(
            "This invitation has already been accepted, so it cannot be withdrawn."
        )
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    return link


@transaction.atomic
def family_link_end(*, actor: User, link: FamilyLink) -> FamilyLink:
    """End an accepted link; either the member or the family account may. Ending twice
    changes nothing.

    From then on the member sees none of the reports the family account shared with them,
    and the family account no longer reports under the member's force through this link.
    Raises ValidationError for anyone else, or for an invitation not yet accepted (that is
    withdrawn with `family_link_revoke`).
    """
    if actor.pk not in (link.member_id, link.family_user_id):
        raise ValidationError("You can only end your own family links.")
    link = FamilyLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at:
        return link
    if not link.accepted_at:
        raise ValidationError(
            "This invitation has not been accepted yet. Withdraw the invitation instead."
        )
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    return link


@transaction.atomic
def family_link_accept(
    *,
    link: FamilyLink,
    actor: User | None = None,
    full_name: str = "",
    password: str = "",
) -> User:
    """Accept an invitation, as an existing family account or by creating one.

    With `actor` (a signed-in family account), links that (family-kind, same-email) account.
    Without it, creates a family account for the invited email with `full_name` and `password`
    (already validated), its verified email address, and a reporter role in the member's force.
    Raises ValidationError with code "invalid", "expired", "used" or "withdrawn" when the link
    cannot be used, and a plain ValidationError when the account does not fit the invitation.
    """
    # Lock the invitation only (not the member or force rows joined for reading), so two
    # people opening the same link at once cannot both accept it.
    link = (
        FamilyLink.objects.select_for_update(of=("self",))
        .select_related("member", "force")
        .get(pk=link.pk)
    )
    problem = invite_problem(link)
    if problem is not None:
        raise ValidationError(_PROBLEM_MESSAGES[problem], code=problem)
    if actor is None:
        actor = _family_account_create(link=link, full_name=full_name, password=password)
    else:
        _refuse_account(link=link, family_user=actor)
    if not actor.memberships.filter(role=Role.REPORTER).exists():
        # A family account reports under the member's force. Someone already reporting
        # under another member's force keeps it.
        Membership.objects.create(user=actor, force=link.force, role=Role.REPORTER)
    link.accept(actor)
    notification_send(
        user=link.member,
        kind=Notification.Kind.UPDATE,
        title=f"{actor.get_full_name()} accepted your family invitation",
        link_path=reverse("people:family"),
        email=False,
    )
    return actor


_PROBLEM_MESSAGES = {
    InviteProblem.INVALID: "This link is not valid.",
    InviteProblem.EXPIRED: "This invitation has expired.",
    InviteProblem.USED: "This invitation has already been used.",
    InviteProblem.WITHDRAWN: "This invitation has been withdrawn.",
}


def _family_account_create(*, link: FamilyLink, full_name: str, password: str) -> User:
    if User.objects.filter(email__iexact=link.email).exists():
        raise ValidationError("An account already exists for this email address. Sign in instead.")
    user = User.objects.create_user(
        email=link.email,
        password=password,
        full_name=full_name.strip(),
        kind=User.Kind.FAMILY,
    )
    # The invitation reached this address, so it is verified.
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _refuse_account(*, link: FamilyLink, family_user: User) -> None:
    if family_user.email.lower() != link.email.lower():
        raise ValidationError("This invitation was sent to a different email address.")
    if family_user.kind != User.Kind.FAMILY:
        raise ValidationError(
            "This invitation is for a family account, and your account is a police officer, "
            "staff or volunteer account. You can report harm to yourself or your family "
            "with your own account."
        )
    if family_user.pk == link.member_id:
        raise ValidationError("You cannot accept your own invitation.")
    earlier = FamilyLink.objects.filter(member_id=link.member_id, family_user=family_user).first()
    if earlier is not None and earlier.revoked_at:
        raise ValidationError(
            "Your account was linked to this person before and the link was ended, so it "
            "cannot be linked again."
        )
    if earlier is not None:
        raise ValidationError("Your account is already linked to this person.")
