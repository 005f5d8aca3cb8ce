"""Retention: closed cases and wellbeing referrals are kept for their force's period, the person
is reminded, and then everything of them is erased, leaving a metadata-only `ErasureRecord`.

The clocks:
- a case's starts when it closes (`Case.closed_at`); reopening it stops the clock and the next
  closure starts a new one;
- a referral's starts when the referral closes (or the offer was declined), not when its case
  closed, because support outlasts the case.

Each step is claimed with a conditional UPDATE on the case or referral row that re-checks every
condition (still closed, closed long enough, not on legal hold, not yet claimed), so the beat
task is safe to run twice or twice at once: of two runs the second updates no row and stops.
Nothing is erased before expiry, nor sooner than HARMSPORTAL_RETENTION_NOTICE_DAYS after the
reminder went out (so a run missed for a month delays erasure rather than skipping the notice).

Erasing a case removes its report, answers, evidence rows and files (after commit; a file left
by a crash in between goes at the next sweep, privacy/services/orphans.py), messages,
status timeline, triage notes, actions, history, the record of any notice to the reporter's
line manager, and every notification that points at the report or the case. A referral from
that case loses its link to it and keeps only the person's own summary and support plan (its
messages, check-ins, history notes and feedback words go, since they may speak of the case)
until the referral's own expiry erases it whole. The access log keeps its rows: they hold ids
and actions, never content (harmsportal/audit).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from harmsportal.audit.models import AccessLog
from harmsportal.audit.services import access_record
from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notification_send
from harmsportal.people.models import Force
from privacy.models import ErasureRecord, ForceRetention
from reports.evidence.storage import delete_stored_after_commit
from training.models import LineManagerNotice
from triage.models import Case, CaseStatus
from wellbeing.models import Referral, ReferralState

logger = logging.getLogger(__name__)

REMINDER_TITLE = "We will delete some of your records on {date}. You can download a copy first."


@dataclass
class RetentionResult:
    reminded_cases: int = 0
    reminded_referrals: int = 0
    erased_cases: int = 0
    erased_referrals: int = 0
    held_cases: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "reminded_cases": self.reminded_cases,
            "reminded_referrals": self.reminded_referrals,
            "erased_cases": self.erased_cases,
            "erased_referrals": self.erased_referrals,
            "held_cases": self.held_cases,
            "errors": len(self.errors),
        }


# --- periods ------------------------------------------------------------------------------


def notice() -> timedelta:
    return timedelta(days=settings.HARMSPORTAL_RETENTION_NOTICE_DAYS)


def case_retention_days(force: Force | int) -> int:
    """The force's own period for closed cases, or the national default."""
    force_id = force if isinstance(force, int) else force.pk
    own = (
        ForceRetention.objects.filter(force_id=force_id)
        .values_list("closed_case_days", flat=True)
        .first()
    )
    return own or settings.HARMSPORTAL_RETENTION_CASE_DAYS


def referral_retention_days(force: Force | int) -> int:
    """The force's own period for closed referrals, or the national default."""
    force_id = force if isinstance(force, int) else force.pk
    own = (
        ForceRetention.objects.filter(force_id=force_id)
        .values_list("closed_referral_days", flat=True)
        .first()
    )
    return own or settings.HARMSPORTAL_RETENTION_REFERRAL_DAYS


def _older_than(column: str, field_name: str, default_days: int, before: datetime) -> Q:
    """`column` at least its force's period (from ForceRetention.`field_name`) before `before`:
    one condition per force with its own period, and the national default for the rest."""
    own = dict(
        ForceRetention.objects.filter(**{f"{field_name}__isnull": False}).values_list(
            "force_id", field_name
        )
    )
    condition = ~Q(force_id__in=list(own)) & Q(
        **{f"{column}__lte": before - timedelta(days=default_days)}
    )
    for force_id, days in own.items():
        condition |= Q(force_id=force_id, **{f"{column}__lte": before - timedelta(days=days)})
    return condition


def _case_expired(before: datetime) -> Q:
    return _older_than(
        "closed_at", "closed_case_days", settings.HARMSPORTAL_RETENTION_CASE_DAYS, before
    )


