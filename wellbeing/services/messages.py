"""Messages between the person and their champion, inside the portal. The other side is told
there is a new message; the email never carries its words."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from wellbeing.models import Referral, ReferralEvent, ReferralMessage, ReferralState
from wellbeing.services._shared import (
    NOTE_MAX_CHARS,
    event_record,
    locked,
    may_work,
    tell_holder_or_champions,
    tell_person,
)

if TYPE_CHECKING:
    from harmsportal.people.models import User

MESSAGE_MAX_CHARS = NOTE_MAX_CHARS


@transaction.atomic
def referral_message_send(*, actor: User, referral: Referral, body: str) -> ReferralMessage:
    """A message from the person to their champion, or from a champion to the person."""
    referral = locked(referral)
    body = (body or "").strip()
    if not body:
        raise ValidationError("Enter a message.")
    if len(body) > MESSAGE_MAX_CHARS:
        raise ValidationError(f"Your message must be {MESSAGE_MAX_CHARS:,} characters or fewer.")
    from_person = actor.pk == referral.person_id
    if from_person:
        if referral.state in (ReferralState.OFFERED, ReferralState.DECLINED):
            raise ValidationError("Accept the support first, then you can message a champion.")
        if not referral.champion_may_see_shared:
            # No champion may read it: refused, not sent into a thread nobody can open.
            raise ValidationError(
                "You withdrew your consent, so no champion can read messages on this referral. "
                "Reopen your referral to message a champion."
            )
    elif not may_work(actor, referral):
        raise ValidationError("You cannot work on this referral.")
    elif not referral.consent_active:
        raise ValidationError(
            "The person withdrew their consent, so they cannot be messaged unless they reopen "
            "their referral."
        )
    message = ReferralMessage.objects.create(
        referral=referral, author=actor, from_person=from_person, body=body
    )
    event_record(actor=actor, referral=referral, kind=ReferralEvent.Kind.MESSAGE)
    title = f"New message on wellbeing referral {referral.reference}"
    if from_person:
        tell_holder_or_champions(referral, title=title)
    else:
        tell_person(referral, title=title)
    return message


@transaction.atomic
def referral_messages_mark_read(*, actor: User, referral: Referral) -> int:
    """The messages `actor` has now seen: the champion's, when the person opens their
    referral; the person's, when the champion holding it opens it. Others change nothing."""
    if actor.pk == referral.person_id:
        from_person = False
    elif actor.pk == referral.champion_id and may_work(actor, referral):
        from_person = True
    else:
        return 0
    return referral.messages.filter(from_person=from_person, read_at__isnull=True).update(
        read_at=timezone.now()
    )
