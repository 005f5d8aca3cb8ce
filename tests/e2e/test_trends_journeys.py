"""Trends in a browser (issue 10, acceptance 6): a force lead, the PCC's office and a national
analyst each start from their home page, follow its card to their figures and read them.

Every page passes axe-core, and each journey's main page fits a 375px phone without scrolling
sideways. The figures are a tenth of the demo's own synthetic history (trends/demo), so
the pages show real-looking months with some small numbers withheld, rolled up for real.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from harmsportal.people.models import Role, User
from harmsportal.trends.demo import peers_seed, story
from harmsportal.trends.demo.history import history_create
from harmsportal.trends.rollup import rollup_rebuild
from tests.e2e.conftest import assert_accessible, wait_for_path
from tests.e2e.test_triage_journey import sign_in
from tests.factories import make_person

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
WEST = "/trends/forces/west-yorkshire/"


@pytest.fixture
def figures(monkeypatch, settings):
    """Two years of history at a tenth of the demo's volume (quick to make), rolled up."""
    settings.HARMSPORTAL_REQUIRE_STAFF_MFA = False
    smaller = tuple(
        replace(force, start=max(force.start / 10, 0.5), end=max(force.end / 10, 0.6))
        for force in story.FORCES
    )
    monkeypatch.setattr(story, "FORCES", smaller)
    assert history_create() > 150
    peers_seed()
    rollup_rebuild()


def _fits_a_phone(page, where: str) -> None:
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{where} scrolls sideways at 375px ({width}px wide)"
    page.set_viewport_size(DESKTOP)


def _follow(page, name: str, path: str) -> None:
    page.get_by_role("link", name=name, exact=True).click()
    wait_for_path(page, path)
    assert_accessible(page)


def _charts_drawn(page) -> int:
    return page.locator("figure[data-app-chart]:not([hidden]) canvas").count()


def test_a_force_lead_reads_their_forces_trends_from_their_home_page(page, figures):
    lead = make_person(Role.FORCE_LEAD, mfa=False, full_name="Jordan Lead")
    page.set_viewport_size(DESKTOP)
    sign_in(page, lead)

    _follow(page, "Trends for your force", WEST)
    main = page.locator("main").inner_text()
    assert "Reports each month by harm category" in main
    assert "<5" in main  # small numbers withheld, never shown
    assert "North Yorkshire" not in main
    assert _charts_drawn(page) > 0  # the vendored chart library ran under the CSP

    # A quarter instead of the financial year: the GET form, as without JavaScript.
    period = page.locator("#id_period")
    quarter = period.locator("option[value$='-q1']").first.get_attribute("value")
    period.select_option(quarter)
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_url(f"**{WEST}?*period={quarter}*")
    assert_accessible(page)
    _fits_a_phone(page, "the force lead's trends page")


def test_oversight_follows_their_home_card_to_performance_and_the_pack(page, figures):
    oversight = make_person(
        Role.OVERSIGHT, mfa=False, kind=User.Kind.STAFF, full_name="Morgan Office"
    )
    page.set_viewport_size(DESKTOP)
    sign_in(page, oversight)

    _follow(page, "Force performance", f"{WEST}performance/")
    assert "first response" in page.locator("main").inner_text().lower()
    _fits_a_phone(page, "the performance page")

    page.locator(f"main a[href^='{WEST}pack/']").first.click()
    wait_for_path(page, f"{WEST}pack/")
    assert_accessible(page)
    assert "Morgan Office" not in page.locator("main").inner_text()
    _fits_a_phone(page, "the accountability pack")


def test_a_national_analyst_compares_forces_and_reads_the_non_crime_view(page, figures):
    analyst = make_person(
        Role.NATIONAL_ANALYST, mfa=False, kind=User.Kind.STAFF, full_name="Priya Analyst"
    )
    page.set_viewport_size(DESKTOP)
    sign_in(page, analyst)

    _follow(page, "National trends", "/trends/national/")
    comparison = page.locator("main").inner_text()
    for name in ("West Yorkshire Police", "Greater Manchester Police", "City of London Police"):
        assert name in comparison
    _fits_a_phone(page, "the national trends page")

    page.get_by_role(
        "link", name="Harms recorded as non-crime incidents, by category and platform"
    ).click()
    wait_for_path(page, "/trends/national/non-crime/")
    assert_accessible(page)
    assert "By harm category and platform" in page.locator("main").inner_text()
    _fits_a_phone(page, "the non-crime view")
