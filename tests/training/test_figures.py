"""Leads, oversight and analysts see training figures only as aggregates: no names, small
counts withheld, and no small count that can be worked out from the others by subtraction."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from itertools import product

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harmsportal.disclosure import Withheld, WithheldTotal
from harmsportal.people.models import Membership, Role, User
from tests.factories import force
from tests.training.factories import CompletionFactory, ModuleFactory
from training.compliance import Counts
from training.figures import disclose_counts, disclosed_figures
from training.models import Assignment, AssignmentSource, Audience

pytestmark = pytest.mark.django_db

FIGURES = "/training/figures/"
NOW = datetime(2026, 6, 1, 11, 0, tzinfo=UTC)
TODAY = date(2026, 6, 1)
W = Withheld(5)
NOT_SHOWN = WithheldTotal(5)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


# --- the rule, on counts -------------------------------------------------------------------------


def shown(**counts) -> dict:
    return disclose_counts([Counts(**counts)])


def test_figures_of_k_or_more_whose_differences_are_k_or_more_are_all_shown():
    # 5 expiring, 5 completed and not expiring, 5 overdue, 5 to do.
    assert shown(assigned=20, completed=10, overdue=5, expiring=5) == {
        "assigned": 20,
        "completed": 10,
        "overdue": 5,
        "expiring": 5,
        "percent_complete": 50,
    }


def test_a_small_count_is_withheld_and_zero_is_shown():
    assert shown(assigned=12, completed=12, overdue=0, expiring=3)["overdue"] == 0
    assert shown(assigned=12, completed=12, overdue=0, expiring=3)["expiring"] == W


def test_every_part_of_a_withheld_group_is_withheld_zeros_included():
    """ "Fewer than 5 assigned, 0 completed" would tell anyone who knows those few people that
    none of them has done it (walk finding): a small group's parts say nothing."""
    for completed in (0, 1, 3):
        assert shown(assigned=3, completed=completed, overdue=0, expiring=0) == {
            "assigned": W,
            "completed": NOT_SHOWN,
            "overdue": NOT_SHOWN,
            "expiring": NOT_SHOWN,
            "percent_complete": NOT_SHOWN,
        }


def test_completed_is_not_shown_when_it_would_give_away_how_many_have_not_completed():
    """12 assigned and 9 completed would say exactly 3 have not completed."""
    assert shown(assigned=12, completed=9, overdue=0, expiring=0) == {
        "assigned": 12,
        "completed": NOT_SHOWN,
        "overdue": 0,
        "expiring": 0,
        "percent_complete": NOT_SHOWN,  # 75% of 12 gives 9 back
    }


def test_overdue_is_not_shown_when_with_completed_it_gives_away_those_not_yet_due():
    """20 assigned, 10 completed, 7 overdue: exactly 3 are neither completed nor overdue."""
    figures = shown(assigned=20, completed=10, overdue=7, expiring=0)

    assert (figures["completed"], figures["overdue"]) == (10, NOT_SHOWN)


def test_overdue_is_not_shown_when_it_gives_away_how_many_are_not_overdue():
    """6 assigned and 5 overdue say exactly 1 is not overdue, although completed (1) is
    withheld and so cannot be subtracted."""
    figures = shown(assigned=6, completed=1, overdue=5, expiring=0)

    assert (figures["completed"], figures["overdue"]) == (W, NOT_SHOWN)


def test_expiring_is_not_shown_when_it_gives_away_completed_and_not_expiring():
    """10 completed, 7 expiring: exactly 3 completed are not expiring."""
    figures = shown(assigned=20, completed=10, overdue=5, expiring=7)

    assert figures["expiring"] == NOT_SHOWN
    assert figures["completed"] == 10


def test_every_difference_of_shown_figures_is_zero_or_at_least_k():
    """Brute force: for every small table, whatever is shown, no sum of the four groups of
    people (expiring, completed and not expiring, overdue, neither) that can be worked out
    from the shown figures is 1 to 4."""
    for expiring in range(0, 8):
        for rest_completed in range(0, 8):
            for overdue in range(0, 8):
                for to_do in range(0, 8):
                    completed = expiring + rest_completed
                    assigned = completed + overdue + to_do
                    if assigned == 0:
                        continue
                    figures = shown(
                        assigned=assigned, completed=completed, overdue=overdue, expiring=expiring
                    )
                    _check_no_small_count_derivable(
                        figures, expiring, rest_completed, overdue, to_do
                    )


