"""Support plans: the person's own needs and preferences, kept as a new version on every change."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from wellbeing.models import (
    DEFAULT_CHECKIN_DAYS,
    ReferralEvent,
    ReferralState,
    SupportPlan,
)
from wellbeing.selectors import current_plan
from wellbeing.services._shared import (
    event_record,
    locked,
    may_work,
    tell_holder_or_champions,
    tell_person,
)

if TYPE_CHECKING:
    from harmsportal.people.models import User
    from wellbeing.models import Referral

CONTACT_WHEN_MAX_CHARS = 300
PLAN_TEXT_MAX_CHARS = 3000
CHECKIN_DAYS_MIN = 1
CHECKIN_DAYS_MAX = 90

# The fields a version holds, with how the history names them (never their content).
PLAN_FIELDS = {
    "contact_how": "how to make contact",
    "contact_when": "when to make contact",
    "needs": "what they need",
    "what_helps": "what helps",
    "what_does_not_help": "what does not help",
    "checkin_every_days": "how often to check in",
    "remind_person": "reminders to the person",
}
# States in which check-ins are scheduled: a champion holds the referral.
CHECKIN_STATES = (ReferralState.ASSIGNED, ReferralState.IN_SUPPORT)


def _side(actor: User, referral: Referral) -> str:
    """'person' or 'champion': who may change this plan. Anyone else is refused."""
    if actor.pk == referral.person_id:
        return "person"
    if may_work(actor, referral):
        return "champion"
    raise ValidationError("Only the person and their wellbeing champions can change this plan.")


def _refuse_unless_editable(referral: Referral) -> None:
    if referral.state == ReferralState.CLOSED:
        raise ValidationError(
            "This support has ended, so its plan cannot change. Reopen the referral to "
            "change the plan."
        )
    if referral.state in (ReferralState.OFFERED, ReferralState.DECLINED):
        raise ValidationError("Accept the support first, then you can make a plan.")


def _check_values(values: dict) -> None:
    if values["contact_how"] not in SupportPlan.Contact.values:
        raise ValidationError("Select how you would like to be contacted.")
    days = values["checkin_every_days"]
    if not isinstance(days, int) or not CHECKIN_DAYS_MIN <= days <= CHECKIN_DAYS_MAX:
        raise ValidationError(
            f"Check-ins must be every {CHECKIN_DAYS_MIN} to {CHECKIN_DAYS_MAX} days."
        )
    if len(values["contact_when"]) > CONTACT_WHEN_MAX_CHARS:
        raise ValidationError(
            f"When to make contact must be {CONTACT_WHEN_MAX_CHARS} characters or fewer."
        )
    for name in ("needs", "what_helps", "what_does_not_help"):
        if len(values[name]) > PLAN_TEXT_MAX_CHARS:
            raise ValidationError(f"Each answer must be {PLAN_TEXT_MAX_CHARS} characters or fewer.")


def _before(referral: Referral) -> dict:
    """The current version's values, or a new plan's defaults when there is none yet."""
    plan = current_plan(referral) or SupportPlan(checkin_every_days=DEFAULT_CHECKIN_DAYS)
    return {name: getattr(plan, name) for name in PLAN_FIELDS}


@transaction.atomic
def support_plan_update(
    *,
    actor: User,
    referral: Referral,
    contact_how: str,
    contact_when: str,
    needs: str,
    what_helps: str,
    what_does_not_help: str,
    checkin_every_days: int,
    remind_person: bool,
) -> SupportPlan | None:
    """Save a new version of the plan, by the person or one of their champions.

    Returns the new version, or None when nothing changed (no version is added). A changed
    cadence moves the next check-in to the last check-in (or the assignment) plus the new
    cadence. The other side is told there is a change, never what it is.
    Raises ValidationError for a closed or not-yet-accepted referral and for values out of range.
    """
    referral = locked(referral)
    side = _side(actor, referral)
    _refuse_unless_editable(referral)
    values = {
        "contact_how": contact_how,
        "contact_when": contact_when.strip(),
        "needs": needs.strip(),
        "what_helps": what_helps.strip(),
        "what_does_not_help": what_does_not_help.strip(),
        "checkin_every_days": checkin_every_days,
        "remind_person": bool(remind_person),
    }
    _check_values(values)
    before = _before(referral)
    changed = [label for name, label in PLAN_FIELDS.items() if before[name] != values[name]]
    if not changed:
        return None
    plan = SupportPlan.objects.create(referral=referral, by=actor, **values)

    if (
        before["checkin_every_days"] != values["checkin_every_days"]
        and referral.state in CHECKIN_STATES
        and referral.next_checkin_at is not None
    ):
        last = referral.checkins.values_list("at", flat=True).first()  # newest first
        start = last or referral.assigned_at or plan.at
        referral.next_checkin_at = start + timedelta(days=values["checkin_every_days"])
        referral.save(update_fields=["next_checkin_at"])

    who = "the person" if side == "person" else "a champion"
    event_record(
        actor=actor,
        referral=referral,
        kind=ReferralEvent.Kind.PLAN_CHANGED,
        why=f"Changed by {who}: {', '.join(changed)}.",
    )
    title = f"Support plan changed on referral {referral.reference}"
    if side == "person":
        tell_holder_or_champions(referral, title=title)
    else:
        tell_person(referral, title=f"Your support plan on {referral.reference} has changed")
        if referral.champion_id is not None:
            tell_holder_or_champions(referral, title=title, skip=actor)
    return plan
