"""A referral's holder hears of it only while they may still work it; once they cannot (lost
the champion role, left), the force's champions hear instead, so someone can act."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from harmsportal.notifications.models import Notification
from harmsportal.people.models import Membership, Role
from tests.wellbeing.factories import AssignedReferralFactory, champion_in
from wellbeing.services.checkins import checkins_sweep
from wellbeing.services.messages import referral_message_send
from wellbeing.services.offers import referral_consent_withdraw

pytestmark = pytest.mark.django_db


def titles(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


@pytest.fixture
def holder_gone(champion):
    """An assigned referral whose holder is no longer a champion; `champion` still is."""
    holder = champion_in()
    referral = AssignedReferralFactory(champion=holder)
    Membership.objects.filter(user=holder, role=Role.CHAMPION).delete()
    return referral, holder


def test_the_persons_message_reaches_the_champions_when_the_holder_lost_the_role(
    champion, holder_gone
):
    referral, holder = holder_gone

    referral_message_send(actor=referral.person, referral=referral, body="Is anyone there?")

    title = f"New message on wellbeing referral {referral.reference}"
    assert titles(champion) == [title]
    assert titles(holder) == []


def test_a_holder_who_left_is_not_told_and_the_champions_are(champion):
    holder = champion_in()
    referral = AssignedReferralFactory(champion=holder)
    holder.is_active = False
    holder.save(update_fields=["is_active"])

    referral_consent_withdraw(actor=referral.person, referral=referral)

    assert titles(holder) == []
    assert titles(champion) == [
        f"Consent withdrawn on {referral.reference}: the referral is closed"
    ]


def test_a_holder_who_may_still_work_it_is_the_only_one_told(champion):
    other = champion_in()
    referral = AssignedReferralFactory(champion=champion)

    referral_message_send(actor=referral.person, referral=referral, body="Hello")

    assert titles(champion) == [f"New message on wellbeing referral {referral.reference}"]
    assert titles(other) == []


def test_the_reminder_goes_to_the_champions_when_the_holder_can_no_longer_act(
    champion, holder_gone
):
    referral, holder = holder_gone
    referral.next_checkin_at = timezone.now() + timedelta(hours=2)
    referral.save(update_fields=["next_checkin_at"])

    assert checkins_sweep()["reminded"] == 1
    assert checkins_sweep()["reminded"] == 0

    assert titles(champion) == [f"Check-in due on referral {referral.reference}"]
    assert titles(holder) == []
