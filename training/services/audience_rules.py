"""A force's audience rules: "every new joiner: induction within 30 days of their start date".

A rule gives its module to everyone on the force's roster whose profile holds its audience,
and who has neither open work nor a completion still in date for the module. `rules_apply`
runs when a rule is made or changed, and after a roster import for the people it touched.
Work assigned by a rule is not announced (it may be thousands at once): it shows on the
person's training page, and its reminders follow (`training/services/_shared.py`).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from training.models import (
    WORKFORCE_AUDIENCES,
    Assignment,
    AssignmentSource,
    AudienceRule,
    Completion,
    TrainingProfile,
    in_date,
)
from training.selectors import is_trainer_of
from training.services._shared import (
    BATCH_SIZE,
    MAX_DUE_DAYS,
    insert_assignments,
    new_assignment,
    published,
    refuse_unless_may_assign,
    today_of,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.models import QuerySet

    from harmsportal.people.models import Force, User
    from training.models import Module


def _rule_due(start: datetime.date | None, within_days: int, today: datetime.date):
    due = (start or today) + datetime.timedelta(days=within_days)
    if due < today:  # they started long ago: the days run from today
        due = today + datetime.timedelta(days=within_days)
    return due


def _covered(module_ids: Iterable[int], people: QuerySet, today: datetime.date) -> set:
    """(person id, module id) pairs already covered: open work, or a completion still valid."""
    open_work = (
        Assignment.objects.open()
        .filter(module_id__in=module_ids, person_id__in=people)
        .values_list("person_id", "module_id")
    )
    valid = (
        Completion.objects.filter(module_id__in=module_ids, person_id__in=people)
        .filter(in_date(today))
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
                new_assignment(
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
    return insert_assignments(new)


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
    today = today or today_of(now)
    rules = list(
        AudienceRule.objects.filter(force=force, active=True)
        .filter(published("module"))
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
    refuse_unless_may_assign(actor, force, module)
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
