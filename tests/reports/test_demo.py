"""The demo reports: realistic, sent through the real services, and seeded only once."""

from __future__ import annotations

import re

from harmsportal.people.demo import seed_accounts
from reports import demo
from reports.intake import intake_handler_replaced
from reports.models import Report, ReportStatus, Subject


def test_demo_reports_are_sent_for_officer_family_and_staff(db):
    accounts = seed_accounts("demo-password-for-tests")
    with intake_handler_replaced(None):
        demo.seed(accounts)
    reports = Report.objects.all()
    assert reports.count() == len(demo.DEMO_REPORTS)
    assert {r.reporter.email.split("@")[0] for r in reports} == {"officer", "family", "staff"}
    assert all(r.status == ReportStatus.SUBMITTED for r in reports)
    assert all(re.fullmatch(r"OH-WYP-\d{4}-\d{6}", r.reference) for r in reports)
    family = reports.get(demo_key="demo-family-harassment")
    assert family.shared_with_member is True
    assert family.family_link.member == accounts["officer"]
    assert reports.get(demo_key="demo-officer-child").subject == Subject.CHILD


def test_seeding_twice_creates_nothing_new(db):
    accounts = seed_accounts("demo-password-for-tests")
    with intake_handler_replaced(None):
        demo.seed(accounts)
        references = set(Report.objects.values_list("reference", flat=True))
        demo.seed(accounts)
    assert set(Report.objects.values_list("reference", flat=True)) == references


def test_seeding_hands_each_report_to_the_triage_intake(db):
    accounts = seed_accounts("demo-password-for-tests")
    seen = []
    with intake_handler_replaced(seen.append):
        demo.seed(accounts)
    assert len(seen) == len(demo.DEMO_REPORTS)
