"""The beat's sweep: due and expiry reminders, a refresher on expiry, review-due flags.

`training_sweep` runs every 15 minutes (`training.tasks.training_sweep_task`). Every piece of
work is claimed on its own row with a conditional UPDATE before anything is sent, in the same
transaction as the outbox row, so a sweep run twice, or twice at once, sends nothing twice.
How reminders are chosen is described in `training/services/_shared.py`.
"""

from __future__ import annotations

import datetime
import time

from django.db import transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notification_send
from harmsportal.people.models import Role, User
from harmsportal.templatetags.govuk_time import govuk_date
from training.models import (
    REMINDER_DAYS,
    Assignment,
    AssignmentSource,
    Completion,
    Module,
    expired,
    has_expired,
    in_date,
)
from training.selectors import learner_force
from training.services._shared import (
    announce,
    due_field,
    expiry_field,
    is_latest_completion,
    most_pressing,
    open_work_on_module,
    published,
    tell_learner,
    today_of,
)
from training.services.assigning import assignment_create, audience_for

# Days after an expiry (or after it was found, if the beat was down) to complete the refresher.
REFRESHER_DUE_DAYS = 30
# One sweep stops starting new sends after this long; the next beat carries on.
SWEEP_TIME_BUDGET_SECONDS = 150.0


# --- the beat -------------------------------------------------------------------------------


def _band(field_of, date_field: str, today: datetime.date, *, first: int) -> Q:
    """Rows whose most pressing reminder (30, 7 or 1 days before `date_field`) is unsent, with
    at least `first` days left (0 for a due date: due today still gets its 1-day reminder; 1
    for an expiry: on the day itself the completion has run out)."""
    bands = Q()
    lower = first  # the fewest days left at which this reminder is the most pressing
    for days in sorted(REMINDER_DAYS):
        bands |= Q(
            **{
                f"{date_field}__gte": today + datetime.timedelta(days=lower),
                f"{date_field}__lte": today + datetime.timedelta(days=days),
                f"{field_of(days)}__isnull": True,
            }
        )
        lower = days + 1
    return bands


@transaction.atomic
def due_remind(*, assignment_id: int, now: datetime.datetime) -> bool:
    """Send one assignment's most pressing due reminder, once; mark the larger ones skipped."""
    due_on = Assignment.objects.filter(pk=assignment_id).values_list("due_on", flat=True).first()
    days = most_pressing((due_on - today_of(now)).days) if due_on else None
    if days is None:
        return False
    field = due_field(days)
    skipped = {
        due_field(d): Coalesce(F(due_field(d)), Value(now)) for d in REMINDER_DAYS if d > days
    }
    won = (
        Assignment.objects.open()
        .filter(pk=assignment_id, **{f"{field}__isnull": True})
        .update(**{field: now}, **skipped)
    )
    if not won:
        return False
    assignment = Assignment.objects.select_related("person", "module").get(pk=assignment_id)
    title = f"{assignment.module.title}: training due by {govuk_date(assignment.due_on)}"
    tell_learner(assignment.person, assignment.module, title=title)
    return True


@transaction.atomic
def expiry_remind(*, completion_id: int, now: datetime.datetime) -> bool:
    """Send one completion's most pressing expiry reminder, once; mark the larger ones skipped."""
    expires_on = (
        Completion.objects.filter(pk=completion_id).values_list("expires_on", flat=True).first()
    )
    today = today_of(now)
    if expires_on is None or has_expired(expires_on, today):
        return False  # nothing to remind of: it never runs out, or it already has
    days = most_pressing((expires_on - today).days)
    if days is None:
        return False
    field = expiry_field(days)
    skipped = {
        expiry_field(d): Coalesce(F(expiry_field(d)), Value(now)) for d in REMINDER_DAYS if d > days
    }
    won = Completion.objects.filter(
        is_latest_completion(), pk=completion_id, **{f"{field}__isnull": True}
    ).update(**{field: now}, **skipped)
    if not won:
        return False
    completion = Completion.objects.select_related("person", "module").get(pk=completion_id)
    title = (
        f"{completion.module.title}: your training runs out on "
        f"{govuk_date(completion.expires_on)}. Refresh it before then"
    )
    tell_learner(completion.person, completion.module, title=title)
    return True


