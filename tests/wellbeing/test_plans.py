"""Support plans: both sides can change them, every change is kept, and the cadence moves the
next check-in."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from harmsportal.audit.models import AccessLog
from harmsportal.notifications.models import Notification
from harmsportal.people.models import Role, User
from tests.factories import link_family, make_person
from tests.wellbeing.factories import (
    AcceptedReferralFactory,
    AssignedReferralFactory,
    CheckInFactory,
    ClosedReferralFactory,
    OfferedReferralFactory,
    champion_in,
)
from wellbeing.models import ReferralEvent, SupportPlan
from wellbeing.services.plans import support_plan_update

pytestmark = pytest.mark.django_db

START = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Europe/London"))

PLAN = {
    "contact_how": "phone",
    "contact_when": "Weekday mornings",
    "needs": "Someone to talk to after court dates.",
    "what_helps": "A call the day before.",
    "what_does_not_help": "Being asked in front of the team.",
    "checkin_every_days": 14,
    "remind_person": False,
}


def form(**changes) -> dict:
    data = {**PLAN, **changes}
    data["remind_person"] = "on" if data["remind_person"] else ""
    return {key: value for key, value in data.items() if value != ""}


def plan_url(referral) -> str:
    return f"/wellbeing/referrals/{referral.public_id}/plan/"


def mine_url(referral) -> str:
    return f"/wellbeing/mine/{referral.public_id}/plan/"


def without_nonces(response) -> str:
    page = re.sub(r'nonce="[^"]*"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


# --- the service -------------------------------------------------------------------------


def test_every_change_is_a_new_version_and_nothing_changed_adds_none(champion):
    referral = AssignedReferralFactory(champion=champion)
    first = support_plan_update(actor=champion, referral=referral, **PLAN)
    again = support_plan_update(actor=champion, referral=referral, **PLAN)
    second = support_plan_update(
        actor=referral.person, referral=referral, **{**PLAN, "what_helps": "Texts, not calls."}
    )
    assert first is not None
    assert again is None
    assert second is not None
    versions = list(SupportPlan.objects.filter(referral=referral).order_by("at", "id"))
    assert [(v.by, v.what_helps) for v in versions] == [
        (champion, "A call the day before."),
        (referral.person, "Texts, not calls."),
    ]
    events = ReferralEvent.objects.filter(referral=referral, kind="plan_changed")
    assert events.count() == 2
    assert events.last().why == "Changed by the person: what helps."


def test_the_other_side_is_told_without_the_plans_words(champion):
    referral = AssignedReferralFactory(champion=champion)
    support_plan_update(actor=referral.person, referral=referral, **PLAN)
    to_champion = Notification.objects.get(user=champion)
    assert to_champion.title == f"Support plan changed on referral {referral.reference}"
    assert to_champion.link_path == f"/wellbeing/referrals/{referral.public_id}/"
    assert not Notification.objects.filter(user=referral.person).exists()

    support_plan_update(actor=champion, referral=referral, **{**PLAN, "needs": "Sleep."})
    to_person = Notification.objects.get(user=referral.person)
    assert to_person.link_path == f"/wellbeing/mine/{referral.public_id}/"
    assert "Sleep" not in to_person.title
    assert Notification.objects.filter(user=champion).count() == 1  # not told of their own change


def test_a_changed_cadence_moves_the_next_checkin_from_the_last_one(champion):
    with time_machine.travel(START, tick=False):
        referral = AssignedReferralFactory(champion=champion)
    with time_machine.travel(START + timedelta(days=3), tick=False):
        CheckInFactory(referral=referral, by=champion)
    with time_machine.travel(START + timedelta(days=5), tick=False):
        support_plan_update(actor=referral.person, referral=referral, **PLAN)  # 14: unchanged
        referral.refresh_from_db()
        assert referral.next_checkin_at == START + timedelta(days=14)
        support_plan_update(
            actor=referral.person, referral=referral, **{**PLAN, "checkin_every_days": 7}
        )
    referral.refresh_from_db()
    assert referral.next_checkin_at == START + timedelta(days=3 + 7)


def test_without_a_checkin_the_cadence_counts_from_the_assignment(champion):
    with time_machine.travel(START, tick=False):
        referral = AssignedReferralFactory(champion=champion)
    with time_machine.travel(START + timedelta(days=2), tick=False):
        support_plan_update(actor=champion, referral=referral, **{**PLAN, "checkin_every_days": 28})
    referral.refresh_from_db()
    assert referral.next_checkin_at == START + timedelta(days=28)


def test_an_unassigned_referral_gets_a_plan_but_no_checkin_date():
    referral = AcceptedReferralFactory()
    support_plan_update(
        actor=referral.person, referral=referral, **{**PLAN, "checkin_every_days": 7}
    )
    referral.refresh_from_db()
    assert referral.next_checkin_at is None
    assert referral.plans.count() == 1


@pytest.mark.parametrize("factory", [ClosedReferralFactory, OfferedReferralFactory])
def test_a_closed_or_unanswered_referrals_plan_cannot_change(factory):
    referral = factory()
    with pytest.raises(ValidationError):
        support_plan_update(actor=referral.person, referral=referral, **PLAN)
    assert not SupportPlan.objects.exists()


def test_nobody_else_can_change_the_plan(champion):
    referral = AssignedReferralFactory(champion=champion)
    for outsider in (make_person(), champion_in("north-yorkshire"), make_person(Role.TRIAGE)):
        with pytest.raises(ValidationError):
            support_plan_update(actor=outsider, referral=referral, **PLAN)
    assert not SupportPlan.objects.exists()


@pytest.mark.parametrize("days", [0, 91, -1])
def test_the_service_refuses_a_cadence_out_of_range(champion, days):
    referral = AssignedReferralFactory(champion=champion)
    with pytest.raises(ValidationError):
        support_plan_update(
            actor=champion, referral=referral, **{**PLAN, "checkin_every_days": days}
        )


# --- the pages ---------------------------------------------------------------------------


def test_the_person_changes_their_plan_and_sees_its_history(client):
    referral = AssignedReferralFactory()
    support_plan_update(actor=referral.champion, referral=referral, **PLAN)
    client.force_login(referral.person)
    response = client.post(mine_url(referral), form(what_helps="A walk outside."))
    assert response.status_code == 302
    assert response["Location"] == mine_url(referral)
    page = client.get(mine_url(referral)).content.decode()
    assert "A walk outside." in page
    history = page.split('id="plan-history"', 1)[1].split("</table>", 1)[0]
    assert "You" in history
    assert f"{referral.champion.get_full_name()} (champion)" in history
    assert "What helps" in history
    assert "First version" in history
    assert "A call the day before." in page  # the earlier version is kept and shown


def test_the_champion_sees_and_changes_the_plan_and_the_read_is_audited(client, champion):
    referral = AssignedReferralFactory(champion=champion)
    support_plan_update(actor=referral.person, referral=referral, **PLAN)
    client.force_login(champion)
    page = client.get(plan_url(referral)).content.decode()
    assert "Someone to talk to after court dates." in page
    assert "The person" in page
    assert referral.person.get_full_name() not in page  # no name consent
    assert AccessLog.objects.filter(
        actor=champion, object_id=str(referral.pk), action="read", actor_role="champion"
    ).exists()
    response = client.post(plan_url(referral), form(checkin_every_days=7))
    assert response.status_code == 302
    assert referral.plans.first().checkin_every_days == 7


def test_the_person_cannot_change_a_closed_referrals_plan(client):
    referral = ClosedReferralFactory()
    client.force_login(referral.person)
    page = client.get(mine_url(referral)).content.decode()
    assert 'id="not-editable"' in page
    assert "This support has ended, so the plan can no longer change." in page
    response = client.post(mine_url(referral), form())
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert "This support has ended, so its plan cannot change." in response.content.decode()
    assert not SupportPlan.objects.exists()


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ("0", "Enter a number of days from 1 to 90."),
        ("91", "Enter a number of days from 1 to 90."),
        ("99999999999", "Enter a number of days from 1 to 90."),
        ("fortnightly", "Enter how often to check in as a whole number of days, like 14."),
        ("", "Enter how often to check in, in days."),
    ],
)
def test_a_bad_cadence_keeps_what_was_entered_with_an_error_summary(client, days, message):
    referral = AssignedReferralFactory()
    client.force_login(referral.person)
    response = client.post(
        mine_url(referral), {**form(what_helps="Quiet mornings"), "checkin_every_days": days}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert message in page
    assert "Quiet mornings" in page
    assert page.count("<title>Error: ") == 1
    assert not SupportPlan.objects.exists()


OUTSIDERS = ["other_person", "other_champion", "psd", "triager", "family"]


def _outsider(who: str, referral) -> User:
    if who == "other_person":
        return make_person()
    if who == "other_champion":
        return champion_in("north-yorkshire")
    if who == "psd":
        return make_person(professional_standards=True)
    if who == "triager":
        return make_person(Role.TRIAGE, kind=User.Kind.STAFF)

    family = make_person(Role.CHAMPION, kind=User.Kind.STAFF)  # a champion in their family
    link_family(referral.person, family)
    return family


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("route", [plan_url, mine_url])
def test_an_outsider_gets_the_same_404_as_for_a_missing_referral(client, who, route):
    referral = AssignedReferralFactory()
    client.force_login(_outsider(who, referral))
    missing = SimpleNamespace(public_id=uuid.uuid4())
    for method in ("get", "post"):
        forbidden = getattr(client, method)(route(referral), form())
        absent = getattr(client, method)(route(missing), form())
        assert forbidden.status_code == absent.status_code == 404
        assert without_nonces(forbidden) == without_nonces(absent)
    assert not SupportPlan.objects.exists()
