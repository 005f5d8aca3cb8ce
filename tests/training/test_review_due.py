"""A module past its review date is flagged to the training admins who own it, once per review
date: a force's module to that force's training admins, a national one to platform admins."""

from __future__ import annotations

import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from harmsportal.notifications.models import Notification
from harmsportal.people.models import Role
from tests.factories import force, make_person
from tests.training.factories import ForceModuleFactory, ModuleFactory
from training.models import Module, VersionStatus
from training.services.sweep import training_sweep

pytestmark = pytest.mark.django_db

REVIEW_DUE = datetime.date(2031, 3, 10)


def sweep_on(day: datetime.date, hour: int = 9) -> dict[str, int]:
    moment = datetime.datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(moment, tick=False):
        return training_sweep()


def flags_for(module: Module):
    return Notification.objects.filter(link_path=f"/training/manage/modules/{module.public_id}/")


def test_a_force_module_past_review_is_flagged_once_to_that_forces_training_admins(trainer):
    module = ForceModuleFactory(title="Our local guidance", review_due=REVIEW_DUE)
    second_trainer = make_person(Role.TRAINING_ADMIN)
    make_person(Role.TRAINING_ADMIN, force_slug="north-yorkshire")
    make_person(Role.PLATFORM_ADMIN)
    make_person(Role.TRAINING_ADMIN, professional_standards=True)

    sweep_on(REVIEW_DUE)  # due for review today: not yet past it
    assert not flags_for(module).exists()
    for day in range(1, 6):
        for hour in (0, 9, 17):
            sweep_on(REVIEW_DUE + timedelta(days=day), hour)

    flags = flags_for(module)
    assert sorted(flags.values_list("user", flat=True)) == sorted([trainer.pk, second_trainer.pk])
    for flag in flags:
        assert flag.kind == Notification.Kind.ALERT
        assert flag.title == (
            "Our local guidance was due for review on 10 March 2031: check it is still right"
        )
    module.refresh_from_db()
    assert module.review_flagged_for == REVIEW_DUE


def test_a_national_module_is_flagged_to_platform_admins(trainer, platform_admin):
    module = ModuleFactory(review_due=REVIEW_DUE)

    sweep_on(REVIEW_DUE + timedelta(days=1))
    sweep_on(REVIEW_DUE + timedelta(days=2))

    assert list(flags_for(module).values_list("user", flat=True)) == [platform_admin.pk]


def test_a_new_review_date_is_flagged_again_once_it_passes(trainer):
    module = ForceModuleFactory(review_due=REVIEW_DUE)
    sweep_on(REVIEW_DUE + timedelta(days=1))
    # Reviewed: the next review is due in a year.
    next_review = REVIEW_DUE + timedelta(days=365)
    Module.objects.filter(pk=module.pk).update(review_due=next_review)

    sweep_on(REVIEW_DUE + timedelta(days=30))
    assert flags_for(module).count() == 1
    sweep_on(next_review + timedelta(days=1))
    sweep_on(next_review + timedelta(days=2))

    assert flags_for(module).count() == 2


def test_a_retired_module_is_not_flagged(trainer):
    module = ForceModuleFactory(review_due=REVIEW_DUE)
    module.versions.update(status=VersionStatus.RETIRED)

    sweep_on(REVIEW_DUE + timedelta(days=1))

    assert not flags_for(module).exists()
    module.refresh_from_db()
    assert module.review_flagged_for is None


def test_the_sweep_counts_each_module_flagged(trainer):
    ForceModuleFactory(review_due=REVIEW_DUE)
    ForceModuleFactory(review_due=REVIEW_DUE, owner_force=force("north-yorkshire"))

    first = sweep_on(REVIEW_DUE + timedelta(days=1))
    again = sweep_on(REVIEW_DUE + timedelta(days=1), hour=10)

    # North Yorkshire has no training admin here: its module is flagged to nobody, still once.
    assert first["review_flags"] == 1
    assert again["review_flags"] == 0
    assert Module.objects.filter(review_flagged_for=REVIEW_DUE).count() == 2
