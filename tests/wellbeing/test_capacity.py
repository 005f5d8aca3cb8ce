"""The capacity view: figures that match a hand-computed fixture, suppression of small numbers,
the all-forces view, who may see it, and a query count that does not grow with the data."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harmsportal.disclosure import Withheld, WithheldTotal, disclose_part
from harmsportal.people.models import Role
from tests.factories import force, make_person
from tests.wellbeing.factories import SupportServiceFactory
from wellbeing.capacity import capacity_by_type, nearest_rank
from wellbeing.models import Referral, ReferralSource, ReferralState, SupportType

pytestmark = pytest.mark.django_db

CAPACITY = "/wellbeing/capacity/"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
OH = SupportType.OCCUPATIONAL_HEALTH
TECH = SupportType.TECHNICAL
_numbers = count(1)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def referral(
    *,
    state: str,
    support_type: str = OH,
    waited: float | None = None,
    waiting: float | None = None,
    force_slug: str = "west-yorkshire",
    person=None,
    started_days_ago: float = 5,
) -> Referral:
    """A referral whose wait is known: `waited` days before first support (which came
    `started_days_ago` days ago), or `waiting` days so far with no support yet."""
    home = force(force_slug)
    if waited is not None:
        first_support_at = NOW - timedelta(days=started_days_ago)
        accepted_at = first_support_at - timedelta(days=waited)
    else:
        first_support_at = None
        accepted_at = None if waiting is None else NOW - timedelta(days=waiting)
    return Referral.objects.create(
        reference=f"WB-{home.code}-2026-{next(_numbers):06d}",
        force=home,
        person=person or make_person(force_slug=force_slug),
        source=ReferralSource.SELF,
        state=state,
        support_type=support_type,
        summary="Private words that must never reach an aggregate page.",
        consent_given_at=accepted_at,
        accepted_at=accepted_at,
        first_support_at=first_support_at,
    )


@pytest.fixture
def west_yorkshire():
    """The hand-computed fixture (West Yorkshire, occupational health and technical support).

    Occupational health: services of capacity 4 (target 10 days) and 2 (target 14 days), so
    capacity 6 and target 10; an inactive service and another force's service count for nothing.
    Seven waits to first support in the last year: 2, 4, 6, 8, 11, 12, 20 days, so the median
    (rank ceil(0.5 x 7) = 4) is 8 days and the 90th percentile (rank ceil(0.9 x 7) = 7) is 20.
    A wait of 100 days whose support started 400 days ago is outside the window.
    Open: in support after 2, 11 and 20 days; waiting 3, 9.5, exactly 10, 12, 15 and 30 days:
    9 open, over the capacity of 6. Over the target of 10 days: waiting 12, 15 and 30 (exactly
    10 is not over it) and started after 11 and 20 (not the closed one after 12): 5. Shown
    beside the 9 open, 5 would say exactly 4 are within the target, so it is "Not shown".
    Technical: 3 referrals in support after 1, 2 and 3 days; a service of capacity 5, target 7.
    """
    person = make_person()
    SupportServiceFactory(support_type=OH, capacity=4, target_wait_days=10)
    SupportServiceFactory(support_type=OH, capacity=2, target_wait_days=14)
    SupportServiceFactory(support_type=OH, capacity=50, target_wait_days=3, active=False)
    SupportServiceFactory(support_type=TECH, capacity=5, target_wait_days=7)
    for waited in (2, 11, 20):
        referral(state=ReferralState.IN_SUPPORT, waited=waited, person=person)
    for waited in (4, 6, 8, 12):
        referral(state=ReferralState.CLOSED, waited=waited, person=person)
    referral(state=ReferralState.CLOSED, waited=100, started_days_ago=400, person=person)
    for waiting, state in (
        (3, ReferralState.ACCEPTED),
        (9.5, ReferralState.ASSIGNED),
        (10, ReferralState.ASSIGNED),
        (12, ReferralState.ACCEPTED),
        (15, ReferralState.ASSIGNED),
        (30, ReferralState.ACCEPTED),
    ):
        referral(state=state, waiting=waiting, person=person)
    # Not open, so not counted: an offer not yet answered and a declined one.
    referral(state=ReferralState.OFFERED, person=person)
    referral(state=ReferralState.DECLINED, person=person)
    for waited in (1, 2, 3):
        referral(state=ReferralState.IN_SUPPORT, support_type=TECH, waited=waited, person=person)


@pytest.fixture
def north_yorkshire():
    """Occupational health in North Yorkshire: capacity 3, target 20 days. Two people waiting
    15 days (not over 20) and one in support after 25 days (over)."""
    person = make_person(force_slug="north-yorkshire")
    SupportServiceFactory(
        force=force("north-yorkshire"), support_type=OH, capacity=3, target_wait_days=20
    )
    for _ in range(2):
        referral(
            state=ReferralState.ASSIGNED, waiting=15, force_slug="north-yorkshire", person=person
        )
    referral(state=ReferralState.IN_SUPPORT, waited=25, force_slug="north-yorkshire", person=person)


def rows_of(html: str) -> dict[str, dict[str, str]]:
    """The capacity table as {kind of support: {column: text}}."""
    table = html.split('id="capacity"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)[1:]:
        label = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, flags=re.S).group(1)
        cells = re.findall(r'data-label="([^"]+)">(.*?)</td>', row, flags=re.S)
        rows[label.strip()] = {
            name: " ".join(re.sub(r"<[^>]+>", " ", text).split()) for name, text in cells
        }
    return rows


def test_nearest_rank_takes_the_value_at_rank_ceil_p_of_n():
    assert nearest_rank([2, 4, 6, 8, 11, 12, 20], 50) == 8
    assert nearest_rank([2, 4, 6, 8, 11, 12, 20], 90) == 20
    assert nearest_rank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9
    assert nearest_rank([7], 90) == 7
    with pytest.raises(ValueError, match="No values"):
        nearest_rank([], 50)


def test_the_figures_match_the_hand_computed_fixture(west_yorkshire, north_yorkshire):
    rows = {row.support_type: row for row in capacity_by_type([force().pk])}

    oh = rows[OH]
    assert oh.open == 9
    assert oh.capacity == 6
    assert (oh.target_min, oh.target_max) == (10, 10)
    assert oh.median_wait == Decimal("8.0")
    assert oh.p90_wait == Decimal("20.0")
    assert oh.over_target == WithheldTotal(5)  # 9 open - 5 over = exactly 4 within target
    assert oh.over_capacity is True

    tech = rows[TECH]
    assert tech.open == Withheld(5)
    assert tech.capacity == 5
    assert tech.median_wait == Withheld(5)
    assert tech.p90_wait == Withheld(5)
    assert tech.over_target == 0
    assert tech.over_capacity is False

    trim = rows[SupportType.TRIM]
    assert (trim.has_service, trim.open, trim.capacity) == (False, 0, 0)
    assert (trim.median_wait, trim.over_target) == (None, None)


def test_the_page_shows_the_hand_computed_figures_and_withholds_small_ones(
    client, west_yorkshire, north_yorkshire
):
    lead = make_person(Role.FORCE_LEAD)
    client.force_login(lead)

    response = client.get(CAPACITY)

    assert response.status_code == 200
    rows = rows_of(response.content.decode())
    assert list(rows) == [label for _, label in SupportType.choices]  # all six, always
    assert rows["Occupational health or psychological support"] == {
        "Open referrals": "9 Over capacity",
        "Capacity": "6",
        "Target wait": "10 days",
        "Median wait": "8 days",
        "90th percentile wait": "20 days",
        "Over target wait": "Not shown",
    }
    assert rows["Technical support (removing personal data, securing accounts)"] == {
        "Open referrals": "&lt;5",
        "Capacity": "5",
        "Target wait": "7 days",
        "Median wait": "Not shown: fewer than 5",
        "90th percentile wait": "Not shown: fewer than 5",
        "Over target wait": "0",
    }
    assert rows["Trauma risk management (TRiM)"] == {
        "Open referrals": "0",
        "Capacity": "No service",
        "Target wait": "No service",
        "Median wait": "No one has started support yet",
        "90th percentile wait": "No one has started support yet",
        "Over target wait": "No service",
    }


def all_forces_oh():
    return next(row for row in capacity_by_type(None) if row.support_type == OH)


def north_yorkshire_more(*, waiting: float = 15, n: int = 2) -> None:
    """`n` more open occupational health referrals in North Yorkshire, waiting `waiting` days."""
    person = make_person(force_slug="north-yorkshire")
    for _ in range(n):
        referral(
            state=ReferralState.ACCEPTED,
            waiting=waiting,
            force_slug="north-yorkshire",
            person=person,
        )


def test_an_analyst_sees_all_forces_together_each_against_its_own_target(
    client, analyst, west_yorkshire, north_yorkshire
):
    north_yorkshire_more(n=2)  # North Yorkshire's 5 open are shown, so the total can be
    client.force_login(analyst)

    rows = rows_of(client.get(CAPACITY).content.decode())

    # Waits 2, 4, 6, 8, 11, 12, 20 and 25: median rank 4 = 8 days, 90th rank 8 = 25 days.
    # Open: West Yorkshire's 9 and North Yorkshire's 5. Over target: West Yorkshire's 5, and
    # North Yorkshire's 25-day wait against its 20 days (its 15-day waits would be over West
    # Yorkshire's 10, but not over their own 20): that 1 is withheld, so 6 would give it away.
    assert rows["Occupational health or psychological support"] == {
        "Open referrals": "14 Over capacity",
        "Capacity": "9",
        "Target wait": "10 to 20 days",
        "Median wait": "8 days",
        "90th percentile wait": "25 days",
        "Over target wait": "Not shown",
    }
    figures = all_forces_oh()
    assert (figures.open, figures.over_target) == (14, WithheldTotal(5))


def test_an_all_forces_total_is_not_shown_when_it_would_give_away_one_forces_small_count(
    client, analyst, west_yorkshire, north_yorkshire
):
    """All forces 12, West Yorkshire 9, every other force 0 but North Yorkshire "<5": 12 would
    tell anyone that North Yorkshire has 3. Over target likewise (6 = 5 + North Yorkshire's 1)."""
    client.force_login(analyst)

    html = client.get(CAPACITY).content.decode()

    oh = rows_of(html)["Occupational health or psychological support"]
    assert (oh["Open referrals"], oh["Over target wait"]) == ("Not shown", "Not shown")
    assert "Over capacity" not in oh["Open referrals"]  # 12 against 9 would say "more than 9"
    assert "when it would let a withheld figure for one force be worked out" in html
    figures = all_forces_oh()
    assert (figures.open, figures.over_target) == (WithheldTotal(5), WithheldTotal(5))
    assert figures.over_capacity is False
    # The technical total, 3 from West Yorkshire alone, is small itself: "<5" as usual.
    assert (
        rows_of(html)["Technical support (removing personal data, securing accounts)"][
            "Open referrals"
        ]
        == "&lt;5"
    )


def test_an_all_forces_total_is_shown_when_the_withheld_forces_add_up_to_k_or_more(
    client, analyst, west_yorkshire, north_yorkshire
):
    """North Yorkshire 3 and Humberside 2, both "<5": subtracting gives 5 for the two, which
    could be 1 and 4, 2 and 3, 3 and 2 or 4 and 1. Over target is judged on its own parts."""
    person = make_person(force_slug="humberside")
    SupportServiceFactory(
        force=force("humberside"), support_type=OH, capacity=1, target_wait_days=5
    )
    for _ in range(2):
        referral(state=ReferralState.ACCEPTED, waiting=6, force_slug="humberside", person=person)
    north_yorkshire_more(waiting=21, n=1)  # North Yorkshire: 4 open, 2 over target
    client.force_login(analyst)

    oh = rows_of(client.get(CAPACITY).content.decode())[
        "Occupational health or psychological support"
    ]

    # Open: 9 + 4 + 2 = 15 (withheld 4 + 2 = 6). Over: 5 + 2 + 2 = 9 (withheld 2 + 2 = 4!).
    assert oh["Open referrals"] == "15 Over capacity"
    assert oh["Over target wait"] == "Not shown"


def test_an_all_forces_over_target_total_is_shown_when_nothing_can_be_worked_out_from_it(
    analyst, west_yorkshire, north_yorkshire
):
    north_yorkshire_more(waiting=21, n=4)  # North Yorkshire: 7 open, 5 over target
    north_yorkshire_more(waiting=1, n=3)  # and 5 within it: 10 open
    west_yorkshire_within_target(1)  # West Yorkshire: 10 open, 5 over, 5 within

    figures = all_forces_oh()

    assert (figures.open, figures.over_target) == (20, 10)


def test_two_forces_each_just_under_k_do_not_give_themselves_away(west_yorkshire, north_yorkshire):
    """West Yorkshire 9, North Yorkshire 4 and Humberside 4: a rest of 8 from two "<5" can
    only be 4 and 4, so the total of 17 is withheld although 8 is not small."""
    north_yorkshire_more(n=1)
    person = make_person(force_slug="humberside")
    for _ in range(4):
        referral(state=ReferralState.ACCEPTED, waiting=1, force_slug="humberside", person=person)

    assert all_forces_oh().open == WithheldTotal(5)


def west_yorkshire_within_target(n: int) -> None:
    """`n` more open occupational health referrals in West Yorkshire, waiting 1 day."""
    person = make_person()
    for _ in range(n):
        referral(state=ReferralState.ACCEPTED, waiting=1, person=person)


@pytest.mark.parametrize(
    ("more_within", "over_target_cell"),
    [
        (0, "Not shown"),  # 9 open, 5 over: exactly 4 within target
        (1, "5"),  # 10 open, 5 over: 5 within target
        (5, "5"),  # 14 open, 5 over: 9 within target
    ],
)
def test_over_target_is_shown_once_the_number_within_target_is_k_or_more(
    client, force_lead, west_yorkshire, more_within, over_target_cell
):
    west_yorkshire_within_target(more_within)
    client.force_login(force_lead)

    oh = rows_of(client.get(CAPACITY).content.decode())[
        "Occupational health or psychological support"
    ]

    assert oh["Over target wait"] == over_target_cell


def test_over_target_is_shown_when_every_open_referral_is_over_it(client, force_lead):
    """All 6 open are over target: 0 within it points to nobody, so 6 is shown."""
    SupportServiceFactory(support_type=OH, capacity=4, target_wait_days=10)
    person = make_person()
    for _ in range(6):
        referral(state=ReferralState.ACCEPTED, waiting=20, person=person)
    client.force_login(force_lead)

    oh = rows_of(client.get(CAPACITY).content.decode())[
        "Occupational health or psychological support"
    ]

    assert (oh["Open referrals"], oh["Over target wait"]) == ("6 Over capacity", "6")


def test_the_page_says_over_target_is_not_shown_when_it_would_give_away_those_within(
    client, force_lead, west_yorkshire
):
    client.force_login(force_lead)

    html = client.get(CAPACITY).content.decode()

    assert "would let the number within the target wait be worked out" in html


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([(9, 5)], WithheldTotal(5)),  # exactly 4 within target
        ([(10, 5)], 5),
        ([(9, 9)], 9),  # nobody within target
        ([(9, 0)], 0),
        ([(3, 0)], 0),  # open "<5": nothing to subtract from
        ([(3, 2)], Withheld(5)),  # small itself
        ([(9, 5), (10, 5)], WithheldTotal(5)),  # West Yorkshire's own 4 within, given back
        ([(10, 5), (10, 5)], 10),
        ([(10, 8), (10, 8)], WithheldTotal(5)),  # 20 open, 16 over: 4 within in all
        ([(10, 5), (3, 1)], WithheldTotal(5)),  # disclose_total: the "<5" part is 1
    ],
)
def test_disclose_part_withholds_a_part_that_gives_away_a_small_rest(pairs, expected):
    assert disclose_part(pairs) == expected


