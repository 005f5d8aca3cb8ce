"""Wellbeing in a browser, end to end (issue 8, acceptance 1).

One chained journey, so the suite stays quick: triage offers support from a case; the officer
accepts, sharing a summary and their report's description but not their name; the champion
sees the referral by its reference only, assigns it to themselves and records a check-in; the
officer sees the next check-in date and keeps a change to their support plan. Then a family
member refers themselves. Every page visited passes axe-core (the `page` fixture fails a test
that loads a page without checking it), and the queue, the champion's referral page and the
person's referral page fit a 375px phone without scrolling sideways.
"""

from __future__ import annotations

import re
from datetime import timedelta

from harmsportal.notifications.models import Notification
from harmsportal.people.models import Role, User
from harmsportal.templatetags.govuk_time import govuk_date
from tests.e2e.conftest import assert_accessible, visit, wait_for_path
from tests.e2e.test_triage_journey import sign_in, sign_out
from tests.factories import enrol_totp, link_family, make_person
from tests.wellbeing.factories import assessed_case_without_offer
from wellbeing.models import CheckIn, Referral, ReferralState

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 720}
OFFICER_NAME = "Sam Officer"
DESCRIPTION = "Someone posted my home street and my children's school on a local group."
SUMMARY = "I am not sleeping since the post went up, and I worry about my children."
CHECKIN_NOTE = "Talked on Teams. Sleeping a little better; agreed to talk again in two weeks."
WHAT_HELPS = "A message the day before we talk, and calls after 6pm."
FAMILY_SUMMARY = "My partner's address was shared online and our son is frightened at school."
REFERENCE = re.compile(r"WB-WYP-\d{4}-\d{6}")


def _fits_phone(page, where: str) -> None:
    """At 375px wide the page must not scroll sideways."""
    page.set_viewport_size(PHONE)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    page.set_viewport_size(DESKTOP)
    assert width <= PHONE["width"], f"{where} scrolls sideways at 375px: {width}px wide"


def _main(page) -> str:
    return page.locator("main").inner_text()