def _referral_expired(before: datetime) -> Q:
    default = settings.HARMSPORTAL_RETENTION_REFERRAL_DAYS
    closed = Q(state=ReferralState.CLOSED) & _older_than(
        "closed_at", "closed_referral_days", default, before
    )
    declined = Q(state=ReferralState.DECLINED) & _older_than(
        "declined_at", "closed_referral_days", default, before
    )
    return closed | declined


def _referral_ended_at(referral: Referral) -> datetime | None:
    return referral.closed_at if referral.state == ReferralState.CLOSED else referral.declined_at


# --- what is due ----------------------------------------------------------------------------


def _closed_cases() -> QuerySet[Case]:
    return Case.objects.filter(status=CaseStatus.CLOSED, closed_at__isnull=False)


def _not_reminded_since_closing() -> Q:
    return Q(retention_reminded_at__isnull=True) | Q(retention_reminded_at__lt=F("closed_at"))


def cases_due_reminder(now: datetime) -> QuerySet[Case]:
    """Closed cases within the notice period of expiry (or past it) whose reporter has not been
    reminded since the case last closed."""
    return (
        _closed_cases()
        .filter(legal_hold_since__isnull=True)
        .filter(_case_expired(now + notice()))
        .filter(_not_reminded_since_closing())
    )


def cases_due_erasure(now: datetime) -> QuerySet[Case]:
    """Closed cases past expiry, not on hold, reminded for this closure at least the notice
    period ago, and not yet claimed by another run."""
    return (
        _closed_cases()
        .filter(legal_hold_since__isnull=True)
        .filter(erasure_claimed_at__isnull=True)
        .filter(_case_expired(now))
        .filter(retention_reminded_at__gte=F("closed_at"))
        .filter(retention_reminded_at__lte=now - notice())
    )


def _ended_referrals() -> QuerySet[Referral]:
    """Closed or declined referrals, except those from a case on legal hold (the hold keeps
    the support that came from the case too). The held cases are read first as a list, not
    joined: the claims' UPDATE must stay on one table for Postgres to re-check its conditions
    on the row another run just changed."""
    held = list(Case.objects.filter(legal_hold_since__isnull=False).values_list("pk", flat=True))
    return Referral.objects.filter(
        state__in=[ReferralState.CLOSED, ReferralState.DECLINED]
    ).exclude(case_id__in=held)


def _case_held_now(case_id: int) -> bool:
    """Whether the case is on legal hold, read from its row locked (as placing a hold locks
    it, triage/services/legal_hold.py): a hold committed after the run listed the held cases
    is seen, and one being placed now waits for this erasure, or this erasure for it."""
    held_since = (
        Case.objects.select_for_update()
        .filter(pk=case_id)
        .values_list("legal_hold_since", flat=True)
        .first()
    )
    return held_since is not None


def _referral_not_reminded() -> Q:
    return (
        Q(retention_reminded_at__isnull=True)
        | Q(state=ReferralState.CLOSED, retention_reminded_at__lt=F("closed_at"))
        | Q(state=ReferralState.DECLINED, retention_reminded_at__lt=F("declined_at"))
    )


def _referral_reminded_for_this_ending() -> Q:
    return Q(state=ReferralState.CLOSED, retention_reminded_at__gte=F("closed_at")) | Q(
        state=ReferralState.DECLINED, retention_reminded_at__gte=F("declined_at")
    )


def referrals_due_reminder(now: datetime) -> QuerySet[Referral]:
    return (
        _ended_referrals()
        .filter(_referral_expired(now + notice()))
        .filter(_referral_not_reminded())
    )


def referrals_due_erasure(now: datetime) -> QuerySet[Referral]:
    return (
        _ended_referrals()
        .filter(erasure_claimed_at__isnull=True)
        .filter(_referral_expired(now))
        .filter(_referral_reminded_for_this_ending())
        .filter(retention_reminded_at__lte=now - notice())
    )


# --- reminders ------------------------------------------------------------------------------


def _remind(*, user, ends: datetime, now: datetime) -> None:
    """The reminder: fixed words and a date, no detail of the case (the email's own words are
    the fixed "there is an update" of Notification.Kind.UPDATE)."""
    erase_on = max(ends, now + notice())
    notification_send(
        user=user,
        kind=Notification.Kind.UPDATE,
        title=REMINDER_TITLE.format(date=date_format(timezone.localdate(erase_on), "j F Y")),
        link_path=reverse("privacy:subject_access"),
    )


