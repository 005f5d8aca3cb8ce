"""Who must complete what, by when: assignments, audience rules and re-completion of a new
version. The beat's sweep (reminders, refreshers on expiry, review-due flags) is in
`training/services/sweep.py`, and reads the reminder fields this module sets.

Reminders. Each open assignment is reminded 30, 7 and 1 days before its due date, and each
person's latest completion of a module 30, 7 and 1 days before it expires
(`REMINDER_DAYS`). A reminder's field (`Assignment.reminded_30_at`, `Completion.
expiry_reminded_7_at` …) is set when the reminder is dealt with: sent, or decided not to be
needed. It is never sent twice because it is claimed first with a conditional UPDATE (`… WHERE
reminded_7_at IS NULL`) and sent only when that UPDATE changed the row, in the same
transaction as the outbox row. Two fields are set "not needed" without a send:

- work assigned less than 30 days before it is due gets only the reminders still ahead of it:
  `assignment_create` sets the fields of reminders whose day has already passed (for work due
  in 20 days, the 30-day one) to the moment of assigning;
- when the beat was down for days, the sweep sends only the most pressing reminder now due
  (the 7-day one, say) and sets the larger ones it skipped (the 30-day one) in the same UPDATE,
  so nobody gets a burst of stale reminders.

A due reminder is sent only while the due date is today or ahead (overdue work shows as
overdue on the learner's page; it is not "due in 7 days"), an expiry reminder only before the
expiry date. Nothing is sent about a retired module (no published version) or to an account
that is no longer active, and no expiry reminder to a person who already has open work on
the module (its due reminders speak for it).

Who is told at once. Work assigned by hand, and a refresher on expiry, is announced to the
person when it is made ("you have been asked to complete it by …"); the reminder due that same
day is then counted as sent. Work assigned by audience rules (often thousands at once, after a
roster import) and by a new version's re-completion is not announced: it shows on the person's
training page, and its reminders follow.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import notification_send
from harmsportal.people.models import User
from harmsportal.templatetags.govuk_time import govuk_date
from training.models import (
    REMINDER_DAYS,
    WORKFORCE_AUDIENCES,
    Assignment,
    AssignmentSource,
    AudienceRule,
    Completion,
    Module,
    ModuleVersion,
    TrainingProfile,
    VersionStatus,
)
from training.selectors import is_trainer_of, learner_force, modules_for_trainer, people_of_force

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from harmsportal.people.models import Force

# Days a learner has to complete a new version that must be completed again (a constant, not
# a setting: it is part of what "requires re-completion" promises the publisher).
RECOMPLETION_DUE_DAYS = 60
# The furthest ahead a training admin may set a due date by hand.
MAX_DUE_DAYS = 730
# Rows per INSERT, and person ids per query when a roster import names them (SQLite allows
# some 32,000 parameters a statement; a roster may hold 50,000 people).
BATCH_SIZE = 1000

# --- reminder fields ------------------------------------------------------------------------


def _due_field(days: int) -> str:
    return f"reminded_{days}_at"


def _expiry_field(days: int) -> str:
    return f"expiry_reminded_{days}_at"


def _most_pressing(days_left: int) -> int | None:
    """The reminder (30, 7 or 1) whose day has come with `days_left` to go: the smallest one
    not above it. None while more than 30 days are left or once the date has passed."""
    if days_left < 0:
        return None
    due = [days for days in REMINDER_DAYS if days_left <= days]
    return min(due) if due else None


def _passed(days_left: int, *, including_today: bool) -> list[int]:
    """Reminders whose day is already behind us (or is today, if `including_today`)."""
    if including_today:
        return [days for days in REMINDER_DAYS if days_left <= days]
    return [days for days in REMINDER_DAYS if days_left < days]


def _open() -> Q:
    return Q(completion__isnull=True, cancelled_at__isnull=True)


def _published(module: str) -> Exists:
    """The module at `module` (an outer field: "module" on an assignment, "pk" on a module)
    has a published version: a retired or never-published module gets no reminders."""
    return Exists(
        ModuleVersion.objects.filter(module=OuterRef(module), status=VersionStatus.PUBLISHED)
    )


def _open_work_on_module() -> Exists:
    """The completion's person has open work on its module."""
    return Exists(
        Assignment.objects.filter(_open(), person=OuterRef("person"), module=OuterRef("module"))
    )


