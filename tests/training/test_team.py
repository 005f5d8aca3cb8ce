"""A line manager's team page: only the people the roster says report to them, each with their
current training; an empty state; family accounts refused; every read recorded."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harmsportal.audit.models import AccessLog
from tests.factories import force, make_person
from tests.training.factories import (
    AssignmentFactory,
    CompletionFactory,
    ModuleFactory,
    TrainingProfileFactory,
)
from training.models import Audience

pytestmark = pytest.mark.django_db

TEAM = "/training/team/"
NOW = datetime(2026, 6, 1, 11, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


@pytest.fixture
def manager(db):
    # A West Yorkshire sergeant who line-manages two people in the roster.
    return make_person(full_name="Morgan Manager")


@pytest.fixture
def team(manager):
    """Priya: footprint completed 20 June 2025 (expires 20 June 2026: soon), colleague overdue.
    Tom: footprint to do, due 1 July 2026. Not in the team: Una, who reports to someone else."""
    footprint = ModuleFactory(title="Your online footprint")
    colleague = ModuleFactory(title="Recognising online harm", refresh_months=None)
    priya = make_person(full_name="Priya Team")
    tom = make_person(full_name="Tom Team")
    una = make_person(full_name="Una Elsewhere")
    for person in (priya, tom):
        TrainingProfileFactory(person=person, line_manager=manager)
    TrainingProfileFactory(person=una, line_manager=make_person(full_name="Other Manager"))
    completion = CompletionFactory(
        person=priya, module=footprint, completed_at=at(date(2025, 6, 20))
    )
    AssignmentFactory(
        person=priya,
        module=footprint,
        due_on=date(2025, 7, 1),
        completion=completion,
        completed_at=completion.completed_at,
    )
    AssignmentFactory(person=priya, module=colleague, due_on=date(2026, 5, 1))
    AssignmentFactory(person=tom, module=footprint, due_on=date(2026, 7, 1))
    AssignmentFactory(person=una, module=footprint, due_on=date(2026, 5, 1))
    return {"priya": priya, "tom": tom, "una": una}


def people_on(html: str) -> dict[str, list[dict[str, str]]]:
    """{name: [{column: text}]} for each person on the page."""
    found = {}
    for block in html.split('<h2 class="govuk-heading-m govuk-!-margin-bottom-1">')[1:]:
        name = block.split("</h2>", 1)[0].strip()
        rows = []
        for row in re.findall(r'<tr class="govuk-table__row" role="row">(.*?)</tr>', block, re.S):
            module = re.search(r'role="rowheader">([^<]+)<span', row)
            if module is None:
                continue
            cells = {
                label: " ".join(re.sub(r"<[^>]+>", " ", text).split())
                for label, text in re.findall(r'data-label="([^"]+)">(.*?)</td>', row, re.S)
            }
            rows.append({"Module": module.group(1).strip(), **cells})
        found[name] = rows
    return found


def test_a_line_manager_sees_only_their_own_team(client, manager, team):
    client.force_login(manager)

    response = client.get(TEAM)

    assert response.status_code == 200
    html = response.content.decode()
    assert people_on(html) == {
        "Priya Team": [
            {
                "Module": "Your online footprint",
                "Due": "1 Jul 2025",
                "Status": "Expires soon",
                "Completed": "20 Jun 2025",
                "Expires": "20 Jun 2026",
            },
            {
                "Module": "Recognising online harm",
                "Due": "1 May 2026",
                "Status": "Overdue",
                "Completed": "Not yet",
                "Expires": "—",
            },
        ],
        "Tom Team": [
            {
                "Module": "Your online footprint",
                "Due": "1 Jul 2026",
                "Status": "To do",
                "Completed": "Not yet",
                "Expires": "—",
            }
        ],
    }
    assert "Una Elsewhere" not in html
    assert "app-table--responsive" in html


def test_the_read_is_recorded(client, manager, team):
    client.force_login(manager)

    client.get(TEAM)

    log = AccessLog.objects.get(object_type="training.team")
    assert (log.actor, log.action) == (manager, "read")
    assert "2 people" in log.reason


def test_someone_with_no_team_sees_an_empty_state_and_nothing_is_recorded(client, officer, team):
    client.force_login(officer)

    html = client.get(TEAM).content.decode()

    assert "Nobody reports to you in your force's training roster" in html
    assert "Priya Team" not in html
    assert not AccessLog.objects.filter(object_type="training.team").exists()


def test_a_team_member_with_no_training_yet_is_listed(client, manager):
    TrainingProfileFactory(person=make_person(full_name="New Joiner"), line_manager=manager)
    client.force_login(manager)

    html = client.get(TEAM).content.decode()

    assert "New Joiner" in html
    assert "No training has been set for New Joiner yet." in html


def test_work_set_by_another_force_is_not_shown_for_this_forces_profile(client, manager, team):
    """The team is the roster of a force: Tom's work in North Yorkshire is not this team's."""
    AssignmentFactory(
        person=team["tom"],
        module=ModuleFactory(title="North module"),
        force=force("north-yorkshire"),
        audience=Audience.FRONTLINE,
    )
    client.force_login(manager)

    html = client.get(TEAM).content.decode()

    assert "North module" not in html


def test_a_family_account_gets_404_for_the_page_and_its_export(client, family_member):
    client.force_login(family_member)

    assert client.get(TEAM).status_code == 404
    assert client.get("/training/team/export/", {"format": "csv"}).status_code == 404


@pytest.mark.parametrize("who", ["officer", "staff_member", "trainer", "force_lead", "psd_officer"])
def test_anyone_else_signed_in_may_open_their_team_page(client, persona, who):
    client.force_login(persona(who))

    assert client.get(TEAM).status_code == 200


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client):
    response = client.get(TEAM)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def _big_team(manager, n: int) -> None:
    module = ModuleFactory()
    for i in range(n):
        person = make_person(full_name=f"Member {i}")
        TrainingProfileFactory(person=person, line_manager=manager)
        AssignmentFactory(person=person, module=module, due_on=date(2026, 5, 1) + timedelta(i))


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(TEAM).status_code == 200
    return len(queries)


def test_the_page_makes_the_same_number_of_queries_for_a_team_of_2_and_20(client, manager):
    client.force_login(manager)
    _big_team(manager, 2)
    few = _queries(client)
    _big_team(manager, 18)

    assert _queries(client) == few
