"""The training admin's compliance page: figures that match a hand-computed fixture, filters,
the overdue list (names, audited), who may see it, and a query count that does not grow."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harmsportal.audit.models import AccessLog
from harmsportal.people.models import Role
from tests.factories import force, make_person
from tests.training.factories import (
    AssignmentFactory,
    CompletionFactory,
    ForceModuleFactory,
    ModuleFactory,
)
from training.compliance import compliance_rows, current_work, percent
from training.models import Assignment, AssignmentSource, Audience

pytestmark = pytest.mark.django_db

COMPLIANCE = "/training/compliance/"
NOW = datetime(2026, 6, 1, 11, 0, tzinfo=UTC)
TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


def completed(person, module, *, on: date, audience=Audience.FRONTLINE, expires_on="auto"):
    """A completed assignment: the completion on `on` closes it."""
    fields = {} if expires_on == "auto" else {"expires_on": expires_on}
    completion = CompletionFactory(person=person, module=module, completed_at=at(on), **fields)
    return AssignmentFactory(
        person=person,
        module=module,
        audience=audience,
        due_on=on + timedelta(days=10),
        completion=completion,
        completed_at=completion.completed_at,
    )


@pytest.fixture
def modules():
    return {
        "footprint": ModuleFactory(title="Your online footprint", slug="footprint"),
        "colleague": ModuleFactory(
            title="Supporting a colleague",
            slug="colleague",
            audiences=[Audience.LINE_MANAGER],
            refresh_months=None,
        ),
    }


@pytest.fixture
def west_yorkshire(modules):
    """The hand-computed fixture, today 1 June 2026; the footprint module lasts 12 months.

    Footprint, frontline:
      Ada: completed 1 March 2026 (expires 1 March 2027)           completed
      Ben: completed 20 June 2025 (expires 20 June 2026)           completed, expiring
      Cal: open, due 1 May 2026                                      overdue
      Dee: open, due 1 July 2026                                     to do
      Eve: cancelled                                                 not counted
      Fay: completed 1 May 2025 (expired 1 May 2026), refresher open, due 30 June
                                                                     to do (the refresher)
      Gus: completed 10 May 2025 (expired 10 May 2026), no refresher yet
                                                                     not completed: expired
      Hal: completed 10 June 2025 (expires 10 June 2026) and took it again on 20 May 2026
           without being asked (expires 20 May 2027)                 completed, not expiring
      => assigned 7, completed 3 (43%), overdue 1, expiring 1.
    Footprint, induction: Ivy open, due 31 May 2026                  overdue
      => 1, 0 (0%), 1, 0.
    Supporting a colleague, line manager: Jon completed, never expires  => 1, 1 (100%), 0, 0.
    North Yorkshire's overdue footprint work counts for nothing here.
    """
    footprint, colleague = modules["footprint"], modules["colleague"]
    people = {
        name: make_person(full_name=name)
        for name in ("Ada", "Ben", "Cal", "Dee", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jon")
    }
    completed(people["Ada"], footprint, on=date(2026, 3, 1))
    completed(people["Ben"], footprint, on=date(2025, 6, 20))
    AssignmentFactory(person=people["Cal"], module=footprint, due_on=date(2026, 5, 1))
    AssignmentFactory(person=people["Dee"], module=footprint, due_on=date(2026, 7, 1))
    AssignmentFactory(
        person=people["Eve"], module=footprint, due_on=date(2026, 4, 1), cancelled_at=NOW
    )
    fay = completed(people["Fay"], footprint, on=date(2025, 5, 1))
    AssignmentFactory(
        person=people["Fay"],
        module=footprint,
        due_on=date(2026, 6, 30),
        source=AssignmentSource.REFRESHER,
        refresher_of=fay.completion,
    )
    completed(people["Gus"], footprint, on=date(2025, 5, 10))
    completed(people["Hal"], footprint, on=date(2025, 6, 10))
    CompletionFactory(person=people["Hal"], module=footprint, completed_at=at(date(2026, 5, 20)))
    AssignmentFactory(
        person=people["Ivy"],
        module=footprint,
        audience=Audience.INDUCTION,
        due_on=date(2026, 5, 31),
    )
    completed(people["Jon"], colleague, on=date(2025, 1, 5), audience=Audience.LINE_MANAGER)
    AssignmentFactory(
        person=make_person(force_slug="north-yorkshire", full_name="Kim North"),
        module=footprint,
        force=force("north-yorkshire"),
        due_on=date(2026, 1, 1),
    )
    return people


def figures(rows):
    return {
        (row.audience, row.module_slug): (
            row.assigned,
            row.completed,
            row.percent_complete,
            row.overdue,
            row.expiring,
        )
        for row in rows
    }


def test_the_figures_match_the_hand_computed_fixture(west_yorkshire):
    rows = compliance_rows(force())

    assert figures(rows) == {
        (Audience.FRONTLINE, "footprint"): (7, 3, 43, 1, 1),
        (Audience.INDUCTION, "footprint"): (1, 0, 0, 1, 0),
        (Audience.LINE_MANAGER, "colleague"): (1, 1, 100, 0, 0),
    }
    # By audience (in the order audiences are listed), then module.
    assert [row.audience for row in rows] == [
        Audience.INDUCTION,
        Audience.FRONTLINE,
        Audience.LINE_MANAGER,
    ]


def test_each_person_counts_once_by_their_latest_work(west_yorkshire):
    fay = west_yorkshire["Fay"]

    current = list(current_work([force().pk]).filter(person=fay))

    assert len(current) == 1
    assert current[0].source == AssignmentSource.REFRESHER


def test_the_other_forces_figures_are_their_own(west_yorkshire):
    rows = compliance_rows(force("north-yorkshire"))

    assert figures(rows) == {(Audience.FRONTLINE, "footprint"): (1, 0, 0, 1, 0)}


def test_percent_rounds_halves_up():
    assert percent(1, 8) == 13  # 12.5
    assert percent(3, 7) == 43
    assert percent(0, 3) == 0
    assert percent(5, 5) == 100


def rows_of(html: str) -> dict[tuple[str, str], dict[str, str]]:
    """The compliance table as {(module, audience): {column: text}}."""
    table = html.split('id="compliance"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)[1:]:
        module = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, flags=re.S).group(1)
        cells = dict(re.findall(r'data-label="([^"]+)">(.*?)</td>', row, flags=re.S))
        rows[(module.strip(), cells.pop("Audience"))] = cells
    return rows


def test_the_page_shows_the_figures_by_audience_and_module(client, trainer, west_yorkshire):
    client.force_login(trainer)

    response = client.get(COMPLIANCE)

    assert response.status_code == 200
    html = response.content.decode()
    assert rows_of(html) == {
        ("Your online footprint", "Induction"): {
            "Assigned": "1",
            "Completed": "0",
            "Complete": "0%",
            "Overdue": "1",
            "Expiring in 30 days": "0",
        },
        ("Your online footprint", "Frontline"): {
            "Assigned": "7",
            "Completed": "3",
            "Complete": "43%",
            "Overdue": "1",
            "Expiring in 30 days": "1",
        },
        ("Supporting a colleague", "Line manager"): {
            "Assigned": "1",
            "Completed": "1",
            "Complete": "100%",
            "Overdue": "0",
            "Expiring in 30 days": "0",
        },
    }
    assert "app-table--responsive" in html  # cards on a 375 px phone
    assert "Kim North" not in html  # North Yorkshire's person


def test_filters_narrow_the_table_and_the_overdue_list(client, trainer, west_yorkshire):
    client.force_login(trainer)

    html = client.get(COMPLIANCE, {"audience": "induction", "module": "footprint"}).content
    html = html.decode()

    assert list(rows_of(html)) == [("Your online footprint", "Induction")]
    overdue = html.split('id="overdue-people"', 1)[1]
    assert "Ivy" in overdue
    assert "Cal" not in overdue


def test_a_filter_value_not_on_the_list_is_a_gov_uk_error(client, trainer, west_yorkshire):
    client.force_login(trainer)

    response = client.get(COMPLIANCE, {"module": "another-forces-module", "audience": "pilots"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Select a module from the list." in html
    assert "Select an audience from the list." in html
    assert len(rows_of(html)) == 3  # the whole table, unfiltered


def test_another_forces_own_module_is_not_on_the_module_list(client, trainer, west_yorkshire):
    theirs = ForceModuleFactory(owner_force=force("north-yorkshire"), slug="nyp-only")
    client.force_login(trainer)

    html = client.get(COMPLIANCE).content.decode()

    assert theirs.title not in html
    assert 'value="footprint"' in html


def test_the_overdue_list_names_people_longest_overdue_first_and_is_recorded(
    client, trainer, west_yorkshire
):
    client.force_login(trainer)

    html = client.get(COMPLIANCE).content.decode()

    overdue = html.split('id="overdue-people"', 1)[1].split("</table>", 1)[0]
    names = re.findall(r'role="rowheader">([A-Za-z ]+)<span', overdue)
    assert names == ["Cal", "Ivy"]  # due 1 May, then 31 May
    assert "31" in overdue  # Cal: 31 days overdue
    log = AccessLog.objects.get(object_type="training.overdue_list")
    assert (log.actor, log.action, log.force_slug) == (trainer, "read", "west-yorkshire")
    assert log.actor_role == Role.TRAINING_ADMIN


def test_no_read_is_recorded_when_nobody_is_overdue(client, trainer, modules):
    AssignmentFactory(module=modules["footprint"], due_on=date(2026, 7, 1))
    client.force_login(trainer)

    html = client.get(COMPLIANCE).content.decode()

    assert "Nobody is overdue." in html
    assert not AccessLog.objects.filter(object_type="training.overdue_list").exists()


def test_the_overdue_list_is_paged(client, trainer, modules):
    for _ in range(52):
        AssignmentFactory(module=modules["footprint"], due_on=date(2026, 5, 1))
    client.force_login(trainer)

    first = client.get(COMPLIANCE).content.decode()
    second = client.get(COMPLIANCE, {"page": "2"}).content.decode()

    assert "52 overdue" in first
    assert first.split('id="overdue-people"', 1)[1].count('role="rowheader"') == 50
    assert second.split('id="overdue-people"', 1)[1].count('role="rowheader"') == 2


def test_an_empty_force_says_so(client, trainer):
    client.force_login(trainer)

    html = client.get(COMPLIANCE).content.decode()

    assert "Nobody has been given training in West Yorkshire Police yet." in html


def test_a_trainer_of_another_force_sees_none_of_this_forces_data(client, west_yorkshire):
    other = make_person(Role.TRAINING_ADMIN, force_slug="north-yorkshire")
    client.force_login(other)

    own = client.get(COMPLIANCE)
    asked = client.get(COMPLIANCE, {"force": "west-yorkshire"})
    missing = client.get(COMPLIANCE, {"force": "no-such-force"})

    html = own.content.decode()
    assert "North Yorkshire Police" in html
    assert rows_of(html) == {
        ("Your online footprint", "Frontline"): {
            "Assigned": "1",
            "Completed": "0",
            "Complete": "0%",
            "Overdue": "1",
            "Expiring in 30 days": "0",
        }
    }
    for name in ("Ada", "Cal", "Ivy"):
        assert f">{name}<" not in html
    assert asked.status_code == missing.status_code == 404


def test_a_trainer_of_two_forces_chooses_between_them(client, trainer, west_yorkshire):
    from harmsportal.people.models import Membership

    Membership.objects.create(user=trainer, force=force("north-yorkshire"), role="training_admin")
    trainer.forget_roles()
    client.force_login(trainer)

    html = client.get(COMPLIANCE, {"force": "north-yorkshire"}).content.decode()

    assert 'name="force"' in html
    assert "Kim North" in html
    assert ">Cal<" not in html


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("trainer", 200),
        ("officer", 403),
        ("family_member", 403),
        ("force_lead", 403),
        ("oversight", 403),
        ("analyst", 403),
        ("champion", 403),
        ("psd_officer", 404),
    ],
)
def test_who_may_see_compliance(client, persona, who, status):
    client.force_login(persona(who))

    assert client.get(COMPLIANCE).status_code == status


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client):
    response = client.get(COMPLIANCE)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(COMPLIANCE).status_code == 200
    return len(queries)


def test_the_page_makes_the_same_number_of_queries_for_5_and_500_assignments(
    client, trainer, modules
):
    client.force_login(trainer)
    _bulk_distinct(5, modules)
    few = _queries(client)
    Assignment.objects.all().delete()
    _bulk_distinct(500, modules)

    assert _queries(client) == few


def _bulk_distinct(n: int, modules) -> None:
    """`n` assignments of distinct people, in every state, over two modules and audiences."""
    from harmsportal.people.models import Membership, User

    home = force()
    users = User.objects.bulk_create(
        User(email=f"bulk-{n}-{i}@example.police.uk", full_name=f"Bulk {i}") for i in range(n)
    )
    Membership.objects.bulk_create(
        Membership(user=user, force=home, role=Role.REPORTER) for user in users
    )
    footprint = modules["footprint"]
    completion = CompletionFactory(person=users[0], module=footprint)
    Assignment.objects.bulk_create(
        Assignment(
            person=user,
            module=footprint if i % 2 else modules["colleague"],
            force=home,
            audience=Audience.FRONTLINE if i % 3 else Audience.INDUCTION,
            source=AssignmentSource.RULE,
            due_on=TODAY + timedelta(days=(i % 60) - 30),
            completion=completion if i % 4 == 0 else None,
            cancelled_at=NOW if i % 4 == 1 else None,
        )
        for i, user in enumerate(users)
    )


def test_the_figures_take_one_query_whatever_the_size(modules):
    _bulk_distinct(50, modules)
    home = force()

    with CaptureQueriesContext(connection) as queries:
        rows = compliance_rows(home)

    assert len(queries) == 1
    assert sum(row.assigned for row in rows) == sum(1 for i in range(50) if i % 4 != 1)