@transaction.atomic
def refresher_assign(*, completion_id: int, now: datetime.datetime) -> Assignment | None:
    """On expiry, give the person the module again, once per completion, and tell them.

    A family account's refresher is made the same way, as their own work on their own training
    page: it counts in no force's compliance and no trainer lists it (`COUNTED_PERSON`)."""
    won = Completion.objects.filter(
        is_latest_completion(),
        expired(today_of(now)),
        pk=completion_id,
        refresher_assigned_at__isnull=True,
    ).update(refresher_assigned_at=now)
    if not won:
        return None
    completion = Completion.objects.select_related("person", "module", "force").get(
        pk=completion_id
    )
    person, module = completion.person, completion.module
    force = learner_force(person) or completion.force
    if force is None:
        return None  # they belong to no force now: nobody's training to count it in
    # From the expiry, or from today when the beat finds it late.
    due_on = max(completion.expires_on, today_of(now)) + datetime.timedelta(days=REFRESHER_DUE_DAYS)
    assignment = assignment_create(
        person=person,
        module=module,
        force=force,
        audience=audience_for(person, module, force),
        source=AssignmentSource.REFRESHER,
        due_on=due_on,
        refresher_of=completion,
        now=now,
    )
    if assignment is not None:
        title = (
            f"{module.title}: your training has run out. Complete it again by {govuk_date(due_on)}"
        )
        announce(assignment, title=title, now=now)
    return assignment


def review_recipients(module: Module) -> QuerySet[User]:
    """Who looks after `module`: its force's training admins, or for a national module the
    platform admins. Active accounts only; never Professional Standards."""
    if module.is_national:
        holders = Q(memberships__role=Role.PLATFORM_ADMIN)
    else:
        holders = Q(memberships__role=Role.TRAINING_ADMIN, memberships__force=module.owner_force_id)
    return (
        User.objects.filter(holders, is_active=True, professional_standards=False)
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def review_flag(*, module_id: int, review_due: datetime.date) -> int:
    """Tell a module's owners it is past its review date, once per review date. Returns how
    many were told (0 when already flagged for this date)."""
    won = (
        Module.objects.filter(pk=module_id, review_due=review_due)
        .exclude(review_flagged_for=review_due)
        .update(review_flagged_for=review_due)
    )
    if not won:
        return 0
    module = Module.objects.get(pk=module_id)
    title = (
        f"{module.title} was due for review on {govuk_date(review_due)}: check it is still right"
    )
    link = reverse("training:module_edit", kwargs={"pk": module.public_id})
    told = 0
    for user in review_recipients(module):
        notification_send(user=user, kind=Notification.Kind.ALERT, title=title, link_path=link)
        told += 1
    return told


def training_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """The beat's pass (every 15 minutes): due reminders, expiry reminders, refreshers on
    expiry and review-due flags. Each is claimed on its own row before it is sent, in its own
    transaction, so running this twice, or twice at once, sends each one once. Returns how many
    of each were sent or made."""
    now = now or timezone.now()
    today = today_of(now)
    active = Q(person__is_active=True)
    due_soon = (
        Assignment.objects.open()
        .filter(active, due_on__gte=today)
        .filter(_band(due_field, "due_on", today, first=0))
        .filter(published("module"))
    )
    expiring = (
        Completion.objects.filter(active, in_date(today))
        .filter(_band(expiry_field, "expires_on", today, first=1))
        .filter(is_latest_completion(), published("module"))
        .exclude(open_work_on_module())
    )
    run_out = Completion.objects.filter(
        active, expired(today), refresher_assigned_at__isnull=True
    ).filter(is_latest_completion(), published("module"))
    review = (
        Module.objects.filter(review_due__lt=today)
        .exclude(review_flagged_for=F("review_due"))
        .filter(published("pk"))
    )
    done = {"due_reminders": 0, "expiry_reminders": 0, "refreshers": 0, "review_flags": 0}
    # Stop starting new work well inside the task's soft time limit (240 s): after a roster
    # import thousands may fall due on one day, and what is left waits for the next beat (every
    # piece is claimed and committed on its own, so nothing is lost or sent twice).
    deadline = time.monotonic() + SWEEP_TIME_BUDGET_SECONDS
    for pk, review_due in list(review.values_list("pk", "review_due")):
        done["review_flags"] += bool(review_flag(module_id=pk, review_due=review_due))
    for pk in list(run_out.order_by("expires_on").values_list("pk", flat=True)):
        if time.monotonic() > deadline:
            return done
        done["refreshers"] += refresher_assign(completion_id=pk, now=now) is not None
    for pk in list(due_soon.order_by("due_on").values_list("pk", flat=True)):
        if time.monotonic() > deadline:
            return done
        done["due_reminders"] += due_remind(assignment_id=pk, now=now)
    for pk in list(expiring.order_by("expires_on").values_list("pk", flat=True)):
        if time.monotonic() > deadline:
            return done
        done["expiry_reminders"] += expiry_remind(completion_id=pk, now=now)
    return done