def _is_latest_completion() -> Q:
    """No later completion of the same module by the same person (ties broken by id)."""
    later = Completion.objects.filter(person=OuterRef("person"), module=OuterRef("module")).filter(
        Q(completed_at__gt=OuterRef("completed_at"))
        | Q(completed_at=OuterRef("completed_at"), pk__gt=OuterRef("pk"))
    )
    return ~Exists(later)


def _today(now: datetime.datetime) -> datetime.date:
    return timezone.localdate(now)


# --- making assignments ---------------------------------------------------------------------


def audience_for(person: User, module: Module, force: Force) -> str:
    """The audience work on `module` counts under in `force`'s figures: the first of the
    module's audiences that the person's roster profile holds, else the module's first."""
    held = (
        TrainingProfile.objects.filter(person=person, force=force)
        .values_list("audiences", flat=True)
        .first()
    ) or []
    for audience in module.audiences:
        if audience in held:
            return audience
    return module.audiences[0]


def has_open_work(person: User, module: Module) -> bool:
    return Assignment.objects.filter(_open(), person=person, module=module).exists()


def _new_assignment(
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
    days_left = (due_on - _today(now)).days
    marks = {_due_field(days): now for days in _passed(days_left, including_today=False)}
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


@transaction.atomic
def assignment_create(
    *,
    person: User,
    module: Module,
    force: Force,
    audience: str,
    source: str,
    due_on: datetime.date,
    actor: User | None = None,
    rule: AudienceRule | None = None,
    version: ModuleVersion | None = None,
    refresher_of: Completion | None = None,
    now: datetime.datetime | None = None,
) -> Assignment | None:
    """Give `person` `module` to complete by `due_on`, counted in `force`'s figures under
    `audience`. Reminders whose day has already passed are marked not needed.

    Returns None, and makes nothing, when the person already has open work on the module (or
    when this refresher or this version's re-completion was already assigned): the database's
    partial unique constraints decide, so two callers at once make one assignment.
    """
    now = now or timezone.now()
    if has_open_work(person, module):
        return None
    assignment = _new_assignment(
        person_id=person.pk,
        module=module,
        force_id=force.pk,
        audience=audience,
        source=source,
        due_on=due_on,
        now=now,
        actor=actor,
        rule=rule,
        version=version,
        refresher_of=refresher_of,
    )
    try:
        with transaction.atomic():  # a savepoint: losing a race leaves the caller's work intact
            assignment.save()
    except IntegrityError:
        return None
    return assignment


def _announce(assignment: Assignment, *, title: str, now: datetime.datetime) -> None:
    """Tell the person about new work now, and count the reminder due today as this notice."""
    days_left = (assignment.due_on - _today(now)).days
    fields = [_due_field(days) for days in _passed(days_left, including_today=True)]
    if fields:
        Assignment.objects.filter(pk=assignment.pk).update(
            **{field: Coalesce(F(field), Value(now)) for field in fields}
        )
    _tell_learner(assignment.person, assignment.module, title=title)


def _tell_learner(person: User, module: Module, *, title: str) -> None:
    notification_send(
        user=person,
        kind=Notification.Kind.TRAINING,
        title=title,
        link_path=reverse("training:module", kwargs={"slug": module.slug}),
    )


@dataclass(frozen=True)
class HandOut:
    """What assigning by hand did: who got the module, and who already had it to do."""

    assigned: list[Assignment]
    already: list[User]


def _refuse_unless_may_assign(actor: User, force: Force, module: Module) -> None:
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


@transaction.atomic
def assignments_create_by_hand(
    *,
    actor: User,
    force: Force,
    module: Module,
    people: Sequence[User],
    due_on: datetime.date,
    now: datetime.datetime | None = None,
) -> HandOut:
    """A training admin of `force` gives `module` to `people` (each a person of the force) to
    complete by `due_on`, and each is told at once. People who already have the module to do
    keep their work and its due date. Raises ValidationError for an actor who is not a training
    admin of the force, a module the force does not use or that is not published, a due date in
    the past, or anyone who is not a person of the force.
    """
    now = now or timezone.now()
    _refuse_unless_may_assign(actor, force, module)
    today = _today(now)
    if due_on < today:
        raise ValidationError("The due date must be today or in the future.")
    if due_on > today + datetime.timedelta(days=MAX_DUE_DAYS):
        raise ValidationError("The due date must be within 2 years.")
    members = set(
        people_of_force(force).filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True)
    )
    if any(person.pk not in members for person in people):
        raise ValidationError("Everyone you assign must work for your force.")
    assigned: list[Assignment] = []
    already: list[User] = []
    title = f"{module.title}: you have been asked to complete it by {govuk_date(due_on)}"
    for person in people:
        assignment = assignment_create(
            person=person,
            module=module,
            force=force,
            audience=audience_for(person, module, force),
            source=AssignmentSource.MANUAL,
            due_on=due_on,
            actor=actor,
            now=now,
        )
        if assignment is None:
            already.append(person)
            continue
        _announce(assignment, title=title, now=now)
        assigned.append(assignment)
    return HandOut(assigned=assigned, already=already)


