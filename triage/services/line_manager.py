"""Telling a reporter's line manager, when the reporter asked: triage's side of the hand-off.

Training offers the notice (`training.services.notices`) and never reads a report; triage,
the layer above, decides who may send it (whoever may work the case) and passes training only
the reporter's answer, who they are, their force and the report's opaque key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notification_send
from reports.models import ReportStatus
from training.services.notices import line_manager_notice_for, line_manager_notice_send
from triage.models import Case, CaseEvent
from triage.services._shared import locked, require_worker
from triage.services.history import case_event_record

if TYPE_CHECKING:
    from harmsportal.people.models import User

REPORTER_TOLD_TITLE = "Your line manager has been told, as you asked"


@transaction.atomic
def case_line_manager_tell(*, actor: User, case: Case) -> bool:
    """Send the line-manager notice for the case's report. True if this call sent it; False
    if it had already been sent (nothing is sent twice). Raises ValidationError when the
    actor may not work the case, the report was withdrawn, or training refuses (the reporter
    did not ask, or the roster names no line manager, or names the actor)."""
    case = locked(case)  # two presses, or two triagers, wait for each other here
    require_worker(actor, case)
    report = case.report
    if line_manager_notice_for(report.public_id) is not None:
        return False
    if report.status == ReportStatus.WITHDRAWN:
        raise ValidationError(
            "The reporter withdrew this report, so their line manager will not be told."
        )
    line_manager_notice_send(
        actor=actor,
        reporter=report.reporter,
        force=report.force,
        subject_key=str(report.public_id),
        asked=report.line_manager_consent,
    )
    # The history says it was done, never to whom beyond "the line manager".
    case_event_record(
        actor=actor,
        case=case,
        kind=CaseEvent.Kind.ACTION_RECORDED,
        detail="Line manager told, as the reporter asked",
    )
    notification_send(
        user=report.reporter,
        kind=Notification.Kind.UPDATE,
        title=REPORTER_TOLD_TITLE,
        link_path=reverse("reports:detail", args=[report.public_id]),
    )
    return True
