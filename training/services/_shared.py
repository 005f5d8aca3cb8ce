"""What the training services share: the reminder rules, making new work in bulk, and who
may assign. Used by `assigning`, `audience_rules` and `sweep` in this package only.

Reminders. Each open assignment is reminded 30, 7 and 1 days before its due date, and each
person's latest completion of a module 30, 7 and 1 days before it expires
(`REMINDER_DAYS`). A reminder's field (`Assignment.reminded_30_at`, `Completion.
expiry_reminded_7_at` …) is set when the reminder is dealt with: sent, or decided not to be
needed. It is never sent twice because it is claimed first with a conditional UPDATE (`… WHERE
reminded_7_at IS NULL`) and sent only when that UPDATE changed the row, in the same
transaction as the outbox row. Two fields are set "not needed" without a send:

- work assigned less than 30 days before it is due gets only the reminders still ahead of it:
  `new_assignment` sets the fields of reminders whose day has already passed (for work due
  in 20 days, the 30-day one) to the moment of assigning;
- when the beat was down for days, the sweep sends only the most pressing reminder now due
  (the 7-day one, say) and sets the larger ones it skipped (the 30-day one) in the same UPDATE,
  so nobody gets a burst of stale reminders.

A due reminder is sent only while the due date is today or ahead (overdue work shows as
overdue on the learner's page; it is not "due in 7 days"), an expiry reminder only while the
completion is still in date (`training.models.in_date`: it runs out ON its expiry date).
Nothing is sent about a retired module (no published version) or to an account that is no
longer active, and no expiry reminder to a person who already has open work on the module
(its due reminders speak for it).

Who is told at once. Work assigned by hand, and a refresher on expiry, is announced to the
person when it is made ("you have been asked to complete it by …"); the reminder due that same
day is then counted as sent. Work assigned by audience rules (often thousands at once, after a
roster import) and by a new version's re-completion is not announced: it shows on the person's
training page, and its reminders follow.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notification_send
from training.models import (
    REMINDER_DAYS,
    Assignment,
    Completion,
    ModuleVersion,
    VersionStatus,
)
from training.selectors import is_trainer_of, modules_for_trainer

if TYPE_CHECKING:
    from harmsportal.people.models import Force, User
    from training.models import AudienceRule, Module

# The furthest ahead a training admin may set a due date (by hand, or a rule's days).
MAX_DUE_DAYS = 730
# Rows per INSERT, and person ids per query when a roster import names them (SQLite allows
# some 32,000 parameters a statement; a roster may hold 50,000 people).
BATCH_SIZE = 1000


# --- reminder fields ------------------------------------------------------------------------


def due_field(days: int) -> str:
    return f"reminded_{days}_at"


def expiry_field(days: int) -> str:
    return f"expiry_reminded_{days}_at"


def most_pressing(days_left: int) -> int | None:
    """The reminder (30, 7 or 1) whose day has come with `days_left` to go: the smallest one
    not above it. None while more than 30 days are left or once the date has passed."""
    if days_left < 0:
        return None
    due = [days for days in REMINDER_DAYS if days_left <= days]
    return min(due) if due else None


def passed(days_left: int, *, including_today: bool) -> list[int]:
    """Reminders whose day is already behind us (or is today, if `including_today`)."""
    if including_today:
        return [days for days in REMINDER_DAYS if days_left <= days]
    return [days for days in REMINDER_DAYS if days_left < days]


def today_of(now: datetime.datetime) -> datetime.date:
    return timezone.localdate(now)


# --- conditions -----------------------------------------------------------------------------


def published(module: str) -> Exists:
    """The module at `module` (an outer field: "module" on an assignment, "pk" on a module)
    has a published version: a retired or never-published module gets no reminders."""
    return Exists(
        ModuleVersion.objects.filter(module=OuterRef(module), status=VersionStatus.PUBLISHED)
    )


def open_work_on_module() -> Exists:
    """The completion's person has open work on its module."""
    return Exists(
        Assignment.objects.open().filter(person=OuterRef("person"), module=OuterRef("module"))
    )


def is_latest_completion() -> Q:
    """No later completion of the same module by the same person (ties broken by id)."""
    later = Completion.objects.filter(person=OuterRef("person"), module=OuterRef("module")).filter(
        Q(completed_at__gt=OuterRef("completed_at"))
        | Q(completed_at=OuterRef("completed_at"), pk__gt=OuterRef("pk"))
    )
    return ~Exists(later)


# --- telling the learner --------------------------------------------------------------------


def tell_learner(person: User, module: Module, *, title: str) -> None:
    notification_send(
        user=person,
        kind=Notification.Kind.TRAINING,
        title=title,
        link_path=reverse("training:module", kwargs={"slug": module.slug}),
    )


def announce(assignment: Assignment, *, title: str, now: datetime.datetime) -> None:
    """Tell the person about new work now, and count the reminder due today as this notice."""
    days_left = (assignment.due_on - today_of(now)).days
    fields = [due_field(days) for days in passed(days_left, including_today=True)]
    if fields:
        Assignment.objects.filter(pk=assignment.pk).update(
            **{field: Coalesce(F(field), Value(now)) for field in fields}
        )
    tell_learner(assignment.person, assignment.module, title=title)


# --- new work -------------------------------------------------------------------------------


def new_assignment(
    *,
    person_id: int,
    module: Module,
    force_id: int,
    audience: str,
    source: str,
    due_on: datetime.date,
    now: datetime.datetime,
    actor: User | None = None,
    rule: AudienceRule | None = None,
    version: ModuleVersion | None = None,
    refresher_of: Completion | None = None,
) -> Assignment:
    """An unsaved assignment, its passed reminders already marked not needed."""
    days_left = (due_on - today_of(now)).days
    marks = {due_field(days): now for days in passed(days_left, including_today=False)}
    return Assignment(
        person_id=person_id,
        module=module,
        force_id=force_id,
        audience=audience,
        source=source,
        rule=rule,
        version=version,
        refresher_of=refresher_of,
        due_on=due_on,
        assigned_at=now,
        assigned_by=actor if actor is not None and actor.is_authenticated else None,
        **marks,
    )


def insert_assignments(assignments: list[Assignment]) -> int:
    """Insert new work, skipping any that the partial unique constraints refuse (someone was
    given the module meanwhile). Returns how many were inserted."""
    if not assignments:
        return 0
    Assignment.objects.bulk_create(assignments, batch_size=BATCH_SIZE, ignore_conflicts=True)
    ids = [assignment.public_id for assignment in assignments]
    return sum(
        Assignment.objects.filter(public_id__in=ids[i : i + BATCH_SIZE]).count()
        for i in range(0, len(ids), BATCH_SIZE)
    )


def refuse_unless_may_assign(actor: User, force: Force, module: Module) -> None:
    """Raise ValidationError unless `actor` is a training admin of `force`, and `module` is a
    published module the force uses."""
    if not is_trainer_of(actor, force):
        raise ValidationError("Only a training administrator of this force can do that.")
    usable = (
        modules_for_trainer(actor)
        .filter(pk=module.pk)
        .filter(Q(owner_force__isnull=True) | Q(owner_force=force))
    )
    if not usable.exists():
        raise ValidationError("Select a module your force uses.")
    if module.published_version() is None:
        raise ValidationError(f"{module.title} has no published version, so it cannot be assigned.")
