"""What a force offers, in a browser on a 375px phone: capacity, support services, the
champions' directory and the library. Every page passes axe-core and fits the phone."""

from __future__ import annotations

import re

from harmsportal.people.models import Role, User
from tests.e2e.conftest import assert_accessible, visit
from tests.e2e.test_triage_journey import sign_in
from tests.factories import enrol_totp, make_person
from tests.wellbeing.factories import InSupportReferralFactory, SupportServiceFactory
from wellbeing.models import Resource, SupportType

PHONE = {"width": 375, "height": 812}


def _width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_a_champion_manages_what_the_force_offers_on_a_phone(page, settings):
    settings.HARMSPORTAL_REQUIRE_STAFF_MFA = True
    service = SupportServiceFactory(
        name="Occupational Health and Wellbeing Service (West Yorkshire)",
        support_type=SupportType.OCCUPATIONAL_HEALTH,
        capacity=2,
    )
    for _ in range(6):
        InSupportReferralFactory(service=service, support_type=service.support_type)
    Resource.objects.create(
        kind=Resource.Kind.HELPLINE,
        title="Samaritans",
        summary="Whatever you are going through, call free any time.",
        phone="116 123",
        url="https://www.samaritans.org/",
    )
    champion = make_person(Role.CHAMPION, kind=User.Kind.STAFF, mfa=False, full_name="Cham Pion")
    secret = enrol_totp(champion)

    page.set_viewport_size(PHONE)
    sign_in(page, champion, totp_secret=secret)

    visit(page, "/wellbeing/capacity/")
    assert page.locator("#capacity tbody tr").count() == 6
    assert _width(page) <= PHONE["width"]

    visit(page, "/wellbeing/services/")
    assert "Full: over capacity" in page.locator("#services").inner_text()
    assert _width(page) <= PHONE["width"]

    visit(page, "/wellbeing/services/new/")
    page.get_by_label("Name of the service").fill("Trauma support team")
    page.get_by_label("How many open referrals can it hold at once?").fill("lots")
    page.get_by_role("button", name="Add service").click()
    assert_accessible(page)
    assert (
        "Enter the capacity as a whole number" in page.locator(".govuk-error-summary").inner_text()
    )
    page.get_by_label("Trauma risk management (TRiM)").check()
    page.get_by_label("How many open referrals can it hold at once?").fill("8")
    page.get_by_label("Target wait, in days").fill("10")
    page.get_by_role("button", name="Add service").click()
    assert_accessible(page)
    assert "Trauma support team" in page.locator("#services").inner_text()

    visit(page, "/wellbeing/directory/me/")
    page.get_by_label("How colleagues can reach you").fill("Teams, weekdays 9 to 5.")
    page.get_by_role("button", name="Save your entry").click()
    assert_accessible(page)
    assert "Teams, weekdays 9 to 5." in page.content()

    visit(page, "/wellbeing/library/new/")
    page.get_by_label("Title").fill("Securing your accounts")
    page.get_by_label("Securing your accounts").check()
    page.get_by_label("What it offers").fill("Turn on two-step sign-in for every account.")
    page.get_by_label("Link").fill("JAVASCRIPT:alert(1)")
    page.get_by_role("button", name="Publish").click()
    assert_accessible(page)
    assert "starts with https://" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Link").fill("https://example.org/security")
    page.get_by_role("button", name="Publish").click()
    assert_accessible(page)
    assert _width(page) <= PHONE["width"]

    visit(page, "/wellbeing/library/")
    assert _width(page) <= PHONE["width"]
    page.get_by_role("link", name="Samaritans").click()
    assert_accessible(page)
    link = page.get_by_role("link", name=re.compile(r"opens in new tab"))
    assert link.get_attribute("rel") == "noopener noreferrer"


def test_an_analyst_looks_at_all_forces_then_one_on_a_phone(page, settings):
    settings.HARMSPORTAL_REQUIRE_STAFF_MFA = True
    SupportServiceFactory(support_type=SupportType.WELLBEING, capacity=4)
    analyst = make_person(Role.NATIONAL_ANALYST, kind=User.Kind.STAFF, mfa=False)
    secret = enrol_totp(analyst)

    page.set_viewport_size(PHONE)
    sign_in(page, analyst, totp_secret=secret)

    visit(page, "/wellbeing/capacity/")
    assert "across all forces" in page.locator("#capacity caption").inner_text()
    page.get_by_label("Show the figures for").select_option("west-yorkshire")
    page.get_by_role("button", name="Show figures").click()
    assert_accessible(page)
    assert "West Yorkshire Police" in page.locator("#capacity caption").inner_text()
    assert _width(page) <= PHONE["width"]