def test_support_from_offer_to_check_in_and_a_family_self_referral(page, settings):
    settings.HARMSPORTAL_REQUIRE_STAFF_MFA = True
    page.set_viewport_size(DESKTOP)
    officer = make_person(full_name=OFFICER_NAME)
    triager = make_person(Role.TRIAGE, kind=User.Kind.STAFF, mfa=False, full_name="Tri Ager")
    triager_secret = enrol_totp(triager)
    champion = make_person(Role.CHAMPION, kind=User.Kind.STAFF, mfa=False, full_name="Cham Pion")
    champion_secret = enrol_totp(champion)
    family = make_person(kind=User.Kind.FAMILY, full_name="Jo Family")
    link_family(officer, family)
    # Claimed by the triager and assessed, with no offer made at assessment: triage offers it.
    case = assessed_case_without_offer(reporter=officer, assignee=triager, description=DESCRIPTION)
    findings: list[str] = []  # problems that do not stop the journey; asserted at the end

    # 1. Triage offers support from the case.
    sign_in(page, triager, totp_secret=triager_secret)
    visit(page, f"/triage/cases/{case.public_id}/")
    page.get_by_role("link", name="Offer wellbeing support").click()
    wait_for_path(page, f"/wellbeing/offer/{case.public_id}/")
    assert_accessible(page)
    page.get_by_label("Employee assistance programme").check()
    page.get_by_role("button", name="Offer wellbeing support").click()
    wait_for_path(page, f"/wellbeing/offer/{case.public_id}/")
    assert_accessible(page)
    assert "Support offered." in _main(page)
    assert "Offered" in page.locator("#offer-status").inner_text()
    referral = Referral.objects.get(case=case)
    assert referral.state == ReferralState.OFFERED
    assert referral.support_type == "eap"
    sign_out(page)

    # 2. The officer is told, opens the offer and accepts: summary and description, no name.
    sign_in(page, officer)
    visit(page, "/notifications/")
    assert referral.reference in _main(page)
    assert Notification.objects.filter(user=officer, title__contains=referral.reference).exists()
    visit(page, "/wellbeing/mine/")
    page.get_by_role("link", name=re.compile(r"^Accept or decline")).first.click()
    wait_for_path(page, f"/wellbeing/mine/{referral.public_id}/respond/")
    assert_accessible(page)
    accept = page.locator("#accept-form")
    accept.get_by_label("Summary for your champion").fill(SUMMARY)
    accept.get_by_label("Summary and my report's description").check()
    accept.get_by_role("group", name="Can your champion see your name?").get_by_label(
        "No", exact=True
    ).check()
    accept.get_by_label("Me", exact=True).check()
    # What triage offered should be the answer already chosen ("The person can change it when
    # they accept", the offer form says); a finding while it is not, checked at the end.
    if not accept.get_by_label("Employee assistance programme").is_checked():
        findings.append(
            "respond page /wellbeing/mine/<id>/respond/: the support type triage offered "
            "(Employee assistance programme) is not pre-selected, nor named on the page; the "
            "person must choose again. Suggested fix: AcceptForm initial support_type="
            "referral.support_type (and harm_to) in person_pages.respond."
        )
    accept.get_by_label("Employee assistance programme").check()
    accept.get_by_role("button", name="Accept support").click()
    wait_for_path(page, f"/wellbeing/mine/{referral.public_id}/")
    assert_accessible(page)
    assert "one will be in touch" in _main(page)
    assert "Yes, shared" in page.locator("#consent-description").inner_text()
    assert "No: your champion sees only" in page.locator("#consent-name").inner_text()
    referral.refresh_from_db()
    assert referral.state == ReferralState.ACCEPTED
    assert referral.consent_scope == "summary_description"
    assert not referral.consent_name
    sign_out(page)

    # 3. The champion finds it by reference only, assigns it and records a check-in.
    sign_in(page, champion, totp_secret=champion_secret)
    visit(page, "/wellbeing/")
    queue = page.locator("#queue")
    assert referral.reference in queue.inner_text()
    assert OFFICER_NAME not in page.content()
    _fits_phone(page, "the champion's queue /wellbeing/")
    queue.get_by_role("link", name=referral.reference).click()
    referral_path = f"/wellbeing/referrals/{referral.public_id}/"
    wait_for_path(page, referral_path)
    assert_accessible(page)
    assert OFFICER_NAME not in page.content()
    assert DESCRIPTION in page.locator("#description").inner_text()
    assert SUMMARY in page.locator("#summary").inner_text()
    _fits_phone(page, "the champion's referral page")

    page.get_by_role("button", name="Assign to me").click()
    wait_for_path(page, referral_path)
    assert_accessible(page)
    assert f"Referral {referral.reference} is assigned to you." in _main(page)
    assert OFFICER_NAME not in page.content()

    page.locator("#referral-actions").get_by_role("link", name="Record a check-in").click()
    wait_for_path(page, f"{referral_path}check-in/")
    assert_accessible(page)
    page.get_by_label("3: getting by").check()
    page.get_by_label("Note").fill(CHECKIN_NOTE)
    page.get_by_role("button", name="Save check-in").click()
    wait_for_path(page, referral_path)
    assert_accessible(page)
    checkin = CheckIn.objects.get(referral=referral)
    assert (checkin.score, checkin.note, checkin.by) == (3, CHECKIN_NOTE, champion)
    next_due = govuk_date(checkin.at + timedelta(days=14))
    assert f"Check-in recorded. The next one is due on {next_due}." in _main(page)
    sign_out(page)

    # 4. The officer sees the next check-in date and keeps a change to their support plan.
    sign_in(page, officer)
    mine_path = f"/wellbeing/mine/{referral.public_id}/"
    visit(page, mine_path)
    assert page.locator("#next-checkin").inner_text().strip() == next_due
    assert "Cham Pion" in page.locator("#champion").inner_text()
    _fits_phone(page, "the person's referral page")
    page.get_by_role("link", name=re.compile(r"support plan$")).click()
    wait_for_path(page, f"{mine_path}plan/")
    assert_accessible(page)
    page.get_by_label("What helps?").fill(WHAT_HELPS)
    page.get_by_role("button", name="Save the plan").click()
    wait_for_path(page, f"{mine_path}plan/")
    assert_accessible(page)
    assert "The support plan is saved." in _main(page)
    visit(page, f"{mine_path}plan/")  # kept: read back afresh
    assert WHAT_HELPS in page.locator("#current-plan").inner_text()
    assert page.get_by_label("What helps?").input_value() == WHAT_HELPS
    visit(page, mine_path)
    assert "See or change your support plan" in _main(page)
    sign_out(page)

    # 5. A family member refers themselves: harm to my family, family support.
    sign_in(page, family)
    visit(page, "/wellbeing/mine/")
    page.get_by_role("button", name="Ask for wellbeing support").click()
    wait_for_path(page, "/wellbeing/mine/refer/")
    assert_accessible(page)
    page.get_by_label("My family", exact=True).check()
    page.get_by_label("Family support", exact=True).check()
    page.get_by_label("What would you like support with?").fill(FAMILY_SUMMARY)
    page.get_by_role("group", name="Can your champion see your name?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("button", name="Ask for support").click()
    own = Referral.objects.get(person=family)
    wait_for_path(page, f"/wellbeing/mine/{own.public_id}/")
    assert_accessible(page)
    main = _main(page)
    assert REFERENCE.fullmatch(own.reference)
    assert f"Referral {own.reference}" in main
    assert f"Your referral {own.reference} is with the wellbeing champions" in main
    summary = page.locator("#referral-summary").inner_text()
    assert "Waiting for a champion" in page.locator("#referral-summary .govuk-tag").inner_text()
    assert "Family support" in summary
    assert "Online harm to my family" in summary
    assert (own.state, own.harm_to, own.support_type, own.source) == (
        ReferralState.ACCEPTED,
        "family",
        "family",
        "self",
    )
    _fits_phone(page, "the family member's referral page")

    assert not findings, "wellbeing journey findings:\n" + "\n".join(findings)