def _check_no_small_count_derivable(figures, *atoms):
    """Each shown figure is a sum of atoms; any group of atoms whose total can be worked out
    as a difference or sum of shown figures (a combination with coefficients -1, 0 or 1) must
    not be a small count."""
    vectors = {
        "assigned": (1, 1, 1, 1),
        "completed": (1, 1, 0, 0),
        "overdue": (0, 0, 1, 0),
        "expiring": (1, 0, 0, 0),
    }
    published = [vectors[name] for name in vectors if not isinstance(figures[name], Withheld)]
    for coefficients in product((-1, 0, 1), repeat=len(published)):
        combined = tuple(
            sum(c * vector[i] for c, vector in zip(coefficients, published, strict=True))
            for i in range(4)
        )
        if any(value not in (0, 1) for value in combined) or not any(combined):
            continue  # not a group of people
        count = sum(atom for atom, used in zip(atoms, combined, strict=True) if used)
        assert not 0 < count < 5, (atoms, figures, combined)


def test_over_several_forces_a_total_that_gives_away_one_forces_small_count_is_not_shown():
    """West Yorkshire 20 assigned, North Yorkshire 3: all forces 23 says North Yorkshire is 3."""
    figures = disclose_counts(
        [
            Counts(assigned=20, completed=10, overdue=5, expiring=5),
            Counts(assigned=3, completed=0, overdue=0, expiring=0),
        ]
    )

    assert figures["assigned"] == NOT_SHOWN
    assert figures["percent_complete"] == NOT_SHOWN


# --- the page -----------------------------------------------------------------------------------


def people(n: int, *, force_slug: str = "west-yorkshire", tag: str = "") -> list[User]:
    home = force(force_slug)
    users = User.objects.bulk_create(
        User(email=f"{force_slug}-{tag}-{i}@example.police.uk", full_name=f"Person {tag} {i}")
        for i in range(n)
    )
    Membership.objects.bulk_create(
        Membership(user=u, force=home, role=Role.REPORTER) for u in users
    )
    return users


def work(module, users, *, state: str, force_slug: str = "west-yorkshire", audience=None):
    """Assignments for `users` in `state`: completed, expiring, overdue or to_do."""
    home = force(force_slug)
    for user in users:
        completion = None
        if state in ("completed", "expiring"):
            on = date(2026, 3, 1) if state == "completed" else date(2025, 6, 20)
            completion = CompletionFactory(
                person=user,
                module=module,
                force=home,
                completed_at=datetime(on.year, on.month, on.day, tzinfo=UTC),
            )
        Assignment.objects.create(
            person=user,
            module=module,
            force=home,
            audience=audience or Audience.FRONTLINE,
            source=AssignmentSource.RULE,
            due_on=TODAY + timedelta(days=-5 if state == "overdue" else 20),
            completion=completion,
            completed_at=completion.completed_at if completion else None,
        )


@pytest.fixture
def footprint():
    return ModuleFactory(title="Your online footprint", slug="footprint")


@pytest.fixture
def west_yorkshire(footprint):
    """Footprint, frontline: 5 completed, 5 expiring, 5 overdue, 5 to do (20 assigned).
    Footprint, induction: 3 to do."""
    for state in ("completed", "expiring", "overdue", "to_do"):
        work(footprint, people(5, tag=state), state=state)
    work(footprint, people(3, tag="induction"), state="to_do", audience=Audience.INDUCTION)


@pytest.fixture
def north_yorkshire(footprint):
    """Footprint, frontline: 3 overdue."""
    work(
        footprint,
        people(3, force_slug="north-yorkshire", tag="north"),
        state="overdue",
        force_slug="north-yorkshire",
    )


def rows_of(html: str) -> dict[tuple[str, str], dict[str, str]]:
    table = html.split('id="compliance"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)[1:]:
        module = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, flags=re.S).group(1)
        cells = dict(re.findall(r'data-label="([^"]+)">(.*?)</td>', row, flags=re.S))
        rows[(module.strip(), cells.pop("Audience"))] = cells
    return rows


