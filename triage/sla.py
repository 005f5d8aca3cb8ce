"""Service clocks: when the reporter must hear from triage, and how a case stands against them.

- First response: 1 hour for immediate risk, 24 hours for high (and for a case nobody has
  assessed yet), 3 working days for medium, 5 working days for low, from submission.
- Keep-in-loop update: every 14 days while the case is open, from the last message.
- Outcome: 28 days from submission (or from reopening).

Hours and calendar days run round the clock. Working days skip weekends and the bank holidays
of the force's own nation (England, Wales, Scotland or Northern Ireland), from the `holidays`
library: never a list kept by hand. A working-day clock falls due at the same wall-clock time
(UK time) on the n-th working day after the day of submission.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Protocol

import holidays
from django.utils import timezone

IMMEDIATE_FIRST_RESPONSE = timedelta(hours=1)
HIGH_FIRST_RESPONSE = timedelta(hours=24)
MEDIUM_FIRST_RESPONSE_WORKING_DAYS = 3
LOW_FIRST_RESPONSE_WORKING_DAYS = 5
UPDATE_INTERVAL = timedelta(days=14)
OUTCOME_TARGET = timedelta(days=28)
# A running clock due within this long shows as "due soon".
DUE_SOON = timedelta(hours=24)


# ---------------------------------------------------------------------------
# Working days
# ---------------------------------------------------------------------------


@lru_cache(maxsize=128)
def _bank_holidays(subdivision: str, year: int) -> frozenset[date]:
    # One immutable set per nation and year: cheap to share between threads and requests.
    calendar = holidays.country_holidays("GB", subdiv=subdivision, years=year)
    return frozenset(calendar.keys())


def is_working_day(day: date, *, subdivision: str) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(subdivision, day.year)


def add_working_days(start: datetime, days: int, *, subdivision: str) -> datetime:
    """The same UK wall-clock time as `start` on the `days`-th working day after its date."""
    local = timezone.localtime(start)
    day = local.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, subdivision=subdivision):
            counted += 1
    # timetz() carries the zoneinfo zone, which works out the offset for the new date (BST/GMT).
    return datetime.combine(day, local.timetz())


# ---------------------------------------------------------------------------
# Due times
# ---------------------------------------------------------------------------


def first_response_due(submitted_at: datetime, risk: str, *, subdivision: str) -> datetime:
    """When the reporter must first hear from triage. `risk` "" means not assessed yet."""
    if risk == "immediate":
        return submitted_at + IMMEDIATE_FIRST_RESPONSE
    if risk == "medium":
        return add_working_days(
            submitted_at, MEDIUM_FIRST_RESPONSE_WORKING_DAYS, subdivision=subdivision
        )
    if risk == "low":
        return add_working_days(
            submitted_at, LOW_FIRST_RESPONSE_WORKING_DAYS, subdivision=subdivision
        )
    return submitted_at + HIGH_FIRST_RESPONSE


def next_update_due(since: datetime) -> datetime:
    return since + UPDATE_INTERVAL


def outcome_due(since: datetime) -> datetime:
    return since + OUTCOME_TARGET


# ---------------------------------------------------------------------------
# How a case stands
# ---------------------------------------------------------------------------


class _HasClocks(Protocol):
    is_open: bool
    first_response_due: datetime
    first_responded_at: datetime | None
    next_update_due: datetime | None
    outcome_due: datetime
    update_met_late_at: datetime | None
    outcome_given_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class Clock:
    key: str  # first_response, update, outcome
    label: str
    due: datetime


CLOCK_LABELS = {
    "first_response": "First response",
    "update": "Update to the reporter",
    "outcome": "Outcome",
}


def running_clocks(case: _HasClocks) -> list[Clock]:
    """The clocks still running on `case`, soonest first. None once the outcome is given."""
    if not case.is_open:
        return []
    clocks = []
    if case.first_responded_at is None:
        clocks.append(
            Clock("first_response", CLOCK_LABELS["first_response"], case.first_response_due)
        )
    if case.next_update_due is not None:
        clocks.append(Clock("update", CLOCK_LABELS["update"], case.next_update_due))
    clocks.append(Clock("outcome", CLOCK_LABELS["outcome"], case.outcome_due))
    return sorted(clocks, key=lambda clock: clock.due)


def late_clocks(case: _HasClocks) -> list[Clock]:
    """Deadlines `case` did not meet in time, whether met late or never met before the clocks
    stopped. They stay on the record: a response after the deadline does not undo the miss.

    Each clock's `due` is when it fell due (for a late update, when the late update went out:
    the update clock restarts with each message).
    """
    stopped_at = None if case.is_open else (case.outcome_given_at or case.closed_at)
    late = []
    responded = case.first_responded_at or stopped_at
    if responded is not None and responded > case.first_response_due:
        late.append(
            Clock("first_response", CLOCK_LABELS["first_response"], case.first_response_due)
        )
    if case.update_met_late_at is not None:
        late.append(Clock("update", CLOCK_LABELS["update"], case.update_met_late_at))
    finished = case.outcome_given_at or stopped_at
    if finished is not None and finished > case.outcome_due:
        late.append(Clock("outcome", CLOCK_LABELS["outcome"], case.outcome_due))
    return sorted(late, key=lambda clock: clock.due)


@dataclass(frozen=True)
class SlaState:
    key: str  # on_time, due_soon, breached, met_late, stopped
    label: str
    tag_class: str  # GOV.UK tag colour modifier
    clock: Clock | None = None

    @property
    def description(self) -> str:
        if self.clock is None:
            return self.label
        return f"{self.label}: {self.clock.label.lower()}"


SLA_STATES = {
    "breached": ("Breached", "govuk-tag--red"),
    "due_soon": ("Due soon", "govuk-tag--yellow"),
    "on_time": ("On time", "govuk-tag--green"),
    # A deadline was missed, and the record keeps saying so after the response or the outcome.
    "met_late": ("Met late", "govuk-tag--orange"),
    "stopped": ("Clocks stopped", "govuk-tag--grey"),
}


def state_of(case: _HasClocks, now: datetime) -> SlaState:
    """How `case` stands, the first that applies:

    - breached: a running clock is past due;
    - due soon: a running clock is due within DUE_SOON;
    - met late: a deadline was missed earlier, even though its clock has since stopped;
    - on time, or clocks stopped (the outcome was given in time, or the case closed).
    """
    clocks = running_clocks(case)
    soonest = clocks[0] if clocks else None
    if soonest is not None and soonest.due < now:
        return SlaState("breached", *SLA_STATES["breached"], clock=soonest)
    if soonest is not None and soonest.due < now + DUE_SOON:
        return SlaState("due_soon", *SLA_STATES["due_soon"], clock=soonest)
    late = late_clocks(case)
    if late:
        return SlaState("met_late", *SLA_STATES["met_late"], clock=late[0])
    if soonest is None:
        return SlaState("stopped", *SLA_STATES["stopped"])
    return SlaState("on_time", *SLA_STATES["on_time"], clock=soonest)
