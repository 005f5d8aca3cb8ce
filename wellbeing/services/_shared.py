"""Helpers every wellbeing service shares: locking a referral, its history, its reference, and
telling people through the outbox (never what was written: the email says only "sign in")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse

from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notification_send
from wellbeing.models import DEFAULT_CHECKIN_DAYS, Referral, ReferralCounter, ReferralEvent
from wellbeing.selectors import champions_of, current_plan, referrals_for_champion

if TYPE_CHECKING:
    from harmsportal.people.models import Force, User

SUMMARY_MAX_CHARS = 2000
NOTE_MAX_CHARS = 5000


def champion_url(referral: Referral) -> str:
    return reverse("wellbeing:referral", args=[referral.public_id])


def person_url(referral: Referral) -> str:
    return reverse("wellbeing:mine_referral", args=[referral.public_id])


def checkin_days(referral: Referral) -> int:
    """Days between check-ins: the current plan's cadence, or the default without a plan."""
    plan = current_plan(referral)
    return plan.checkin_every_days if plan is not None else DEFAULT_CHECKIN_DAYS


def locked(referral: Referral) -> Referral:
    """The referral's row, locked for the rest of the transaction (Postgres; SQLite locks the
    file). Related rows are loaded afterwards, so they are never a stale join."""
    return Referral.objects.select_for_update(of=("self",)).get(pk=referral.pk)


@transaction.atomic
def reference_allocate(*, force: Force, year: int) -> str:
    """The next referral reference for `force` in `year`, such as WB-WYP-2026-000042.

    The counter row is locked for the rest of the caller's transaction, so two referrals at the
    same moment never share a number, and a rolled-back referral gives its number back.
    """
    ReferralCounter.objects.get_or_create(force=force, year=year)
    counter = ReferralCounter.objects.select_for_update().get(force=force, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"WB-{force.code}-{year}-{counter.last:06d}"


def event_record(
    *,
    actor: User | None,
    referral: Referral,
    kind: str,
    from_state: str = "",
    why: str = "",
) -> ReferralEvent:
    """One line of the referral's history, in the caller's transaction. `from_state` is the
    state before the move; the state after is read from the referral."""
    return ReferralEvent.objects.create(
        referral=referral,
        kind=kind,
        by=actor if actor is not None and actor.is_authenticated else None,
        from_state=from_state,
        to_state=referral.state if from_state else "",
        why=why,
    )


def tell_person(referral: Referral, *, title: str, email: bool = True) -> None:
    """A notification in the person's inbox linking to their referral; its email says only
    that there is an update."""
    notification_send(
        user=referral.person,
        kind=Notification.Kind.UPDATE,
        title=title,
        link_path=person_url(referral),
        email=email,
    )


def tell_champion(user: User, referral: Referral, *, title: str, email: bool = True) -> None:
    """A notification in a champion's inbox naming the referral's reference, never its words."""
    notification_send(
        user=user,
        kind=Notification.Kind.ALERT,
        title=title,
        link_path=champion_url(referral),
        email=email,
    )


def tell_champions(referral: Referral, *, title: str, skip: User | None = None) -> int:
    """Tell every champion of the referral's force who may see it (less `skip`)."""
    sent = 0
    for champion in champions_of(referral.force, referral=referral):
        if skip is not None and champion.pk == skip.pk:
            continue
        tell_champion(champion, referral, title=title)
        sent += 1
    return sent


def may_work(user: User, referral: Referral) -> bool:
    """`user` may work `referral` as a champion: the chokepoint's rule, asked of one row (an
    account that is no longer active may not)."""
    return user.is_active and referrals_for_champion(user).filter(pk=referral.pk).exists()


def tell_holder_or_champions(
    referral: Referral, *, title: str, skip: User | None = None, email: bool = True
) -> int:
    """Tell the champion holding the referral, while they may still work it; when nobody holds
    it, or its holder can no longer act (lost the role, left, stepped aside), tell every champion
    of the force who may see it instead. Nobody is told twice, and `skip` (whoever acted) is not
    told at all. Returns how many were told."""
    holder = referral.champion
    if holder is not None and may_work(holder, referral):
        if skip is not None and holder.pk == skip.pk:
            return 0
        tell_champion(holder, referral, title=title, email=email)
        return 1
    return tell_champions(referral, title=title, skip=skip)