# --- audience rules -------------------------------------------------------------------------


def _rule_due(start: datetime.date | None, within_days: int, today: datetime.date):
    due = (start or today) + datetime.timedelta(days=within_days)
    if due < today:  # they started long ago: the days run from today
        due = today + datetime.timedelta(days=within_days)
    return due


def _insert(assignments: list[Assignment]) -> int:
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


def _covered(module_ids: Iterable[int], people: QuerySet, today: datetime.date) -> set:
    """(person id, module id) pairs already covered: open work, or a completion still valid."""
    open_work = Assignment.objects.filter(
        _open(), module_id__in=module_ids, person_id__in=people
    ).values_list("person_id", "module_id")
    valid = (
        Completion.objects.filter(module_id__in=module_ids, person_id__in=people)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=today))
        .values_list("person_id", "module_id")
    )
    return set(open_work) | set(valid)


def _rules_apply_to(
    *,
    force: Force,
    rules: list[AudienceRule],
    person_ids: list[int] | None,
    today: datetime.date,
    now: datetime.datetime,
) -> int:
    profiles = TrainingProfile.objects.filter(force=force, person__is_active=True)
    if person_ids is not None:
        profiles = profiles.filter(person_id__in=person_ids)
    # The ids themselves when known: as a subquery (profiles joined to users), PostgreSQL plans
    # the open-work check as a nested loop over rows a roster import has just written, and
    # each batch of a 50,000-row import took longer than the last (bench training_roster_import).
    people = person_ids if person_ids is not None else profiles.values("person_id")
    covered = _covered({rule.module_id for rule in rules}, people, today)
    new: list[Assignment] = []
    for person_id, audiences, start in profiles.values_list("person_id", "audiences", "start_date"):
        for rule in rules:  # in rule order: the first rule giving a module wins
            key = (person_id, rule.module_id)
            if rule.audience not in (audiences or []) or key in covered:
                continue
            covered.add(key)
            new.append(
                _new_assignment(
                    person_id=person_id,
                    module=rule.module,
                    force_id=force.pk,
                    audience=rule.audience,
                    source=AssignmentSource.RULE,
                    due_on=_rule_due(start, rule.within_days, today),
                    now=now,
                    rule=rule,
                )
            )
    return _insert(new)


@transaction.atomic
def rules_apply(
    *,
    force: Force,
    person_ids: Iterable[int] | None = None,
    today: datetime.date | None = None,
) -> int:
    """Give everyone on `force`'s roster the modules its active audience rules set them.

    Each person whose roster profile holds a rule's audience, and who has neither open work nor
    a completion still valid for the rule's module, is assigned it, due `within_days` after
    their start date (or after today, when that has already passed or they have no start
    date). `person_ids` limits it to those people (a roster import names whom it touched).
    Rules on a module with no published version wait until it is published. Idempotent: a
    second run makes nothing. Returns how many assignments were made.
    """
    now = timezone.now()
    today = today or _today(now)
    rules = list(
        AudienceRule.objects.filter(force=force, active=True)
        .filter(_published("module"))
        .select_related("module")
        .order_by("created_at", "pk")
    )
    if not rules:
        return 0
    if person_ids is None:
        return _rules_apply_to(force=force, rules=rules, person_ids=None, today=today, now=now)
    ids = sorted(set(person_ids))
    return sum(
        _rules_apply_to(
            force=force, rules=rules, person_ids=ids[i : i + BATCH_SIZE], today=today, now=now
        )
        for i in range(0, len(ids), BATCH_SIZE)
    )


