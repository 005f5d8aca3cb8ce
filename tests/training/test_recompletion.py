"""A new version marked "requires re-completion" is assigned, once, to everyone whose latest
completion of the module is of an earlier version; the earlier completions stay as history."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
import time_machine

from tests.factories import force, make_person
from tests.training.factories import (
    CompletionFactory,
    ModuleFactory,
    TrainingProfileFactory,
    publish_new_version,
)
from training.models import Assignment, AssignmentSource, Audience, Completion
from training.services.assigning import (
    RECOMPLETION_DUE_DAYS,
    assignment_create,
    recompletion_assign,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 10, 5, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def completed_v1(module, person=None, days_ago=100):
    return CompletionFactory(
        person=person or make_person(),
        module=module,
        completed_at=NOW - timedelta(days=days_ago),
    )


def test_everyone_who_completed_an_earlier_version_is_assigned_the_new_one_once():
    module = ModuleFactory(audiences=[Audience.FRONTLINE])
    v1 = module.published_version()
    done_v1 = [completed_v1(module) for _ in range(3)]
    never = make_person()
    v2 = publish_new_version(module, requires_recompletion=True)

    assert recompletion_assign(version=v2) == 3
    assert recompletion_assign(version=v2) == 0

    work = Assignment.objects.filter(module=module)
    assert sorted(a.person_id for a in work) == sorted(c.person_id for c in done_v1)
    for assignment in work:
        assert assignment.source == AssignmentSource.NEW_VERSION
        assert assignment.version == v2
        assert assignment.due_on == NOW.date() + timedelta(days=RECOMPLETION_DUE_DAYS)
        assert assignment.force == force()
    assert not Assignment.objects.filter(person=never).exists()
    v2.refresh_from_db()
    assert v2.recompletion_assigned_at == NOW
    # History stays: the v1 completions are untouched and still point at v1.
    assert (
        list(Completion.objects.filter(module=module).values_list("version", flat=True))
        == [v1.pk] * 3
    )


def test_a_version_that_does_not_require_it_assigns_nothing():
    module = ModuleFactory()
    completed_v1(module)
    v2 = publish_new_version(module, requires_recompletion=False)

    assert recompletion_assign(version=v2) == 0
    assert not Assignment.objects.exists()
    v2.refresh_from_db()
    assert v2.recompletion_assigned_at is None


def test_a_draft_is_not_assigned_until_it_is_published():
    module = ModuleFactory()
    completed_v1(module)
    draft = publish_new_version(module, requires_recompletion=True, status="draft")
    module.versions.filter(number=1).update(status="published")

    assert recompletion_assign(version=draft) == 0


def test_only_each_persons_latest_completion_counts():
    module = ModuleFactory()
    person = make_person()
    completed_v1(module, person, days_ago=400)
    v2 = publish_new_version(module, requires_recompletion=True)
    recompletion_assign(version=v2)
    (first,) = Assignment.objects.filter(person=person)
    # They complete v2; later v3 also requires re-completion.
    v2_done = CompletionFactory(person=person, module=module, version=v2)
    Assignment.objects.filter(pk=first.pk).update(completion=v2_done, completed_at=NOW)
    other = completed_v1(module).person
    v3 = publish_new_version(module, requires_recompletion=True)

    assert recompletion_assign(version=v3) == 2
    assert Assignment.objects.filter(version=v3).count() == 2
    assert Assignment.objects.filter(person=other).count() == 1


def test_someone_with_open_work_on_the_module_keeps_it():
    module = ModuleFactory()
    person = make_person()
    completed_v1(module, person, days_ago=400)
    due = NOW.date() + timedelta(days=10)
    refresher = assignment_create(
        person=person,
        module=module,
        force=force(),
        audience=Audience.FRONTLINE,
        source=AssignmentSource.REFRESHER,
        due_on=due,
    )
    v2 = publish_new_version(module, requires_recompletion=True)

    assert recompletion_assign(version=v2) == 0
    assert list(Assignment.objects.filter(person=person)) == [refresher]


def test_people_who_left_are_not_assigned_and_the_roster_audience_is_used():
    module = ModuleFactory(audiences=[Audience.FRONTLINE, Audience.SPECIALIST])
    gone = completed_v1(module).person
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    specialist = completed_v1(module).person
    TrainingProfileFactory(person=specialist, audiences=[Audience.SPECIALIST])
    v2 = publish_new_version(module, requires_recompletion=True)

    assert recompletion_assign(version=v2) == 1
    (work,) = Assignment.objects.all()
    assert (work.person, work.audience) == (specialist, Audience.SPECIALIST)


def test_the_database_allows_each_person_one_assignment_of_a_version_to_redo():
    module = ModuleFactory()
    person = completed_v1(module).person
    v2 = publish_new_version(module, requires_recompletion=True)
    recompletion_assign(version=v2)
    work = Assignment.objects.get(person=person)
    Assignment.objects.filter(pk=work.pk).update(cancelled_at=NOW)  # closed, so not open work

    again = assignment_create(
        person=person,
        module=module,
        force=force(),
        audience=Audience.FRONTLINE,
        source=AssignmentSource.NEW_VERSION,
        version=v2,
        due_on=NOW.date() + timedelta(days=60),
    )

    assert again is None
    assert Assignment.objects.filter(person=person).count() == 1
