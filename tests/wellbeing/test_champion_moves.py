"""A champion's moves: each records who, when and why, tells the right people through the
outbox (never the words), refuses the wrong actor, and an illegal move posted directly is a
clear message on the page, never a 500."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from harmsportal.notifications.models import Notification
from tests.wellbeing.factories import (
    AcceptedReferralFactory,
    AssignedReferralFactory,
    CheckInFactory,
    ClosedReferralFactory,
    InSupportReferralFactory,
    SupportServiceFactory,
    champion_in,
)
from wellbeing.models import CloseReason, Referral, ReferralEvent, ReferralState, SupportPlan
from wellbeing.services.messages import referral_message_send, referral_messages_mark_read
from wellbeing.services.moves import (
    referral_assign,
    referral_close,
    referral_reopen,
    referral_service_choose,
    referral_step_aside,
    referral_support_start,
)

pytestmark = pytest.mark.django_db


def titles(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


def fresh(referral: Referral) -> Referral:
    return Referral.objects.get(pk=referral.pk)


def last_event(referral: Referral) -> ReferralEvent:
    return referral.events.order_by("-at", "-id").first()


def errors(response) -> list[str]:
    """The GOV.UK error summary's items, or the page's error messages after a redirect."""
    page = response.content.decode()
    summary = re.findall(r'govuk-error-summary__list">(.*?)</ul>', page, re.S)
    return [
        re.sub(r"<[^>]+>", "", item).strip()
        for item in re.findall(r"<li>(.*?)</li>", "".join(summary), re.S)
    ]


# --- assign and reassign -----------------------------------------------------------------


def test_a_champion_takes_a_waiting_referral_themselves(champion):
    referral = AcceptedReferralFactory()
    assert referral_assign(actor=champion, referral=referral, champion=champion) is True
    stored = fresh(referral)
    assert stored.state == ReferralState.ASSIGNED
    assert stored.champion == champion
    assert stored.next_checkin_at is not None
    event = last_event(stored)
    assert (event.kind, event.by, event.from_state, event.to_state) == (
        ReferralEvent.Kind.ASSIGNED,
        champion,
        ReferralState.ACCEPTED,
        ReferralState.ASSIGNED,
    )
    assert titles(referral.person) == [
        f"A champion has been assigned to your wellbeing referral {referral.reference}"
    ]
    assert titles(champion) == []  # nobody is told what they just did


def test_assigning_again_to_the_same_champion_changes_nothing(champion):
    referral = AssignedReferralFactory(champion=champion)
    events = referral.events.count()
    assert referral_assign(actor=champion, referral=referral, champion=champion) is False
    assert referral.events.count() == events


def test_reassigning_when_a_champion_leaves_tells_the_new_one_the_old_one_and_the_person(
    champion,
):
    leaving = champion_in(full_name="Lee Leaving")
    taking = champion_in(full_name="Tay King")
    referral = InSupportReferralFactory(champion=leaving)
    assert referral_assign(actor=champion, referral=referral, champion=taking) is True
    stored = fresh(referral)
    assert stored.champion == taking
    assert stored.state == ReferralState.IN_SUPPORT
    event = last_event(stored)
    assert event.kind == ReferralEvent.Kind.REASSIGNED
    assert event.why == "To Tay King, from Lee Leaving"
    assert titles(taking) == [f"Referral {referral.reference} is assigned to you"]
    assert titles(leaving) == [f"Referral {referral.reference} has moved to another champion"]
    assert len(titles(referral.person)) == 1


@pytest.mark.parametrize("target", ["other force", "not a champion", "stepped aside", "person"])
def test_a_referral_goes_only_to_a_champion_who_may_see_it(champion, target):
    referral = AcceptedReferralFactory()
    if target == "other force":
        who = champion_in("north-yorkshire")
    elif target == "not a champion":
        who = referral.case.assignee
    elif target == "stepped aside":
        who = champion_in()
        referral.conflicts.create(user=who, reason="Neighbours.")
    else:
        who = referral.person
    with pytest.raises(ValidationError, match="Choose an active wellbeing champion"):
        referral_assign(actor=champion, referral=referral, champion=who)
    assert fresh(referral).champion is None


def test_someone_who_may_not_see_the_referral_cannot_move_it(champion):
    referral = AcceptedReferralFactory()
    outsider = champion_in("north-yorkshire")
    moves = [
        lambda: referral_assign(actor=outsider, referral=referral, champion=champion),
        lambda: referral_support_start(actor=outsider, referral=referral),
        lambda: referral_close(actor=outsider, referral=referral, reason="support_ended"),
        lambda: referral_step_aside(actor=outsider, referral=referral, reason="No"),
        lambda: referral_message_send(actor=outsider, referral=referral, body="Hi"),
        lambda: referral_service_choose(
            actor=outsider, referral=referral, service=SupportServiceFactory()
        ),
    ]
    for move in moves:
        with pytest.raises(ValidationError):
            move()
    assert fresh(referral).state == ReferralState.ACCEPTED
    assert not referral.events.exists()


# --- support ---------------------------------------------------------------------------------


def test_handing_to_a_service_starts_support_and_ends_the_wait(champion):
    referral = AssignedReferralFactory(champion=champion)
    service = SupportServiceFactory(name="Occupational Health West")
    assert referral_service_choose(actor=champion, referral=referral, service=service) is True
    stored = fresh(referral)
    assert stored.state == ReferralState.IN_SUPPORT
    assert stored.service == service
    assert stored.first_support_at is not None
    event = last_event(stored)
    assert event.kind == ReferralEvent.Kind.SERVICE_CHOSEN
    assert event.why == "Handed to Occupational Health West"
    assert event.from_state == ReferralState.ASSIGNED


@pytest.mark.parametrize("problem", ["other force", "inactive"])
def test_only_an_active_service_of_the_force_can_take_a_referral(champion, problem):
    referral = AssignedReferralFactory(champion=champion)
    if problem == "other force":
        from tests.factories import force

        service = SupportServiceFactory(force=force("north-yorkshire"))
    else:
        service = SupportServiceFactory(active=False)
    with pytest.raises(ValidationError, match="active support service in this force"):
        referral_service_choose(actor=champion, referral=referral, service=service)
    assert fresh(referral).service is None


def test_support_starts_once_and_never_before_a_champion_is_assigned(champion):
    waiting = AcceptedReferralFactory()
    with pytest.raises(ValidationError, match="Assign a champion before support starts"):
        referral_support_start(actor=champion, referral=waiting)

    referral = AssignedReferralFactory(champion=champion)
    assert referral_support_start(actor=champion, referral=referral) is True
    first = fresh(referral).first_support_at
    assert referral_support_start(actor=champion, referral=referral) is False
    assert fresh(referral).first_support_at == first
    assert referral.events.filter(kind=ReferralEvent.Kind.SUPPORT_STARTED).count() == 1


# --- stepping aside --------------------------------------------------------------------------


def test_the_holder_who_steps_aside_releases_it_for_another_champion(champion):
    colleague = champion_in(full_name="Col League")
    referral = AssignedReferralFactory(champion=champion)
    assert referral_step_aside(actor=champion, referral=referral, reason="My cousin.") is True
    stored = fresh(referral)
    assert stored.champion is None
    assert stored.state == ReferralState.ACCEPTED
    assert stored.conflicts.get().user == champion
    event = last_event(stored)
    assert event.kind == ReferralEvent.Kind.STEPPED_ASIDE
    assert "cousin" not in event.why  # the reason stays on the conflict row only
    assert titles(colleague) == [f"Referral {referral.reference} needs a champion"]
    assert referral_assign(actor=colleague, referral=stored, champion=colleague) is True
    with pytest.raises(ValidationError):
        referral_assign(actor=colleague, referral=stored, champion=champion)


def test_stepping_aside_from_a_referral_in_support_keeps_its_first_support(champion):
    colleague = champion_in()
    referral = InSupportReferralFactory(champion=champion)
    first = referral.first_support_at
    referral_step_aside(actor=champion, referral=referral, reason="Same team.")
    stored = fresh(referral)
    assert (stored.state, stored.champion) == (ReferralState.IN_SUPPORT, None)
    referral_assign(actor=colleague, referral=stored, champion=colleague)
    stored = fresh(referral)
    assert (stored.state, stored.champion, stored.first_support_at) == (
        ReferralState.IN_SUPPORT,
        colleague,
        first,
    )


def test_a_champion_who_does_not_hold_it_can_step_aside_too(champion):
    holder = champion_in()
    referral = AssignedReferralFactory(champion=holder)
    referral_step_aside(actor=champion, referral=referral, reason="I know them.")
    assert fresh(referral).champion == holder
    with pytest.raises(ValidationError):  # they cannot reach it any more
        referral_step_aside(actor=champion, referral=referral, reason="Again.")


def test_stepping_aside_needs_a_reason(champion):
    referral = AssignedReferralFactory(champion=champion)
    with pytest.raises(ValidationError, match="Enter how you know the person"):
        referral_step_aside(actor=champion, referral=referral, reason="   ")
    assert not referral.conflicts.exists()


# --- close and reopen ------------------------------------------------------------------------


def test_closing_records_why_and_tells_the_person(champion):
    referral = InSupportReferralFactory(champion=champion)
    assert referral_close(
        actor=champion, referral=referral, reason=CloseReason.SUPPORT_ENDED, why="Doing well."
    )
    stored = fresh(referral)
    assert stored.state == ReferralState.CLOSED
    assert stored.next_checkin_at is None
    event = last_event(stored)
    assert (event.kind, event.why, event.from_state) == (
        ReferralEvent.Kind.CLOSED,
        "Doing well.",
        ReferralState.IN_SUPPORT,
    )
    assert f"Your wellbeing referral {referral.reference} has been closed" in titles(
        referral.person
    )
    assert referral_close(actor=champion, referral=stored, reason="support_ended") is False


def test_a_champion_cannot_close_a_referral_as_consent_withdrawn(champion):
    referral = AssignedReferralFactory(champion=champion)
    with pytest.raises(ValidationError):
        referral_close(actor=champion, referral=referral, reason=CloseReason.CONSENT_WITHDRAWN)


def test_a_champion_reopens_at_the_persons_request_and_the_person_is_told(champion):
    referral = ClosedReferralFactory(champion=champion)
    assert referral_reopen(actor=champion, referral=referral, why="They asked.") is True
    stored = fresh(referral)
    assert stored.state == ReferralState.IN_SUPPORT  # support had started: the wait is over
    assert last_event(stored).why == "They asked."
    assert f"Your wellbeing referral {referral.reference} has been reopened" in titles(
        referral.person
    )
    assert referral_reopen(actor=champion, referral=stored) is False


def test_the_person_can_reopen_and_their_champion_is_told(champion):
    referral = ClosedReferralFactory(champion=champion)
    assert referral_reopen(actor=referral.person, referral=referral) is True
    assert titles(champion) == [f"Referral {referral.reference} has been reopened"]


def test_only_the_person_reopens_a_referral_they_withdrew_consent_from(champion):
    referral = AssignedReferralFactory(champion=champion)
    referral.withdraw_consent()
    with pytest.raises(ValidationError, match="only they can reopen"):
        referral_reopen(actor=champion, referral=referral)
    assert referral_reopen(actor=referral.person, referral=referral) is True
    assert fresh(referral).consent_active


# --- messages --------------------------------------------------------------------------------


def test_messages_tell_the_other_side_without_the_words(champion):
    referral = AssignedReferralFactory(champion=champion)
    referral_message_send(actor=champion, referral=referral, body="Free for a call Tuesday?")
    referral_message_send(actor=referral.person, referral=referral, body="Yes, after 2pm.")
    for user in (referral.person, champion):
        for title in titles(user):
            assert "Tuesday" not in title
            assert "2pm" not in title
    assert titles(champion) == [f"New message on wellbeing referral {referral.reference}"]
    assert referral.events.filter(kind=ReferralEvent.Kind.MESSAGE, why="").count() == 2


def test_the_person_reading_their_referral_marks_the_champions_messages_read(champion):
    referral = AssignedReferralFactory(champion=champion)
    referral_message_send(actor=champion, referral=referral, body="Hello")
    referral_message_send(actor=referral.person, referral=referral, body="Hi")
    assert referral_messages_mark_read(actor=referral.person, referral=referral) == 1
    assert referral.messages.get(from_person=False).read_at is not None
    assert referral.messages.get(from_person=True).read_at is None
    assert referral_messages_mark_read(actor=champion, referral=referral) == 1


def test_a_message_to_the_holder_goes_to_every_champion_when_nobody_holds_it(champion):
    referral = AcceptedReferralFactory()
    referral_message_send(actor=referral.person, referral=referral, body="Is anyone there?")
    assert titles(champion) == [f"New message on wellbeing referral {referral.reference}"]


def test_nobody_messages_a_person_who_withdrew_consent(champion):
    referral = AssignedReferralFactory(champion=champion)
    referral.withdraw_consent()
    with pytest.raises(ValidationError, match="withdrew their consent"):
        referral_message_send(actor=champion, referral=referral, body="Hello?")


# --- illegal moves posted directly: a message, never a 500 -----------------------------------


def test_starting_support_on_a_waiting_referral_is_a_message(client, champion):
    referral = AcceptedReferralFactory()
    client.force_login(champion)
    response = client.post(
        reverse("wellbeing:start_support", args=[referral.public_id]), follow=True
    )
    assert response.status_code == 200
    assert "Assign a champion before support starts." in response.content.decode()
    assert fresh(referral).state == ReferralState.ACCEPTED


def test_handing_a_waiting_referral_to_a_service_is_a_form_error(client, champion):
    referral = AcceptedReferralFactory()
    service = SupportServiceFactory()
    client.force_login(champion)
    response = client.post(
        reverse("wellbeing:choose_service", args=[referral.public_id]), {"service": service.pk}
    )
    assert response.status_code == 200
    assert errors(response) == ["Assign a champion before support starts."]


@pytest.mark.parametrize(
    ("route", "data", "expected"),
    [
        ("assign", {"champion": "99999999999999999999999"}, "Select a champion from the list."),
        ("assign", {"champion": "+-1"}, "Select a champion from the list."),
        ("assign", {}, "Select a champion."),
        ("choose_service", {"service": "abc"}, "Select a support service from the list."),
        ("close", {"reason": "consent_withdrawn"}, "Select why the referral is closing."),
        ("close", {}, "Select why the referral is closing."),
        ("step_aside", {"reason": ""}, "Enter how you know the person."),
        ("step_aside", {"reason": "x" * 1001}, None),
    ],
)
def test_bad_input_is_a_form_error_that_keeps_what_was_entered(
    client, champion, route, data, expected
):
    referral = AssignedReferralFactory(champion=champion)
    client.force_login(champion)
    response = client.post(reverse(f"wellbeing:{route}", args=[referral.public_id]), data)
    assert response.status_code == 200
    found = errors(response)
    assert found, "an error summary"
    if expected:
        assert found == [expected]
    if route == "step_aside" and data["reason"]:
        assert data["reason"] in response.content.decode()


def test_assigning_to_a_champion_of_another_force_is_a_form_error(client, champion):
    referral = AcceptedReferralFactory()
    elsewhere = champion_in("north-yorkshire")
    client.force_login(champion)
    response = client.post(
        reverse("wellbeing:assign", args=[referral.public_id]), {"champion": elsewhere.pk}
    )
    assert response.status_code == 200
    assert errors(response) == ["Select a champion from the list."]
    assert fresh(referral).champion is None


def test_reopening_an_open_referral_or_closing_a_closed_one_says_so(client, champion):
    referral = AssignedReferralFactory(champion=champion)
    client.force_login(champion)
    page = client.post(
        reverse("wellbeing:reopen", args=[referral.public_id]), {"why": ""}, follow=True
    ).content.decode()
    assert "The referral is already open." in page
    closed = ClosedReferralFactory(champion=champion)
    page = client.post(
        reverse("wellbeing:close", args=[closed.public_id]),
        {"reason": "support_ended"},
        follow=True,
    ).content.decode()
    assert "The referral was already closed." in page


def test_reopening_a_withdrawn_referral_as_a_champion_is_a_message(client, champion):
    referral = AssignedReferralFactory(champion=champion)
    referral.withdraw_consent()
    client.force_login(champion)
    page = client.post(
        reverse("wellbeing:reopen", args=[referral.public_id]), {"why": ""}, follow=True
    ).content.decode()
    assert "only they can reopen this referral" in page
    assert fresh(referral).state == ReferralState.CLOSED


def test_an_empty_message_keeps_the_page_and_shows_the_error(client, champion):
    referral = AssignedReferralFactory(champion=champion)
    client.force_login(champion)
    response = client.post(reverse("wellbeing:message", args=[referral.public_id]), {"body": ""})
    assert response.status_code == 200
    assert errors(response) == ["Enter a message."]
    assert response.content.decode().count(referral.reference) >= 1
    long = "x" * 5001
    response = client.post(reverse("wellbeing:message", args=[referral.public_id]), {"body": long})
    assert response.status_code == 200
    assert long in response.content.decode()


def test_the_champions_buttons_move_the_referral_through_its_life(client, champion):
    referral = AcceptedReferralFactory()
    service = SupportServiceFactory()
    client.force_login(champion)
    url = lambda name: reverse(f"wellbeing:{name}", args=[referral.public_id])  # noqa: E731
    assert client.post(url("assign"), {"champion": champion.pk}).status_code == 302
    assert client.post(url("start_support")).status_code == 302
    assert client.post(url("choose_service"), {"service": service.pk}).status_code == 302
    assert client.post(url("message"), {"body": "How are you?"}).status_code == 302
    assert client.post(url("close"), {"reason": "support_ended"}).status_code == 302
    assert client.post(url("reopen"), {"why": "Asked again."}).status_code == 302
    stored = fresh(referral)
    assert stored.state == ReferralState.IN_SUPPORT  # its support had started before closing
    assert stored.service == service
    kinds = list(stored.events.values_list("kind", flat=True))
    assert kinds == [
        "assigned",
        "support_started",
        "service_chosen",
        "message",
        "closed",
        "reopened",
    ]
    page = client.get(url("referral")).content.decode()
    assert "Asked again." in page
    assert "How are you?" in page


# --- the referral page -------------------------------------------------------------------------


def test_a_referral_in_crisis_shows_the_crisis_guidance_once(client, champion):
    referral = AssignedReferralFactory(champion=champion, in_crisis_since=timezone.now())
    client.force_login(champion)
    page = client.get(reverse("wellbeing:referral", args=[referral.public_id])).content.decode()
    assert page.count("govuk-notification-banner__header") == 1
    assert "999" in page
    assert "116 123" in page
    calm = AssignedReferralFactory(champion=champion)
    page = client.get(reverse("wellbeing:referral", args=[calm.public_id])).content.decode()
    assert "116 123" not in page


def test_the_referral_page_shows_the_plan_check_ins_and_history(client, champion):
    referral = AssignedReferralFactory(champion=champion)
    SupportPlan.objects.create(
        referral=referral, by=referral.person, what_helps="A call before a hard shift."
    )
    CheckInFactory(referral=referral, by=champion, score=2, note="A rough week at work.")
    client.force_login(champion)
    page = client.get(reverse("wellbeing:referral", args=[referral.public_id])).content.decode()
    assert "A call before a hard shift." in page
    assert "A rough week at work." in page
    assert "2: struggling" in page
    assert reverse("wellbeing:plan", args=[referral.public_id]) in page
    assert reverse("wellbeing:checkin", args=[referral.public_id]) in page
