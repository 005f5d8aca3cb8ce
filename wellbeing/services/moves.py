"""A champion's moves on a referral: assign, hand to a service, start support, step aside,
close and reopen.

Each service locks the row, checks the actor may work the referral (the champion chokepoint:
force, consent, not their own, not family, not stepped aside), makes the model's idempotent
move, records a `ReferralEvent` with who, when and why, and tells people through the outbox,
all in one transaction. A refused move raises `ValidationError` with words for the page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from wellbeing.models import (
    CloseReason,
    Referral,
    ReferralConflict,
    ReferralEvent,
    ReferralState,
    SupportService,
)
from wellbeing.selectors import champions_of
from wellbeing.services._shared import (
    NOTE_MAX_CHARS,
    checkin_days,
    event_record,
    locked,
    may_work,
    tell_champion,
    tell_champions,
    tell_holder_or_champions,
    tell_person,
)

if TYPE_CHECKING:
    from harmsportal.people.models import User

REASON_MAX_CHARS = 1000


def require_champion(actor: User, referral: Referral) -> None:
    if not may_work(actor, referral):
        raise ValidationError("You cannot work on this referral.")


def _words(text: str, *, limit: int, missing: str = "") -> str:
    text = (text or "").strip()
    if missing and not text:
        raise ValidationError(missing)
    if len(text) > limit:
        raise ValidationError(f"Keep it to {limit:,} characters or fewer.")
    return text


@transaction.atomic
def referral_assign(*, actor: User, referral: Referral, champion: User) -> bool:
    """Give the referral to `champion` (the actor themselves, or a colleague), or reassign it
    when its champion leaves. Returns False when `champion` already holds it."""
    referral = locked(referral)
    require_champion(actor, referral)
    eligible = champions_of(referral.force, referral=referral).filter(pk=champion.pk).exists()
    if not eligible or not may_work(champion, referral):
        raise ValidationError(
            "Choose an active wellbeing champion in this force who has not stepped aside."
        )
    before, previous = referral.state, referral.champion
    if not referral.assign(champion, days=checkin_days(referral)):
        return False
    event_record(
        actor=actor,
        referral=referral,
        kind=ReferralEvent.Kind.REASSIGNED if previous else ReferralEvent.Kind.ASSIGNED,
        from_state=before if before != referral.state else "",
        why=f"To {champion.get_full_name()}"
        + (f", from {previous.get_full_name()}" if previous else ""),
    )
    if champion.pk != actor.pk:
        tell_champion(champion, referral, title=f"Referral {referral.reference} is assigned to you")
    if previous is not None and previous.pk not in (actor.pk, champion.pk):
        tell_champion(
            previous,
            referral,
            title=f"Referral {referral.reference} has moved to another champion",
            email=False,
        )
    tell_person(
        referral,
        title=f"A champion has been assigned to your wellbeing referral {referral.reference}",
    )
    return True


@transaction.atomic
def referral_service_choose(*, actor: User, referral: Referral, service: SupportService) -> bool:
    """Hand the referral to one of the force's active support services. An assigned referral
    moves to in support (its wait ends here)."""
    referral = locked(referral)
    require_champion(actor, referral)
    if not service.active or service.force_id != referral.force_id:
        raise ValidationError("Choose an active support service in this force.")
    before = referral.state
    if not referral.start_support(service=service):
        return False
    event_record(
        actor=actor,
        referral=referral,
        kind=ReferralEvent.Kind.SERVICE_CHOSEN,
        from_state=before if before != referral.state else "",
        why=f"Handed to {service.name}",
    )
    tell_person(
        referral,
        title=f"Your wellbeing referral {referral.reference} has been passed to a support service",
    )
    return True


@transaction.atomic
def referral_support_start(*, actor: User, referral: Referral) -> bool:
    """The first support was given: assigned -> in support (the end of the wait)."""
    referral = locked(referral)
    require_champion(actor, referral)
    before = referral.state
    if referral.state == ReferralState.IN_SUPPORT:
        return False
    if not referral.start_support():
        return False
    event_record(
        actor=actor,
        referral=referral,
        kind=ReferralEvent.Kind.SUPPORT_STARTED,
        from_state=before,
    )
    return True


@transaction.atomic
def referral_step_aside(*, actor: User, referral: Referral, reason: str) -> bool:
    """`actor` knows the person: record the conflict and, if they held the referral, release
    it. They never see it again (the champion chokepoint leaves it out), so a second
    declaration is refused like any other move on a referral they cannot see."""
    referral = locked(referral)
    reason = _words(reason, limit=REASON_MAX_CHARS, missing="Enter how you know the person.")
    require_champion(actor, referral)
    ReferralConflict.objects.create(referral=referral, user=actor, reason=reason)
    before = referral.state
    released = referral.champion_id == actor.pk and referral.release()
    event_record(
        actor=actor,
        referral=referral,
        kind=ReferralEvent.Kind.STEPPED_ASIDE,
        from_state=before if before != referral.state else "",
        # Never the reason (how they know the person): it stays on the conflict row only.
        why="Released for another champion." if released else "",
    )
    if released and referral.is_open:
        tell_champions(
            referral,
            title=f"Referral {referral.reference} needs a champion",
            skip=actor,
        )
    return True


@transaction.atomic
def referral_close(*, actor: User, referral: Referral, reason: str, why: str = "") -> bool:
    """Close the referral with a reason. The person is told and can give feedback."""
    referral = locked(referral)
    require_champion(actor, referral)
    why = _words(why, limit=NOTE_MAX_CHARS)
    if reason == CloseReason.CONSENT_WITHDRAWN:
        # Only the person withdraws consent, on their own page.
        raise ValidationError("Choose why the referral is closing.")
    before = referral.state
    if not referral.close(reason=reason):
        return False
    event_record(
        actor=actor,
        referral=referral,
        kind=ReferralEvent.Kind.CLOSED,
        from_state=before,
        why=why or referral.get_close_reason_display(),
    )
    tell_person(referral, title=f"Your wellbeing referral {referral.reference} has been closed")
    if referral.champion_id:
        tell_holder_or_champions(
            referral, title=f"Referral {referral.reference} was closed", skip=actor
        )
    return True


@transaction.atomic
def referral_reopen(*, actor: User, referral: Referral, why: str = "") -> bool:
    """Reopen a closed referral: by the person, or by a champion who may see it (at the
    person's request). A referral the person withdrew consent from is theirs alone to reopen:
    reopening gives consent again."""
    referral = locked(referral)
    why = _words(why, limit=NOTE_MAX_CHARS)
    by_person = actor.pk == referral.person_id
    if not by_person:
        require_champion(actor, referral)
        if referral.consent_withdrawn_at is not None and referral.state == ReferralState.CLOSED:
            raise ValidationError(
                "The person withdrew their consent, so only they can reopen this referral."
            )
    before = referral.state
    if not referral.reopen(days=checkin_days(referral)):
        return False
    event_record(
        actor=actor,
        referral=referral,
        kind=ReferralEvent.Kind.REOPENED,
        from_state=before,
        why=why,
    )
    title = f"Referral {referral.reference} has been reopened"
    if by_person:
        tell_holder_or_champions(referral, title=title)
    else:
        tell_person(
            referral, title=f"Your wellbeing referral {referral.reference} has been reopened"
        )
    return True
