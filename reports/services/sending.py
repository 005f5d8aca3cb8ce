"""Sending a draft: what a complete report must hold, its reference, and the submission."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notification_send
from reports.intake import intake_submitted_report
from reports.models import ReferenceCounter, Report, ReportStatus, current_taxonomy_version
from reports.services._shared import wants_email
from reports.services.errors import ReportIncompleteError
from reports.steps import missing_steps

if TYPE_CHECKING:
    from harmsportal.people.models import Force, User


@transaction.atomic
def reference_allocate(*, force: Force, year: int) -> str:
    """The next reference for `force` in `year`, such as OH-WYP-2026-000123.

    The force's counter row is locked (SELECT … FOR UPDATE) for the rest of the caller's
    transaction, so two submissions at the same moment can never get the same number, and a
    rolled-back submission gives its number back.
    """
    ReferenceCounter.objects.get_or_create(force=force, year=year)
    counter = ReferenceCounter.objects.select_for_update().get(force=force, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"OH-{force.code}-{year}-{counter.last:06d}"


def _check_complete(report: Report) -> None:
    missing = missing_steps(report)
    if missing:
        raise ReportIncompleteError(
            "There are questions you have not answered yet.", steps=[s.slug for s in missing]
        )
    if report.related_to_role is not True:
        raise ReportIncompleteError(
            "This service is for harm connected to the policing role, so this report cannot "
            "be sent.",
            steps=["role"],
        )
    if report.family_link_id and report.family_link.revoked_at is not None:
        raise ReportIncompleteError("That family link has been withdrawn.", steps=["who"])


@transaction.atomic
def report_submit(*, actor: User, report: Report) -> Report:
    """Send the draft: reference, acknowledgement and the force's triage intake, all or nothing.

    Sending an already-sent report changes nothing. Raises ReportIncompleteError (with `.steps`)
    if questions are unanswered or the harm is not connected to the policing role.
    """
    report = Report.objects.select_for_update().select_related("force").get(pk=report.pk)
    if report.reporter_id != actor.pk:
        raise ValidationError("Only the person who made a report can send it.")
    if not report.is_draft:
        return report
    _check_complete(report)
    year = timezone.localtime().year
    report.submit(
        reference=reference_allocate(force=report.force, year=year),
        taxonomy_version=current_taxonomy_version(),
    )
    report.status_events.create(
        status=ReportStatus.SUBMITTED, note="We received your report and sent it to triage."
    )
    notification_send(
        user=actor,
        kind=Notification.Kind.ACKNOWLEDGEMENT,
        title=f"We have received your report {report.reference}",
        link_path=reverse("reports:detail", args=[report.public_id]),
        email=wants_email(report),
    )
    intake_submitted_report(report)
    return report
