"""The demo's wellbeing: referrals in every state for the demo champion, a family self-referral,
support services over capacity, and national and force resources; seeding twice adds nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from harmsportal.notifications.models import Notification
from harmsportal.people.demo import seed_accounts
from reports import demo as reports_demo
from triage import demo as triage_demo
from wellbeing import demo as wellbeing_demo
from wellbeing.capacity import capacity_by_type
from wellbeing.models import (
    OPEN_STATES,
    ChampionListing,
    CheckIn,
    Referral,
    ReferralEvent,
    ReferralMessage,
    ReferralSource,
    ReferralState,
    Resource,
    SupportPlan,
    SupportService,
)
from wellbeing.selectors import referrals_for_champion, resources_for

pytestmark = pytest.mark.django_db


def _seed() -> dict:
    accounts = seed_accounts("demo-harms-portal-2026")
    reports_demo.seed(accounts)
    triage_demo.seed(accounts)
    wellbeing_demo.seed(accounts)
    return accounts


def _state() -> tuple:
    return (
        sorted(
            Referral.objects.values_list(
                "reference", "state", "created_at", "next_checkin_at", "needs_attention"
            )
        ),
        ReferralEvent.objects.count(),
        CheckIn.objects.count(),
        SupportPlan.objects.count(),
        ReferralMessage.objects.count(),
        SupportService.objects.count(),
        ChampionListing.objects.count(),
        Resource.objects.count(),
        Notification.objects.count(),
    )


def test_seeding_the_demo_twice_adds_nothing():
    _seed()
    before = _state()
    _seed()
    assert _state() == before


def test_the_demo_champion_has_referrals_in_every_state_and_each_kind_of_concern():
    accounts = _seed()
    champion = accounts["champion"]
    force_referrals = Referral.objects.filter(force=champion.home_force)
    assert set(force_referrals.values_list("state", flat=True)) == set(ReferralState.values)
    # Those the champion works: everything the people consented to, in the queue's states.
    queue = referrals_for_champion(champion)
    assert set(queue.values_list("state", flat=True)) == {
        ReferralState.ACCEPTED,
        ReferralState.ASSIGNED,
        ReferralState.IN_SUPPORT,
        ReferralState.CLOSED,
    }
    mine = queue.filter(champion=champion)
    assert mine.filter(in_crisis_since__isnull=False).exists()
    assert mine.filter(needs_attention=True).exists()
    assert any(referral.checkin_overdue() for referral in mine)
    assert mine.filter(state=ReferralState.CLOSED, feedback_at__isnull=False).exists()


def test_the_demo_officers_case_became_a_referral_they_accepted():
    accounts = _seed()
    referral = Referral.objects.get(case__report__demo_key="demo-officer-doxxing")
    assert referral.person == accounts["officer"]
    assert referral.source == ReferralSource.CASE
    assert referral.state == ReferralState.ASSIGNED
    assert referral.champion == accounts["champion"]
    assert referral.champion_may_see_description
    assert referral.champion_may_see_name
    assert referral.plans.exists()
    assert referral.next_checkin_at > timezone.now()
    declined = Referral.objects.get(case__report__demo_key="demo-officer-impersonation")
    assert declined.state == ReferralState.DECLINED
    offered = Referral.objects.get(case__report__demo_key="demo-family-harassment")
    assert offered.state == ReferralState.OFFERED
    assert offered.person == accounts["family"]


def test_the_family_member_referred_themselves():
    accounts = _seed()
    referral = Referral.objects.get(person=accounts["family"], source=ReferralSource.SELF)
    assert referral.support_type == "family"
    assert referral.state in OPEN_STATES
    assert referral.force == accounts["officer"].home_force
    assert referral.events.filter(kind=ReferralEvent.Kind.SELF_REFERRED).exists()


def test_a_self_referral_story_happened_over_days_not_at_seeding():
    accounts = _seed()
    referral = Referral.objects.get(person=accounts["psd"], source=ReferralSource.SELF)
    assert referral.created_at < timezone.now() - timedelta(days=30)
    times = list(referral.events.values_list("at", flat=True))
    assert times == sorted(times)
    assert referral.checkin_overdue()


def test_some_services_hold_more_open_referrals_than_they_have_room_for():
    accounts = _seed()
    force = accounts["champion"].home_force
    rows = capacity_by_type([force.pk])
    assert any(row.over_capacity for row in rows)
    assert any(row.has_service and not row.over_capacity for row in rows)
    assert SupportService.objects.filter(force=force).count() == 6


def test_the_library_has_national_and_force_resources_with_https_links():
    accounts = _seed()
    national = Resource.objects.filter(force__isnull=True)
    assert national.filter(title="Samaritans", phone="116 123").exists()
    assert national.count() >= 6
    force = Resource.objects.filter(force=accounts["champion"].home_force)
    assert force.filter(shared_with_all_forces=True).exists()
    assert force.filter(shared_with_all_forces=False).exists()
    assert all(
        url.startswith("https://")
        for url in Resource.objects.exclude(url="").values_list("url", flat=True)
    )
    # Another force's colleague sees the shared resource, not West Yorkshire's own.
    other = resources_for(accounts["triage2"])
    assert other.filter(shared_with_all_forces=True).exists()
    assert not other.filter(force=accounts["champion"].home_force, shared_with_all_forces=False)


def test_the_demo_champion_is_listed_in_the_directory():
    accounts = _seed()
    listing = ChampionListing.objects.get(user=accounts["champion"])
    assert listing.listed
    assert listing.how_to_reach


def test_the_demo_champion_queue_and_the_officers_support_page_answer(client, settings):
    settings.HARMSPORTAL_REQUIRE_STAFF_MFA = False  # as in the demo (make run)
    accounts = _seed()
    client.force_login(accounts["champion"])
    assert client.get(reverse("wellbeing:home")).status_code == 200
    client.force_login(accounts["officer"])
    assert client.get(reverse("wellbeing:mine")).status_code == 200
