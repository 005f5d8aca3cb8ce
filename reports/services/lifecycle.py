"""A sent report's status: the reporter's withdrawal, and the changes triage makes.

Triage moves the report (progress, outcome, close, reopen, transfer) only through these, so
the reporter's timeline and notifications are written in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notification_send
from reports.intake import intake_withdrawn_report
from reports.models import Report, ReportStatus
from reports.services._shared import wants_email

if TYPE_CHECKING:
    from harmsportal.people.models import Force, User


def _event(report: Report, changed: bool, note: str) -> None:
    if changed:
        report.status_events.create(status=report.status, note=note[:300])


@transaction.atomic
def report_withdraw(*, actor: User, report: Report, reason: str = "") -> Report:
    """The reporter withdraws their report, and its case closes. Withdrawing twice changes nothing.

    Triage hears first, through the intake seam in this transaction, so the case row is locked
    before the report's, in the same order as every triage service; if the withdrawal is then
    refused (a closed report), both roll back together.
    """
    if actor.pk != report.reporter_id:
        raise ValidationError("Only the person who made a report can withdraw it.")
    if report.status != ReportStatus.WITHDRAWN:
        intake_withdrawn_report(report, actor=actor)
    changed = report.withdraw(reason=reason.strip())
    _event(report, changed, "You withdrew this report.")
    return report


@transaction.atomic
def report_progress_start(*, actor: User, report: Report, note: str = "") -> Report:
    changed = report.start_progress()
    _event(report, changed, note or "Someone in your force's triage team is looking at it.")
    return report


@transaction.atomic
def report_outcome_record(
    *, actor: User, report: Report, category: str, explanation: str
) -> Report:
    """Give the reporter the outcome; they are told there is an update (never what it is)."""
    changed = report.give_outcome(category=category, explanation=explanation.strip())
    _event(report, changed, "We have told you the outcome.")
    if changed:
        notification_send(
            user=report.reporter,
            kind=Notification.Kind.UPDATE,
            title=f"There is an outcome for your report {report.reference}",
            link_path=reverse("reports:detail", args=[report.public_id]) + "#outcome",
            email=wants_email(report),
        )
    return report


@transaction.atomic
def report_close(*, actor: User, report: Report, note: str = "") -> Report:
    changed = report.close()
    _event(report, changed, note or "This report is closed.")
    return report


@transaction.atomic
def report_reopen(*, actor: User, report: Report, note: str = "") -> Report:
    changed = report.reopen()
    _event(report, changed, note or "This report has been reopened.")
    return report


@transaction.atomic
def report_transfer(*, actor: User, report: Report, to_force: Force) -> bool:
    """Triage sent the report to another force: that force handles it from now on.

    The reporter sees the force's name on their report and in their timeline, and is told in
    the portal (by email too if they chose it). The reference stays as it was, so the one they
    were given still finds their report. Triage's reason never reaches the reporter.
    """
    if report.is_draft:
        raise ValidationError("A draft has not been sent to any force yet.")
    if report.force_id == to_force.pk:
        return False
    Report.objects.filter(pk=report.pk).update(force=to_force, updated_at=timezone.now())
    report.refresh_from_db(fields=["force", "updated_at"])
    report.status_events.create(
        status=report.status,
        note=(
            f"Your report is now handled by {to_force.name}, the force best placed to help "
            "you. Your reference stays the same and you do not need to do anything."
        )[:300],
    )
    notification_send(
        user=report.reporter,
        kind=Notification.Kind.UPDATE,
        title=f"Your report {report.reference} is now handled by {to_force.name}",
        link_path=reverse("reports:detail", args=[report.public_id]),
        email=wants_email(report),
    )
    return True
