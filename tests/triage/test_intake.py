"""A submitted report enters its force's queue as exactly one new case."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from reports.intake import registered_intake_handler
from reports.services.sending import report_submit
from tests.factories import make_person
from tests.reports.factories import DraftReportFactory
from triage.models import Case, CaseStatus
from triage.services.claiming import case_open_from_report

pytestmark = pytest.mark.django_db


def test_triage_registers_its_intake_with_reports():
    assert registered_intake_handler() is case_open_from_report


def test_submitting_a_report_puts_one_new_case_in_the_reporters_force_queue():
    reporter = make_person(force_slug="police-scotland")
    draft = DraftReportFactory(reporter=reporter, categories=["threats", "doxxing"])
    moment = datetime(2026, 5, 22, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(moment, tick=False):
        report = report_submit(actor=reporter, report=draft)
    case = Case.objects.get(report=report)
    assert case.status == CaseStatus.NEW
    assert case.force.slug == "police-scotland"
    assert case.assignee is None
    assert case.submitted_at == moment
    assert sorted(case.categories.values_list("slug", flat=True)) == ["doxxing", "threats"]


def test_submitting_twice_or_running_the_intake_again_creates_no_second_case():
    reporter = make_person()
    draft = DraftReportFactory(reporter=reporter)
    report = report_submit(actor=reporter, report=draft)
    first = Case.objects.get(report=report)
    report_submit(actor=reporter, report=report)
    again = case_open_from_report(report)
    assert again.pk == first.pk
    assert Case.objects.filter(report=report).count() == 1
