"""Audited reads: a champion opening a referral, recorded in the access log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from harmsportal.audit.models import AccessLog
from harmsportal.audit.services import access_record
from harmsportal.people.models import Role
from wellbeing.models import Referral
from wellbeing.services.moves import require_champion

if TYPE_CHECKING:
    from harmsportal.people.models import User


@transaction.atomic
def referral_view_record(*, actor: User, referral: Referral) -> None:
    """Record that champion `actor` read `referral`; when it came from a case, also a read of
    the report, so the reporter's "Who has seen your report" lists it (as a wellbeing
    champion of the force, never by name). Call it in the transaction that shows the page."""
    require_champion(actor, referral)
    access_record(
        actor=actor,
        action=AccessLog.Action.READ,
        obj=referral,
        force=referral.force,
        role=Role.CHAMPION,
        reason=f"Wellbeing referral {referral.reference}",
    )
    if referral.case_id is not None:
        access_record(
            actor=actor,
            action=AccessLog.Action.READ,
            obj=referral.case.report,
            force=referral.force,
            role=Role.CHAMPION,
            reason=f"Through wellbeing referral {referral.reference}",
        )
