"""Service clocks with frozen time: working days skip weekends and each nation's bank holidays."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.triage.factories import AssessedCaseFactory, CaseFactory, reporter_in, triager_in
from triage import sla
from triage.models import Case

pytestmark = pytest.mark.django_db

UK = ZoneInfo("Europe/London")


def uk(*args) -> datetime:
    return datetime(*args, tzinfo=UK)


def assessed_at(moment: datetime, risk: str, force_slug: str = "west-yorkshire") -> Case:
    """A case submitted at `moment` (time frozen there) and assessed with `risk`."""
    with time_machine.travel(moment, tick=False):
        return AssessedCaseFactory(
            reporter=reporter_in(force_slug),
            assignee=triager_in(force_slug),
            risk=risk,
        )


def test_a_new_case_is_due_a_first_response_within_24_hours_even_over_a_weekend():
    with time_machine.travel(uk(2026, 5, 22, 17, 0), tick=False):
        case = CaseFactory()
    assert case.first_response_due == uk(2026, 5, 23, 17, 0)
    assert case.next_update_due == uk(2026, 6, 5, 17, 0)
    assert case.outcome_due == uk(2026, 6, 19, 17, 0)


def test_immediate_risk_is_due_within_one_hour_of_submission():
    case = assessed_at(uk(2026, 5, 23, 2, 30), "immediate")  # a Saturday night
    assert case.first_response_due == uk(2026, 5, 23, 3, 30)


def test_medium_risk_submitted_on_a_saturday_counts_from_monday():
    case = assessed_at(uk(2026, 3, 7, 11, 0), "medium")
    assert case.first_response_due == uk(2026, 3, 11, 11, 0)  # Mon, Tue, Wed


def test_medium_risk_in_england_skips_the_late_may_bank_holiday():
    # Friday 22 May 2026; Monday 25 May is the spring bank holiday.
    case = assessed_at(uk(2026, 5, 22, 10, 0), "medium")
    assert case.first_response_due == uk(2026, 5, 28, 10, 0)  # Tue, Wed, Thu


def test_low_risk_in_england_skips_the_weekend_and_the_bank_holiday():
    case = assessed_at(uk(2026, 5, 22, 10, 0), "low")
    assert case.first_response_due == uk(2026, 6, 1, 10, 0)  # Tuesday to Friday, then Monday


def test_the_august_bank_holiday_differs_between_england_and_scotland():
    # Friday 28 August 2026: Monday 31 August is a holiday in England, not in Scotland
    # (whose summer bank holiday was Monday 3 August).
    england = assessed_at(uk(2026, 8, 28, 9, 15), "medium", "west-yorkshire")
    scotland = assessed_at(uk(2026, 8, 28, 9, 15), "medium", "police-scotland")
    assert england.first_response_due == uk(2026, 9, 3, 9, 15)
    assert scotland.first_response_due == uk(2026, 9, 2, 9, 15)


def test_st_andrews_day_is_a_holiday_for_police_scotland_only():
    # Monday 30 November 2026 is St Andrew's Day.
    scotland = assessed_at(uk(2026, 11, 27, 14, 0), "low", "police-scotland")
    england = assessed_at(uk(2026, 11, 27, 14, 0), "low", "west-yorkshire")
    assert scotland.first_response_due == uk(2026, 12, 7, 14, 0)
    assert england.first_response_due == uk(2026, 12, 4, 14, 0)


def test_the_second_of_january_is_a_holiday_in_scotland_but_not_in_england():
    england = assessed_at(uk(2025, 12, 31, 10, 0), "medium", "west-yorkshire")
    scotland = assessed_at(uk(2025, 12, 31, 10, 0), "medium", "police-scotland")
    assert england.first_response_due == uk(2026, 1, 6, 10, 0)  # Fri 2, Mon 5, Tue 6
    assert scotland.first_response_due == uk(2026, 1, 7, 10, 0)  # Mon 5, Tue 6, Wed 7


def test_a_working_day_clock_keeps_uk_wall_clock_time_across_the_end_of_summer_time():
    # Friday 23 October 2026 10:00 BST; the clocks go back on Sunday 25 October.
    case = assessed_at(uk(2026, 10, 23, 10, 0), "medium")
    assert case.first_response_due == uk(2026, 10, 28, 10, 0)
    assert case.first_response_due.utcoffset() == timedelta(0)


def test_working_days_come_from_the_holidays_library_for_each_nation():
    assert not sla.is_working_day(uk(2026, 8, 31).date(), subdivision="ENG")
    assert sla.is_working_day(uk(2026, 8, 31).date(), subdivision="SCT")
    assert not sla.is_working_day(uk(2026, 7, 13).date(), subdivision="NIR")  # Battle of the Boyne
    assert sla.is_working_day(uk(2026, 7, 13).date(), subdivision="WLS")


def test_an_unassessed_case_goes_from_on_time_to_due_soon_to_breached():
    with time_machine.travel(uk(2026, 5, 22, 10, 0), tick=False):
        case = CaseFactory()
    assert case.sla_state(uk(2026, 5, 22, 10, 0)).key == "on_time"
    assert case.sla_state(uk(2026, 5, 22, 22, 0)).key == "due_soon"
    breached = case.sla_state(uk(2026, 5, 23, 10, 1))
    assert (breached.key, breached.clock.key) == ("breached", "first_response")


def test_a_low_risk_case_a_week_from_its_clocks_is_on_time():
    case = assessed_at(uk(2026, 3, 2, 9, 0), "low")
    assert case.sla_state(uk(2026, 3, 2, 10, 0)).key == "on_time"
    assert case.sla_state(uk(2026, 3, 8, 10, 0)).key == "due_soon"
    assert case.sla_state(uk(2026, 3, 9, 9, 1)).key == "breached"
