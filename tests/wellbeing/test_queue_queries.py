"""Acceptance 7 (the queue's half): the champion's queue makes the same number of queries for
5 referrals as for 500, whatever the filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from harmsportal.people.models import User
from tests.factories import force, make_person
from tests.wellbeing.factories import champion_in
from wellbeing.models import OPEN_STATES, Referral, ReferralSource, ReferralState, SupportType

pytestmark = pytest.mark.django_db

FILTERS = [
    "",
    "?state=all",
    "?state=in_support",
    "?state=all&support_type=technical",
    "?checkin=overdue&sort=checkin",
    "?holder=unassigned&sort=newest",
    "?holder=me",
    "?state=nonsense",
]


def bulk_referrals(count: int, *, start: int, champions: list[User], people: list[User]) -> None:
    """`count` referrals of West Yorkshire in a spread of states, holders, flags and consent."""
    home = force()
    now = timezone.now()
    states = [*OPEN_STATES, ReferralState.CLOSED]
    types = SupportType.values
    referrals = []
    for n in range(start, start + count):
        state = states[n % len(states)]
        referrals.append(
            Referral(
                reference=f"WB-WYP-2026-{n:06d}",
                force=home,
                person=people[n % len(people)],
                source=ReferralSource.SELF,
                state=state,
                support_type=types[n % len(types)],
                summary="A summary.",
                consent_given_at=now,
                consent_name=n % 2 == 0,
                accepted_at=now,
                champion=None if state == ReferralState.ACCEPTED else champions[n % 2],
                next_checkin_at=now + timedelta(days=(n % 5) - 2),
                needs_attention=n % 7 == 0,
                in_crisis_since=now if n % 11 == 0 else None,
                created_at=now - timedelta(minutes=n),
            )
        )
    Referral.objects.bulk_create(referrals)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_queue_makes_the_same_number_of_queries_for_5_and_500_referrals(client, champion):
    # Each filter matches some of the 5 as well (an empty page skips the rows' query).
    colleague = champion_in()
    people = [make_person(full_name=f"Person {n}") for n in range(3)]
    bulk_referrals(5, start=1, champions=[champion, colleague], people=people)
    client.force_login(champion)
    client.get("/wellbeing/")  # warm the session and any per-process caches
    small = {url: queries_for(client, f"/wellbeing/{url}") for url in FILTERS}

    bulk_referrals(495, start=6, champions=[champion, colleague], people=people)
    assert Referral.objects.count() == 500
    large = {url: queries_for(client, f"/wellbeing/{url}") for url in FILTERS}

    assert large == small
    # Page two of a long queue costs the same as page one.
    assert queries_for(client, "/wellbeing/?state=all&page=2") == small["?state=all"]
