"""The services that start a referral and give the person their say over it: the offer from a
case, accepting or declining, self-referral, what is shared, withdrawing consent, feedback."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from harmsportal.notifications.models import Notification
from harmsportal.people.models import User
from reports.models import Report
from tests.factories import force, make_person
from tests.triage.factories import ClaimedCaseFactory, triager_in
from tests.wellbeing.factories import (
    AcceptedReferralFactory,
    AssignedReferralFactory,
    ClosedReferralFactory,
    DeclinedReferralFactory,
    OfferedReferralFactory,
    SelfReferralFactory,
    assessed_case_without_offer,
    champion_in,
)
from triage.models import Case, CaseAction, CaseConflict, CaseEvent
from triage.services.working import case_close, case_outcome_give
from wellbeing.models import (
    ConsentScope,
    HarmTo,
    Referral,
    ReferralEvent,
    ReferralSource,
    ReferralState,
    SupportType,
)
from wellbeing.services.offers import (
    referral_accept,
    referral_consent_change,
    referral_consent_withdraw,
    referral_decline,
    referral_feedback,
    referral_offer,
    referral_self_refer,
)

pytestmark = pytest.mark.django_db

ACCEPT = {
    "summary": "I would like someone to talk to.",
    "scope": ConsentScope.SUMMARY,
    "share_name": False,
    "harm_to": HarmTo.ME,
    "support_type": SupportType.WELLBEING,
}
SELF = {
    "harm_to": HarmTo.BOTH,
    "support_type": SupportType.TECHNICAL,
    "summary": "My address is on a people-search site.",
}


def titles(user: User) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


# --- the offer from a case -------------------------------------------------------------------
def test_the_assignee_offers_support_once_and_it_is_recorded_on_the_case():
    case = assessed_case_without_offer()
    reporter = case.report.reporter

    first = referral_offer(actor=case.assignee, case=case, support_type=SupportType.TRIM)
    again = referral_offer(actor=case.assignee, case=case, support_type=SupportType.EAP)

    assert again.pk == first.pk
    assert Referral.objects.filter(case=case).count() == 1
    stored = Referral.objects.get(pk=first.pk)
    assert (stored.state, stored.support_type, stored.person) == (
        ReferralState.OFFERED,
        SupportType.TRIM,
        reporter,
    )
    assert stored.offered_by == case.assignee
    assert list(case.actions.values_list("kind", flat=True)) == [CaseAction.Kind.WELLBEING_REFERRAL]
    assert Case.objects.get(pk=case.pk).status == "action_under_way"
    offered = [title for title in titles(reporter) if "offered" in title]
    assert offered == [
        f"Wellbeing support is offered ({stored.reference}): accept or decline it in My support"
    ]
    assert Notification.objects.get(user=reporter, title=offered[0]).email_status == "pending"


def test_a_supervisor_of_the_force_may_offer_on_someone_elses_case(triage_supervisor):
    case = assessed_case_without_offer()
    referral = referral_offer(actor=triage_supervisor, case=case)
    assert referral.offered_by == triage_supervisor


def test_a_declined_offer_is_returned_as_it_is_not_offered_again():
    referral = DeclinedReferralFactory()
    case = referral.case
    assert referral_offer(actor=case.assignee, case=case).pk == referral.pk
    assert Referral.objects.get(pk=referral.pk).state == ReferralState.DECLINED


def test_a_colleague_who_does_not_hold_the_case_cannot_offer():
    case = assessed_case_without_offer()
    with pytest.raises(ValidationError, match="is working on this case"):
        referral_offer(actor=triager_in(), case=case)
    assert not Referral.objects.filter(case=case).exists()


def test_someone_who_stepped_aside_cannot_offer(triage_supervisor):
    case = assessed_case_without_offer()
    CaseConflict.objects.create(case=case, user=triage_supervisor, reason="I know them.")
    with pytest.raises(ValidationError, match="stepped aside"):
        referral_offer(actor=triage_supervisor, case=case)


def test_an_unassessed_case_cannot_offer_yet():
    case = ClaimedCaseFactory()
    with pytest.raises(ValidationError, match="Assess the risk"):
        referral_offer(actor=case.assignee, case=case)


def test_an_offer_after_the_outcome_goes_in_the_history_and_leaves_the_case_as_it_is():
    case = assessed_case_without_offer()
    case_outcome_give(actor=case.assignee, case=case, category="advice", explanation="Advice.")
    case_close(actor=case.assignee, case=Case.objects.get(pk=case.pk))
    referral_offer(actor=case.assignee, case=Case.objects.get(pk=case.pk))
    assert Case.objects.get(pk=case.pk).status == "closed"
    assert case.events.filter(kind=CaseEvent.Kind.ACTION_RECORDED).exists()
    assert Referral.objects.filter(case=case).count() == 1


def test_an_invalid_support_type_is_refused():
    case = assessed_case_without_offer()
    with pytest.raises(ValidationError, match="kind of support"):
        referral_offer(actor=case.assignee, case=case, support_type="massage")


# --- accept and decline ------------------------------------------------------------------------
def test_the_person_accepts_with_their_consent_and_the_champions_are_told():
    referral = OfferedReferralFactory()
    champion = champion_in()
    assert referral_accept(
        actor=referral.person,
        referral=referral,
        **{**ACCEPT, "scope": ConsentScope.SUMMARY_AND_DESCRIPTION, "share_name": True},
    )
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.state == ReferralState.ACCEPTED
    assert stored.consent_active
    assert stored.champion_may_see_name
    assert stored.champion_may_see_description
    assert stored.summary == ACCEPT["summary"]
    assert titles(champion) == [f"New referral {stored.reference}"]
    event = stored.events.get(kind=ReferralEvent.Kind.ACCEPTED)
    assert (event.from_state, event.to_state, event.by) == ("offered", "accepted", referral.person)
    # Accepting again changes nothing and tells nobody twice.
    assert not referral_accept(actor=referral.person, referral=stored, **ACCEPT)
    assert len(titles(champion)) == 1


@pytest.mark.parametrize(
    "who", ["champion", "triager", "officer", "psd_officer", "family_member", "analyst"]
)
def test_nobody_but_the_person_may_answer_the_offer(persona, who):
    referral = OfferedReferralFactory()
    for act, kwargs in ((referral_accept, ACCEPT), (referral_decline, {})):
        with pytest.raises(ValidationError, match="Only the person"):
            act(actor=persona(who), referral=referral, **kwargs)
    assert Referral.objects.get(pk=referral.pk).state == ReferralState.OFFERED


def test_declining_is_respected_kindly_and_the_person_can_change_their_mind():
    referral = OfferedReferralFactory()
    person = referral.person
    assert referral_decline(actor=person, referral=referral)
    assert not referral_decline(actor=person, referral=referral)
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.state == ReferralState.DECLINED
    # Nothing more is sent: the person has just declined, and the page says they can change
    # their mind. Telling them again would be pressure.
    assert not Notification.objects.filter(user=person, title__contains="declined").exists()
    assert stored.events.get(kind=ReferralEvent.Kind.DECLINED).why == ""

    assert referral_accept(actor=person, referral=stored, **ACCEPT)
    again = Referral.objects.get(pk=referral.pk)
    assert again.state == ReferralState.ACCEPTED
    accepted = again.events.get(kind=ReferralEvent.Kind.ACCEPTED)
    assert accepted.from_state == ReferralState.DECLINED
    assert "Changed their mind" in accepted.why


def test_declining_after_accepting_is_refused_with_a_clear_reason():
    referral = AcceptedReferralFactory()
    with pytest.raises(ValidationError, match="already accepted"):
        referral_decline(actor=referral.person, referral=referral)


def test_accepting_a_closed_referral_says_to_reopen_it():
    referral = ClosedReferralFactory()
    with pytest.raises(ValidationError, match="Reopen it first"):
        referral_accept(actor=referral.person, referral=referral, **ACCEPT)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scope": "everything"}, "what your champion may see"),
        ({"harm_to": "them"}, "who has been harmed"),
        ({"support_type": "spa"}, "kind of support"),
        ({"summary": "x" * 2001}, "2000 characters"),
    ],
)
def test_accepting_with_a_bad_answer_is_refused(change, message):
    referral = OfferedReferralFactory()
    with pytest.raises(ValidationError, match=message):
        referral_accept(actor=referral.person, referral=referral, **{**ACCEPT, **change})


# --- self-referral -----------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["officer", "staff_member", "psd_officer", "triager", "champion"])
def test_anyone_with_a_force_may_refer_themselves(persona, who):
    person = persona(who)
    referral = referral_self_refer(actor=person, **SELF)
    assert referral.source == ReferralSource.SELF
    assert referral.state == ReferralState.ACCEPTED
    assert referral.consent_active
    assert referral.force == person.home_force
    assert referral.case is None
    assert referral.harm_to == HarmTo.BOTH
    assert referral.events.get().kind == ReferralEvent.Kind.SELF_REFERRED


def test_a_family_account_refers_itself_under_its_members_force_and_champions_are_told(
    family_member,
):
    champion = champion_in()
    referral = referral_self_refer(actor=family_member, **SELF)
    assert referral.force == force("west-yorkshire")
    assert referral.person == family_member
    assert titles(champion) == [f"New referral {referral.reference}"]


def test_a_family_account_with_no_live_link_is_told_clearly():
    alone = make_person(kind=User.Kind.FAMILY)
    alone.memberships.all().delete()
    with pytest.raises(ValidationError, match="not linked to a police force"):
        referral_self_refer(actor=alone, **SELF)
    assert not Referral.objects.exists()


def test_a_second_open_self_referral_for_the_same_support_is_refused(officer):
    first = referral_self_refer(actor=officer, **SELF)
    with pytest.raises(ValidationError, match=first.reference):
        referral_self_refer(actor=officer, **SELF)
    other = referral_self_refer(actor=officer, **{**SELF, "support_type": SupportType.EAP})
    assert other.pk != first.pk


def test_a_self_referral_cannot_share_a_report_description_it_does_not_have(officer):
    with pytest.raises(ValidationError, match="no report"):
        referral_self_refer(actor=officer, scope=ConsentScope.SUMMARY_AND_DESCRIPTION, **SELF)


def test_a_self_referral_needs_a_summary(officer):
    with pytest.raises(ValidationError, match="about the support you would like"):
        referral_self_refer(actor=officer, **{**SELF, "summary": "   "})


# --- consent -----------------------------------------------------------------------------------
def test_narrowing_what_is_shared_takes_effect_at_once_and_the_champion_is_told():
    referral = AssignedReferralFactory(
        consent_scope=ConsentScope.SUMMARY_AND_DESCRIPTION, consent_name=True
    )
    assert Referral.objects.get(pk=referral.pk).champion_may_see_name
    assert referral_consent_change(
        actor=referral.person, referral=referral, scope=ConsentScope.SUMMARY, share_name=False
    )
    stored = Referral.objects.get(pk=referral.pk)
    assert not stored.champion_may_see_name
    assert not stored.champion_may_see_description
    assert stored.champion_may_see_shared
    assert f"What is shared on {stored.reference} changed" in titles(referral.champion)
    event = stored.events.get(kind=ReferralEvent.Kind.CONSENT_CHANGED)
    assert event.why == "Summary only; name not shared."
    # The same answer again changes nothing.
    assert not referral_consent_change(
        actor=referral.person, referral=stored, scope=ConsentScope.SUMMARY, share_name=False
    )


def test_widening_what_is_shared_works_too():
    referral = AcceptedReferralFactory()
    referral_consent_change(
        actor=referral.person,
        referral=referral,
        scope=ConsentScope.SUMMARY_AND_DESCRIPTION,
        share_name=True,
    )
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.champion_may_see_name
    assert stored.champion_may_see_description


def test_a_champion_cannot_change_what_is_shared():
    referral = AssignedReferralFactory()
    with pytest.raises(ValidationError, match="Only the person"):
        referral_consent_change(
            actor=referral.champion, referral=referral, scope="summary", share_name=True
        )


def test_withdrawing_consent_closes_the_referral_hides_everything_and_tells_the_champion():
    referral = AssignedReferralFactory(consent_name=True)
    assert referral_consent_withdraw(actor=referral.person, referral=referral)
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.state == ReferralState.CLOSED
    assert not stored.consent_active
    assert not stored.champion_may_see_name
    assert not stored.champion_may_see_shared
    assert stored.next_checkin_at is None
    assert any("Consent withdrawn" in title for title in titles(referral.champion))
    assert not referral_consent_withdraw(actor=referral.person, referral=stored)
    assert stored.events.filter(kind=ReferralEvent.Kind.CONSENT_WITHDRAWN).count() == 1


def test_withdrawing_an_offer_never_accepted_is_refused_clearly():
    referral = OfferedReferralFactory()
    with pytest.raises(ValidationError, match="not given consent"):
        referral_consent_withdraw(actor=referral.person, referral=referral)


def test_changing_what_is_shared_after_withdrawing_is_refused_clearly():
    referral = AssignedReferralFactory()
    referral_consent_withdraw(actor=referral.person, referral=referral)
    with pytest.raises(ValidationError, match="not given consent"):
        referral_consent_change(
            actor=referral.person,
            referral=Referral.objects.get(pk=referral.pk),
            scope="summary",
            share_name=True,
        )


# --- feedback ----------------------------------------------------------------------------------
def test_feedback_is_given_only_on_a_closed_referral():
    referral = AssignedReferralFactory()
    with pytest.raises(ValidationError, match="once your support has ended"):
        referral_feedback(actor=referral.person, referral=referral, helpful=4)


def test_the_person_gives_feedback_and_the_champion_is_told():
    referral = ClosedReferralFactory()
    assert referral_feedback(
        actor=referral.person, referral=referral, helpful=5, text="It really helped."
    )
    stored = Referral.objects.get(pk=referral.pk)
    assert (stored.feedback_helpful, stored.feedback_text) == (5, "It really helped.")
    assert stored.feedback_at is not None
    assert f"Feedback given on {stored.reference}" in titles(referral.champion)
    assert not referral_feedback(
        actor=referral.person, referral=stored, helpful=5, text="It really helped."
    )


def test_the_person_may_choose_not_to_give_feedback():
    referral = ClosedReferralFactory()
    referral_feedback(actor=referral.person, referral=referral, declined=True, text="ignored")
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.feedback_declined
    assert (stored.feedback_helpful, stored.feedback_text) == (None, "")
    assert not any("Feedback" in title for title in titles(referral.champion))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({}, "how helpful"), ({"helpful": 6}, "from 1 to 5"), ({"helpful": 0}, "from 1 to 5")],
)
def test_empty_or_out_of_range_feedback_is_refused(kwargs, message):
    referral = ClosedReferralFactory()
    with pytest.raises(ValidationError, match=message):
        referral_feedback(actor=referral.person, referral=referral, **kwargs)


def test_only_the_person_gives_feedback():
    referral = ClosedReferralFactory()
    with pytest.raises(ValidationError, match="Only the person"):
        referral_feedback(actor=referral.champion, referral=referral, helpful=5)


def test_a_self_referral_from_the_factory_is_the_persons_own():
    referral = SelfReferralFactory()
    assert referral_consent_change(
        actor=referral.person, referral=referral, scope="summary", share_name=True
    )


def test_the_report_answer_is_not_needed_for_a_manual_offer():
    case = assessed_case_without_offer()
    Report.objects.filter(pk=case.report_id).update(wants_support="no")
    assert referral_offer(actor=case.assignee, case=Case.objects.get(pk=case.pk)).state == (
        ReferralState.OFFERED
    )


def test_declining_asks_no_reason_so_none_reaches_a_champion_after_a_later_accept(client):
    referral = OfferedReferralFactory()
    client.force_login(referral.person)
    url = reverse("wellbeing:respond", args=[referral.public_id])
    assert 'name="why"' not in client.get(url).content.decode()

    client.post(url, {"decision": "decline", "why": "My inspector is the one posting it."})

    stored = Referral.objects.get(pk=referral.pk)
    assert stored.state == ReferralState.DECLINED
    assert not stored.events.filter(why__contains="inspector").exists()