def _refuse_bad_rule(actor: User, force: Force, module: Module, audience: str, days: int):
    _refuse_unless_may_assign(actor, force, module)
    if audience not in WORKFORCE_AUDIENCES:
        raise ValidationError("Select who the rule is for.")
    if not 1 <= days <= MAX_DUE_DAYS:
        raise ValidationError(f"The number of days must be between 1 and {MAX_DUE_DAYS}.")


@transaction.atomic
def rule_create(
    *, actor: User, force: Force, module: Module, audience: str, within_days: int
) -> tuple[AudienceRule, int]:
    """Add an audience rule to `force` and apply it at once. Returns the rule and how many
    people were assigned the module. Raises ValidationError when the force already has a rule
    for this audience and module, and for anything `rules_apply` could not use."""
    _refuse_bad_rule(actor, force, module, audience, within_days)
    if AudienceRule.objects.filter(force=force, audience=audience, module=module).exists():
        raise ValidationError(
            "There is already a rule for this module and audience. Change that rule instead."
        )
    rule = AudienceRule.objects.create(
        force=force,
        audience=audience,
        module=module,
        within_days=within_days,
        created_by=actor,
    )
    return rule, rules_apply(force=force)


@transaction.atomic
def rule_update(
    *, actor: User, rule: AudienceRule, within_days: int, active: bool
) -> tuple[AudienceRule, int]:
    """Change how many days a rule gives, or stop (or restart) it. Work already assigned keeps
    its due date; a rule in use is applied again, so anyone it now covers is assigned. Returns
    the rule and how many people were newly assigned."""
    rule = (
        AudienceRule.objects.select_for_update(of=("self",))
        .select_related("module", "force")
        .get(pk=rule.pk)
    )
    if not is_trainer_of(actor, rule.force):
        raise ValidationError("Only a training administrator of this force can do that.")
    if not 1 <= within_days <= MAX_DUE_DAYS:
        raise ValidationError(f"The number of days must be between 1 and {MAX_DUE_DAYS}.")
    rule.within_days = within_days
    rule.active = active
    rule.save(update_fields=["within_days", "active"])
    return rule, (rules_apply(force=rule.force) if active else 0)


# --- a new version that must be completed again ---------------------------------------------


@transaction.atomic
def recompletion_assign(*, version: ModuleVersion, now: datetime.datetime | None = None) -> int:
    """Assign a published version marked "requires re-completion" to everyone whose latest
    completion of the module is of an earlier version, due in RECOMPLETION_DUE_DAYS. Once per
    version: the version is claimed first (`recompletion_assigned_at`), and the partial unique
    constraint allows each person one NEW_VERSION assignment of it. People with open work on
    the module keep it (completing it now means completing this version). Returns how many
    were assigned."""
    now = now or timezone.now()
    won = ModuleVersion.objects.filter(
        pk=version.pk,
        status=VersionStatus.PUBLISHED,
        requires_recompletion=True,
        recompletion_assigned_at__isnull=True,
    ).update(recompletion_assigned_at=now)
    if not won:
        return 0
    version = ModuleVersion.objects.select_related("module").get(pk=version.pk)
    module = version.module
    due_on = _today(now) + datetime.timedelta(days=RECOMPLETION_DUE_DAYS)
    earlier = (
        Completion.objects.filter(module=module, version__number__lt=version.number)
        .filter(_is_latest_completion(), person__is_active=True)
        .exclude(_open_work_on_module())
        .select_related("person", "force")
    )
    new: list[Assignment] = []
    for completion in earlier.iterator(chunk_size=BATCH_SIZE):
        person = completion.person
        force = learner_force(person) or completion.force
        if force is None:
            continue  # nobody's force to count it in (they no longer belong to one)
        new.append(
            _new_assignment(
                person_id=person.pk,
                module=module,
                force_id=force.pk,
                audience=audience_for(person, module, force),
                source=AssignmentSource.NEW_VERSION,
                due_on=due_on,
                now=now,
                version=version,
            )
        )
    return _insert(new)
