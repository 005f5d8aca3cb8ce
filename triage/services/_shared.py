"""Helpers every triage service shares: locking a case, who may work it, alerting supervisors."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.urls import reverse

from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notification_send
from triage.models import Case, TriagePreference
from triage.selectors import is_supervisor_of, supervisors_of

if TYPE_CHECKING:
    from harmsportal.people.models import User

logger = logging.getLogger(__name__)

# On SQLite claim next is optimistic: a claimer that loses a race tries the next case.
CLAIM_ATTEMPTS = 25
NOTE_MAX_CHARS = 5000
EXPLANATION_MAX_CHARS = 3000


def case_url(case: Case) -> str:
    return reverse("triage:case", args=[case.public_id])


def locked(case: Case) -> Case:
    """The case's row, locked for the rest of the transaction (Postgres; SQLite locks the file).

    The assignee is not joined in: when the lock waits for a concurrent claim, Postgres re-reads
    the case row but can hand back the nullable join as it was before the claim, a case whose
    `assignee_id` is set and whose `assignee` is None. Loaded afterwards, it is the claimer.
    """
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("report", "force")
        .get(pk=case.pk)
    )


def require_worker(actor: User, case: Case) -> None:
    """The assignee works the case; a supervisor of its force may step in.

    Nobody who stepped aside from the case (CaseConflict) works on it, supervisors included.
    """
    if case.has_conflict(actor):
        raise ValidationError("You stepped aside from this case, so you cannot work on it.")
    if case.assignee_id == actor.pk:
        return
    if is_supervisor_of(actor, case.force):
        return
    if case.assignee_id is None:
        raise ValidationError("Claim this case before working on it.")
    raise ValidationError(
        f"{case.assignee.get_full_name()} is working on this case. Ask them, or a supervisor, "
        "to hand it over."
    )


def alert_supervisors(case: Case, *, title: str, skip: User | None = None) -> int:
    sent = 0
    for supervisor in supervisors_of(case.force, case=case):
        if skip is not None and supervisor.pk == skip.pk:
            continue
        notification_send(
            user=supervisor, kind=Notification.Kind.ALERT, title=title, link_path=case_url(case)
        )
        sent += 1
    if not sent:
        logger.warning("triage: no supervisor to alert for case %s in %s", case.pk, case.force)
    return sent


def wants_email(user: User) -> bool:
    """Whether `user` chose to be emailed, as well as told in the portal, when a reporter
    writes. Off unless chosen: the email says only "something needs your attention"."""
    return TriagePreference.objects.filter(user=user, email_when_reporter_writes=True).exists()


def tell_staff(user: User, case: Case, *, title: str) -> None:
    """A notification in `user`'s inbox naming the case (never what was written), and an email
    if they chose one."""
    notification_send(
        user=user,
        kind=Notification.Kind.ALERT,
        title=title,
        link_path=case_url(case),
        email=wants_email(user),
    )