def test_disclose_part_refuses_a_part_larger_than_its_whole():
    with pytest.raises(ValueError, match="larger than its whole"):
        disclose_part([(3, 4)])


def test_an_analyst_can_look_at_one_force(client, analyst, west_yorkshire, north_yorkshire):
    client.force_login(analyst)

    html = client.get(CAPACITY, {"force": "north-yorkshire"}).content.decode()
    west = client.get(CAPACITY, {"force": "west-yorkshire"}).content.decode()

    # One force's figures are not totals of other published figures: disclosed as they are.
    assert rows_of(west)["Occupational health or psychological support"]["Open referrals"] == (
        "9 Over capacity"
    )
    # 9 open and 5 over target would say exactly 4 are within the target.
    assert rows_of(west)["Occupational health or psychological support"]["Over target wait"] == (
        "Not shown"
    )
    assert "would let a withheld figure" not in west

    assert "Open referrals, capacity and waits by kind of support in North Yorkshire" in html
    assert rows_of(html)["Occupational health or psychological support"] == {
        "Open referrals": "&lt;5",
        "Capacity": "3",
        "Target wait": "20 days",
        "Median wait": "Not shown: fewer than 5",
        "90th percentile wait": "Not shown: fewer than 5",
        "Over target wait": "&lt;5",
    }


