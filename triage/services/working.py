"""Working a case: assessment, actions, internal notes, messages to the reporter, the outcome,
closing and reopening."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from reports.models import HarmCategory, ReportMessage, ReportStatus
from reports.services.conversation import report_message_send
from reports.services.lifecycle import (
    report_close,
    report_outcome_record,
    report_progress_start,
    report_reopen,
)
from triage import support_offer
from triage.models import Case, CaseAction, CaseEvent, CaseNote, Risk
from triage.services._shared import (
    EXPLANATION_MAX_CHARS,
    NOTE_MAX_CHARS,
    alert_supervisors,
    locked,
    require_worker,
)
from triage.services.history import case_event_record

if TYPE_CHECKING:
    from harmsportal.people.models import User


@transaction.atomic
def case_assess(
    *,
    actor: User,
    case: Case,
    risk: str,
    categories: Iterable[HarmCategory],
    recording_decision: str,
    offence_crosswalk: str = "",
    crime_reference: str = "",
) -> bool:
    """Record the assessment. Immediate risk alerts the force's supervisors at once."""
    chosen = {category.pk for category in categories}
    if not chosen:
        raise ValidationError("Select at least one kind of harm.")
    case = locked(case)
    require_worker(actor, case)
    was_immediate = case.risk == Risk.IMMEDIATE
    first_assessment = case.assessed_at is None
    changed = case.assess(
        risk=risk,
        recording_decision=recording_decision,
        offence_crosswalk=offence_crosswalk,
        crime_reference=crime_reference,
    )
    if chosen != set(case.categories.values_list("pk", flat=True)):
        case.categories.set(chosen)
        # A change of categories alone is a change of the case: trends' rollup finds the
        # cases to recount by updated_at (decision 0013).
        case.updated_at = timezone.now()
        case.save(update_fields=["updated_at"])
        changed = True
    if changed:
        case_event_record(
            actor=actor,
            case=case,
            kind=CaseEvent.Kind.ASSESSED,
            detail=f"Risk: {case.get_risk_display()}. "
            f"Recorded as: {case.get_recording_decision_display()}.",
        )
    if case.report.status == ReportStatus.SUBMITTED:
        # The reporter's timeline moves to "being looked at" when someone has read and judged
        # their report, not on a claim, which can be handed back unread.
        report_progress_start(actor=actor, report=case.report)
    if risk == Risk.IMMEDIATE and not was_immediate:
        alert_supervisors(
            case,
            title=f"Immediate risk (threat to life) on case {case.report.reference}",
            skip=actor,
        )
    if first_assessment:
        # Wellbeing offers the support the reporter asked for (triage/support_offer.py).
        support_offer.support_offer_first_assessment(case, actor=actor)
    return changed


@transaction.atomic
def case_action_record(
    *, actor: User, case: Case, kind: str, note: str = "", crime_reference: str = ""
) -> CaseAction:
    """Log an action taken for the reporter; the first one marks action under way."""
    case = locked(case)
    require_worker(actor, case)
    note, crime_reference = note.strip(), crime_reference.strip()
    if kind not in CaseAction.Kind.values:
        raise ValidationError("Select what was done.")
    if kind == CaseAction.Kind.NO_FURTHER_ACTION and not note:
        raise ValidationError("Give the reason for no further action.")
    if kind == CaseAction.Kind.INVESTIGATION_REFERRAL and not crime_reference:
        raise ValidationError("Enter the crime reference for the investigation.")
    case.start_action()
    action = CaseAction.objects.create(
        case=case, kind=kind, note=note, crime_reference=crime_reference, by=actor
    )
    if crime_reference and not case.crime_reference:
        case.crime_reference = crime_reference
        case.save(update_fields=["crime_reference"])
    case_event_record(
        actor=actor,
        case=case,
        kind=CaseEvent.Kind.ACTION_RECORDED,
        detail=action.get_kind_display(),
    )
    return action


@transaction.atomic
def case_note_add(*, actor: User, case: Case, body: str) -> CaseNote:
    """An internal note for the team. It is never shown to the reporter."""
    body = body.strip()
    if not body:
        raise ValidationError("Enter a note.")
    if len(body) > NOTE_MAX_CHARS:
        raise ValidationError(f"Your note must be {NOTE_MAX_CHARS:,} characters or fewer.")
    note = CaseNote.objects.create(case=case, author=actor, body=body)
    # The history says a note was added, never what it says.
    case_event_record(actor=actor, case=case, kind=CaseEvent.Kind.NOTE_ADDED)
    return note


@transaction.atomic
def case_message_send(*, actor: User, case: Case, body: str) -> ReportMessage:
    """Write to the reporter in their report's thread; it counts as a response on the clocks.

    It answers the reporter too: a "reporter replied" case leaves that list, and the unread
    marker goes (whoever answers has read what the reporter wrote).
    """
    case = locked(case)
    require_worker(actor, case)
    message = report_message_send(actor=actor, report=case.report, body=body)
    case.record_response()
    case.answer_reply()
    case.mark_read()
    case_event_record(actor=actor, case=case, kind=CaseEvent.Kind.MESSAGE_SENT)
    return message


# ---------------------------------------------------------------------------
# Outcome, closing and reopening
# ---------------------------------------------------------------------------


@transaction.atomic
def case_outcome_give(*, actor: User, case: Case, category: str, explanation: str) -> bool:
    """Give the reporter the outcome. They see it in the portal and get a "sign in" email."""
    case = locked(case)
    require_worker(actor, case)
    explanation = explanation.strip()
    if not explanation:
        raise ValidationError("Explain the outcome to the reporter in plain English.")
    if len(explanation) > EXPLANATION_MAX_CHARS:
        raise ValidationError(
            f"The explanation must be {EXPLANATION_MAX_CHARS:,} characters or fewer."
        )
    changed = case.give_outcome()
    if changed:
        report_outcome_record(
            actor=actor, report=case.report, category=category, explanation=explanation
        )
        case_event_record(
            actor=actor,
            case=case,
            kind=CaseEvent.Kind.OUTCOME_GIVEN,
            detail=case.report.get_outcome_category_display(),
        )
    return changed


@transaction.atomic
def case_close(*, actor: User, case: Case) -> bool:
    """Close a case after its outcome, or one whose reporter withdrew the report."""
    case = locked(case)
    require_worker(actor, case)
    withdrawn = case.report.status == ReportStatus.WITHDRAWN
    changed = case.close(report_withdrawn=withdrawn)
    if changed and not withdrawn:
        report_close(actor=actor, report=case.report)
    if changed:
        case_event_record(
            actor=actor,
            case=case,
            kind=CaseEvent.Kind.CLOSED,
            detail=case.get_close_reason_display(),
        )
    return changed


@transaction.atomic
def case_reopen(*, actor: User, case: Case, reason: str, reassess: bool = False) -> bool:
    """Reopen a finished case; the actor becomes its assignee and fresh clocks start."""
    case = locked(case)
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why the case is being reopened.")
    if case.report.status == ReportStatus.WITHDRAWN:
        raise ValidationError("The reporter withdrew this report, so it cannot be reopened.")
    holder = case.assignee
    changed = case.reopen(actor, reassess=reassess)
    if changed:
        report_reopen(actor=actor, report=case.report)
        CaseNote.objects.create(case=case, author=actor, body=f"Reopened: {reason}")
        case_event_record(
            actor=actor,
            case=case,
            kind=CaseEvent.Kind.REOPENED,
            detail=reason,
            from_user=holder if holder != actor else None,
            to_user=actor,
        )
    return changed
