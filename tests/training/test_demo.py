"""The demo's training: rules and a roster with line managers for the demo trainer, the demo
accounts' work in every state, colleagues whose figures are large enough to show, nobody new
able to sign in, and seeding twice adds nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from harmsportal.disclosure import Withheld
from harmsportal.notifications.models import Notification
from harmsportal.people.demo import ACCOUNTS, DEMO_DOMAIN, seed_accounts
from harmsportal.people.models import Force, User
from reports import demo as reports_demo
from tests.factories import enrol_totp
from training import demo as training_demo
from training.compliance import compliance_rows
from training.demo import roster as demo_roster
from training.figures import disclosed_figures
from training.models import (
    Assignment,
    AudienceRule,
    Completion,
    Feedback,
    TrainingProfile,
)
from training.selectors import team_profiles
from triage import demo as triage_demo

pytestmark = pytest.mark.django_db


def _seed() -> dict[str, User]:
    accounts = seed_accounts("demo-harms-portal-2026")
    training_demo.seed(accounts)
    return accounts


def _state() -> tuple:
    return (
        sorted(
            TrainingProfile.objects.values_list(
                "person_id", "force_id", "line_manager_id", "start_date"
            )
        ),
        sorted(
            Assignment.objects.values_list(
                "person_id", "module_id", "due_on", "source", "completion_id"
            )
        ),
        sorted(Completion.objects.values_list("person_id", "module_id", "expires_on")),
        Feedback.objects.count(),
        AudienceRule.objects.count(),
        User.objects.count(),
        Notification.objects.count(),
    )


def _wyp() -> Force:
    return Force.objects.get(slug="west-yorkshire")


def test_seeding_twice_changes_nothing():
    _seed()
    first = _state()
    _seed()

    assert _state() == first
    assert Assignment.objects.count() > 60


def test_the_trainers_force_has_rules_and_a_roster_with_line_managers_and_teams():
    accounts = _seed()

    rules = AudienceRule.objects.filter(force=_wyp(), active=True)
    assert {rule.audience for rule in rules} == {
        "induction",
        "frontline",
        "specialist",
        "line_manager",
        "leadership",
    }
    assert rules.get(audience="induction").within_days == 30
    lead_team = {p.person for p in team_profiles(accounts["lead"])}
    assert {accounts[key] for key in ("officer", "staff", "supervisor", "champion")} <= lead_team
    assert len(lead_team) >= 8
    supervisor_team = {p.person for p in team_profiles(accounts["supervisor"])}
    assert accounts["triage"] in supervisor_team
    assert len(supervisor_team) >= 3
    # Colleagues manage colleagues too: the roster is a force's, not only the demo accounts'.
    managers = set(
        TrainingProfile.objects.filter(force=_wyp(), line_manager__isnull=False).values_list(
            "line_manager__email", flat=True
        )
    )
    assert len(managers) >= 5


def test_the_demo_accounts_have_work_done_due_overdue_and_expiring():
    accounts = _seed()
    today = timezone.localdate()

    officer = accounts["officer"]
    expiring = Completion.objects.get(person=officer, module__slug=demo_roster.FRONTLINE)
    assert today < expiring.expires_on <= today + timedelta(days=30)
    assert Feedback.objects.filter(completion=expiring).exists()
    overdue = Assignment.objects.get(person=officer, module__slug=demo_roster.FOOTPRINT)
    assert overdue.is_overdue(today)
    assert overdue.source == "manual"  # the trainer asked: the officer is not a new joiner
    staff = Assignment.objects.get(person=accounts["staff"], module__slug=demo_roster.FOOTPRINT)
    assert staff.is_open
    assert not staff.is_overdue(today)
    assert staff.source == "rule"
    family = Assignment.objects.get(person=accounts["family"])
    assert family.module.slug == demo_roster.FAMILY
    assert family.audience == "family"
    assert family.is_open
    # Done with feedback, by more than one demo account.
    with_feedback = Feedback.objects.filter(
        completion__person__email__in=[a.email for a in ACCOUNTS]
    )
    assert with_feedback.values("completion__person").distinct().count() >= 4


def test_the_compliance_figures_are_real_and_the_frontline_row_is_not_withheld():
    _seed()

    rows = {row.module_slug: row for row in compliance_rows(_wyp(), audience="frontline")}
    frontline = rows[demo_roster.FRONTLINE]
    assert frontline.assigned >= 40
    assert frontline.completed >= 20
    assert frontline.overdue >= 5
    assert frontline.expiring >= 5
    (shown,) = [
        row
        for row in disclosed_figures([_wyp().pk], audience="frontline")
        if row.module_slug == demo_roster.FRONTLINE
    ]
    figures = [shown.assigned, shown.completed, shown.overdue, shown.expiring]
    assert not any(isinstance(figure, Withheld) for figure in figures)
    # Smaller rows exist too, and are withheld where they are small.
    assert len(compliance_rows(_wyp())) >= 5


def test_the_demos_colleagues_cannot_sign_in():
    _seed()

    colleagues = User.objects.filter(email__startswith="training-", email__endswith=DEMO_DOMAIN)
    assert colleagues.count() >= 30
    assert not any(person.has_usable_password() for person in colleagues)


def test_the_demo_triager_can_tell_the_officers_line_manager(client):
    accounts = _seed()
    reports_demo.seed(accounts)
    triage_demo.seed(accounts)
    triager = accounts["triage"]
    enrol_totp(triager)
    case = triager.assigned_cases.get(report__demo_key="demo-officer-doxxing")
    client.force_login(triager)

    page = client.get(f"/triage/cases/{case.public_id}/").content.decode()

    assert "Tell the line manager" in page
    confirm = client.get(f"/triage/cases/{case.public_id}/line-manager/").content.decode()
    assert accounts["lead"].get_full_name() in confirm


def test_the_national_modules_were_published_before_the_demo_completed_them():
    """A walker read "published 29 November 2026" beside "completed 17 December 2025"; and a
    module's review counts the work done while each version was published."""
    _seed()
    assert Completion.objects.exists()
    for completion in Completion.objects.select_related("version"):
        assert completion.version.published_at <= completion.completed_at, completion
