"""The trainer previews and applies a roster import in a browser (issue 9, acceptance 1).

Every page is checked with axe-core; the upload page and the preview fit a 375px phone.
"""

from __future__ import annotations

import re

from harmsportal.people.models import Role, User
from tests.e2e.conftest import assert_accessible, visit, wait_for_path
from tests.e2e.test_triage_journey import sign_in
from tests.factories import enrol_totp, make_person
from tests.training.test_roster_import import csv_bytes
from training.models import RosterImport, TrainingProfile

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
ROSTER = "/training/manage/roster/"
ROWS = [
    ["alexandra.montgomery-fairweather@example.police.uk", "Alexandra Montgomery-Fairweather", "officer", "induction;frontline;specialist", "01/09/2025", ""],
    ["sam.patel@example.police.uk", "Sam Patel", "staff", "line manager;leadership", "2024-03-27", "alexandra.montgomery-fairweather@example.police.uk"],
    ["jo.bloggs@example.police.uk", "Jo Bloggs", "volunteer", "frontline", "", "sam.patel@example.police.uk"],
]  # fmt: skip


def _width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def _choose(page, content: bytes, name: str = "roster.csv") -> None:
    page.locator('input[type="file"][name="file"]').set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state("load")


def test_the_trainer_previews_and_applies_a_roster(page, settings):
    settings.HARMSPORTAL_REQUIRE_STAFF_MFA = True
    trainer = make_person(
        Role.TRAINING_ADMIN, kind=User.Kind.STAFF, mfa=False, full_name="Tia Trainer"
    )
    secret = enrol_totp(trainer)
    sign_in(page, trainer, totp_secret=secret)

    # A file with a bad row first: every problem is named, and nothing can be applied.
    visit(page, ROSTER)
    _choose(page, csv_bytes([*ROWS, ["not-an-email", "Bad Row", "officer", "cyber", "", ""]]))
    assert_accessible(page)
    assert page.get_by_role("heading", name="Fix the problems in this roster").is_visible()
    problems = page.locator("#roster-errors").inner_text()
    assert "Row 5" in problems
    assert "not-an-email is not a valid email address" in problems
    assert "Unknown audience cyber" in problems
    assert page.get_by_role("button", name="Apply roster").count() == 0

    # The trainer discards it (a second button on the preview's form): its file goes.
    assert page.get_by_role("link", name="Upload a corrected file").is_visible()
    page.get_by_role("button", name="Discard this roster").click()
    wait_for_path(page, ROSTER)
    assert_accessible(page)
    assert "has been discarded" in page.locator(".govuk-notification-banner").inner_text()
    assert RosterImport.objects.get().status == RosterImport.Status.DISCARDED

    # A file the portal cannot open: a GOV.UK error on the upload page.
    _choose(page, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, name="roster.xlsx")
    assert_accessible(page)
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "If it is password protected, save a copy without a password" in summary

    # The good file: its preview, then Apply.
    _choose(page, csv_bytes(ROWS))
    assert_accessible(page)
    assert page.get_by_role("heading", name="Check the roster before you apply it").is_visible()
    assert page.locator("#count-new-account").inner_text().startswith("3")
    assert "Alexandra Montgomery-Fairweather" in page.locator("#roster-rows").inner_text()
    assert not TrainingProfile.objects.exists()

    page.set_viewport_size(PHONE)
    page.reload()
    assert_accessible(page)
    assert _width(page) <= PHONE["width"]
    page.set_viewport_size(DESKTOP)

    page.get_by_role("button", name="Apply roster").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    assert page.get_by_role("heading", name="Roster applied").is_visible()
    assert "The roster has been applied." in page.locator(".govuk-notification-banner").inner_text()
    assert bytes(RosterImport.objects.get(status=RosterImport.Status.APPLIED).content) == b""
    assert TrainingProfile.objects.count() == 3
    sam = TrainingProfile.objects.get(person__email="sam.patel@example.police.uk")
    assert sam.line_manager.email == "alexandra.montgomery-fairweather@example.police.uk"

    # The upload page lists it, and fits a phone too.
    page.set_viewport_size(PHONE)
    visit(page, ROSTER)
    assert _width(page) <= PHONE["width"]
    assert re.search(r"roster\.csv", page.locator("#roster-recent").inner_text())
