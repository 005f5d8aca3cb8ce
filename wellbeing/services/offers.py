"""A referral's start and the person's own say over it: the offer from a case, accepting or
declining it, referring yourself, what is shared, withdrawing consent and feedback.

Each service locks the referral (or, for an offer, the case), calls the model's idempotent
move, writes a `ReferralEvent` and tells people through the outbox, all in one transaction.
Only the person a referral is for may answer it or change what it shares; a champion never
can, and triage only offers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from harmsportal.people.models import User
from harmsportal.people.selectors import reporting_force_of
from reports.models import ReportStatus
from triage.models import CaseAction, CaseEvent
from triage.models.choices import ASSESSED_STATUSES
from triage.services._shared import locked as case_locked
from triage.services._shared import require_worker
from triage.services.history import case_event_record
from triage.services.working import case_action_record
from wellbeing.models import (
    OPEN_STATES,
    ConsentScope,
    HarmTo,
    Referral,
    ReferralEvent,
    ReferralSource,
    ReferralState,
    SupportType,
)
from wellbeing.services._shared import (
    SUMMARY_MAX_CHARS,
    event_record,
    locked,
    reference_allocate,
    tell_champions,
    tell_holder_or_champions,
    tell_person,
)

if TYPE_CHECKING:
    from triage.models import Case

FEEDBACK_MAX_CHARS = 3000


# --- checks ----------------------------------------------------------------------------------
def _require_person(actor: User, referral: Referral) -> None:
    if referral.person_id != actor.pk:
        raise ValidationError("Only the person this support is for can do this.")


def _check_support_type(support_type: str) -> None:
    if support_type not in SupportType.values:
        raise ValidationError("Choose the kind of support.")


def _check_consent(*, referral_has_case: bool, summary: str, scope: str, harm_to: str) -> None:
    if harm_to not in HarmTo.values:
        raise ValidationError("Choose who has been harmed online.")
    if scope not in ConsentScope.values:
        raise ValidationError("Choose what your champion may see.")
    if scope == ConsentScope.SUMMARY_AND_DESCRIPTION and not referral_has_case:
        raise ValidationError(
            "There is no report to share a description from. Your champion sees your summary."
        )
    if len(summary) > SUMMARY_MAX_CHARS:
        raise ValidationError(f"Your summary must be {SUMMARY_MAX_CHARS} characters or fewer.")


def _shared_words(referral: Referral) -> str:
    """What is shared, for the history: the scope and whether the name is, never the summary."""
    name = "name shared" if referral.consent_name else "name not shared"
    return f"{referral.get_consent_scope_display()}; {name}."


# --- the offer from a case -------------------------------------------------------------------
def _offer_create(*, actor: User, case: Case, support_type: str) -> Referral:
    referral = Referral(
        force=case.force,
        person=case.report.reporter,
        source=ReferralSource.CASE,
        case=case,
        state=ReferralState.OFFERED,
        support_type=support_type,
        offered_by=actor,
        reference=reference_allocate(force=case.force, year=timezone.now().year),
    )
    referral.save()
    event_record(actor=actor, referral=referral, kind=ReferralEvent.Kind.OFFERED)
    tell_person(
        referral,
        title=f"Wellbeing support is offered ({referral.reference}): accept or decline it in My support",
    )
    return referral


@transaction.atomic
def referral_offer(
    *, actor: User, case: Case, support_type: str = SupportType.WELLBEING, note: str = ""
) -> Referral:
    """Offer the reporter of `case` wellbeing support. Triage workers of the case only.

    Idempotent: a case has one referral, and an existing one (whatever its state, a declined
    offer included: the person changes their mind on the same row) is returned unchanged.
    Raises ValidationError for someone who may not work the case, an unassessed case, or a
    withdrawn report.
    """
    case = case_locked(case)
    require_worker(actor, case)
    existing = Referral.objects.filter(case=case).first()
    if existing is not None:
        return existing
    _check_support_type(support_type)
    if case.report.status == ReportStatus.WITHDRAWN:
        raise ValidationError("The reporter withdrew this report, so support cannot be offered.")
    if not case.is_assessed:
        raise ValidationError("Assess the risk before offering wellbeing support.")
    referral = _offer_create(actor=actor, case=case, support_type=support_type)
    if case.status in ASSESSED_STATUSES:
        case_action_record(
            actor=actor, case=case, kind=CaseAction.Kind.WELLBEING_REFERRAL, note=note.strip()
        )
    else:  # the outcome is given: the offer goes in the history, the case stays as it is
        case_event_record(
            actor=actor,
            case=case,
            kind=CaseEvent.Kind.ACTION_RECORDED,
            detail=CaseAction.Kind.WELLBEING_REFERRAL.label,
        )
    return referral


def referral_offer_at_first_assessment(case: Case, *, actor: User) -> Referral | None:
    """The handler of triage's first-assessment seam (triage/support_offer.py, decision 0008).

    Runs inside `case_assess`'s transaction with the case locked. When the reporter answered
    yes to "Would you like to be offered wellbeing support?", the offer is made now; the case's
    status is left alone (an automatic offer is history, not an action someone chose).
    """
    if case.report.wants_support != "yes":
        return None
    if Referral.objects.filter(case=case).exists():
        return None
    referral = _offer_create(actor=actor, case=case, support_type=SupportType.WELLBEING)
    case_event_record(
        actor=actor,
        case=case,
        kind=CaseEvent.Kind.ACTION_RECORDED,
        detail="Wellbeing referral offered: the reporter asked for support in their report",
    )
    return referral


# --- the person answers ----------------------------------------------------------------------
@transaction.atomic
def referral_accept(
    *,
    actor: User,
    referral: Referral,
    summary: str,
    scope: str,
    share_name: bool,
    harm_to: str,
    support_type: str,
) -> bool:
    """The person accepts the offer with their consent (or changes their mind after declining).

    Returns False if it was already accepted. Tells the force's champions there is a new
    referral (its reference only).
    """
    referral = locked(referral)
    _require_person(actor, referral)
    summary = summary.strip()
    _check_support_type(support_type)
    _check_consent(
        referral_has_case=referral.case_id is not None,
        summary=summary,
        scope=scope,
        harm_to=harm_to,
    )
    before = referral.state
    changed = referral.accept(
        summary=summary,
        scope=scope,
        share_name=share_name,
        harm_to=harm_to,
        support_type=support_type,
    )
    if not changed:
        return False
    why = "Changed their mind after declining. " if before == ReferralState.DECLINED else ""
    event_record(
        actor=actor,
        referral=referral,
        kind=ReferralEvent.Kind.ACCEPTED,
        from_state=before,
        why=why + _shared_words(referral),
    )
    tell_champions(referral, title=f"New referral {referral.reference}")
    return True


@transaction.atomic
def referral_decline(*, actor: User, referral: Referral) -> bool:
    """The person says no, for now. Respected without pressure: they can accept later.

    No reason is asked for: the history is read by champions if the person accepts later, and
    declining promises that nothing is shared."""
    referral = locked(referral)
    _require_person(actor, referral)
    before = referral.state
    if not referral.decline():
        return False
    event_record(
        actor=actor, referral=referral, kind=ReferralEvent.Kind.DECLINED, from_state=before
    )
    # No notification: the person has just done this themselves, and the page already says
    # they can change their mind. Saying it again and again would be pressure.
    return True


@transaction.atomic
def referral_self_refer(
    *,
    actor: User,
    harm_to: str,
    support_type: str,
    summary: str,
    scope: str = ConsentScope.SUMMARY,
    share_name: bool = False,
) -> Referral:
    """A referral the person makes for themselves: accepted at once, consent given now.

    Anyone with a force they report under may refer themselves (Professional Standards
    officers too; a family account under their member's force). Raises ValidationError for an
    account with no such force, or when the same kind of support is already open for them.
    """
    force = reporting_force_of(actor)
    if force is None:
        raise ValidationError(
            "Your account is not linked to a police force, so we cannot find a wellbeing "
            "champion for you. If you are a family member, ask the officer or staff member who "
            "invited you to link your account again."
        )
    summary = summary.strip()
    _check_support_type(support_type)
    _check_consent(referral_has_case=False, summary=summary, scope=scope, harm_to=harm_to)
    if not summary:
        raise ValidationError("Enter a few words about the support you would like.")
    # The person's own row, locked: two presses of "Ask for support" make one referral.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    already = Referral.objects.filter(
        person=actor, support_type=support_type, state__in=OPEN_STATES
    ).first()
    if already is not None:
        raise ValidationError(
            f"You already have a referral open for this kind of support ({already.reference}). "
            "You can send your champion a message from it."
        )
    now = timezone.now()
    referral = Referral(
        force=force,
        person=actor,
        source=ReferralSource.SELF,
        state=ReferralState.ACCEPTED,
        harm_to=harm_to,
        support_type=support_type,
        summary=summary,
        consent_scope=scope,
        consent_name=share_name,
        consent_given_at=now,
        accepted_at=now,
        created_at=now,
        reference=reference_allocate(force=force, year=now.year),
    )
    referral.save()
    event_record(
        actor=actor,
        referral=referral,
        kind=ReferralEvent.Kind.SELF_REFERRED,
        why=_shared_words(referral),
    )
    tell_champions(referral, title=f"New referral {referral.reference}")
    return referral


# --- consent ---------------------------------------------------------------------------------
@transaction.atomic
def referral_consent_change(
    *, actor: User, referral: Referral, scope: str, share_name: bool
) -> bool:
    """The person narrows or widens what is shared. Every champion page follows at once."""
    referral = locked(referral)
    _require_person(actor, referral)
    if scope == ConsentScope.SUMMARY_AND_DESCRIPTION and referral.case_id is None:
        raise ValidationError(
            "There is no report to share a description from. Your champion sees your summary."
        )
    if not referral.narrow_consent(scope=scope, share_name=share_name):
        return False
    event_record(
        actor=actor,
        referral=referral,
        kind=ReferralEvent.Kind.CONSENT_CHANGED,
        why=_shared_words(referral),
    )
    if referral.champion_id and referral.is_open:
        tell_holder_or_champions(referral, title=f"What is shared on {referral.reference} changed")
    return True


@transaction.atomic
def referral_consent_withdraw(*, actor: User, referral: Referral) -> bool:
    """Nothing more is shared and the referral closes. The person can reopen it later."""
    referral = locked(referral)
    _require_person(actor, referral)
    before = referral.state
    if not referral.withdraw_consent():
        return False
    event_record(
        actor=actor,
        referral=referral,
        kind=ReferralEvent.Kind.CONSENT_WITHDRAWN,
        from_state=before,
    )
    if referral.champion_id:
        tell_holder_or_champions(
            referral, title=f"Consent withdrawn on {referral.reference}: the referral is closed"
        )
    return True


# --- closure ---------------------------------------------------------------------------------
@transaction.atomic
def referral_feedback(
    *,
    actor: User,
    referral: Referral,
    helpful: int | None = None,
    text: str = "",
    declined: bool = False,
) -> bool:
    """The person's feedback on a closed referral, or their choice not to give any.

    Giving it again replaces it. Returns False when nothing changed.
    """
    referral = locked(referral)
    _require_person(actor, referral)
    if referral.state != ReferralState.CLOSED:
        raise ValidationError("You can give feedback once your support has ended.")
    text = text.strip()
    if declined:
        helpful, text = None, ""
    else:
        if helpful is not None and not 1 <= helpful <= 5:
            raise ValidationError("Choose how helpful the support was, from 1 to 5.")
        if helpful is None and not text:
            raise ValidationError(
                "Choose how helpful the support was, or tell us in your own words."
            )
        if len(text) > FEEDBACK_MAX_CHARS:
            raise ValidationError(
                f"Your feedback must be {FEEDBACK_MAX_CHARS} characters or fewer."
            )
    given = (referral.feedback_helpful, referral.feedback_text, referral.feedback_declined)
    if referral.feedback_at is not None and given == (helpful, text, declined):
        return False
    referral.feedback_helpful = helpful
    referral.feedback_text = text
    referral.feedback_declined = declined
    referral.feedback_at = timezone.now()
    referral.save(
        update_fields=["feedback_helpful", "feedback_text", "feedback_declined", "feedback_at"]
    )
    event_record(
        actor=actor,
        referral=referral,
        kind=ReferralEvent.Kind.FEEDBACK,
        why="Chose not to give feedback." if declined else "",
    )
    if referral.champion_id and not declined:
        tell_holder_or_champions(referral, title=f"Feedback given on {referral.reference}")
    return True
