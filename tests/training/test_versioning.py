"""Acceptance 4: completing v1 and then publishing v2 keeps the v1 history, and the compliance
figures apply the refresh rule to the version each person actually completed.

Through the real services: `assignment_create`, `completion_record`, `version_new` and
`version_publish` (which calls `recompletion_assign`)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from tests.factories import force, make_person
from tests.training.factories import ModuleFactory
from training.compliance import compliance_rows
from training.models import Assignment, AssignmentSource, Audience, Completion, VersionStatus
from training.services.assigning import assignment_create, recompletion_assign
from training.services.authoring import version_new, version_publish
from training.services.learning import completion_record

pytestmark = pytest.mark.django_db


def on(day: date):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC), tick=False
    )


def figures(module) -> tuple[int, int, int, int]:
    """(assigned, completed, overdue, expiring) for the module in West Yorkshire."""
    rows = [row for row in compliance_rows(force()) if row.module_slug == module.slug]
    assert len(rows) == 1
    row = rows[0]
    return row.assigned, row.completed, row.overdue, row.expiring


def publish_next(module, admin, *, requires_recompletion: bool):
    draft = version_new(actor=admin, module=module)
    return version_publish(actor=admin, version=draft, requires_recompletion=requires_recompletion)


@pytest.fixture
def story(officer, platform_admin):
    """The officer is assigned the footprint module (12-month refresh) and completes version 1
    on 10 July 2025: it lasts until 10 July 2026."""
    with on(date(2025, 7, 1)):
        module = ModuleFactory(slug="footprint", refresh_months=12)
        v1 = module.published_version()
        assignment_create(
            person=officer,
            module=module,
            force=force(),
            audience=Audience.FRONTLINE,
            source=AssignmentSource.MANUAL,
            due_on=date(2025, 8, 1),
        )
    with on(date(2025, 7, 10)):
        first = completion_record(person=officer, version=v1)
    return {"module": module, "v1": v1, "first": first, "admin": platform_admin}


def test_publishing_v2_keeps_the_v1_completion_and_its_own_expiry(officer, story):
    module = story["module"]
    with on(date(2026, 2, 1)):
        v2 = publish_next(module, story["admin"], requires_recompletion=False)

        first = Completion.objects.get(pk=story["first"].pk)
        assert first.version == story["v1"]
        assert first.expires_on == date(2026, 7, 10)
        story["v1"].refresh_from_db()
        assert story["v1"].status == VersionStatus.RETIRED
        assert v2.status == VersionStatus.PUBLISHED
        # No one is asked to complete v2: the officer counts as completed, with v1.
        assert not Assignment.objects.filter(source=AssignmentSource.NEW_VERSION).exists()
        assert figures(module) == (1, 1, 0, 0)

    # 20 June 2026: v1's own expiry (10 July) is within 30 days. Were the expiry taken from
    # v2's publication (1 February 2026 + 12 months), it would not be.
    with on(date(2026, 6, 20)):
        assert figures(module) == (1, 1, 0, 1)

    # 11 July 2026: v1's completion has run out; v2 did not extend it.
    with on(date(2026, 7, 11)):
        assert figures(module) == (1, 0, 0, 0)


def test_v3_requiring_recompletion_is_assigned_once_and_counts_as_not_completed(officer, story):
    module = story["module"]
    with on(date(2026, 2, 1)):
        publish_next(module, story["admin"], requires_recompletion=False)
    with on(date(2026, 3, 1)):
        v3 = publish_next(module, story["admin"], requires_recompletion=True)

        new_work = Assignment.objects.filter(person=officer, source=AssignmentSource.NEW_VERSION)
        assert new_work.count() == 1
        assert new_work.get().version == v3
        assert recompletion_assign(version=v3) == 0  # once: a second call assigns nobody
        assert new_work.count() == 1
        # The new version's work is the officer's current work: assigned, not completed,
        # although their v1 completion is still in date.
        assert figures(module) == (1, 0, 0, 0)
        assert Completion.objects.get(person=officer).expires_on == date(2026, 7, 10)

    with on(date(2026, 4, 2)):
        third = completion_record(person=officer, version=v3)
        # Both completions are kept as history; the new one lasts 12 months from its own day.
        assert list(
            Completion.objects.filter(person=officer)
            .order_by("completed_at")
            .values_list("version__number", "expires_on")
        ) == [(1, date(2026, 7, 10)), (3, date(2027, 4, 2))]
        assert third.version == v3
        assert figures(module) == (1, 1, 0, 0)

    # 20 June 2026: v1's expiry would be within 30 days, but v3's completion is what counts.
    with on(date(2026, 6, 20)):
        assert figures(module) == (1, 1, 0, 0)


def test_the_new_versions_work_becomes_overdue_when_not_done_in_time(officer, story):
    module = story["module"]
    with on(date(2026, 3, 1)):
        publish_next(module, story["admin"], requires_recompletion=True)
    due = Assignment.objects.get(person=officer, source=AssignmentSource.NEW_VERSION).due_on

    with on(date.fromordinal(due.toordinal() + 1)):
        assert figures(module) == (1, 0, 1, 0)


def test_expiring_follows_the_version_each_person_completed(officer, story):
    """Two people, one module: the officer completed v1 (expires 10 July 2026), a colleague
    completed v2 on 15 February 2026 (expires 15 February 2027). On 20 June 2026 only the
    officer's completion is expiring."""
    module = story["module"]
    colleague = make_person(full_name="Col League")
    with on(date(2026, 2, 1)):
        v2 = publish_next(module, story["admin"], requires_recompletion=False)
        assignment_create(
            person=colleague,
            module=module,
            force=force(),
            audience=Audience.FRONTLINE,
            source=AssignmentSource.MANUAL,
            due_on=date(2026, 3, 1),
        )
    with on(date(2026, 2, 15)):
        completion_record(person=colleague, version=v2)

    with on(date(2026, 6, 20)):
        assert figures(module) == (2, 2, 0, 1)
