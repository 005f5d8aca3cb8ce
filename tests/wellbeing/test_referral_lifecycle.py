"""A referral's life after closing: reopening keeps the first wait, follows the plan's check-in
cadence, and a closed referral refuses assignment even to its own champion."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from tests.wellbeing.factories import (
    AcceptedReferralFactory,
    AssignedReferralFactory,
    ClosedReferralFactory,
    SupportServiceFactory,
)
from wellbeing.capacity import capacity_by_type
from wellbeing.models import Referral, ReferralState, SupportPlan
from wellbeing.services.moves import (
    referral_assign,
    referral_close,
    referral_reopen,
    referral_support_start,
)

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def fresh(referral: Referral) -> Referral:
    return Referral.objects.get(pk=referral.pk)


def plan_every(referral: Referral, days: int) -> None:
    SupportPlan.objects.create(referral=referral, by=referral.person, checkin_every_days=days)


def test_support_starting_again_after_a_reopen_keeps_the_first_wait(champion):
    SupportServiceFactory(support_type="wellbeing", target_wait_days=30)
    with time_machine.travel(START, tick=False):
        referral = AcceptedReferralFactory(support_type="wellbeing")
    with time_machine.travel(START + 3 * DAY, tick=False):
        referral_assign(actor=champion, referral=referral, champion=champion)
        referral_support_start(actor=champion, referral=referral)
    with time_machine.travel(START + 40 * DAY, tick=False):
        referral_close(actor=champion, referral=referral, reason="support_ended")
    with time_machine.travel(START + 90 * DAY, tick=False):
        assert referral_reopen(actor=referral.person, referral=referral) is True
        stored = fresh(referral)
        # Back in support with its champion: no "Support has started" to overwrite the wait.
        assert stored.state == ReferralState.IN_SUPPORT
        assert referral_support_start(actor=champion, referral=stored) is False
        stored.state = ReferralState.ASSIGNED  # even if support is started again
        stored.start_support()
        assert fresh(referral).first_support_at == START + 3 * DAY
        row = next(r for r in capacity_by_type(None) if r.support_type == "wellbeing")
    assert row.over_target == 0  # the wait was 3 days, not 90


def test_reopening_without_support_started_goes_back_to_assigned(champion):
    referral = AssignedReferralFactory(champion=champion)
    referral.close(reason="support_ended")
    assert referral_reopen(actor=referral.person, referral=referral) is True
    assert fresh(referral).state == ReferralState.ASSIGNED


def test_assigning_follows_the_plans_check_in_cadence(champion):
    referral = AcceptedReferralFactory()
    plan_every(referral, 5)
    with time_machine.travel(START, tick=False):
        referral_assign(actor=champion, referral=referral, champion=champion)
    assert fresh(referral).next_checkin_at == START + 5 * DAY


def test_reopening_follows_the_plans_check_in_cadence(champion):
    referral = ClosedReferralFactory(champion=champion)
    plan_every(referral, 21)
    with time_machine.travel(START, tick=False):
        referral_reopen(actor=champion, referral=referral)
    assert fresh(referral).next_checkin_at == START + 21 * DAY


def test_without_a_plan_check_ins_are_every_14_days(champion):
    referral = AcceptedReferralFactory()
    with time_machine.travel(START, tick=False):
        referral_assign(actor=champion, referral=referral, champion=champion)
    assert fresh(referral).next_checkin_at == START + 14 * DAY


def test_assigning_a_closed_referral_to_its_own_champion_is_a_clear_error(client, champion):
    referral = ClosedReferralFactory(champion=champion)
    client.force_login(champion)

    response = client.post(
        reverse("wellbeing:assign", args=[referral.public_id]), {"champion": champion.pk}
    )

    assert response.status_code == 200
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', response.content.decode(), re.S)
    assert summary is not None
    assert "This referral is closed, so you cannot assign it. Reopen it first." in summary.group(1)
    assert fresh(referral).state == ReferralState.CLOSED
