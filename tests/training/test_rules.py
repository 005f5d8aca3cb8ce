"""Audience rules: everyone on a force's roster with the rule's audience is assigned its module,
due within the rule's days of their start date, once (a second run makes nothing)."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from harmsportal.notifications.models import Notification
from tests.factories import force, make_person
from tests.training.factories import (
    CompletionFactory,
    ExpiredCompletionFactory,
    ForceModuleFactory,
    ModuleFactory,
    TrainingProfileFactory,
)
from training.models import Assignment, AssignmentSource, Audience, AudienceRule, VersionStatus
from training.services._shared import insert_assignments, new_assignment
from training.services.audience_rules import rule_create, rule_update, rules_apply

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 9, 14)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime.datetime(2026, 9, 14, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


def rule(module, audience=Audience.INDUCTION, within_days=30, where="west-yorkshire", **fields):
    return AudienceRule.objects.create(
        force=force(where), audience=audience, module=module, within_days=within_days, **fields
    )


def joiner(start: datetime.date | None, audiences=(Audience.INDUCTION,), where="west-yorkshire"):
    return TrainingProfileFactory(
        person=make_person(force_slug=where),
        force=force(where),
        audiences=list(audiences),
        start_date=start,
    )


def work_of(profile):
    return list(Assignment.objects.filter(person=profile.person))


def test_every_new_joiner_gets_induction_within_30_days_of_their_start_date():
    module = ModuleFactory(audiences=[Audience.INDUCTION])
    every_joiner = rule(module, within_days=30)
    starts_next_week = joiner(TODAY + timedelta(days=7))
    started_last_week = joiner(TODAY - timedelta(days=7))

    assert rules_apply(force=force()) == 2

    (first,) = work_of(starts_next_week)
    assert first.due_on == TODAY + timedelta(days=37)
    assert (first.source, first.rule, first.audience) == (
        AssignmentSource.RULE,
        every_joiner,
        Audience.INDUCTION,
    )
    assert first.force == force()
    (second,) = work_of(started_last_week)
    assert second.due_on == TODAY + timedelta(days=23)
    assert second.reminded_30_at is not None  # assigned 23 days ahead: only 7 and 1 to come
    assert second.reminded_7_at is None


def test_someone_who_started_long_ago_or_has_no_start_date_gets_the_days_from_today():
    module = ModuleFactory(audiences=[Audience.INDUCTION])
    rule(module, within_days=30)
    long_ago = joiner(TODAY - timedelta(days=400))
    no_date = joiner(None)

    rules_apply(force=force())

    assert [a.due_on for a in work_of(long_ago)] == [TODAY + timedelta(days=30)]
    assert [a.due_on for a in work_of(no_date)] == [TODAY + timedelta(days=30)]


def test_a_second_run_assigns_nothing():
    module = ModuleFactory(audiences=[Audience.INDUCTION])
    rule(module)
    for _ in range(3):
        joiner(TODAY)

    assert rules_apply(force=force()) == 3
    assert rules_apply(force=force()) == 0
    assert rules_apply(force=force(), person_ids=[]) == 0
    assert Assignment.objects.count() == 3


def test_only_people_with_the_rules_audience_in_the_rules_force_are_assigned():
    module = ModuleFactory(audiences=[Audience.INDUCTION])
    rule(module)
    frontline_only = joiner(TODAY, audiences=[Audience.FRONTLINE])
    elsewhere = joiner(TODAY, where="north-yorkshire")
    no_profile = make_person()

    assert rules_apply(force=force()) == 0
    assert work_of(frontline_only) == work_of(elsewhere) == []
    assert not Assignment.objects.filter(person=no_profile).exists()


def test_open_work_and_a_valid_completion_count_and_an_expired_one_does_not():
    module = ModuleFactory(audiences=[Audience.INDUCTION])
    rule(module)
    busy = joiner(TODAY)
    Assignment.objects.create(
        person=busy.person,
        module=module,
        force=force(),
        audience=Audience.INDUCTION,
        source=AssignmentSource.MANUAL,
        due_on=TODAY + timedelta(days=90),
    )
    done = joiner(TODAY)
    CompletionFactory(person=done.person, module=module)
    lapsed = joiner(TODAY)
    ExpiredCompletionFactory(person=lapsed.person, module=module)

    assert rules_apply(force=force()) == 1

    assert [a.due_on for a in work_of(busy)] == [TODAY + timedelta(days=90)]  # unchanged
    assert work_of(done) == []
    assert len(work_of(lapsed)) == 1


def test_two_rules_giving_the_same_module_assign_it_once():
    module = ModuleFactory(audiences=[Audience.INDUCTION, Audience.FRONTLINE])
    first = rule(module, Audience.INDUCTION, within_days=30)
    rule(module, Audience.FRONTLINE, within_days=90)
    both = joiner(TODAY, audiences=[Audience.FRONTLINE, Audience.INDUCTION])

    assert rules_apply(force=force()) == 1

    (only,) = work_of(both)
    assert (only.rule, only.due_on) == (first, TODAY + timedelta(days=30))


def test_stopped_rules_and_modules_without_a_published_version_assign_nothing():
    stopped = ModuleFactory(audiences=[Audience.INDUCTION])
    rule(stopped, active=False)
    retired = ModuleFactory(audiences=[Audience.INDUCTION])
    retired.versions.update(status=VersionStatus.RETIRED)
    rule(retired)
    joiner(TODAY)

    assert rules_apply(force=force()) == 0


def test_a_roster_import_applies_the_rules_to_the_people_it_names_only():
    module = ModuleFactory(audiences=[Audience.INDUCTION])
    rule(module)
    named = [joiner(TODAY) for _ in range(3)]
    not_named = joiner(TODAY)

    assert rules_apply(force=force(), person_ids=[p.person_id for p in named]) == 3
    assert work_of(not_named) == []


def test_a_large_list_of_people_is_taken_in_batches(monkeypatch):
    monkeypatch.setattr("training.services.audience_rules.BATCH_SIZE", 2)
    module = ModuleFactory(audiences=[Audience.INDUCTION])
    rule(module)
    named = [joiner(TODAY) for _ in range(5)]

    assert rules_apply(force=force(), person_ids=[p.person_id for p in named]) == 5
    assert rules_apply(force=force(), person_ids=[p.person_id for p in named]) == 0


def test_work_someone_else_assigned_meanwhile_is_skipped_not_an_error():
    module = ModuleFactory(audiences=[Audience.INDUCTION])
    person = make_person()
    made = new_assignment(
        person_id=person.pk,
        module=module,
        force_id=force().pk,
        audience=Audience.INDUCTION,
        source=AssignmentSource.RULE,
        due_on=TODAY + timedelta(days=30),
        now=datetime.datetime(2026, 9, 14, 9, 0, tzinfo=datetime.UTC),
    )
    Assignment.objects.create(
        person=person,
        module=module,
        force=force(),
        audience=Audience.INDUCTION,
        source=AssignmentSource.MANUAL,
        due_on=TODAY + timedelta(days=10),
    )

    assert insert_assignments([made]) == 0  # the open-work constraint refused it quietly

    assert Assignment.objects.filter(person=person).count() == 1


def test_rules_assign_without_telling_anyone_at_once():
    module = ModuleFactory(audiences=[Audience.INDUCTION])
    rule(module)
    joiner(TODAY)
    rules_apply(force=force())
    assert not Notification.objects.exists()  # their page shows it; reminders follow


# --- adding and changing a rule -------------------------------------------------------------


def test_adding_a_rule_applies_it_at_once(trainer):
    module = ForceModuleFactory(audiences=[Audience.FRONTLINE])
    people = [joiner(TODAY, audiences=[Audience.FRONTLINE]) for _ in range(2)]

    made, assigned = rule_create(
        actor=trainer, force=force(), module=module, audience=Audience.FRONTLINE, within_days=60
    )

    assert assigned == 2
    assert made.created_by == trainer
    for profile in people:
        assert [a.due_on for a in work_of(profile)] == [TODAY + timedelta(days=60)]


def test_a_second_rule_for_the_same_audience_and_module_is_refused(trainer):
    module = ModuleFactory(audiences=[Audience.FRONTLINE])
    rule(module, Audience.FRONTLINE, active=False)

    with pytest.raises(ValidationError, match="already a rule"):
        rule_create(
            actor=trainer, force=force(), module=module, audience=Audience.FRONTLINE, within_days=9
        )


@pytest.mark.parametrize(
    ("where", "audience", "message"),
    [
        ("north-yorkshire", Audience.FRONTLINE, "Only a training administrator"),
        ("west-yorkshire", Audience.FAMILY, "Select who the rule is for"),
    ],
)
def test_rules_only_for_the_trainers_force_and_its_workforce(trainer, where, audience, message):
    module = ModuleFactory()
    with pytest.raises(ValidationError, match=message):
        rule_create(
            actor=trainer, force=force(where), module=module, audience=audience, within_days=9
        )
    assert not AudienceRule.objects.exists()


def test_another_forces_module_cannot_be_ruled(trainer):
    theirs = ForceModuleFactory(owner_force=force("north-yorkshire"))
    with pytest.raises(ValidationError, match="Select a module your force uses"):
        rule_create(
            actor=trainer, force=force(), module=theirs, audience=Audience.FRONTLINE, within_days=9
        )


def test_stopping_a_rule_keeps_what_it_assigned_and_restarting_it_covers_newcomers(trainer):
    module = ModuleFactory(audiences=[Audience.FRONTLINE])
    made, _ = rule_create(
        actor=trainer, force=force(), module=module, audience=Audience.FRONTLINE, within_days=30
    )
    first = joiner(TODAY, audiences=[Audience.FRONTLINE])
    rules_apply(force=force())

    rule_update(actor=trainer, rule=made, within_days=45, active=False)
    newcomer = joiner(TODAY, audiences=[Audience.FRONTLINE])
    assert rules_apply(force=force()) == 0
    assert [a.due_on for a in work_of(first)] == [TODAY + timedelta(days=30)]

    _, assigned = rule_update(actor=trainer, rule=made, within_days=45, active=True)

    assert assigned == 1
    assert [a.due_on for a in work_of(newcomer)] == [TODAY + timedelta(days=45)]
    assert [a.due_on for a in work_of(first)] == [TODAY + timedelta(days=30)]
