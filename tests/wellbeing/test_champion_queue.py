"""The champion's queue at /wellbeing/: the force's consented referrals, the ones that need the
champion first, filters that work without JavaScript, names only with consent."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_person
from tests.wellbeing.factories import (
    AcceptedReferralFactory,
    AssignedReferralFactory,
    ClosedReferralFactory,
    InSupportReferralFactory,
    SelfReferralFactory,
    champion_in,
)
from tests.wellbeing.test_queue_queries import bulk_referrals
from wellbeing.models import SupportType
from wellbeing.services.messages import referral_message_send

pytestmark = pytest.mark.django_db


def references(client, query: str = "") -> list[str]:
    page = client.get(f"/wellbeing/{query}").content.decode()
    if 'id="queue"' not in page:
        return []
    table = page.split('id="queue"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"WB-[A-Z]+-\d{4}-\d{6}", table)


def test_the_queue_lists_open_referrals_by_default_and_closed_ones_on_request(client, champion):
    waiting = AcceptedReferralFactory()
    held = AssignedReferralFactory(champion=champion)
    closed = ClosedReferralFactory(champion=champion)
    client.force_login(champion)
    assert set(references(client)) == {waiting.reference, held.reference}
    assert set(references(client, "?state=all")) == {
        waiting.reference,
        held.reference,
        closed.reference,
    }
    assert references(client, "?state=closed") == [closed.reference]
    assert references(client, "?state=accepted") == [waiting.reference]


def test_filtering_by_support_type(client, champion):
    technical = SelfReferralFactory(support_type=SupportType.TECHNICAL)
    SelfReferralFactory(support_type=SupportType.FAMILY)
    client.force_login(champion)
    assert references(client, "?support_type=technical") == [technical.reference]


def test_filtering_by_an_overdue_check_in(client, champion):
    overdue = AssignedReferralFactory(
        champion=champion, next_checkin_at=timezone.now() - timedelta(days=1)
    )
    AssignedReferralFactory(champion=champion)
    ClosedReferralFactory(champion=champion)
    client.force_login(champion)
    assert references(client, "?checkin=overdue") == [overdue.reference]
    page = client.get("/wellbeing/").content.decode()
    assert page.count(">Overdue</strong>") == 1


def test_filtering_by_who_holds_it(client, champion):
    mine = AssignedReferralFactory(champion=champion)
    colleagues = InSupportReferralFactory(champion=champion_in())
    waiting = AcceptedReferralFactory()
    client.force_login(champion)
    assert references(client, "?holder=me") == [mine.reference]
    assert references(client, "?holder=unassigned") == [waiting.reference]
    assert set(references(client)) == {mine.reference, colleagues.reference, waiting.reference}


def test_crisis_then_needs_attention_then_waiting_for_a_champion_then_overdue_come_first(
    client, champion
):
    now = timezone.now()
    plain = AssignedReferralFactory(champion=champion, next_checkin_at=now + timedelta(days=1))
    overdue = AssignedReferralFactory(champion=champion, next_checkin_at=now - timedelta(days=2))
    attention = AssignedReferralFactory(
        champion=champion, needs_attention=True, next_checkin_at=now + timedelta(days=5)
    )
    crisis = AssignedReferralFactory(
        champion=champion, in_crisis_since=now, next_checkin_at=now + timedelta(days=9)
    )
    # Nobody has been in touch yet: before every check-in, after crisis and attention.
    waiting = AcceptedReferralFactory()
    client.force_login(champion)
    assert references(client) == [
        crisis.reference,
        attention.reference,
        waiting.reference,
        overdue.reference,
        plain.reference,
    ]
    page = client.get("/wellbeing/").content.decode()
    assert ">Crisis</strong>" in page
    assert ">Needs attention</strong>" in page
    assert references(client, "?sort=newest")[0] == waiting.reference
    assert references(client, "?sort=oldest")[0] == plain.reference
    assert references(client, "?sort=checkin")[0] == overdue.reference


def test_a_name_shows_only_with_consent_and_every_row_links_by_its_opaque_id(client, champion):
    named = SelfReferralFactory(consent_name=True, person=make_person(full_name="Nia Named"))
    unnamed = SelfReferralFactory(consent_name=False, person=make_person(full_name="Ula Unnamed"))
    client.force_login(champion)
    page = client.get("/wellbeing/").content.decode()
    assert named.person.get_full_name() in page
    assert unnamed.person.get_full_name() not in page
    for referral in (named, unnamed):
        assert f'href="/wellbeing/referrals/{referral.public_id}/"' in page
        assert f"/wellbeing/referrals/{referral.pk}/" not in page


def test_the_table_is_responsive_with_a_label_on_every_cell(client, champion):
    AssignedReferralFactory(champion=champion)
    client.force_login(champion)
    page = client.get("/wellbeing/").content.decode()
    table = page.split('id="queue"', 1)[0].rsplit("<table", 1)[1] + page.split('id="queue"', 1)[1]
    assert "app-table--responsive" in table
    cells = re.findall(r'<td class="govuk-table__cell[^"]*" role="cell"([^>]*)>', table)
    assert len(cells) == 6
    assert all("data-label" in cell for cell in cells[1:])


def test_a_filter_matching_nothing_says_so_and_a_bad_value_is_an_error(client, champion):
    AssignedReferralFactory(champion=champion)
    client.force_login(champion)
    page = client.get("/wellbeing/?support_type=family").content.decode()
    assert "No referrals match these filters." in page
    response = client.get("/wellbeing/?state=nonsense&page=abc")
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert response.content.decode().startswith("<!DOCTYPE html>")
    assert "<title>Error: " in response.content.decode()


def test_the_queue_is_paginated_and_pages_keep_the_filters(client, champion):
    bulk_referrals(45, start=1, champions=[champion, champion_in()], people=[champion_in()])
    client.force_login(champion)
    first = references(client, "?state=all")
    second = references(client, "?state=all&page=2")
    third = references(client, "?state=all&page=3")
    assert (len(first), len(second), len(third)) == (20, 20, 5)
    assert not set(first) & set(second)
    page = client.get("/wellbeing/?state=all").content.decode()
    assert "?state=all&amp;page=2" in page
    assert len(references(client, "?state=all&page=99999999999999999999")) == 5


def test_a_new_message_from_the_person_is_flagged_until_their_champion_reads_it(client, champion):
    referral = AssignedReferralFactory(champion=champion)
    referral_message_send(actor=referral.person, referral=referral, body="Can we talk?")
    client.force_login(champion)
    assert ">New message</strong>" in client.get("/wellbeing/").content.decode()
    client.get(f"/wellbeing/referrals/{referral.public_id}/")
    assert ">New message</strong>" not in client.get("/wellbeing/").content.decode()


def test_an_accepted_referral_reads_as_waiting_for_a_champion(client, champion):
    AcceptedReferralFactory()
    client.force_login(champion)
    page = client.get("/wellbeing/").content.decode()
    assert ">Waiting for a champion</strong>" in page
