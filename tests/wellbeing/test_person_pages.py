"""The person's own support pages (/wellbeing/mine/…) and triage's offer page, through the
HTTP client: what each shows, forms that keep what was entered, illegal moves shown as a clear
message (never a 500), and other people's referrals a 404 byte-identical to a missing one."""

from __future__ import annotations

import html as html_lib
import re
import uuid

import pytest
from django.urls import reverse

from harmsportal.people.models import User
from reports.models import Report
from tests.conftest import PERSONAS
from tests.factories import make_person
from tests.triage.factories import AssessedCaseFactory, triager_in
from tests.wellbeing.factories import (
    AcceptedReferralFactory,
    AssignedReferralFactory,
    ClosedReferralFactory,
    DeclinedReferralFactory,
    OfferedReferralFactory,
    SelfReferralFactory,
    assessed_case_without_offer,
)
from wellbeing.models import ConsentScope, Referral, ReferralMessage, ReferralState
from wellbeing.services.offers import referral_accept

pytestmark = pytest.mark.django_db

ACCEPT = {
    "decision": "accept",
    "summary": "I keep thinking about the posts and would like to talk.",
    "scope": "summary",
    "share_name": "no",
    "harm_to": "me",
    "support_type": "wellbeing",
}
SELF_REFER = {
    "harm_to": "family",
    "support_type": "family",
    "summary": "Our children's school was named online.",
    "share_name": "yes",
}


