"""The triage queue and the supervisor's page on a 375px phone: no sideways scrolling.

Below the tablet breakpoint each queue row is a card (app-table--responsive, CSS only). The
page must be no wider than the phone and pass axe-core; at desktop width it is a table again.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from harmsportal.people.models import Role, User
from tests.e2e.conftest import visit
from tests.e2e.test_triage_journey import sign_in
from tests.factories import enrol_totp, make_person
from tests.triage.factories import AssessedCaseFactory, CaseFactory, triager_in

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def _queue_with_long_rows() -> None:
    now = timezone.now()
    # Overdue, so the supervisor's breaches table has rows too; several kinds of harm each.
    kinds = ("doxxing", "threats", "harassment", "impersonation")
    for days in (9, 6, 3):
        CaseFactory(submitted_at=now - timedelta(days=days), categories=kinds)
    AssessedCaseFactory(
        assignee=triager_in(full_name="Alexandra Montgomery-Fairweather"), risk="immediate"
    )


def _width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_the_queue_and_supervisor_page_fit_a_phone_and_are_tables_on_a_desktop(page, settings):
    settings.HARMSPORTAL_REQUIRE_STAFF_MFA = True
    _queue_with_long_rows()
    supervisor = make_person(
        Role.TRIAGE_SUPERVISOR, kind=User.Kind.STAFF, mfa=False, full_name="Sue Pervisor"
    )
    secret = enrol_totp(supervisor)

    page.set_viewport_size(PHONE)
    sign_in(page, supervisor, totp_secret=secret)

    visit(page, "/triage/")
    assert page.locator("#queue tbody tr").count() == 4
    assert _width(page) <= PHONE["width"]
    first_row = page.locator("#queue tbody tr").first
    assert first_row.evaluate("(row) => getComputedStyle(row).display") == "block"
    label = first_row.locator('[data-label="Kinds of harm"]').evaluate(
        "(cell) => getComputedStyle(cell, '::before').content"
    )
    assert label == '"Kinds of harm: "'  # each card line says which column it is

    visit(page, "/triage/?q=2026")  # the search box, on a phone
    assert _width(page) <= PHONE["width"]

    visit(page, "/triage/supervisor/")
    assert page.locator("#breaches-table tbody tr").count() >= 3
    assert _width(page) <= PHONE["width"]

    page.set_viewport_size(DESKTOP)
    visit(page, "/triage/")
    first_row = page.locator("#queue tbody tr").first
    assert first_row.evaluate("(row) => getComputedStyle(row).display") == "table-row"
