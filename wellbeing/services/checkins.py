"""Check-ins: recording them, the crisis alert, and the beat's reminders and missed flags.

Every send is claimed first with a conditional UPDATE and made only when that UPDATE changed one
row, so the beat task can run twice, or twice at once, and each reminder, missed flag and
crisis alert still goes out exactly once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from harmsportal.people.models import User
from wellbeing.models import (
    CRISIS_SCORE,
    CheckIn,
    Referral,
    ReferralEvent,
    ReferralState,
)
from wellbeing.selectors import champions_of, current_plan
from wellbeing.services._shared import (
    NOTE_MAX_CHARS,
    checkin_days,
    event_record,
    locked,
    may_work,
    tell_champion,
    tell_holder_or_champions,
    tell_person,
)
from wellbeing.services.plans import CHECKIN_STATES

if TYPE_CHECKING:
    from collections.abc import Iterable

ACKNOWLEDGE_MAX_CHARS = 1000
# How far ahead of a due check-in the champion (and the person, if they chose) is reminded.
REMIND_AHEAD = timedelta(days=1)
# How long after the due time a check-in counts as missed.
MISSED_GRACE = timedelta(days=1)


def _refuse_unless_champion(actor: User, referral: Referral) -> None:
    if not may_work(actor, referral):
        raise ValidationError("Only a wellbeing champion of this referral can do that.")


def _two_falls_in_a_row(referral: Referral) -> bool:
    newest_first = list(referral.checkins.values_list("score", flat=True)[:3])
    if len(newest_first) < 3:
        return False
    oldest, middle, newest = reversed(newest_first)
    return oldest > middle > newest


@transaction.atomic
def checkin_record(
    *, actor: User, referral: Referral, score: int, in_crisis: bool, note: str
) -> CheckIn:
    """Record a check-in by a champion and schedule the next one by the plan's cadence.

    A score of 1, or a check-in marked in crisis, marks the referral in crisis and alerts the
    force's other champions once. Raises ValidationError on a referral that is not assigned or
    in support (closed, not yet assigned) and for a score outside 1 to 5.
    """
    referral = locked(referral)
    _refuse_unless_champion(actor, referral)
    if referral.state == ReferralState.CLOSED:
        raise ValidationError(
            "This referral is closed, so you cannot record a check-in. Reopen it first."
        )
    if referral.state not in CHECKIN_STATES:
        raise ValidationError("Assign a champion before recording a check-in.")
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError("Enter a score from 1 to 5.")
    note = note.strip()
    if len(note) > NOTE_MAX_CHARS:
        raise ValidationError(f"The note must be {NOTE_MAX_CHARS} characters or fewer.")

    now = timezone.now()
    checkin = CheckIn.objects.create(
        referral=referral, by=actor, at=now, score=score, in_crisis=bool(in_crisis), note=note
    )
    # The new due date has no reminder and no missed flag yet: the claims start afresh.
    referral.next_checkin_at = now + timedelta(days=checkin_days(referral))
    referral.reminded_for = None
    referral.missed_for = None
    referral.needs_attention = _two_falls_in_a_row(referral)
    if checkin.is_crisis and referral.in_crisis_since is None:
        referral.in_crisis_since = now
    referral.save(
        update_fields=[
            "next_checkin_at",
            "reminded_for",
            "missed_for",
            "needs_attention",
            "in_crisis_since",
        ]
    )
    event_record(actor=actor, referral=referral, kind=ReferralEvent.Kind.CHECKIN)
    if checkin.is_crisis:
        why = "Score of 1" if score == CRISIS_SCORE else "Marked in crisis"
        event_record(actor=actor, referral=referral, kind=ReferralEvent.Kind.CRISIS, why=why)
        checkin_crisis_alert(checkin_id=checkin.pk, now=now)
    return checkin


def _crisis_recipients(referral: Referral, *, recorder_id: int | None) -> Iterable[User]:
    """The force's champions who may see the referral, and its assigned champion, less whoever
    recorded the check-in (they are shown the guidance on the spot)."""
    people = {user.pk: user for user in champions_of(referral.force, referral=referral)}
    if referral.champion_id is not None:
        people.setdefault(referral.champion_id, referral.champion)
    people.pop(recorder_id, None)
    for user in people.values():
        # The chokepoint's rule: nobody stepped aside or linked to the person as family hears
        # of it, nor a champion who has since lost the role.
        if may_work(user, referral):
            yield user


@transaction.atomic
def checkin_crisis_alert(*, checkin_id: int, now: datetime | None = None) -> int:
    """Alert the champions about one crisis check-in, unless someone already has.

    Returns how many were told (0 when the alert was already claimed).
    """
    now = now or timezone.now()
    won = CheckIn.objects.filter(pk=checkin_id, crisis_alerted_at=None).update(
        crisis_alerted_at=now
    )
    if not won:
        return 0
    checkin = CheckIn.objects.select_related("referral__force", "referral__champion").get(
        pk=checkin_id
    )
    referral = checkin.referral
    title = f"Crisis check-in on referral {referral.reference}: please act now"
    told = 0
    for user in _crisis_recipients(referral, recorder_id=checkin.by_id):
        tell_champion(user, referral, title=title)
        told += 1
    return told


@transaction.atomic
def checkin_crisis_acknowledge(*, actor: User, referral: Referral, what_was_done: str) -> bool:
    """A champion has acted on the crisis: the referral is no longer marked in crisis.

    Returns False when it was not marked in crisis (already acknowledged)."""
    referral = locked(referral)
    _refuse_unless_champion(actor, referral)
    if referral.in_crisis_since is None:
        return False
    what_was_done = what_was_done.strip()
    if len(what_was_done) > ACKNOWLEDGE_MAX_CHARS:
        raise ValidationError(f"What you did must be {ACKNOWLEDGE_MAX_CHARS} characters or fewer.")
    referral.in_crisis_since = None
    referral.save(update_fields=["in_crisis_since"])
    why = "Acted on by a champion."
    if what_was_done:
        why = f"Acted on by a champion: {what_was_done}"
    event_record(actor=actor, referral=referral, kind=ReferralEvent.Kind.CRISIS, why=why)
    return True


# --- the beat ------------------------------------------------------------------------------


def _scheduled() -> Q:
    # Only referrals a champion holds have check-ins: an accepted referral waiting for a champion
    # is not reminded (nobody would act on it yet), and its check-ins start when it is assigned.
    return Q(
        state__in=CHECKIN_STATES,
        champion__isnull=False,
        next_checkin_at__isnull=False,
    )


def _not_yet(field: str, due: datetime | None = None) -> Q:
    """`field` has not been claimed for the due date (NULL never equals anything in SQL)."""
    value = due if due is not None else F("next_checkin_at")
    return Q(**{f"{field}__isnull": True}) | ~Q(**{field: value})


@transaction.atomic
def checkin_remind(*, referral_id: int, due: datetime) -> bool:
    """Remind the champion (and the person, if their plan says so) of one due check-in, once."""
    won = (
        Referral.objects.filter(_scheduled(), pk=referral_id, next_checkin_at=due)
        .filter(_not_yet("reminded_for", due))
        .update(reminded_for=due)
    )
    if not won:
        return False
    referral = Referral.objects.select_related("champion", "person").get(pk=referral_id)
    # A holder who can no longer act (lost the role, left): the force's champions instead.
    tell_holder_or_champions(referral, title=f"Check-in due on referral {referral.reference}")
    plan = current_plan(referral)
    if plan is not None and plan.remind_person:
        tell_person(referral, title="Your wellbeing check-in is due soon")
    return True


@transaction.atomic
def checkin_missed_flag(*, referral_id: int, due: datetime) -> bool:
    """Flag one missed check-in to the champion, once."""
    won = (
        Referral.objects.filter(_scheduled(), pk=referral_id, next_checkin_at=due)
        .filter(_not_yet("missed_for", due))
        .update(missed_for=due)
    )
    if not won:
        return False
    referral = Referral.objects.select_related("champion").get(pk=referral_id)
    event_record(actor=None, referral=referral, kind=ReferralEvent.Kind.CHECKIN_MISSED)
    tell_holder_or_champions(referral, title=f"Check-in missed on referral {referral.reference}")
    return True


def checkins_sweep(now: datetime | None = None) -> dict[str, int]:
    """The beat's pass: remind of due check-ins, flag missed ones, send unsent crisis alerts.

    Each send is claimed on its own row first, so running this twice, or twice at once, sends
    each one once. Check-ins carry on after the triage case closes, until the referral closes.
    Returns how many of each were sent.
    """
    now = now or timezone.now()
    scheduled = Referral.objects.filter(_scheduled())
    due_soon = scheduled.filter(next_checkin_at__lte=now + REMIND_AHEAD).filter(
        _not_yet("reminded_for")
    )
    missed = scheduled.filter(next_checkin_at__lt=now - MISSED_GRACE).filter(_not_yet("missed_for"))
    unsent_crises = (
        CheckIn.objects.filter(crisis_alerted_at=None)
        .filter(Q(score=CRISIS_SCORE) | Q(in_crisis=True))
        .filter(referral__state__in=CHECKIN_STATES)
    )
    sent = {"reminded": 0, "missed": 0, "crisis_alerts": 0}
    for pk, due in list(due_soon.values_list("pk", "next_checkin_at")):
        sent["reminded"] += checkin_remind(referral_id=pk, due=due)
    for pk, due in list(missed.values_list("pk", "next_checkin_at")):
        sent["missed"] += checkin_missed_flag(referral_id=pk, due=due)
    for pk in list(unsent_crises.values_list("pk", flat=True)):
        sent["crisis_alerts"] += bool(checkin_crisis_alert(checkin_id=pk, now=now))
    return sent


def urgent_oh_route() -> str:
    """The force's urgent occupational-health route, as the crisis guidance gives it."""
    return settings.HARMSPORTAL_URGENT_OH_ROUTE
