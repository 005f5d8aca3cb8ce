"""Acceptance 2: a champion sees only what the person's consent allows.

For each scope and name choice, the champion's pages never contain the report's evidence (file
names or links), contain the report's description only with "summary and my report's
description", and the person's name only when they agreed to share it. Withdrawing or
narrowing consent hides them on the very next page load.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from harmsportal.audit.models import AccessLog
from reports.evidence.storage import store_encrypted
from reports.models import Evidence
from tests.factories import make_person
from tests.triage.factories import AssessedCaseFactory
from tests.wellbeing.factories import AssignedReferralFactory, ClosedReferralFactory
from wellbeing.models import ConsentScope, Referral

pytestmark = pytest.mark.django_db

NAME = "Quilla Marchbanks"
DESCRIPTION = "A stranger filmed my children outside the marigold bakery on Tenterden Row."
EVIDENCE_FILE = "zebra-crossing-screenshot-7731.png"
EVIDENCE_LINK = "https://example.com/posts/okapi-thread-8842"
SUMMARY = "I would like to talk to someone about the posts."

SCOPES = [
    (ConsentScope.SUMMARY, False),
    (ConsentScope.SUMMARY, True),
    (ConsentScope.SUMMARY_AND_DESCRIPTION, False),
    (ConsentScope.SUMMARY_AND_DESCRIPTION, True),
]
# Every champion page about one referral (the plan and check-in pages belong to other modules;
# they must keep the same promise).
CHAMPION_PAGES = ["referral", "assign", "choose_service", "close", "step_aside", "plan", "checkin"]


def _referral(champion, *, scope: str, share_name: bool, factory=AssignedReferralFactory):
    reporter = make_person(full_name=NAME)
    case = AssessedCaseFactory(reporter=reporter, description=DESCRIPTION)
    report = case.report
    Evidence.objects.create(
        report=report,
        kind=Evidence.Kind.IMAGE,
        original_filename=EVIDENCE_FILE,
        mime="image/png",
        stored_path=store_encrypted(b"not really a png"),
        uploaded_by=reporter,
    )
    Evidence.objects.create(
        report=report, kind=Evidence.Kind.LINK, link_url=EVIDENCE_LINK, uploaded_by=reporter
    )
    return factory(
        case=case,
        champion=champion,
        summary=SUMMARY,
        consent_scope=scope,
        consent_name=share_name,
    )


def _pages(client, referral: Referral) -> dict[str, str]:
    pages = {
        name: client.get(reverse(f"wellbeing:{name}", args=[referral.public_id])).content.decode()
        for name in CHAMPION_PAGES
    }
    pages["queue"] = client.get(reverse("wellbeing:home") + "?state=all").content.decode()
    return pages


@pytest.mark.parametrize(("scope", "share_name"), SCOPES)
def test_a_champion_never_sees_evidence_and_sees_the_rest_only_as_the_scope_allows(
    client, champion, scope, share_name
):
    referral = _referral(champion, scope=scope, share_name=share_name)
    client.force_login(champion)
    pages = _pages(client, referral)
    page = pages["referral"]

    assert SUMMARY in page
    for name, html in pages.items():
        assert EVIDENCE_FILE not in html, name
        assert "zebra-crossing" not in html, name
        assert EVIDENCE_LINK not in html, name
        assert "okapi-thread" not in html, name
        assert "/evidence/" not in html, name
        if scope != ConsentScope.SUMMARY_AND_DESCRIPTION:
            assert "marigold bakery" not in html, name
        if not share_name:
            assert NAME not in html, name
            assert "Marchbanks" not in html, name
    assert ("marigold bakery" in page) is (scope == ConsentScope.SUMMARY_AND_DESCRIPTION)
    assert (NAME in page) is share_name
    assert (NAME in pages["queue"]) is share_name
    assert referral.reference in pages["queue"]


def test_withdrawing_consent_hides_the_summary_description_and_name_at_once(client, champion):
    referral = _referral(champion, scope=ConsentScope.SUMMARY_AND_DESCRIPTION, share_name=True)
    client.force_login(champion)
    before = _pages(client, referral)
    assert "marigold bakery" in before["referral"]
    assert NAME in before["referral"]
    assert NAME in before["queue"]

    Referral.objects.get(pk=referral.pk).withdraw_consent()

    after = _pages(client, referral)
    for name, html in after.items():
        assert "marigold bakery" not in html, name
        assert NAME not in html, name
        assert SUMMARY not in html, name
        assert EVIDENCE_FILE not in html, name
    assert referral.reference in after["referral"]
    assert "withdrew their consent" in after["referral"]


def test_narrowing_consent_hides_the_description_and_name_at_once(client, champion):
    referral = _referral(champion, scope=ConsentScope.SUMMARY_AND_DESCRIPTION, share_name=True)
    client.force_login(champion)
    assert "marigold bakery" in _pages(client, referral)["referral"]

    Referral.objects.get(pk=referral.pk).narrow_consent(
        scope=ConsentScope.SUMMARY, share_name=False
    )

    after = _pages(client, referral)
    assert SUMMARY in after["referral"]
    for name, html in after.items():
        assert "marigold bakery" not in html, name
        assert NAME not in html, name


def test_the_persons_messages_and_history_rows_do_not_name_them_without_consent(client, champion):
    from wellbeing.services.messages import referral_message_send

    referral = _referral(champion, scope=ConsentScope.SUMMARY, share_name=False)
    referral_message_send(actor=referral.person, referral=referral, body="Thank you for this.")
    client.force_login(champion)
    page = client.get(reverse("wellbeing:referral", args=[referral.public_id])).content.decode()
    assert "Thank you for this." in page
    assert "From the person" in page
    assert NAME not in page


def test_a_closed_referral_still_shows_only_what_the_scope_allows(client, champion):
    referral = _referral(
        champion,
        scope=ConsentScope.SUMMARY,
        share_name=False,
        factory=ClosedReferralFactory,
    )
    client.force_login(champion)
    page = client.get(reverse("wellbeing:referral", args=[referral.public_id])).content.decode()
    assert referral.reference in page
    assert EVIDENCE_FILE not in page
    assert "marigold bakery" not in page
    assert NAME not in page


def test_a_champion_reading_a_referral_is_listed_on_the_reporters_who_has_seen_page(
    client, champion
):
    referral = _referral(champion, scope=ConsentScope.SUMMARY, share_name=False)
    client.force_login(champion)
    client.get(reverse("wellbeing:referral", args=[referral.public_id]))

    read = AccessLog.objects.get(actor=champion, object_type="reports.report")
    assert read.reason == f"Through wellbeing referral {referral.reference}"
    assert read.actor_role == "champion"
    assert AccessLog.objects.filter(
        actor=champion, object_type="wellbeing.referral", object_id=str(referral.pk)
    ).exists()

    client.force_login(referral.person)
    page = client.get(f"/reports/{referral.case.report.public_id}/").content.decode()
    seen = page.split('id="seen-by"', 1)[1].split("</table>", 1)[0]
    assert "Wellbeing champion" in seen
    assert "West Yorkshire Police" in seen
    assert champion.get_full_name() not in seen


PLAN_WORDS = "Please call after the school run, never on the desk phone."
PERSON_MESSAGE = "The marmalade cat photos are back up again."
DECLINE_REASON = "My sergeant would find out about the lighthouse posts."
CHAMPION_ROUTES = ["referral", "plan", "checkin", "crisis"]


def test_withdrawing_consent_hides_the_plan_messages_and_decline_reason_on_every_page(
    client, champion
):
    from wellbeing.services.messages import referral_message_send
    from wellbeing.services.offers import referral_accept
    from wellbeing.services.plans import support_plan_update

    referral = _referral(champion, scope=ConsentScope.SUMMARY, share_name=False)
    referral.state, referral.champion = "offered", None
    referral.save()
    client.force_login(referral.person)  # the decline form, with a reason as if one were asked
    client.post(
        reverse("wellbeing:respond", args=[referral.public_id]),
        {"decision": "decline", "why": DECLINE_REASON},
    )
    referral.refresh_from_db()
    referral_accept(
        actor=referral.person,
        referral=referral,
        summary=SUMMARY,
        scope=ConsentScope.SUMMARY,
        share_name=False,
        harm_to="me",
        support_type="wellbeing",
    )
    referral = Referral.objects.get(pk=referral.pk)
    referral.assign(champion)
    support_plan_update(
        actor=referral.person,
        referral=referral,
        contact_how="phone",
        contact_when="Weekday evenings",
        needs=PLAN_WORDS,
        what_helps="",
        what_does_not_help="",
        checkin_every_days=14,
        remind_person=False,
    )
    referral_message_send(actor=referral.person, referral=referral, body=PERSON_MESSAGE)
    client.force_login(champion)
    urls = [reverse(f"wellbeing:{name}", args=[referral.public_id]) for name in CHAMPION_ROUTES]
    assert PLAN_WORDS in client.get(urls[0]).content.decode()
    assert PERSON_MESSAGE in client.get(urls[0]).content.decode()

    Referral.objects.get(pk=referral.pk).withdraw_consent()

    for url in urls:
        html = client.get(url).content.decode()
        assert PLAN_WORDS not in html, url
        assert "Weekday evenings" not in html, url
        assert PERSON_MESSAGE not in html, url
        assert DECLINE_REASON not in html, url
    page = client.get(urls[0]).content.decode()
    assert "withdrew their consent, so their plan is not shown" in page
    assert "withdrew their consent, so your messages with them are not shown" in page


def test_the_person_cannot_message_on_a_referral_they_withdrew_consent_from(client, champion):
    referral = _referral(champion, scope=ConsentScope.SUMMARY, share_name=False)
    Referral.objects.get(pk=referral.pk).withdraw_consent()
    client.force_login(referral.person)

    response = client.post(
        reverse("wellbeing:mine_message", args=[referral.public_id]),
        {"body": "Is anyone still there?"},
    )

    assert response.status_code == 200
    assert "Reopen your referral to message a champion" in response.content.decode()
    assert not referral.messages.exists()
