"""The PCC's office in a browser: the force's performance page and its accountability pack
(issue 10, acceptance 6, for oversight). Every page passes axe-core, fits a 375px phone without
scrolling sideways, and the pack prints on A4 with nothing but the pack: no header, menus,
footer, quarter chooser or print help, on white, its tables inside the paper's width.
"""

from __future__ import annotations

import datetime
from datetime import date

from django.utils import timezone

from harmsportal.people.models import Role
from harmsportal.trends.models import DimensionRollup, PerformanceRollup, RollupState
from tests.e2e.conftest import assert_accessible, visit, wait_for_path
from tests.e2e.test_triage_journey import sign_in
from tests.factories import force, make_person

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
# A4's width less the pack's 14mm side margins, in CSS pixels (96 per inch).
A4_CONTENT_WIDTH = 688
QUARTER = "fy2026-27-q2"  # July to September 2026


def _figures() -> None:
    RollupState.objects.update_or_create(pk=1, defaults={"completed_at": timezone.now()})
    others = (("north-yorkshire", 5), ("kent", 8), ("essex", 6), ("durham", 7), ("cleveland", 9))
    for slug, hours in (("west-yorkshire", 3), *others):
        for month in (date(2026, 7, 1), date(2026, 8, 1), date(2026, 4, 1)):
            DimensionRollup.objects.create(
                month=month, force=force(slug), dimension="total", value="", reports=12, key_sum=99
            )
            PerformanceRollup.objects.create(
                month=month,
                force=force(slug),
                received=12,
                responded=10,
                responded_in_target=9,
                response_hours=[0] * hours + [10],
                outcomes=6,
                outcomes_in_28_days=5,
                outcome_days=[0] * 20 + [6],
                referrals_offered=3,
                referrals_offered_key_sum=40,
            )


def _fits(page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{where} scrolls sideways at 375px ({width}px wide)"


def test_oversight_reads_the_performance_page_and_prints_the_pack(page, settings):
    settings.HARMSPORTAL_REQUIRE_STAFF_MFA = False
    oversight = make_person(Role.OVERSIGHT, mfa=False, full_name="Pat Commissioner-Office")
    _figures()
    sign_in(page, oversight)

    page.set_viewport_size(DESKTOP)
    visit(page, f"/trends/forces/west-yorkshire/performance/?period={QUARTER}")
    headline = page.locator("#headline-response_median")
    assert "3 hours" in headline.inner_text()
    # The other five forces' medians (5, 6, 7, 8, 9), never West Yorkshire's own 3 hours.
    assert "Better than the national median (7 hours)" in headline.inner_text()
    page.set_viewport_size(PHONE)
    _fits(page, "the performance page")

    page.get_by_role("link", name="accountability pack for Quarter 2 2026 to 2027").click()
    wait_for_path(page, "/trends/forces/west-yorkshire/pack/")
    assert_accessible(page)
    _fits(page, "the pack")
    assert page.get_by_role("button", name="Print this page").is_visible()  # with JavaScript
    assert "Pat Commissioner-Office" not in page.content()

    page.set_viewport_size({"width": A4_CONTENT_WIDTH, "height": 1000})
    page.emulate_media(media="print")
    for hidden in ("header.govuk-template__header", "footer", "#period-form", "#print-help"):
        assert not page.locator(hidden).is_visible(), f"{hidden} is printed"
    assert page.locator("#title-block").is_visible()
    assert page.locator("#headlines").is_visible()
    sizes = page.evaluate(
        """() => ({scroll: document.documentElement.scrollWidth,
                   widest: Math.max(...[...document.querySelectorAll('table')]
                                    .map((t) => t.getBoundingClientRect().right)),
                   background: getComputedStyle(document.body).backgroundColor})"""
    )
    assert sizes["scroll"] <= A4_CONTENT_WIDTH, f"the printed pack is too wide: {sizes}"
    assert sizes["widest"] <= A4_CONTENT_WIDTH, f"a table runs off the paper: {sizes}"
    assert sizes["background"] == "rgb(255, 255, 255)"
    page.emulate_media(media="screen")


def test_the_pack_asks_for_a_quarter_when_given_a_year(page, settings):
    settings.HARMSPORTAL_REQUIRE_STAFF_MFA = False
    oversight = make_person(Role.OVERSIGHT, mfa=False)
    RollupState.objects.update_or_create(
        pk=1, defaults={"completed_at": datetime.datetime.now(tz=datetime.UTC)}
    )
    sign_in(page, oversight)
    visit(page, "/trends/forces/west-yorkshire/pack/?period=fy2026-27", status=400)
    summary = page.locator(".govuk-error-summary")
    assert "covers one financial-year quarter" in summary.inner_text()
    page.set_viewport_size(PHONE)
    _fits(page, "the pack's error page")
