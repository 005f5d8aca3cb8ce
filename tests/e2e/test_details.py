"""Details a user noticed (issue 7) that only a browser shows: fonts and the conditional reveal."""

from __future__ import annotations

from playwright.sync_api import Browser, Page

from harmsportal.people.models import Role
from reports.models import Platform, ReportStatus
from reports.services.lifecycle import report_outcome_record
from tests.e2e.conftest import assert_accessible, visit
from tests.e2e.test_report_journey import sign_in
from tests.factories import make_person
from tests.reports.factories import DraftReportFactory, SubmittedReportFactory

# Every element in <main> that shows text of its own, with the font the browser chose.
_FONTS_OF_TEXT = """
() => {
  const fonts = [];
  for (const el of document.querySelectorAll("main *")) {
    const ownText = [...el.childNodes].some(
      (n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim()
    );
    // Read out by screen readers only (GOV.UK's visually hidden text): no font to see.
    const seen = el.offsetParent !== null && !el.closest(".govuk-visually-hidden");
    if (ownText && seen) {
      fonts.push({tag: el.tagName, text: el.textContent.trim().slice(0, 40),
                  font: getComputedStyle(el).fontFamily});
    }
  }
  return fonts;
}
"""


def test_the_outcome_and_every_text_on_the_report_page_are_in_the_gov_uk_font(page: Page):
    officer = make_person(full_name="Font Officer")
    triager = make_person(Role.TRIAGE, full_name="Font Triager")
    report = SubmittedReportFactory(reporter=officer)
    report_outcome_record(
        actor=triager,
        report=report,
        category="advice",
        explanation="We asked the platform to remove the post.\n\nIt has been removed.",
    )
    assert report.status == ReportStatus.OUTCOME_GIVEN
    sign_in(page, officer.email)
    visit(page, f"/reports/{report.public_id}/")

    explanation = page.locator("#outcome-explanation p").first
    assert explanation.inner_text() == "We asked the platform to remove the post."
    assert "arial" in explanation.evaluate("(el) => getComputedStyle(el).fontFamily").lower()

    serif = [f for f in page.evaluate(_FONTS_OF_TEXT) if "arial" not in f["font"].lower()]
    assert serif == [], f"text not in the GOV.UK font: {serif}"


def test_somewhere_else_reveals_where_with_and_without_javascript(page: Page, browser: Browser):
    officer = make_person(full_name="Reveal Officer")
    report = DraftReportFactory(reporter=officer)
    other = Platform.objects.current().get(slug="other")
    sign_in(page, officer.email)
    where = f"/reports/{report.public_id}/step/where/"

    visit(page, where)
    where_else = page.get_by_label("Where else did it happen?")
    assert not where_else.is_visible()  # with JavaScript, closed until ticked
    page.locator(f'input[name="platforms"][value="{other.pk}"]').check()
    assert where_else.is_visible()
    assert_accessible(page)

    # Without JavaScript the question is simply shown.
    context = browser.new_context(
        base_url=page.url.split("/reports/")[0],
        storage_state=page.context.storage_state(),
        java_script_enabled=False,
    )
    try:
        no_js = context.new_page()
        no_js.goto(where)
        assert no_js.get_by_label("Where else did it happen?").is_visible()
    finally:
        context.close()