def test_a_lead_sees_their_forces_figures_with_small_counts_withheld(
    client, force_lead, west_yorkshire, north_yorkshire
):
    client.force_login(force_lead)

    response = client.get(FIGURES)

    assert response.status_code == 200
    html = response.content.decode()
    assert rows_of(html) == {
        ("Your online footprint", "Induction"): {
            "Assigned": "&lt;5",
            "Completed": "Not shown",
            "Complete": "Not shown",
            "Overdue": "Not shown",
            "Expiring in 30 days": "Not shown",
        },
        ("Your online footprint", "Frontline"): {
            "Assigned": "20",
            "Completed": "10",
            "Complete": "50%",
            "Overdue": "5",
            "Expiring in 30 days": "5",
        },
    }
    assert "Why some figures are not shown" in html


def test_the_page_names_nobody(client, oversight, west_yorkshire):
    client.force_login(oversight)

    html = client.get(FIGURES).content.decode()

    assert "Person " not in html
    assert "@example.police.uk" not in html
    assert "overdue-people" not in html


def test_a_lead_cannot_ask_for_another_force(client, force_lead, west_yorkshire, north_yorkshire):
    client.force_login(force_lead)

    other = client.get(FIGURES, {"force": "north-yorkshire"})
    missing = client.get(FIGURES, {"force": "no-such-force"})

    assert other.status_code == missing.status_code == 404


def test_an_analyst_sees_all_forces_with_secondary_suppression(
    client, analyst, west_yorkshire, north_yorkshire
):
    client.force_login(analyst)

    html = client.get(FIGURES).content.decode()

    frontline = rows_of(html)[("Your online footprint", "Frontline")]
    # 23 assigned would give North Yorkshire's 3 away; 8 overdue likewise.
    assert frontline["Assigned"] == "Not shown"
    assert frontline["Overdue"] == "Not shown"
    assert "across all forces" in html
    assert "when it would let a withheld figure for one force be worked out" in html


def test_an_analyst_can_look_at_one_force(client, analyst, west_yorkshire, north_yorkshire):
    client.force_login(analyst)

    html = client.get(FIGURES, {"force": "north-yorkshire"}).content.decode()

    assert rows_of(html) == {
        ("Your online footprint", "Frontline"): {
            "Assigned": "&lt;5",
            "Completed": "Not shown",
            "Complete": "Not shown",
            "Overdue": "Not shown",
            "Expiring in 30 days": "Not shown",
        }
    }


def test_an_analyst_asking_for_a_force_not_on_the_list_gets_an_error_not_a_crash(client, analyst):
    client.force_login(analyst)

    response = client.get(FIGURES, {"force": "atlantis"})

    assert response.status_code == 200
    assert "Select a force from the list." in response.content.decode()


def test_the_audience_filter_narrows_the_table(client, force_lead, west_yorkshire):
    client.force_login(force_lead)

    html = client.get(FIGURES, {"audience": "induction"}).content.decode()

    assert list(rows_of(html)) == [("Your online footprint", "Induction")]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("force_lead", 200),
        ("oversight", 200),
        ("analyst", 200),
        ("trainer", 403),
        ("champion", 403),
        ("officer", 403),
        ("family_member", 403),
        ("psd_officer", 404),
    ],
)
def test_who_may_see_the_figures(client, persona, who, status):
    client.force_login(persona(who))

    assert client.get(FIGURES).status_code == status


def test_leads_and_oversight_get_no_names_anywhere_they_are_refused_compliance(
    client, force_lead, oversight
):
    for person in (force_lead, oversight):
        client.force_login(person)
        assert client.get("/training/compliance/").status_code == 403
        assert client.get("/training/compliance/export/", {"format": "csv"}).status_code == 403


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(FIGURES).status_code == 200
    return len(queries)


def test_the_page_makes_the_same_number_of_queries_for_5_and_500_people(client, analyst, footprint):
    client.force_login(analyst)
    home = force()
    users = people(5, tag="few")
    Assignment.objects.bulk_create(
        Assignment(
            person=u,
            module=footprint,
            force=home,
            audience="frontline",
            source="rule",
            due_on=TODAY,
        )
        for u in users
    )
    few = _queries(client)
    users = people(495, tag="many")
    Assignment.objects.bulk_create(
        Assignment(
            person=u,
            module=footprint,
            force=home,
            audience="frontline",
            source="rule",
            due_on=TODAY,
        )
        for u in users
    )

    assert _queries(client) == few
    assert disclosed_figures([home.pk])[0].assigned == 500
