"""A crisis check-in (a score of 1, or marked in crisis): the champion sees what to do at once,
and the force's other champions are alerted exactly once, however often the beat runs."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from harmsportal.notifications.models import Notification
from tests.factories import link_family
from tests.wellbeing.factories import AssignedReferralFactory, CheckInFactory, champion_in
from wellbeing.models import CheckIn, ReferralConflict, ReferralEvent
from wellbeing.services.checkins import (
    checkin_crisis_acknowledge,
    checkin_record,
    checkins_sweep,
)
from wellbeing.tasks import wellbeing_checkins_task

pytestmark = pytest.mark.django_db

START = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Europe/London"))


def crisis_alerts(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user, title__startswith="Crisis check-in"))


def crisis_url(referral) -> str:
    return f"/wellbeing/referrals/{referral.public_id}/crisis/"


@pytest.fixture
def team(champion):
    """The assigned champion (the `champion` persona), two colleagues, and champions who must
    never hear: another force's, one who stepped aside, one in the person's family."""
    referral = AssignedReferralFactory(champion=champion)
    colleagues = [champion_in(), champion_in()]
    stepped_aside = champion_in()
    ReferralConflict.objects.create(referral=referral, user=stepped_aside, reason="Neighbour")
    family = champion_in()
    link_family(referral.person, family)
    elsewhere = champion_in("north-yorkshire")
    return {
        "referral": referral,
        "colleagues": colleagues,
        "never": [stepped_aside, family, elsewhere, referral.person],
    }


def test_a_score_of_one_alerts_the_forces_other_champions_exactly_once(champion, team):
    referral = team["referral"]
    with time_machine.travel(START, tick=False):
        checkin = checkin_record(
            actor=champion, referral=referral, score=1, in_crisis=False, note="Very low."
        )
    for minutes in (15, 30, 45, 60):
        with time_machine.travel(START + timedelta(minutes=minutes), tick=False):
            wellbeing_checkins_task.delay()
            checkins_sweep()
    for colleague in team["colleagues"]:
        alerts = crisis_alerts(colleague)
        assert [alert.title for alert in alerts] == [
            f"Crisis check-in on referral {referral.reference}: please act now"
        ]
        assert alerts[0].link_path == f"/wellbeing/referrals/{referral.public_id}/"
        assert alerts[0].kind == "alert"
    assert crisis_alerts(champion) == []  # they recorded it and were shown what to do
    for user in team["never"]:
        assert crisis_alerts(user) == [], user
    checkin.refresh_from_db()
    assert checkin.crisis_alerted_at == START
    referral.refresh_from_db()
    assert referral.in_crisis_since == START
    assert ReferralEvent.objects.filter(referral=referral, kind="crisis").count() == 1


def test_the_assigned_champion_is_alerted_when_a_colleague_records_the_crisis(champion, team):
    colleague = team["colleagues"][0]
    checkin_record(
        actor=colleague, referral=team["referral"], score=3, in_crisis=True, note="Said so."
    )
    assert len(crisis_alerts(champion)) == 1
    assert len(crisis_alerts(team["colleagues"][1])) == 1
    assert crisis_alerts(colleague) == []


def test_a_checkin_that_is_not_a_crisis_alerts_nobody(champion, team):
    checkin_record(actor=champion, referral=team["referral"], score=2, in_crisis=False, note="")
    checkins_sweep()
    assert not Notification.objects.filter(title__startswith="Crisis").exists()
    team["referral"].refresh_from_db()
    assert team["referral"].in_crisis_since is None


def test_the_beat_sends_a_crisis_alert_that_was_never_sent_once(champion, team):
    # A crisis check-in whose alert never went (written outside checkin_record).
    with time_machine.travel(START, tick=False):
        CheckInFactory(referral=team["referral"], by=champion, score=1)
    for minutes in (0, 15, 30):
        with time_machine.travel(START + timedelta(minutes=minutes), tick=False):
            checkins_sweep()
    for colleague in team["colleagues"]:
        assert len(crisis_alerts(colleague)) == 1
    assert CheckIn.objects.get().crisis_alerted_at == START


def test_the_crisis_email_says_nothing_about_the_person(
    champion, team, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        checkin_record(
            actor=champion, referral=team["referral"], score=1, in_crisis=True, note="Very low."
        )
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        colleague.email for colleague in team["colleagues"]
    )
    for email in mail.outbox:
        assert team["referral"].reference not in email.body
        assert "Very low." not in email.body


# --- the pages ---------------------------------------------------------------------------


def test_the_champion_is_shown_the_crisis_guidance_at_once(client, champion, team, settings):
    settings.HARMSPORTAL_URGENT_OH_ROUTE = "Call the OH duty line on 01234 567890."
    referral = team["referral"]
    client.force_login(champion)
    response = client.post(
        f"/wellbeing/referrals/{referral.public_id}/check-in/",
        {"score": "1", "note": "Talked for an hour."},
    )
    assert response.status_code == 302
    assert response["Location"] == crisis_url(referral)
    page = client.get(response["Location"]).content.decode()
    assert "999" in page
    assert "116 123" in page
    assert "Call the OH duty line on 01234 567890." in page
    assert "Police Care UK" in page
    assert "Oscar Kilo" in page
    assert "I have acted on this" in page
    assert len(crisis_alerts(team["colleagues"][0])) == 1


def test_acting_on_the_crisis_clears_it_and_records_what_was_done(client, champion, team):
    referral = team["referral"]
    checkin_record(actor=champion, referral=referral, score=1, in_crisis=False, note="")
    colleague = team["colleagues"][0]
    client.force_login(colleague)
    response = client.post(crisis_url(referral), {"what_was_done": "Called OH; seen today."})
    assert response.status_code == 302
    assert response["Location"] == f"/wellbeing/referrals/{referral.public_id}/"
    referral.refresh_from_db()
    assert referral.in_crisis_since is None
    acted = ReferralEvent.objects.filter(referral=referral, kind="crisis").last()
    assert (acted.by, acted.why) == (colleague, "Acted on by a champion: Called OH; seen today.")
    page = client.get(crisis_url(referral)).content.decode()
    assert 'id="no-crisis"' in page
    assert "I have acted on this" not in page
    assert "116 123" in page  # the guidance stays


def test_acting_twice_records_it_once(champion, team):
    referral = team["referral"]
    checkin_record(actor=champion, referral=referral, score=1, in_crisis=False, note="")
    assert checkin_crisis_acknowledge(actor=champion, referral=referral, what_was_done="")
    assert not checkin_crisis_acknowledge(actor=champion, referral=referral, what_was_done="")
    assert ReferralEvent.objects.filter(referral=referral, kind="crisis").count() == 2


def test_a_too_long_account_of_what_was_done_keeps_it_with_an_error(client, champion, team):
    referral = team["referral"]
    checkin_record(actor=champion, referral=referral, score=1, in_crisis=False, note="")
    client.force_login(champion)
    words = "Called 999. " * 100
    response = client.post(crisis_url(referral), {"what_was_done": words})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert words.strip()[:200] in page
    referral.refresh_from_db()
    assert referral.in_crisis_since is not None


def test_a_later_crisis_after_acting_alerts_again(champion, team):
    referral = team["referral"]
    with time_machine.travel(START, tick=False):
        checkin_record(actor=champion, referral=referral, score=1, in_crisis=False, note="")
        checkin_crisis_acknowledge(actor=champion, referral=referral, what_was_done="")
    with time_machine.travel(START + timedelta(days=3), tick=False):
        checkin_record(actor=champion, referral=referral, score=2, in_crisis=True, note="")
        checkins_sweep()
    assert len(crisis_alerts(team["colleagues"][0])) == 2
