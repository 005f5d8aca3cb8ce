"""A force's training admins' pages for audience rules and for assigning a module by hand."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone

from harmsportal.notifications.models import Notification
from harmsportal.people.models import Membership, Role
from tests.factories import force, make_person
from tests.training.factories import (
    AssignmentFactory,
    ForceModuleFactory,
    ModuleFactory,
    TrainingProfileFactory,
)
from training.models import Assignment, AssignmentSource, Audience, AudienceRule

pytestmark = pytest.mark.django_db

RULES = "/training/manage/rules/"
ASSIGN = "/training/manage/assign/"


def rule_url(rule: AudienceRule) -> str:
    return f"/training/manage/rules/{rule.public_id}/"


def make_rule(module, where="west-yorkshire", audience=Audience.INDUCTION, **fields):
    return AudienceRule.objects.create(
        force=force(where), audience=audience, module=module, within_days=30, **fields
    )


def page(response) -> str:
    return response.content.decode()


def due_fields(day: datetime.date) -> dict[str, str]:
    return {"due_on_0": str(day.day), "due_on_1": str(day.month), "due_on_2": str(day.year)}


@pytest.fixture
def signed_in(client, trainer):
    client.force_login(trainer)
    return client


# --- who may use them ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [RULES, ASSIGN])
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("officer", 403),
        ("family_member", 403),
        ("force_lead", 403),
        ("psd_officer", 404),
        # A platform admin who trains in no force has no force's people or rules to work on.
        ("platform_admin", 404),
        ("trainer", 200),
    ],
)
def test_only_a_forces_training_admins_reach_the_pages(client, persona, url, who, status):
    client.force_login(persona(who))
    assert client.get(url).status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(ASSIGN)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_another_forces_rule_is_a_404_like_a_missing_one(signed_in):
    theirs = make_rule(ModuleFactory(), where="north-yorkshire")
    missing = signed_in.get("/training/manage/rules/00000000-0000-4000-8000-000000000000/")
    assert signed_in.get(rule_url(theirs)).status_code == 404
    assert missing.status_code == 404
    assert signed_in.post(rule_url(theirs), {"within_days": "5", "active": "no"}).status_code == 404
    assert AudienceRule.objects.get(pk=theirs.pk).active


def test_asking_for_a_force_they_do_not_train_in_is_a_404(signed_in):
    assert signed_in.get(RULES + "?force=north-yorkshire").status_code == 404
    assert signed_in.get(ASSIGN + "?force=north-yorkshire").status_code == 404


# --- the rules page ----------------------------------------------------------------------


def test_the_rules_page_lists_this_forces_rules_with_how_many_were_assigned(signed_in):
    module = ModuleFactory(title="Your online footprint")
    ours = make_rule(module)
    stopped = make_rule(ForceModuleFactory(title="Our policy"), active=False)
    make_rule(
        ForceModuleFactory(title="Somewhere else's module", owner_force=force("north-yorkshire")),
        where="north-yorkshire",
    )
    for _ in range(3):
        AssignmentFactory(module=module, rule=ours, source=AssignmentSource.RULE)

    html = page(signed_in.get(RULES))

    assert "Somewhere else" not in html
    row = html.split(f'id="rule-{ours.public_id}"', 1)[1].split("</tr>", 1)[0]
    assert "Induction" in row
    assert "Your online footprint" in row
    assert "30 days" in row
    assert "In use" in row
    assert 'data-label="Assigned">3<' in row
    assert 'data-label="Completed">0<' in row
    assert rule_url(ours) in row
    stopped_row = html.split(f'id="rule-{stopped.public_id}"', 1)[1].split("</tr>", 1)[0]
    assert "Stopped" in stopped_row


def test_adding_a_rule_assigns_the_module_at_once_and_says_how_many(signed_in):
    module = ModuleFactory(title="Your online footprint", audiences=[Audience.INDUCTION])
    for _ in range(2):
        TrainingProfileFactory(audiences=[Audience.INDUCTION])

    response = signed_in.post(
        RULES, {"module": module.slug, "audience": "induction", "within_days": "30"}, follow=True
    )

    assert response.redirect_chain == [(RULES, 302)]
    assert "Rule added: Induction, Your online footprint. 2 people given the module." in page(
        response
    )
    assert Assignment.objects.filter(module=module, source=AssignmentSource.RULE).count() == 2


def test_a_bad_rule_keeps_what_was_entered_and_says_what_to_fix(signed_in):
    module = ModuleFactory()

    response = signed_in.post(RULES, {"module": module.slug, "within_days": "thirty"})

    html = page(response)
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "There is a problem" in html
    assert '<a href="#id_audience_0">Select who the rule is for.</a>' in html
    assert "Enter the number of days as a whole number, like 30." in html
    assert 'value="thirty"' in html
    assert f'<option value="{module.slug}" selected>' in html
    assert not AudienceRule.objects.exists()


def test_another_forces_module_is_not_offered(signed_in):
    theirs = ForceModuleFactory(owner_force=force("north-yorkshire"), title="Their own module")
    assert "Their own module" not in page(signed_in.get(RULES))

    response = signed_in.post(
        RULES, {"module": theirs.slug, "audience": "induction", "within_days": "30"}
    )

    assert "Select a module from the list." in page(response)
    assert not AudienceRule.objects.exists()


def test_a_second_rule_for_the_same_audience_and_module_is_explained(signed_in):
    module = ModuleFactory()
    make_rule(module)
    response = signed_in.post(
        RULES, {"module": module.slug, "audience": "induction", "within_days": "10"}
    )
    assert "There is already a rule for this module and audience" in page(response)
    assert AudienceRule.objects.count() == 1


def test_changing_a_rule_stops_it(signed_in):
    rule = make_rule(ModuleFactory(title="Your online footprint"))
    form = page(signed_in.get(rule_url(rule)))
    assert 'value="30"' in form
    assert 'value="yes" class="govuk-radios__input" required id="id_active_0" checked' in form

    response = signed_in.post(rule_url(rule), {"within_days": "45", "active": "no"}, follow=True)

    assert response.redirect_chain == [(RULES, 302)]
    assert "Rule stopped: Your online footprint." in page(response)
    rule.refresh_from_db()
    assert (rule.within_days, rule.active) == (45, False)


def test_a_bad_change_keeps_what_was_entered(signed_in):
    rule = make_rule(ModuleFactory())
    response = signed_in.post(rule_url(rule), {"within_days": "1000", "active": "yes"})
    html = page(response)
    assert "The number of days must be 730 or fewer." in html
    assert 'value="1000"' in html
    rule.refresh_from_db()
    assert rule.within_days == 30


# --- assigning by hand ---------------------------------------------------------------------


def test_a_trainer_assigns_a_module_to_people_by_email_and_each_is_told(signed_in, trainer):
    module = ModuleFactory(title="Your online footprint")
    officer = make_person(full_name="Sam Officer", email="Sam.Officer@example.police.uk")
    on_the_roster_only = TrainingProfileFactory(person=make_person(force_slug="durham")).person
    due = timezone.localdate() + timedelta(days=60)

    response = signed_in.post(
        ASSIGN,
        {
            "module": module.slug,
            "emails": f"sam.officer@example.police.uk\n\n  {on_the_roster_only.email}  \n",
            **due_fields(due),
        },
        follow=True,
    )

    assert response.redirect_chain == [(ASSIGN, 302)]
    assert "Your online footprint assigned to 2 people." in page(response)
    work = Assignment.objects.filter(module=module)
    assert {a.person for a in work} == {officer, on_the_roster_only}
    for assignment in work:
        assert assignment.source == AssignmentSource.MANUAL
        assert assignment.due_on == due
        assert assignment.assigned_by == trainer
        assert assignment.force == force()
    told = Notification.objects.get(user=officer)
    assert told.kind == Notification.Kind.TRAINING
    assert told.title == (
        f"Your online footprint: you have been asked to complete it by "
        f"{due.day} {due:%B} {due.year}"
    )
    assert told.link_path == f"/training/modules/{module.slug}/"


def test_every_bad_line_gets_its_own_error_and_nothing_is_assigned(signed_in):
    module = ModuleFactory()
    make_person(email="ok@example.police.uk")
    make_person(email="elsewhere@example.police.uk", force_slug="north-yorkshire")
    lines = [
        "ok@example.police.uk",
        "not-an-email",
        "elsewhere@example.police.uk",
        "OK@example.police.uk",
        "nobody@example.police.uk",
    ]

    response = signed_in.post(
        ASSIGN,
        {
            "module": module.slug,
            "emails": "\n".join(lines),
            **due_fields(timezone.localdate() + timedelta(days=9)),
        },
    )

    html = page(response)
    assert response.status_code == 200
    assert "There is a problem" in html
    for message in [
        "Line 2: enter an email address in the correct format, like name@example.police.uk",
        "Line 3: there is no one in West Yorkshire Police with the email address "
        "elsewhere@example.police.uk",
        "Line 4: OK@example.police.uk is also on line 1. Enter each once",
        "Line 5: there is no one in West Yorkshire Police with the email address "
        "nobody@example.police.uk",
    ]:
        assert f'<a href="#id_emails">{message}</a>' in html
    assert "Line 1" not in html
    assert "\n".join(lines) in html  # kept as entered
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter the due date."),
        ("1", "2", "27", "Year must include 4 numbers."),
        ("31", "2", "2027", "The due date must be a real date."),
        ("1", "", "2027", "The due date must include a month."),
        ("past", None, None, "The due date must be today or in the future."),
    ],
)
def test_the_due_date_is_checked_in_gov_uk_style(signed_in, day, month, year, message):
    module = ModuleFactory()
    make_person(email="ok@example.police.uk")
    if day == "past":
        yesterday = timezone.localdate() - timedelta(days=1)
        day, month, year = str(yesterday.day), str(yesterday.month), str(yesterday.year)
    response = signed_in.post(
        ASSIGN,
        {
            "module": module.slug,
            "emails": "ok@example.police.uk",
            "due_on_0": day,
            "due_on_1": month,
            "due_on_2": year,
        },
    )
    html = page(response)
    assert f'<a href="#id_due_on">{message}</a>' in html
    assert f'name="due_on_2" value="{year}"' in html or not year
    assert not Assignment.objects.exists()


def test_someone_who_already_has_the_module_to_do_keeps_their_due_date(signed_in):
    module = ModuleFactory(title="Your online footprint")
    busy = make_person(email="busy@example.police.uk")
    existing = AssignmentFactory(person=busy, module=module)
    free = make_person(email="free@example.police.uk")
    due = timezone.localdate() + timedelta(days=90)

    response = signed_in.post(
        ASSIGN,
        {
            "module": module.slug,
            "emails": "busy@example.police.uk\nfree@example.police.uk",
            **due_fields(due),
        },
        follow=True,
    )

    html = page(response)
    assert "Your online footprint assigned to 1 person." in html
    assert (
        "Already had Your online footprint to do, so their due date is unchanged: "
        "busy@example.police.uk." in html
    )
    assert list(Assignment.objects.filter(person=busy)) == [existing]
    assert Assignment.objects.get(person=free).due_on == due
    assert not Notification.objects.filter(user=busy).exists()


def test_a_trainer_of_two_forces_works_on_the_one_they_choose(client, trainer):
    Membership.objects.create(user=trainer, force=force("north-yorkshire"), role=Role.REPORTER)
    Membership.objects.create(
        user=trainer, force=force("north-yorkshire"), role=Role.TRAINING_ADMIN
    )
    trainer.forget_roles()
    north = make_person(email="north@example.police.uk", force_slug="north-yorkshire")
    module = ModuleFactory(title="Your online footprint")
    client.force_login(trainer)

    form = page(client.get(ASSIGN + "?force=north-yorkshire"))
    assert "North Yorkshire Police" in form
    response = client.post(
        ASSIGN + "?force=north-yorkshire",
        {
            "module": module.slug,
            "emails": north.email,
            **due_fields(timezone.localdate() + timedelta(days=20)),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == ASSIGN + "?force=north-yorkshire"
    assert Assignment.objects.get(person=north).force == force("north-yorkshire")
