"""Check-ins: recorded by a champion, they set the next one by the plan and watch for falls."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from harmsportal.people.models import Role, User
from tests.factories import link_family, make_person
from tests.wellbeing.factories import (
    AcceptedReferralFactory,
    AssignedReferralFactory,
    ClosedReferralFactory,
    InSupportReferralFactory,
    champion_in,
)
from wellbeing.models import CheckIn, ReferralConflict, ReferralEvent
from wellbeing.services.checkins import checkin_record
from wellbeing.services.plans import support_plan_update

pytestmark = pytest.mark.django_db

START = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Europe/London"))


def record(champion, referral, score, *, in_crisis=False, note=""):
    return checkin_record(
        actor=champion, referral=referral, score=score, in_crisis=in_crisis, note=note
    )


def checkin_url(referral) -> str:
    return f"/wellbeing/referrals/{referral.public_id}/check-in/"


def without_nonces(response) -> str:
    page = re.sub(r'nonce="[^"]*"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


# --- the service -------------------------------------------------------------------------


def test_a_checkin_sets_the_next_one_by_the_default_cadence(champion):
    with time_machine.travel(START, tick=False):
        referral = AssignedReferralFactory(champion=champion)
    with time_machine.travel(START + timedelta(days=13), tick=False):
        checkin = record(champion, referral, 4, note="Sleeping better.")
    referral.refresh_from_db()
    assert referral.next_checkin_at == START + timedelta(days=13 + 14)
    assert (checkin.score, checkin.note, checkin.by) == (4, "Sleeping better.", champion)
    assert ReferralEvent.objects.filter(referral=referral, kind="checkin", by=champion).exists()


def test_a_checkin_follows_the_plans_cadence_and_starts_the_claims_afresh(champion):
    with time_machine.travel(START, tick=False):
        referral = InSupportReferralFactory(
            champion=champion,
            reminded_for=START + timedelta(days=14),
            missed_for=START + timedelta(days=14),
        )
        support_plan_update(
            actor=referral.person,
            referral=referral,
            contact_how="portal",
            contact_when="",
            needs="",
            what_helps="",
            what_does_not_help="",
            checkin_every_days=7,
            remind_person=False,
        )
    with time_machine.travel(START + timedelta(days=16), tick=False):
        record(champion, referral, 3)
    referral.refresh_from_db()
    assert referral.next_checkin_at == START + timedelta(days=16 + 7)
    assert referral.reminded_for is None
    assert referral.missed_for is None


def test_two_falls_in_a_row_flag_the_referral_and_a_rise_clears_it(champion):
    referral = AssignedReferralFactory(champion=champion)
    scores_and_flags = [(4, False), (3, False), (2, True), (2, False), (3, False)]
    for score, flagged in scores_and_flags:
        with time_machine.travel(START + timedelta(days=len(referral.checkins.all())), tick=False):
            record(champion, referral, score)
        referral.refresh_from_db()
        assert referral.needs_attention is flagged, score


def test_a_fall_then_a_level_score_is_not_two_falls(champion):
    referral = AssignedReferralFactory(champion=champion)
    for day, score in enumerate((5, 4, 4)):
        with time_machine.travel(START + timedelta(days=day), tick=False):
            record(champion, referral, score)
    referral.refresh_from_db()
    assert referral.needs_attention is False


def test_any_champion_of_the_referral_may_record_it(champion):
    referral = AssignedReferralFactory()  # held by another champion of the force
    record(champion, referral, 4)
    assert CheckIn.objects.get(referral=referral).by == champion


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (ClosedReferralFactory, "This referral is closed, so you cannot record a check-in."),
        (AcceptedReferralFactory, "Assign a champion before recording a check-in."),
    ],
)
def test_a_closed_or_unassigned_referral_takes_no_checkin(champion, factory, message):
    referral = factory()
    with pytest.raises(ValidationError, match=re.escape(message)):
        record(champion, referral, 4)
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("score", [0, 6, -1, 99999999999, True])
def test_the_service_refuses_a_score_out_of_range(champion, score):
    referral = AssignedReferralFactory(champion=champion)
    with pytest.raises(ValidationError, match=re.escape("Enter a score from 1 to 5.")):
        record(champion, referral, score)


def test_the_person_and_outsiders_cannot_record_one(champion):
    referral = AssignedReferralFactory(champion=champion)
    for who in (referral.person, champion_in("north-yorkshire"), make_person(Role.TRIAGE)):
        with pytest.raises(ValidationError):
            record(who, referral, 4)
    assert not CheckIn.objects.exists()


# --- the page ----------------------------------------------------------------------------


def test_a_champion_records_a_checkin_and_goes_back_to_the_referral(client, champion):
    referral = AssignedReferralFactory(champion=champion)
    client.force_login(champion)
    page = client.get(checkin_url(referral))
    assert page.status_code == 200
    assert "Record a check-in" in page.content.decode()
    response = client.post(checkin_url(referral), {"score": "4", "note": "A better week."})
    assert response.status_code == 302
    assert response["Location"] == f"/wellbeing/referrals/{referral.public_id}/"
    assert CheckIn.objects.get(referral=referral).note == "A better week."


@pytest.mark.parametrize(
    "score", ["", "0", "6", "99999999999", "-1", "+-1", "three", "1.5", "9" * 50]
)
def test_a_bad_score_keeps_what_was_entered_with_an_error_summary(client, champion, score):
    referral = AssignedReferralFactory(champion=champion)
    client.force_login(champion)
    data = {"note": "Talked about the court date.", "in_crisis": "on"}
    if score:
        data["score"] = score
    response = client.post(checkin_url(referral), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Select a score from 1 (struggling badly) to 5 (doing well)." in page
    assert "Talked about the court date." in page
    assert re.search(r'name="in_crisis"[^>]*checked', page)
    assert "<title>Error: " in page
    assert not CheckIn.objects.exists()


def test_a_checkin_on_a_closed_referral_is_a_clear_message_not_a_500(client, champion):
    referral = ClosedReferralFactory(champion=champion)
    client.force_login(champion)
    page = client.get(checkin_url(referral)).content.decode()
    assert 'id="cannot-record"' in page
    response = client.post(checkin_url(referral), {"score": "3", "note": "Kept."})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "This referral is closed, so you cannot record a check-in. Reopen it first." in page
    assert not CheckIn.objects.exists()


def _outsider(who: str, referral) -> User:
    if who == "person":
        return referral.person
    if who == "other_force_champion":
        return champion_in("north-yorkshire")
    if who == "psd":
        return make_person(professional_standards=True)
    if who == "triager":
        return make_person(Role.TRIAGE, kind=User.Kind.STAFF)
    if who == "stepped_aside":
        champion = champion_in()
        ReferralConflict.objects.create(referral=referral, user=champion, reason="Neighbour")
        return champion
    family = make_person(Role.CHAMPION, kind=User.Kind.STAFF)
    link_family(referral.person, family)
    return family


@pytest.mark.parametrize(
    "who", ["person", "other_force_champion", "psd", "triager", "stepped_aside", "family"]
)
@pytest.mark.parametrize("action", ["check-in", "crisis"])
def test_an_outsider_gets_the_same_404_as_for_a_missing_referral(client, who, action):
    referral = AssignedReferralFactory(in_crisis_since=START)
    client.force_login(_outsider(who, referral))
    missing = SimpleNamespace(public_id=uuid.uuid4())
    for method in ("get", "post"):
        url = f"/wellbeing/referrals/{referral.public_id}/{action}/"
        absent_url = f"/wellbeing/referrals/{missing.public_id}/{action}/"
        forbidden = getattr(client, method)(url, {"score": "1"})
        absent = getattr(client, method)(absent_url, {"score": "1"})
        assert forbidden.status_code == absent.status_code == 404
        assert without_nonces(forbidden) == without_nonces(absent)
    assert not CheckIn.objects.exists()
    referral.refresh_from_db()
    assert referral.in_crisis_since == START
