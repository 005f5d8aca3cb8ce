"""Whose training a force counts, and the one meaning of "expired".

A family account's refresher and a new version's re-completion are their own work, on their own
training page; no trainer, manager or figure of a force counts or names them. A closed account
has left: it is no longer overdue anywhere. And a completion runs out ON its expiry date, for
the learner's page, the compliance figures, the team page, the certificate check, the sweep
and the learner's own "complete it again".
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from harmsportal.people.models import User
from tests.factories import force, make_person
from tests.training.factories import (
    AssignmentFactory,
    CompletionFactory,
    FamilyModuleFactory,
    ModuleFactory,
    TrainingProfileFactory,
    publish_new_version,
)
from training.compliance import compliance_rows, current_work, overdue_work, team_members
from training.figures import disclosed_figures
from training.models import Assignment, AssignmentSource, AudienceRule, Completion
from training.selectors import team_profiles
from training.services.assigning import recompletion_assign
from training.services.audience_rules import rules_apply
from training.services.learning import _valid_completion
from training.services.sweep import REFRESHER_DUE_DAYS, training_sweep

pytestmark = pytest.mark.django_db

COMPLETED = date(2025, 6, 20)
EXPIRES = date(2026, 6, 20)  # 12 months on


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def csv_text(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8-sig")


def _trainer_sees_nobody_named(client, trainer, person: User) -> None:
    """Neither the compliance page, its overdue list nor either download names `person`."""
    client.force_login(trainer)
    page = text(client.get("/training/compliance/"))
    overdue = csv_text(
        client.get("/training/compliance/export/", {"format": "csv", "list": "overdue"})
    )
    for shown in (page, overdue):
        assert person.full_name not in shown
        assert person.email not in shown


# --- family accounts ---------------------------------------------------------------------------


def test_a_family_refresher_is_their_own_work_and_never_in_the_forces_compliance(
    client, trainer, family_member
):
    module = FamilyModuleFactory(title="Keeping your family safe online")
    with time_machine.travel(at(COMPLETED), tick=False):
        CompletionFactory(person=family_member, module=module)
    with time_machine.travel(at(EXPIRES), tick=False):
        training_sweep()
    (refresher,) = Assignment.objects.filter(person=family_member)
    assert refresher.source == AssignmentSource.REFRESHER
    assert refresher.force == force()  # the member's force, as the learner's own force

    overdue_day = EXPIRES + timedelta(days=REFRESHER_DUE_DAYS + 1)
    with time_machine.travel(at(overdue_day), tick=False):
        # On their own page, it is there to do, and overdue.
        client.force_login(family_member)
        assert module.title in text(client.get("/training/"))
        assert "Overdue" in text(client.get("/training/"))
        # In the force, nobody counts or names it.
        assert not current_work([force().pk]).filter(person=family_member).exists()
        assert compliance_rows(force()) == []
        assert not overdue_work(force()).exists()
        assert disclosed_figures([force().pk]) == []
        _trainer_sees_nobody_named(client, trainer, family_member)


def test_a_family_accounts_new_version_to_complete_again_is_not_counted(client, trainer):
    family = make_person(kind=User.Kind.FAMILY, full_name="Pat Family")
    officer = make_person(full_name="Ola Officer")
    module = FamilyModuleFactory(audiences=["frontline", "family"])
    with time_machine.travel(at(COMPLETED), tick=False):
        for person in (family, officer):
            CompletionFactory(person=person, module=module, force=force())
        version = publish_new_version(module, requires_recompletion=True)
        assert recompletion_assign(version=version) == 2  # both have it to do

    with time_machine.travel(at(COMPLETED + timedelta(days=61)), tick=False):
        assert [work.person for work in overdue_work(force())] == [officer]
        (row,) = compliance_rows(force())
        assert (row.assigned, row.overdue) == (1, 1)
        _trainer_sees_nobody_named(client, trainer, family)


# --- leavers --------------------------------------------------------------------------------


def test_a_closed_account_is_no_longer_overdue_or_counted(client, trainer):
    module = ModuleFactory(title="Your online footprint")
    leaver = make_person(full_name="Lee Leaver")
    stayer = make_person(full_name="Sta Yer")
    manager = make_person(full_name="Morgan Manager")
    with time_machine.travel(at(date(2026, 5, 1)), tick=False):
        for person in (leaver, stayer):
            AssignmentFactory(person=person, module=module, due_on=date(2026, 5, 10))
            TrainingProfileFactory(person=person, line_manager=manager)
    User.objects.filter(pk=leaver.pk).update(is_active=False)

    with time_machine.travel(at(date(2026, 6, 1)), tick=False):
        assert [work.person for work in overdue_work(force())] == [stayer]
        (row,) = compliance_rows(force())
        assert (row.assigned, row.overdue) == (1, 1)
        members = team_members(team_profiles(manager))
        assert [member.name for member in members] == ["Sta Yer"]
        _trainer_sees_nobody_named(client, trainer, leaver)


# --- the one meaning of "expired" ---------------------------------------------------------------


def _statuses(client, learner, manager, trainer, completion) -> dict[str, object]:
    """What each page and rule says of `completion` today."""
    client.force_login(learner)
    home = text(client.get("/training/"))
    row = home.split(f'data-module-slug="{completion.module.slug}"')[1].split("</tr>")[0]
    client.force_login(trainer)
    verify = text(
        client.get("/training/manage/verify/", {"code": completion.verification_code})
    ).split('id="verify-details"')[1]
    (counts,) = compliance_rows(force())
    (member,) = team_members(team_profiles(manager))
    return {
        "learner page": "Expired" in row,
        "compliance": counts.completed == 0,
        "team page": member.work[0].status == "expired",
        "certificate check": "Expired" in re.sub(r"<[^>]+>", " ", verify),
        "learner can repeat": _valid_completion(learner, completion.version) is None,
    }


def test_every_page_and_rule_agrees_a_completion_runs_out_on_its_expiry_date(client, trainer):
    learner = make_person(full_name="Sam Learner")
    manager = make_person(full_name="Morgan Manager")
    TrainingProfileFactory(person=learner, line_manager=manager)
    module = ModuleFactory(title="Your online footprint")
    with time_machine.travel(at(COMPLETED), tick=False):
        completion = CompletionFactory(person=learner, module=module)
        AssignmentFactory(
            person=learner,
            module=module,
            due_on=COMPLETED + timedelta(days=5),
            completion=completion,
            completed_at=completion.completed_at,
        )
    assert completion.expires_on == EXPIRES

    with time_machine.travel(at(EXPIRES - timedelta(days=1), 12), tick=False):
        assert not any(_statuses(client, learner, manager, trainer, completion).values())
        assert training_sweep()["refreshers"] == 0
        assert Completion.objects.get(pk=completion.pk).has_expired is False

    with time_machine.travel(at(EXPIRES, 12), tick=False):
        assert all(_statuses(client, learner, manager, trainer, completion).values())
        assert Completion.objects.get(pk=completion.pk).has_expired is True
        assert training_sweep()["refreshers"] == 1


def test_an_audience_rule_gives_the_module_again_on_the_day_it_runs_out():
    module = ModuleFactory(audiences=["induction"])
    person = make_person()
    TrainingProfileFactory(person=person, audiences=["induction"])
    with time_machine.travel(at(COMPLETED), tick=False):
        CompletionFactory(person=person, module=module)
    AudienceRule.objects.create(force=force(), audience="induction", module=module, within_days=7)

    assert rules_apply(force=force(), today=EXPIRES - timedelta(days=1)) == 0
    assert rules_apply(force=force(), today=EXPIRES) == 1
