"""The person's feedback on closed support is read: by their champions while consent is active,
and by the person on their own page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.wellbeing.factories import ClosedReferralFactory
from wellbeing.models import Referral
from wellbeing.services.offers import referral_feedback

pytestmark = pytest.mark.django_db

WORDS = "Talking it through on Thursdays helped with the sleeping."


def champion_page(client, champion, referral: Referral) -> str:
    client.force_login(champion)
    return client.get(reverse("wellbeing:referral", args=[referral.public_id])).content.decode()


def test_the_champion_reads_the_feedback_given(client, champion):
    referral = ClosedReferralFactory(champion=champion)
    referral_feedback(actor=referral.person, referral=referral, helpful=4, text=WORDS)

    page = champion_page(client, champion, referral)

    feedback = page.split('id="feedback-given"', 1)[1].split("</dl>", 1)[0]
    assert "Helpful" in feedback
    assert WORDS in feedback


def test_the_champion_reads_that_the_person_chose_not_to_give_feedback(client, champion):
    referral = ClosedReferralFactory(champion=champion)
    referral_feedback(actor=referral.person, referral=referral, declined=True)

    assert "The person chose not to give feedback." in champion_page(client, champion, referral)


def test_feedback_is_not_shown_to_champions_after_consent_is_withdrawn(client, champion):
    referral = ClosedReferralFactory(champion=champion)
    referral_feedback(actor=referral.person, referral=referral, helpful=2, text=WORDS)
    Referral.objects.get(pk=referral.pk).withdraw_consent()

    page = champion_page(client, champion, referral)

    assert WORDS not in page
    assert "Not very helpful" not in page


def test_the_person_reads_their_own_feedback(client):
    referral = ClosedReferralFactory()
    referral_feedback(actor=referral.person, referral=referral, helpful=5, text=WORDS)
    client.force_login(referral.person)

    page = client.get(
        reverse("wellbeing:mine_referral", args=[referral.public_id])
    ).content.decode()

    feedback = page.split('id="feedback-given"', 1)[1].split("</dl>", 1)[0]
    assert "Very helpful" in feedback
    assert WORDS in feedback
