"""Audited reads: the case page, recorded in the access log (evidence: reports.downloads)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from harmsportal.audit.models import AccessLog
from harmsportal.audit.services import access_record
from triage.models import Case
from triage.selectors import role_in_force

if TYPE_CHECKING:
    from harmsportal.people.models import User


@transaction.atomic
def case_view_record(*, actor: User, case: Case) -> None:
    """Record that `actor` read the report through its case, so the reporter can see it.

    When `actor` holds the case, the unread marker (the reporter wrote) goes.
    """
    access_record(
        actor=actor,
        action=AccessLog.Action.READ,
        obj=case.report,
        force=case.force,
        role=role_in_force(actor, case.force),
        reason=f"Triage case {case.pk}",
    )
    if case.assignee_id == actor.pk:
        # The holder has now seen what the reporter wrote; others opening it leave the marker.
        case.mark_read()