@transaction.atomic
def case_retention_remind(*, case_id: int, now: datetime | None = None) -> bool:
    """Remind the reporter that the case's records will be erased. Once per closure: the claim
    is a conditional update, so of two runs at once exactly one sends."""
    now = now or timezone.now()
    claimed = cases_due_reminder(now).filter(pk=case_id).update(retention_reminded_at=now)
    if not claimed:
        return False
    case = Case.objects.select_related("report__reporter").get(pk=case_id)
    expires = case.closed_at + timedelta(days=case_retention_days(case.force_id))
    _remind(user=case.report.reporter, ends=expires, now=now)
    return True


@transaction.atomic
def referral_retention_remind(*, referral_id: int, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    claimed = referrals_due_reminder(now).filter(pk=referral_id).update(retention_reminded_at=now)
    if not claimed:
        return False
    referral = Referral.objects.select_related("person").get(pk=referral_id)
    ended = _referral_ended_at(referral)
    expires = ended + timedelta(days=referral_retention_days(referral.force_id))
    _remind(user=referral.person, ends=expires, now=now)
    return True


# --- erasure --------------------------------------------------------------------------------


def evidence_files(evidence) -> list[str]:
    """The stored files of `evidence` items: each original and its viewing copy, if any."""
    return [path for item in evidence for path in (item.stored_path, item.viewing_path) if path]


def notifications_pointing_at(*public_ids, reference: str = "") -> QuerySet[Notification]:
    """Notifications that link to any of `public_ids` or name `reference` in their title (a
    transfer tells the former holder the case's reference with a link to their own queue)."""
    condition = Q()
    for public_id in public_ids:
        condition |= Q(link_path__contains=str(public_id))
    if reference:
        condition |= Q(title__contains=reference)
    return Notification.objects.filter(condition)


def _strip_referral_to_summary_and_plan(referral: Referral) -> dict[str, int]:
    """What the referral keeps of an erased case: the person's summary and support plan."""
    counts = {
        "referral_messages": referral.messages.count(),
        "referral_checkins": referral.checkins.count(),
    }
    referral.messages.all().delete()
    referral.checkins.all().delete()
    referral.events.exclude(why="").update(why="")
    Referral.objects.filter(pk=referral.pk).update(
        case=None, consent_scope="summary", feedback_text=""
    )
    return counts


@transaction.atomic
def case_erase(*, case_id: int, now: datetime | None = None) -> ErasureRecord | None:
    """Erase an expired closed case and its report, whole. None if it is not due (any more):
    reopened, put on hold, already erased or being erased by another run.

    The claim re-checks every condition in one conditional UPDATE, which on Postgres also locks
    the row until this transaction ends: a second run waits, then finds the row gone.
    """
    now = now or timezone.now()
    claimed = cases_due_erasure(now).filter(pk=case_id).update(erasure_claimed_at=now)
    if not claimed:
        return None
    case = Case.objects.select_related("report", "force").get(pk=case_id)
    report = case.report
    evidence = list(report.evidence.all())
    paths = evidence_files(evidence)
    notifications = notifications_pointing_at(
        report.public_id, case.public_id, reference=report.reference
    )
    # The record that the reporter's line manager was told, at their request, about the report.
    line_manager_notices = LineManagerNotice.objects.filter(subject_key=str(report.public_id))
    counts = {
        "evidence_items": len(evidence),
        "evidence_files": len(paths),
        "messages": report.messages.count(),
        "status_events": report.status_events.count(),
        "case_notes": case.notes.count(),
        "case_actions": case.actions.count(),
        "case_events": case.events.count(),
        "notifications": notifications.count(),
        "line_manager_notices": line_manager_notices.count(),
    }
    for referral in Referral.objects.filter(case_id=case.pk):
        counts.update(_strip_referral_to_summary_and_plan(referral))
    record = ErasureRecord.objects.create(
        kind=ErasureRecord.Kind.CASE,
        public_id=case.public_id,
        reference=report.reference,
        force=case.force,
        closed_at=case.closed_at,
        retention_days=case_retention_days(case.force_id),
        reminded_at=case.retention_reminded_at,
        erased_at=now,
        counts=counts,
    )
    notifications.delete()
    line_manager_notices.delete()
    case.delete()  # its notes, actions, history and conflicts go with it
    report.delete()  # its evidence rows, messages, status timeline and answers go with it
    delete_stored_after_commit(paths)
    access_record(
        actor=None,
        action=AccessLog.Action.ERASE,
        object_type="triage.case",
        object_id=case_id,
        force=record.force,
        reason="Retention period ended",
    )
    return record


@transaction.atomic
def referral_erase(*, referral_id: int, now: datetime | None = None) -> ErasureRecord | None:
    """Erase an expired referral whole: its summary, plans, check-ins, messages and history."""
    now = now or timezone.now()
    claimed = referrals_due_erasure(now).filter(pk=referral_id).update(erasure_claimed_at=now)
    if not claimed:
        return None
    referral = Referral.objects.select_related("force").get(pk=referral_id)
    if referral.case_id is not None and _case_held_now(referral.case_id):
        # A supervisor held the case after this run read the held cases: the hold wins.
        transaction.set_rollback(True)
        return None
    notifications = notifications_pointing_at(referral.public_id, reference=referral.reference)
    counts = {
        "messages": referral.messages.count(),
        "checkins": referral.checkins.count(),
        "plans": referral.plans.count(),
        "events": referral.events.count(),
        "notifications": notifications.count(),
    }
    record = ErasureRecord.objects.create(
        kind=ErasureRecord.Kind.REFERRAL,
        public_id=referral.public_id,
        reference=referral.reference,
        force=referral.force,
        closed_at=_referral_ended_at(referral),
        retention_days=referral_retention_days(referral.force_id),
        reminded_at=referral.retention_reminded_at,
        erased_at=now,
        counts=counts,
    )
    notifications.delete()
    referral.delete()
    access_record(
        actor=None,
        action=AccessLog.Action.ERASE,
        object_type="wellbeing.referral",
        object_id=referral_id,
        force=record.force,
        reason="Retention period ended",
    )
    return record


def fresh_notice_after_hold(*, case: Case, **signal) -> None:
    """A legal hold was lifted (triage.services.legal_hold.legal_hold_lifted): a reminder sent
    before the hold named a date the hold has overtaken, so the case and every referral from it
    not yet being erased are reminded again, and erased no sooner than a notice period later
    (as the hold page says), rather than at the next run."""
    Case.objects.filter(pk=case.pk).update(retention_reminded_at=None)
    Referral.objects.filter(case_id=case.pk, erasure_claimed_at__isnull=True).update(
        retention_reminded_at=None
    )


# --- the run ----------------------------------------------------------------------------------


def retention_run(*, now: datetime | None = None) -> RetentionResult:
    """Send the reminders that are due, then erase what has expired. Each item in its own
    transaction, so one failure neither rolls back the others nor stops the run."""
    now = now or timezone.now()
    result = RetentionResult()
    steps = (
        ("reminded_cases", cases_due_reminder, case_retention_remind, "case_id"),
        ("reminded_referrals", referrals_due_reminder, referral_retention_remind, "referral_id"),
        ("erased_cases", cases_due_erasure, case_erase, "case_id"),
        ("erased_referrals", referrals_due_erasure, referral_erase, "referral_id"),
    )
    for counter, due, act, argument in steps:
        for pk in list(due(now).order_by("pk").values_list("pk", flat=True)):
            try:
                done = act(**{argument: pk, "now": now})
            except Exception as exc:  # one bad item must not stop the others' erasure
                logger.exception("Retention step %s failed for id %s", counter, pk)
                result.errors.append(f"{counter} {pk}: {type(exc).__name__}")
                continue
            if done:
                setattr(result, counter, getattr(result, counter) + 1)
    result.held_cases = (
        _closed_cases().filter(legal_hold_since__isnull=False).filter(_case_expired(now)).count()
    )
    return result


def retention_due(*, now: datetime | None = None) -> dict[str, int]:
    """What a run now would do, without doing it (`retention_run --dry-run`)."""
    now = now or timezone.now()
    return {
        "cases_due_reminder": cases_due_reminder(now).count(),
        "referrals_due_reminder": referrals_due_reminder(now).count(),
        "cases_due_erasure": cases_due_erasure(now).count(),
        "referrals_due_erasure": referrals_due_erasure(now).count(),
        "held_cases": _closed_cases()
        .filter(legal_hold_since__isnull=False)
        .filter(_case_expired(now))
        .count(),
    }