def test_a_force_that_is_not_on_the_list_is_an_error_not_a_crash(client, analyst):
    client.force_login(analyst)

    response = client.get(CAPACITY, {"force": "atlantis"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Select a force from the list." in html
    assert "across all forces" in html


def test_a_lead_sees_only_their_own_force_and_cannot_ask_for_another(
    client, force_lead, west_yorkshire, north_yorkshire
):
    client.force_login(force_lead)

    # Another force's figures are not there for them, exactly like a force that does not exist.
    other = client.get(CAPACITY, {"force": "north-yorkshire"})
    missing = client.get(CAPACITY, {"force": "no-such-force"})
    own = client.get(CAPACITY).content.decode()

    assert other.status_code == missing.status_code == 404
    assert "North Yorkshire" not in other.content.decode()
    assert "in West Yorkshire" in own
    assert rows_of(own)["Occupational health or psychological support"]["Capacity"] == "6"


def test_the_page_names_nobody_and_quotes_nothing_anyone_wrote(client, force_lead, west_yorkshire):
    client.force_login(force_lead)

    html = client.get(CAPACITY).content.decode()

    assert "WB-" not in html
    assert "Private words" not in html
    for person in Referral.objects.values_list("person__full_name", flat=True).distinct():
        assert person not in html
    assert "Why some figures are not shown" in html


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("champion", 200),
        ("force_lead", 200),
        ("oversight", 200),
        ("analyst", 200),
        ("triager", 403),
        ("officer", 403),
        ("family_member", 403),
        ("psd_officer", 404),
    ],
)
def test_who_may_see_capacity(client, persona, who, status):
    client.force_login(persona(who))

    assert client.get(CAPACITY).status_code == status


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client):
    response = client.get(CAPACITY)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def _bulk(n: int) -> None:
    person = make_person()
    home = force()
    states = [ReferralState.ACCEPTED, ReferralState.IN_SUPPORT, ReferralState.CLOSED]
    Referral.objects.bulk_create(
        Referral(
            reference=f"WB-BULK-{i:06d}",
            force=home,
            person=person,
            source=ReferralSource.SELF,
            state=states[i % 3],
            support_type=SupportType.values[i % 6],
            accepted_at=NOW - timedelta(days=i % 40 + 1),
            first_support_at=None if i % 3 == 0 else NOW - timedelta(days=i % 7),
        )
        for i in range(n)
    )


def _queries_for(client, user) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(CAPACITY).status_code == 200
    return len(queries)


def test_the_page_makes_the_same_number_of_queries_for_5_and_500_referrals(client, analyst):
    for slug in ("west-yorkshire", "north-yorkshire"):
        for support_type in (OH, TECH):
            SupportServiceFactory(force=force(slug), support_type=support_type)
    client.force_login(analyst)
    _bulk(5)
    few = _queries_for(client, analyst)
    Referral.objects.all().delete()
    _bulk(500)

    assert _queries_for(client, analyst) == few
