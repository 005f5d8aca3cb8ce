"""What a walk through the demo as an officer, a family member, triage and Professional
Standards found on the person's pages and triage's offer page, each fixed and kept fixed."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.urls import reverse

from reports.models import Report
from tests.triage.factories import ClaimedCaseFactory
from tests.wellbeing.factories import (
    AcceptedReferralFactory,
    AssignedReferralFactory,
    ClosedReferralFactory,
    DeclinedReferralFactory,
    OfferedReferralFactory,
    assessed_case_without_offer,
)
from wellbeing.models import Referral, SupportPlan
from wellbeing.services.offers import referral_consent_withdraw

pytestmark = pytest.mark.django_db

SELF_REFER = {
    "harm_to": "me",
    "support_type": "wellbeing",
    "summary": "My address was shared online.",
    "share_name": "no",
}


def get(client, user, url: str):
    client.force_login(user)
    return client.get(url)


def html_of(response) -> str:
    return html_lib.unescape(response.content.decode())


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html_of(response)).split())


def mine(referral: Referral, route: str = "mine_referral") -> str:
    return reverse(f"wellbeing:{route}", args=[referral.public_id])


def withdrawn_without_champion() -> Referral:
    """Accepted, never assigned, then consent withdrawn: closed with no support at all."""
    referral = AcceptedReferralFactory()
    referral_consent_withdraw(actor=referral.person, referral=referral)
    referral.refresh_from_db()
    assert referral.state == "closed"
    assert referral.assigned_at is None
    return referral


# 1. The report page is true whatever the person did with the offer ----------------------------


@pytest.mark.parametrize(
    "make",
    [
        OfferedReferralFactory,
        AcceptedReferralFactory,
        DeclinedReferralFactory,
        ClosedReferralFactory,
    ],
    ids=["offered", "accepted", "declined", "closed"],
)
def test_the_report_page_says_support_was_offered_without_assuming_the_answer(client, make):
    referral = make()
    Report.objects.filter(pk=referral.case.report_id).update(wants_support="yes")
    response = get(
        client, referral.person, reverse("reports:detail", args=[referral.case.report.public_id])
    )

    page = text(response)
    assert (
        "Wellbeing support was offered when your report was assessed. You can see it in My "
        "support, where you can accept it, decline it or change your answer at any time." in page
    )
    assert "the offer is waiting for you" not in page
    assert "Once you accept it" not in page
    assert f'href="{reverse("wellbeing:mine")}"' in html_of(response)


def test_the_report_page_after_withdrawn_consent_says_the_same(client):
    referral = withdrawn_without_champion()
    Report.objects.filter(pk=referral.case.report_id).update(wants_support="yes")
    page = text(
        get(
            client,
            referral.person,
            reverse("reports:detail", args=[referral.case.report.public_id]),
        )
    )
    assert "Wellbeing support was offered when your report was assessed." in page
    assert "Once you accept it" not in page


# 2. A closed referral that never had support ---------------------------------------------------


def test_withdrawn_before_any_champion_asks_no_feedback_and_offers_no_plan(client):
    referral = withdrawn_without_champion()
    response = get(client, referral.person, mine(referral))
    page = text(response)

    assert response.status_code == 200
    assert "How did the support go?" not in page
    assert 'id="feedback-form"' not in html_of(response)
    assert "Start your support plan" not in page
    assert mine(referral, "mine_plan") not in html_of(response)
    assert "Reopen this referral" in page  # they can still ask again


def test_a_closed_referral_shows_its_last_plan_read_only_and_asks_for_feedback(client):
    referral = ClosedReferralFactory()
    SupportPlan.objects.create(referral=referral, by=referral.person, needs="Calls after shifts.")
    response = get(client, referral.person, mine(referral))
    page = text(response)

    assert "See your last support plan" in page
    assert mine(referral, "mine_plan") in html_of(response)
    assert "See or change your support plan" not in page
    assert "Start your support plan" not in page
    assert "How did the support go?" in page
    assert 'id="feedback-form"' in html_of(response)


def test_a_closed_referral_with_no_plan_has_no_plan_link(client):
    referral = ClosedReferralFactory()
    response = get(client, referral.person, mine(referral))
    assert "Start your support plan" not in text(response)
    assert mine(referral, "mine_plan") not in html_of(response)
    assert "How did the support go?" in text(response)


def test_an_open_referral_still_offers_to_start_the_plan(client):
    referral = AssignedReferralFactory()
    response = get(client, referral.person, mine(referral))
    assert "Start your support plan" in text(response)


# 3. The offer page before the case is assessed, and no support type chosen for triage ---------


def test_an_unassessed_case_shows_why_instead_of_the_offer_form(client):
    case = ClaimedCaseFactory()
    response = get(client, case.assignee, reverse("wellbeing:offer", args=[case.public_id]))
    html = html_of(response)

    assert response.status_code == 200
    assert "Assess the risk before offering wellbeing support." in text(response)
    assert f'href="{reverse("triage:case", args=[case.public_id])}"' in html
    assert 'name="support_type"' not in html
    assert "Offer wellbeing support</button>" not in html


def test_the_offer_form_preselects_no_support_type_and_requires_one(client):
    case = assessed_case_without_offer()
    url = reverse("wellbeing:offer", args=[case.public_id])
    html = html_of(get(client, case.assignee, url))
    radios = re.findall(r'<input[^>]*name="support_type"[^>]*>', html)
    assert radios
    assert not [radio for radio in radios if "checked" in radio]

    response = client.post(url, {"note": ""})
    summary = html_of(response).split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    assert re.search(r'<a href="#id_support_type_0">Select the kind of support to offer', summary)
    assert not Referral.objects.filter(case=case).exists()


# 4. The person's plan page speaks to the person; the champion's to the champion ----------------


def test_the_persons_plan_form_says_you_and_your_champion(client):
    referral = AssignedReferralFactory()
    page = text(get(client, referral.person, mine(referral, "mine_plan")))

    assert "In your own words." in page
    assert "How often should your champion check in with you?" in page
    assert "Remind me too when a check-in is due" in page
    assert "the person's own words" not in page
    assert "Remind the person too" not in page
    assert "How often should the champion" not in page


def test_the_champions_plan_form_still_speaks_of_the_person(client):
    referral = AssignedReferralFactory()
    page = text(get(client, referral.champion, mine(referral, "plan")))

    assert "In the person's own words." in page
    assert "How often should the champion check in, in days?" in page
    assert "Remind the person too when a check-in is due" in page
    assert "Remind me too" not in page


# 5. A second self-referral links to the one already open ---------------------------------------


def test_a_duplicate_self_referral_error_links_to_the_open_referral(client, officer):
    client.force_login(officer)
    client.post(reverse("wellbeing:self_refer"), SELF_REFER)
    existing = Referral.objects.get(person=officer)

    response = client.post(reverse("wellbeing:self_refer"), SELF_REFER)
    html = html_of(response)
    assert response.status_code == 200
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    link = re.search(r'<a href="([^"]+)">You already have a referral open', summary)
    assert link, summary
    assert link.group(1) == mine(existing) == f"/wellbeing/mine/{existing.public_id}/"
    assert Referral.objects.filter(person=officer).count() == 1


# 6. The withdraw page's list reads as one sentence whoever holds the referral -----------------


@pytest.mark.parametrize("make", [AcceptedReferralFactory, AssignedReferralFactory])
def test_the_withdraw_list_ends_with_a_full_stop(client, make):
    referral = make()
    html = html_of(get(client, referral.person, mine(referral, "withdraw")))
    listed = re.search(r'<ul class="govuk-list govuk-list--bullet">(.*?)</ul>', html, re.S)
    items = [
        " ".join(item.split()) for item in re.findall(r"<li>(.*?)</li>", listed.group(1), re.S)
    ]

    assert len(items) == (3 if referral.champion_id else 2)
    assert all(item.endswith(";") for item in items[:-1]), items
    assert items[-1].endswith("."), items
    if not referral.champion_id:
        assert "your champion" not in items[0]


# 7. My support's header row hides on a phone ----------------------------------------------------


def test_my_support_header_row_only_labels_so_it_hides_on_a_phone(client):
    referral = AcceptedReferralFactory()
    html = html_of(get(client, referral.person, reverse("wellbeing:mine")))
    table = html.split('id="my-referrals"', 1)[1]
    thead = re.search(r"<thead[^>]*>", table).group(0)
    assert "app-table__header--label-only" in thead
    assert 'data-label="Support"' in table
