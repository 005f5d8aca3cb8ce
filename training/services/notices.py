"""The line-manager notice: a reporter asked that their line manager know, and the triager
holding their case tells them.

Training offers this service and triage, the layer above, calls it with what it knows of the
report: whether the reporter asked, who they are, the force whose roster names their line
manager, and an opaque key for the report (its public id). Training never reads the report.

The notice holds no report content. The line manager's inbox gets one fixed sentence and a
link to the module on supporting a colleague who is targeted; their email is the fixed "sign
in" alert. No name, no kind of harm, no reference: nothing of what was reported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notification_send
from training.models import LineManagerNotice
from training.selectors import line_manager_of

if TYPE_CHECKING:
    from harmsportal.people.models import Force, User

# The in-portal title, word for word as the issue gives it. It names nobody and says nothing
# of what happened: an inbox can be read over a shoulder.
NOTICE_TITLE = (
    "A member of your team has reported online harm linked to their role and asked that you know"
)
# The module written for line managers (seeded with the national modules).
LINE_MANAGER_MODULE_SLUG = "supporting-a-colleague-who-is-targeted"


def line_manager_notice_for(subject_key: str) -> LineManagerNotice | None:
    """The notice already sent about `subject_key` (a report's public id), if any.

    The caller has already reached the report through its own chokepoint; the key says which
    report, and nothing else is read.
    """
    return LineManagerNotice.objects.filter(subject_key=str(subject_key)).first()


@transaction.atomic
def line_manager_notice_send(
    *, actor: User, reporter: User, force: Force, subject_key: str, asked: bool
) -> LineManagerNotice:
    """Tell `reporter`'s line manager, as the roster of `force` names them, that a member of
    their team reported harm and asked that they know. Sent once per `subject_key`.

    `asked` is the reporter's own answer ("tell my line manager"). Raises ValidationError,
    in plain English, when they did not ask, when the roster names no line manager (or one
    who has left the force), when the line manager is in Professional Standards (who are
    never told of a report through the portal), or when the line manager is `actor`. When a
    notice was already sent for `subject_key`, returns it and sends nothing (a second press,
    or two triagers at once, tell the line manager once).
    """
    subject_key = str(subject_key)
    existing = line_manager_notice_for(subject_key)
    if existing is not None:
        return existing
    if not asked:
        raise ValidationError(
            "The reporter did not ask for their line manager to be told, so nobody has been told."
        )
    line_manager = line_manager_of(reporter, force)
    if line_manager is None:
        raise ValidationError(
            f"The roster of {force.name} does not name a line manager for the reporter, so "
            "there is nobody to tell. Their training administrator can add one."
        )
    if line_manager.professional_standards:
        raise ValidationError(
            "The roster names a line manager who works in Professional Standards, and the "
            "portal never tells Professional Standards about a report. Nobody has been told. "
            "Let the reporter know, so they can decide what to do."
        )
    if line_manager.pk == actor.pk:
        raise ValidationError(
            "The roster names you as the reporter's line manager. Someone else should handle "
            "this case: step aside, and a colleague can tell you."
        )
    try:
        with transaction.atomic():  # a savepoint: a concurrent send's row wins, ours goes
            notice = LineManagerNotice.objects.create(
                subject_key=subject_key,
                reporter=reporter,
                line_manager=line_manager,
                force=force,
                sent_by=actor,
                sent_at=timezone.now(),
            )
    except IntegrityError:
        # Another triager sent it a moment ago (the subject key is unique): nothing to send.
        return LineManagerNotice.objects.get(subject_key=subject_key)
    notification_send(
        user=line_manager,
        kind=Notification.Kind.ALERT,
        title=NOTICE_TITLE,
        link_path=reverse("training:module", args=[LINE_MANAGER_MODULE_SLUG]) + "?from=notice",
    )
    return notice
