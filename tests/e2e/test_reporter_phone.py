"""A reporter's own pages on a 375px phone: no sideways scrolling (an outside walk found
"My reports" at 465px, the report page at 517px and the Family page at 645px).

Their tables become cards below the tablet breakpoint (app-table--responsive, CSS only).
"""

from __future__ import annotations

from harmsportal.audit.models import AccessLog
from harmsportal.people.models import FamilyLink
from harmsportal.people.services import family_link_invite
from reports.services.conversation import report_access_record
from tests.e2e.conftest import visit
from tests.e2e.test_triage_journey import sign_in
from tests.factories import link_family, make_person
from tests.reports.factories import DraftReportFactory, SubmittedReportFactory
from tests.triage.factories import triager_in

PHONE = {"width": 375, "height": 812}


def _width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_my_reports_the_report_page_and_family_fit_a_phone(page, officer):
    DraftReportFactory(reporter=officer)
    report = SubmittedReportFactory(reporter=officer)
    SubmittedReportFactory(reporter=officer)
    for reader in (triager_in(), triager_in("north-yorkshire")):
        report_access_record(actor=reader, report=report, action=AccessLog.Action.READ)
    link_family(officer, make_person(kind="family", full_name="Alexandra Montgomery-Fairweather"))
    family_link_invite(
        actor=officer,
        email="a.very.long.address.for.a.relative@example.police.uk",
        relationship=FamilyLink.Relationship.SIBLING,
    )

    page.set_viewport_size(PHONE)
    sign_in(page, officer)
    for path in ("/reports/", f"/reports/{report.public_id}/", "/people/family/"):
        visit(page, path)
        assert _width(page) <= PHONE["width"], path
    visit(page, f"/reports/{report.public_id}/")
    row = page.locator("#seen-by ~ table tbody tr").first
    assert row.evaluate("(row) => getComputedStyle(row).display") == "block"
