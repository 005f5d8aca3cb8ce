"""Who must complete what, by when: work assigned by hand, and a new version that must be
completed again.

Audience rules are in `training/services/audience_rules.py`, and the beat's sweep (reminders,
refreshers on expiry, review-due flags) in `training/services/sweep.py`. The reminder rules
they share, and how each reminder is sent once, are described in `training/services/_shared.py`.

Work is counted in the figures of the force that set it, for its active workforce only
(`training.models.COUNTED_PERSON`): a family account's refresher or re-completion is their own
work, shown on their own training page, and no trainer or manager lists it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from harmsportal.templatetags.govuk_time import govuk_date
from training.models import (
    Assignment,
    AssignmentSource,
    Completion,
    ModuleVersion,
    TrainingProfile,
    VersionStatus,
)
from training.selectors import learner_force, people_of_force
from training.services._shared import (
    BATCH_SIZE,
    MAX_DUE_DAYS,
    announce,
    insert_assignments,
    is_latest_completion,
    new_assignment,
    open_work_on_module,
    refuse_unless_may_assign,
    today_of,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from harmsportal.people.models import Force, User
    from training.models import AudienceRule, Module

# Days a learner has to complete a new version that must be completed again (a constant, not
# a setting: it is part of what "requires re-completion" promises the publisher).
RECOMPLETION_DUE_DAYS = 60


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
    return Assignment.objects.open().filter(person=person, module=module).exists()


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
    assignment = new_assignment(
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


@dataclass(frozen=True)
class HandOut:
    """What assigning by hand did: who got the module, and who already had it to do."""

    assigned: list[Assignment]
    already: list[User]


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
    refuse_unless_may_assign(actor, force, module)
    today = today_of(now)
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
        announce(assignment, title=title, now=now)
        assigned.append(assignment)
    return HandOut(assigned=assigned, already=already)


# --- a new version that must be completed again ---------------------------------------------


def _recompleters(version: ModuleVersion):
    """The latest completions, of an earlier version, of active people with no open work on
    the module: whom `version` is assigned to when it must be completed again."""
    return (
        Completion.objects.filter(module_id=version.module_id, version__number__lt=version.number)
        .filter(is_latest_completion(), person__is_active=True)
        .exclude(open_work_on_module())
    )


def recompletion_due_on(now: datetime.datetime | None = None) -> datetime.date:
    """When work on a version that must be completed again, assigned now, is due."""
    return today_of(now or timezone.now()) + datetime.timedelta(days=RECOMPLETION_DUE_DAYS)


def recompletion_count(*, version: ModuleVersion) -> int:
    """How many people `recompletion_assign` would give `version` to now (for the publisher
    to read before choosing). One query, whatever the number of people."""
    return _recompleters(version).count()


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
    due_on = recompletion_due_on(now)
    earlier = _recompleters(version).select_related("person", "force")
    new: list[Assignment] = []
    for completion in earlier.iterator(chunk_size=BATCH_SIZE):
        person = completion.person
        force = learner_force(person) or completion.force
        if force is None:
            continue  # nobody's force to count it in (they no longer belong to one)
        new.append(
            new_assignment(
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
    return insert_assignments(new)
