"""Helpers more than one report service uses: the draft's lock, touching, the email choice."""

from __future__ import annotations

from django.utils import timezone

from reports.models import ContactPreference, Report, ReportStatus
from reports.services.errors import ReportNotEditableError

NOT_EDITABLE = "This report has been sent, so its answers can no longer change."


def lock_draft(report: Report) -> None:
    """Lock the report's row for the rest of the transaction; refuse it unless still a draft.

    Asks the database, not `report`, which may have been read before the draft was sent (then
    ReportNotEditableError) or before it was erased by draft retention or deleted in another
    tab (then Report.DoesNotExist, which the journey's views answer with their ordinary 404).
    """
    status = Report.objects.select_for_update().values_list("status", flat=True).get(pk=report.pk)
    if status != ReportStatus.DRAFT:
        raise ReportNotEditableError(NOT_EDITABLE)


def touch(report: Report) -> None:
    report.updated_at = timezone.now()
    report.save(update_fields=["updated_at"])


def wants_email(report: Report) -> bool:
    # Everyone gets the in-portal notification; only those who chose email are emailed. A
    # reporter who asked for phone calls, or for the portal only, may not want an email to
    # reach an inbox someone else can read.
    return report.contact_preference == ContactPreference.EMAIL
