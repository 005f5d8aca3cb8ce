"""Who may open a referral as a champion: its force's champions, once the person consented.

Everyone else gets the 404 of a referral that does not exist, byte for byte, on every referral
route, GET and POST: Professional Standards, another force's champion, this force's triage
(even the triager who offered it), other reporters, the person themself on the champion's
route, and a champion who stepped aside. Nothing changes and nothing is logged for them.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from harmsportal.audit.models import AccessLog
from harmsportal.people.models import Role, User
from tests.factories import link_family, make_person
from tests.wellbeing.factories import (
    AssignedReferralFactory,
    DeclinedReferralFactory,
    OfferedReferralFactory,
    SelfReferralFactory,
    SupportServiceFactory,
    champion_in,
)
from wellbeing.models import Referral

pytestmark = pytest.mark.django_db

ROUTES = [
    ("get", "referral"),
    ("get", "assign"),
    ("post", "assign"),
    ("get", "choose_service"),
    ("post", "choose_service"),
    ("post", "start_support"),
    ("get", "step_aside"),
    ("post", "step_aside"),
    ("get", "close"),
    ("post", "close"),
    ("post", "reopen"),
    ("post", "message"),
]
OUTSIDERS = [
    "psd_officer",
    "other_force_champion",
    "triager",
    "case_triager",
    "triage_supervisor",
    "officer",
    "staff_member",
    "family_member",
    "force_lead",
    "oversight",
    "analyst",
    "person",
    "stepped_aside_champion",
]


@pytest.fixture
def referral(champion) -> Referral:
    return AssignedReferralFactory(champion=champion)


@pytest.fixture
def outsider(request, persona, referral):
    def get(name: str) -> User:
        if name == "other_force_champion":
            return champion_in("north-yorkshire")
        if name == "case_triager":
            return referral.case.assignee  # offered the support from the case
        if name == "person":
            return referral.person
        if name == "stepped_aside_champion":
            colleague = champion_in()
            referral.conflicts.create(user=colleague, reason="We share a desk.")
            return colleague
        return persona(name)

    return get


def _payload(referral: Referral) -> dict:
    service = SupportServiceFactory(force=referral.force)
    return {
        "champion": referral.champion_id,
        "service": service.pk,
        "reason": "support_ended",
        "why": "Because",
        "body": "Hello",
    }


def _snapshot(referral: Referral) -> tuple:
    stored = Referral.objects.get(pk=referral.pk)
    return (
        stored.state,
        stored.champion_id,
        stored.service_id,
        stored.events.count(),
        stored.messages.count(),
        stored.conflicts.count(),
        stored.closed_at,
    )


def _without_nonces(response) -> str:
    # Each response carries a fresh CSP nonce and CSRF token; everything else must match.
    page = re.sub(r'nonce="[^"]*"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def _url(name: str, pk) -> str:
    return reverse(f"wellbeing:{name}", args=[pk])


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_on_every_referral_route_and_nothing_changes(
    client, outsider, referral, who
):
    person = outsider(who)
    before = _snapshot(referral)
    data = _payload(referral)
    client.force_login(person)
    for method, name in ROUTES:
        url = _url(name, referral.public_id)
        response = client.post(url, data) if method == "post" else client.get(url)
        assert response.status_code == 404, (method, name)
    assert _snapshot(referral) == before
    assert not AccessLog.objects.filter(actor=person).exists()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_a_forbidden_referral_looks_exactly_like_a_missing_one(client, outsider, referral, who):
    client.force_login(outsider(who))
    for method, name in ROUTES:
        forbidden_url, missing_url = _url(name, referral.public_id), _url(name, uuid.uuid4())
        if method == "post":
            forbidden, missing = client.post(forbidden_url, {}), client.post(missing_url, {})
        else:
            forbidden, missing = client.get(forbidden_url), client.get(missing_url)
        assert forbidden.status_code == missing.status_code == 404
        assert _without_nonces(forbidden) == _without_nonces(missing), (method, name)


def test_the_forces_champion_can_open_every_referral_page(client, champion, referral):
    client.force_login(champion)
    for method, name in ROUTES:
        if method == "get":
            assert client.get(_url(name, referral.public_id)).status_code == 200, name


@pytest.mark.parametrize("factory", [OfferedReferralFactory, DeclinedReferralFactory])
def test_a_champion_never_sees_a_referral_the_person_has_not_accepted(client, champion, factory):
    referral = factory()
    client.force_login(champion)
    assert client.get(_url("referral", referral.public_id)).status_code == 404
    assert referral.reference not in client.get("/wellbeing/?state=all").content.decode()
    assert not AccessLog.objects.filter(actor=champion).exists()


def test_a_champion_never_sees_their_own_or_their_familys_referral(client, champion):
    own = SelfReferralFactory(person=champion)
    relative = make_person(kind=User.Kind.FAMILY, full_name="Kim Relative")
    link_family(champion, relative)
    family = SelfReferralFactory(person=relative, force=champion.home_force)
    client.force_login(champion)
    queue = client.get("/wellbeing/?state=all").content.decode()
    for referral in (own, family):
        assert client.get(_url("referral", referral.public_id)).status_code == 404
        assert referral.reference not in queue


def test_a_champion_who_steps_aside_loses_the_referral_at_once(client, champion, referral):
    client.force_login(champion)
    response = client.post(_url("step_aside", referral.public_id), {"reason": "My neighbour."})
    assert response.status_code == 302
    assert response["Location"] == reverse("wellbeing:home")
    logged = AccessLog.objects.filter(actor=champion).count()
    queue = client.get(response["Location"]).content.decode()  # shows the message, once
    assert "You have stepped aside" in queue
    assert referral.reference not in queue.split('id="queue-filters"', 1)[1]

    forbidden = client.get(_url("referral", referral.public_id))
    missing = client.get(_url("referral", uuid.uuid4()))
    assert forbidden.status_code == 404
    assert _without_nonces(forbidden) == _without_nonces(missing)
    assert AccessLog.objects.filter(actor=champion).count() == logged


def test_the_champions_queue_is_a_staff_route(client, persona, champion):
    client.force_login(persona("psd_officer"))
    assert client.get("/wellbeing/").status_code == 404
    for who in ("officer", "triager", "force_lead", "family_member"):
        client.force_login(persona(who))
        assert client.get("/wellbeing/").status_code == 403, who
    client.force_login(champion)
    assert client.get("/wellbeing/").status_code == 200


def test_another_forces_champion_sees_none_of_this_forces_referrals(client, referral):
    client.force_login(champion_in("north-yorkshire"))
    page = client.get("/wellbeing/?state=all").content.decode()
    assert referral.reference not in page
    assert 'id="queue-empty"' in page


def test_anonymous_visitors_are_sent_to_sign_in(client, referral):
    for method, name in ROUTES:
        url = _url(name, referral.public_id)
        response = client.post(url, {}) if method == "post" else client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_champion_who_also_works_triage_still_works_the_referral(client, referral):
    # Holding triage as well does not take the referral away from a champion.
    both = make_person(Role.CHAMPION, Role.TRIAGE, kind=User.Kind.STAFF)
    client.force_login(both)
    assert client.get(_url("referral", referral.public_id)).status_code == 200