def page(client, user, url: str, data: dict | None = None, **kwargs):
    client.force_login(user)
    response = client.post(url, data or {}, **kwargs) if data is not None else client.get(url)
    return response


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def without_nonces(response) -> str:
    # Each response carries a fresh CSP nonce and CSRF token; everything else must match.
    body = re.sub(r'nonce="[^"]*"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)


def mine(referral: Referral, route: str = "mine_referral") -> str:
    return reverse(f"wellbeing:{route}", args=[referral.public_id])


def stored(referral: Referral) -> Referral:
    return Referral.objects.get(pk=referral.pk)


# --- /wellbeing/mine/ --------------------------------------------------------------------------
@pytest.mark.parametrize("who", PERSONAS)
def test_every_signed_in_account_has_my_support(client, persona, who):
    response = page(client, persona(who), reverse("wellbeing:mine"))
    assert response.status_code == 200
    assert "You have no wellbeing referrals." in text(response)


def test_my_support_lists_the_persons_referrals_with_their_state_and_an_offer_to_answer(client):
    offered = OfferedReferralFactory()
    person = offered.person
    closed = ClosedReferralFactory(person=person, case=assessed_case_without_offer(reporter=person))
    mine_self = SelfReferralFactory(person=person)
    someone_elses = SelfReferralFactory()

    html = text(page(client, person, reverse("wellbeing:mine")))

    table = html.split('id="my-referrals"', 1)[1].split("</table>", 1)[0]
    for referral, tag in (
        (offered, "Waiting for your answer"),
        (closed, "Closed"),
        (mine_self, "Waiting for a champion"),
    ):
        assert referral.reference in table
        assert tag in table
    assert someone_elses.reference not in html
    assert "Support is offered to you" in html
    assert f'href="{mine(offered, "respond")}"' in html
    assert "Accept or decline" in html


def test_the_referral_page_shows_state_sharing_champion_plan_and_next_check_in(client):
    referral = AssignedReferralFactory(consent_name=True)
    ReferralMessage.objects.create(
        referral=referral, author=referral.champion, from_person=False, body="Hello, I am here."
    )
    html = text(page(client, referral.person, mine(referral)))

    assert "Champion assigned" in html
    assert referral.champion.get_full_name() in html
    assert "Yes, shared" in html.split('id="consent-name"', 1)[1][:100]
    assert "No, not shared" in html.split('id="consent-description"', 1)[1][:100]
    assert f'href="{mine(referral, "consent")}"' in html
    assert f'href="{mine(referral, "withdraw")}"' in html
    assert f'href="{mine(referral, "mine_plan")}"' in html
    next_checkin = html.split('id="next-checkin"', 1)[1][:80]
    day = referral.next_checkin_at.astimezone().day
    assert f">{day} " in next_checkin
    assert "Hello, I am here." in html
    assert f'action="{mine(referral, "mine_message")}"' in html
    assert "Your evidence is never shared with a champion." in html


def test_a_closed_referral_offers_feedback_and_reopening(client):
    referral = ClosedReferralFactory()
    html = text(page(client, referral.person, mine(referral)))
    assert f'action="{mine(referral, "feedback")}"' in html
    assert f'action="{mine(referral, "mine_reopen")}"' in html
    assert "Reopen this referral" in html


# --- answering an offer ------------------------------------------------------------------------
def test_the_person_accepts_an_offer_with_their_consent(client):
    referral = OfferedReferralFactory()
    response = page(
        client,
        referral.person,
        mine(referral, "respond"),
        {**ACCEPT, "scope": "summary_description", "share_name": "yes"},
    )
    assert response.status_code == 302
    assert response.url == mine(referral)
    after = stored(referral)
    assert after.state == ReferralState.ACCEPTED
    assert after.consent_scope == ConsentScope.SUMMARY_AND_DESCRIPTION
    assert after.consent_name
    assert after.summary == ACCEPT["summary"]


def test_the_respond_page_explains_what_is_shared_and_offers_both_choices(client):
    referral = OfferedReferralFactory(support_type="technical")
    html = text(page(client, referral.person, mine(referral, "respond")))
    assert "Summary and my report's description" in html
    assert "Can your champion see your name?" in html
    assert "Your evidence is never shared with a champion" in html
    assert "Accept support" in html
    assert "No thanks, not now" in html
    # Summary only is chosen unless the person picks otherwise; so is what triage offered.
    assert re.search(r'value="summary"[^>]*checked', html)
    assert re.search(rf'value="{referral.support_type}"[^>]*checked', html)
    assert f"The support offered is: {referral.get_support_type_display()}." in html


def test_a_self_referral_cannot_choose_to_share_a_report_description(client):
    referral = SelfReferralFactory(state=ReferralState.DECLINED, consent_given_at=None)
    html = text(page(client, referral.person, mine(referral, "respond")))
    assert "Summary and my report's description" not in html
    response = page(
        client,
        referral.person,
        mine(referral, "respond"),
        {**ACCEPT, "scope": "summary_description"},
    )
    assert response.status_code == 200
    assert "Select what your champion can see." in text(response)


def test_an_incomplete_acceptance_keeps_what_was_entered_with_an_error_summary(client):
    referral = OfferedReferralFactory()
    answers = {**ACCEPT}
    del answers["share_name"]
    response = page(client, referral.person, mine(referral, "respond"), answers)
    html = text(response)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Select whether your champion can see your name." in html
    assert ACCEPT["summary"] in html
    assert re.search(r'value="wellbeing"[^>]*checked', html)
    assert html.startswith("<!DOCTYPE html>")
    assert "<title>Error: " in html
    assert stored(referral).state == ReferralState.OFFERED


def test_declining_is_kind_and_the_person_can_change_their_mind(client):
    referral = OfferedReferralFactory()
    response = page(
        client,
        referral.person,
        mine(referral, "respond"),
        {"decision": "decline", "why": "Not now."},
        follow=True,
    )
    html = text(response)
    assert stored(referral).state == ReferralState.DECLINED
    assert "That is fine. If you change your mind, you can accept it here at any time." in html
    assert "Accept it now" in text(page(client, referral.person, reverse("wellbeing:mine")))

    page(client, referral.person, mine(referral, "respond"), ACCEPT)
    assert stored(referral).state == ReferralState.ACCEPTED


def test_a_post_with_no_decision_asks_for_one(client):
    referral = OfferedReferralFactory()
    response = page(client, referral.person, mine(referral, "respond"), {"summary": "Hello"})
    assert response.status_code == 200
    assert "Choose whether to accept or decline the support." in text(response)


def test_accepting_a_closed_referral_posted_directly_is_a_clear_message_not_a_500(client):
    referral = ClosedReferralFactory()
    response = page(client, referral.person, mine(referral, "respond"), ACCEPT)
    assert response.status_code == 200
    assert "This referral is closed, so you cannot accept it. Reopen it first." in text(response)


def test_declining_an_accepted_referral_posted_directly_is_a_clear_message(client):
    referral = AcceptedReferralFactory()
    response = page(client, referral.person, mine(referral, "respond"), {"decision": "decline"})
    assert response.status_code == 200
    assert "You have already accepted this support" in text(response)
    assert stored(referral).state == ReferralState.ACCEPTED


# --- self-referral -----------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["officer", "family_member", "psd_officer", "staff_member"])
def test_officers_staff_family_and_professional_standards_refer_themselves(client, persona, who):
    person = persona(who)
    response = page(client, person, reverse("wellbeing:self_refer"), SELF_REFER)
    referral = Referral.objects.get(person=person)
    assert response.status_code == 302
    assert response.url == mine(referral)
    assert referral.state == ReferralState.ACCEPTED
    assert referral.source == "self"
    assert referral.consent_name
    assert referral.force.slug == "west-yorkshire"


def test_a_self_referral_with_missing_answers_keeps_what_was_entered(client, officer):
    response = page(
        client, officer, reverse("wellbeing:self_refer"), {"summary": "Please help me."}
    )
    html = text(response)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Select who has been harmed online." in html
    assert "Please help me." in html
    assert not Referral.objects.exists()


def test_an_account_with_no_force_is_told_clearly_and_offered_no_form(client):
    alone = make_person(kind=User.Kind.FAMILY)
    alone.memberships.all().delete()
    html = text(page(client, alone, reverse("wellbeing:self_refer")))
    assert "Your account is not linked to a police force" in html
    assert "Ask for support</button>" not in html
    response = page(client, alone, reverse("wellbeing:self_refer"), SELF_REFER)
    assert response.status_code == 200
    assert not Referral.objects.exists()


def test_a_second_self_referral_for_the_same_support_is_a_form_error(client, officer):
    page(client, officer, reverse("wellbeing:self_refer"), SELF_REFER)
    response = page(client, officer, reverse("wellbeing:self_refer"), SELF_REFER)
    assert response.status_code == 200
    assert "You already have a referral open for this kind of support" in text(response)
    assert Referral.objects.filter(person=officer).count() == 1


# --- consent -----------------------------------------------------------------------------------
def test_the_person_narrows_what_is_shared_and_it_takes_effect_at_once(client):
    referral = AssignedReferralFactory(
        consent_scope=ConsentScope.SUMMARY_AND_DESCRIPTION, consent_name=True
    )
    form = text(page(client, referral.person, mine(referral, "consent")))
    assert re.search(r'value="summary_description"[^>]*checked', form)
    response = page(
        client, referral.person, mine(referral, "consent"), {"scope": "summary", "share_name": "no"}
    )
    assert response.status_code == 302
    after = stored(referral)
    assert not after.champion_may_see_name
    assert not after.champion_may_see_description


def test_a_consent_form_with_no_answer_keeps_the_page_with_an_error(client):
    referral = AssignedReferralFactory()
    response = page(client, referral.person, mine(referral, "consent"), {"scope": "summary"})
    assert response.status_code == 200
    assert "Select whether your champion can see your name." in text(response)


def test_changing_consent_on_an_offer_not_yet_accepted_is_a_clear_message(client):
    referral = OfferedReferralFactory()
    response = page(
        client,
        referral.person,
        mine(referral, "consent"),
        {"scope": "summary", "share_name": "yes"},
    )
    assert response.status_code == 200
    assert "You have not given consent to share anything on this referral." in text(response)


def test_withdrawing_consent_closes_the_referral(client):
    referral = AssignedReferralFactory(consent_name=True)
    confirm = text(page(client, referral.person, mine(referral, "withdraw")))
    assert referral.champion.get_full_name() in confirm
    response = page(client, referral.person, mine(referral, "withdraw"), {}, follow=True)
    after = stored(referral)
    assert after.state == ReferralState.CLOSED
    assert not after.consent_active
    assert "You withdrew your consent." in text(response)


def test_withdrawing_an_offer_never_accepted_posted_directly_is_a_clear_message(client):
    referral = OfferedReferralFactory()
    response = page(client, referral.person, mine(referral, "withdraw"), {}, follow=True)
    assert response.status_code == 200
    assert "You have not given consent on this referral." in text(response)
    assert stored(referral).state == ReferralState.OFFERED


# --- messages, feedback, reopening ---------------------------------------------------------------
def test_the_person_messages_their_champion(client):
    referral = AssignedReferralFactory()
    response = page(client, referral.person, mine(referral, "mine_message"), {"body": "Thank you."})
    assert response.status_code == 302
    message = referral.messages.get()
    assert (message.body, message.from_person) == ("Thank you.", True)


def test_an_empty_message_shows_the_referral_page_with_an_error(client):
    referral = AssignedReferralFactory()
    response = page(client, referral.person, mine(referral, "mine_message"), {"body": "  "})
    html = text(response)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter a message." in html
    assert not referral.messages.exists()


def test_feedback_on_a_closed_referral(client):
    referral = ClosedReferralFactory()
    response = page(
        client, referral.person, mine(referral, "feedback"), {"helpful": "4", "text": "Kind."}
    )
    assert response.status_code == 302
    after = stored(referral)
    assert (after.feedback_helpful, after.feedback_text) == (4, "Kind.")


def test_choosing_not_to_give_feedback(client):
    referral = ClosedReferralFactory()
    page(client, referral.person, mine(referral, "feedback"), {"declined": "yes"})
    assert stored(referral).feedback_declined


def test_empty_or_out_of_range_feedback_keeps_the_page_with_an_error(client):
    referral = ClosedReferralFactory()
    empty = page(client, referral.person, mine(referral, "feedback"), {"text": ""})
    assert empty.status_code == 200
    assert "Select how helpful the support was, or tell us in words." in text(empty)
    wild = page(
        client,
        referral.person,
        mine(referral, "feedback"),
        {"helpful": "99999999999999999999999", "text": "Kept."},
    )
    assert wild.status_code == 200
    assert "Select how helpful the support was." in text(wild)
    assert "Kept." in text(wild)


def test_feedback_on_an_open_referral_posted_directly_is_a_clear_message(client):
    referral = AssignedReferralFactory()
    response = page(client, referral.person, mine(referral, "feedback"), {"helpful": "5"})
    assert response.status_code == 200
    assert "You can give feedback once your support has ended." in text(response)


def test_the_person_reopens_a_closed_referral(client):
    referral = ClosedReferralFactory()
    response = page(client, referral.person, mine(referral, "mine_reopen"), {})
    assert response.status_code == 302
    assert stored(referral).state == ReferralState.IN_SUPPORT  # its support had started


def test_reopening_an_offer_that_was_closed_unanswered_is_a_clear_message(client):
    referral = OfferedReferralFactory()
    Referral.objects.filter(pk=referral.pk).update(state=ReferralState.CLOSED)
    response = page(client, referral.person, mine(referral, "mine_reopen"), {}, follow=True)
    assert response.status_code == 200
    assert "never accepted" in text(response)


# --- other people's referrals: 404, byte-identical to a missing one ------------------------------
ROUTES = [
    ("mine_referral", "get"),
    ("respond", "get"),
    ("respond", "post"),
    ("consent", "get"),
    ("consent", "post"),
    ("withdraw", "get"),
    ("withdraw", "post"),
    ("mine_message", "post"),
    ("feedback", "get"),
    ("feedback", "post"),
    ("mine_reopen", "post"),
    ("mine_plan", "get"),
]
OUTSIDERS = [
    "officer",
    "family_member",
    "psd_officer",
    "champion",
    "triager",
    "triage_supervisor",
    "force_lead",
    "analyst",
]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_someone_elses_referral_is_a_404_identical_to_a_missing_one(client, persona, who):
    user = persona(who)
    referral = AssignedReferralFactory(champion=persona("champion"))
    before = Referral.objects.filter(pk=referral.pk).values().get()
    missing = Referral(public_id=uuid.uuid4())
    client.force_login(user)
    for route, method in ROUTES:
        call = getattr(client, method)
        data = {**ACCEPT, "body": "hi", "helpful": "5", "share_name": "yes"}
        theirs = (
            call(mine(referral, route), data) if method == "post" else call(mine(referral, route))
        )
        none = call(mine(missing, route), data) if method == "post" else call(mine(missing, route))
        assert theirs.status_code == 404, (route, method)
        assert without_nonces(theirs) == without_nonces(none), (route, method)
    assert Referral.objects.filter(pk=referral.pk).values().get() == before
    assert not referral.messages.exists()


# --- triage's offer page -------------------------------------------------------------------------
def test_the_case_page_links_to_the_offer_page_by_its_url_name(client):
    case = assessed_case_without_offer()
    html = text(page(client, case.assignee, reverse("triage:case", args=[case.public_id])))
    assert f'href="{reverse("wellbeing:offer", args=[case.public_id])}"' in html
    assert "Offer wellbeing support" in html


def test_triage_offers_support_from_the_offer_page(client):
    case = assessed_case_without_offer()
    url = reverse("wellbeing:offer", args=[case.public_id])
    html = text(page(client, case.assignee, url))
    assert "Not offered" in html
    assert "The reporter asked to be offered wellbeing support in their report." in html

    response = page(client, case.assignee, url, {"support_type": "technical"}, follow=True)
    referral = Referral.objects.get(case=case)
    assert (referral.state, referral.support_type) == (ReferralState.OFFERED, "technical")
    assert "Waiting for the reporter to accept or decline" in text(response)
    # Offering again changes nothing.
    page(client, case.assignee, url, {"support_type": "eap"})
    assert Referral.objects.get(case=case).support_type == "technical"


def test_the_offer_page_says_declined_or_accepted_and_nothing_more(client):
    declined = DeclinedReferralFactory()
    url = reverse("wellbeing:offer", args=[declined.case.public_id])
    assert "Declined" in text(page(client, declined.case.assignee, url))

    accepted = OfferedReferralFactory()
    referral_accept(
        actor=accepted.person,
        referral=accepted,
        summary="A summary only my champion reads.",
        scope="summary",
        share_name=True,
        harm_to="me",
        support_type="wellbeing",
    )
    html = text(
        page(
            client,
            accepted.case.assignee,
            reverse("wellbeing:offer", args=[accepted.case.public_id]),
        )
    )
    assert "Accepted" in html
    assert "A summary only my champion reads." not in html
    assert accepted.reference not in html


def test_an_offer_form_with_no_choice_keeps_the_page_with_an_error(client):
    case = assessed_case_without_offer()
    url = reverse("wellbeing:offer", args=[case.public_id])
    response = page(client, case.assignee, url, {"support_type": "", "note": "Phoned them."})
    assert response.status_code == 200
    assert "Select the kind of support to offer." in text(response)
    assert "Phoned them." in text(response)


def test_a_colleague_sees_the_offer_state_but_is_told_who_can_offer(client):
    case = assessed_case_without_offer()
    colleague = triager_in()
    html = text(page(client, colleague, reverse("wellbeing:offer", args=[case.public_id])))
    assert "Only the person working this case, or a triage supervisor, can offer support." in html
    response = page(
        client,
        colleague,
        reverse("wellbeing:offer", args=[case.public_id]),
        {"support_type": "eap"},
    )
    assert response.status_code == 200
    assert "is working on this case" in text(response)
    assert not Referral.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("other_force_triager", 404),
        ("psd_officer", 404),
        ("champion", 403),
        ("officer", 403),
        ("force_lead", 403),
    ],
)
def test_only_triage_of_the_case_reaches_the_offer_page(client, persona, who, status):
    case = AssessedCaseFactory()
    url = reverse("wellbeing:offer", args=[case.public_id])
    assert page(client, persona(who), url).status_code == status
    assert page(client, persona(who), url, {"support_type": "eap"}).status_code == status


def test_the_reporter_who_said_no_is_noted_on_the_offer_page(client):
    case = assessed_case_without_offer()
    Report.objects.filter(pk=case.report_id).update(wants_support="no")
    html = text(page(client, case.assignee, reverse("wellbeing:offer", args=[case.public_id])))
    assert "The reporter said no to wellbeing support when they reported." in html
