"""Planning the demo's history: what each synthetic report, case and referral holds, in memory.

Pure Python over a seeded `random.Random`, so the same story comes out every time (its dates
move with today). `history.py` turns the plans into rows.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from harmsportal.trends.demo import story
from harmsportal.trends.demo.story import ForceStory

LONDON = ZoneInfo("Europe/London")
# Hours of the day reports are sent in: fewer overnight, most in the evening.
HOUR_WEIGHTS = [1] * 7 + [3] * 11 + [4] * 6
# Nothing in the history happens in the last hour before seeding.
QUIET = timedelta(hours=1)
# The history stops this long before seeding, so every case can be finished by now.
FINISHED_BY = timedelta(days=2)


def history_months(today: date) -> list[date]:
    """The first day of each month of history, oldest first: `story.HISTORY_MONTHS` complete
    months, then the current month so far."""
    months = []
    year, month = today.year, today.month
    for _ in range(story.HISTORY_MONTHS + 1):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _several(rng: random.Random, weights: dict[str, float], how_many: int) -> list[str]:
    """`how_many` different values, the likelier first more often (weighted, no repeats)."""
    left, chosen = dict(weights), []
    for _ in range(min(how_many, len(left))):
        value = _pick(rng, left)
        chosen.append(value)
        del left[value]
    return chosen


def _blend(weights: dict[str, tuple[float, float]], t: float) -> dict[str, float]:
    return {key: start + (end - start) * t for key, (start, end) in weights.items()}


def _poisson(rng: random.Random, mean: float) -> int:
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0, sigma))


@dataclass
class CasePlan:
    risk: str = ""
    recording: str = ""
    responded_at: datetime | None = None
    outcome: str = ""
    outcome_at: datetime | None = None
    withdrawn_at: datetime | None = None
    closed_at: datetime | None = None
    status: str = "new"


@dataclass
class ReferralPlan:
    offered_at: datetime
    state: str
    support_type: str
    answered_at: datetime | None = None  # accepted or declined
    assigned_at: datetime | None = None
    first_support_at: datetime | None = None
    closed_at: datetime | None = None
    close_reason: str = ""


@dataclass
class ReportPlan:
    force: str
    person: int  # index into the force's people
    submitted_at: datetime
    categories: list[str]
    platforms: list[str]
    impacts: list[str]
    wants_support: str
    impact_level: int
    case: CasePlan = field(default_factory=CasePlan)
    referral: ReferralPlan | None = None


@dataclass(frozen=True)
class PersonPlan:
    kind: str
    answers: dict[str, str]


def plan_people(rng: random.Random, how_many: int) -> list[PersonPlan]:
    people = []
    for _ in range(max(how_many, 1)):
        answers = {}
        roll = rng.random()
        if roll < story.ANSWERS_ALL + story.ANSWERS_SOME:
            asked = list(story.DEMOGRAPHICS)
            if roll >= story.ANSWERS_ALL:
                asked = rng.sample(asked, rng.randint(1, len(asked) - 1))
            answers = {name: _pick(rng, story.DEMOGRAPHICS[name]) for name in asked}
        people.append(PersonPlan(kind=_pick(rng, story.REPORTER_KINDS), answers=answers))
    return people


def submission_times(
    rng: random.Random, force: ForceStory, months: list[date], now: datetime
) -> list[datetime]:
    """When each of the force's reports was sent, month by month, up to two days ago."""
    latest = now - FINISHED_BY
    times = []
    for index, first in enumerate(months):
        months_ago = len(months) - 1 - index
        t = min(index / story.HISTORY_MONTHS, 1.0)
        mean = force.start + (force.end - force.start) * t
        mean *= 1 + 0.12 * math.sin(2 * math.pi * (first.month - 4) / 12)  # July peak
        if force.surge and force.surge[0] == months_ago:
            mean *= force.surge[1]
        days = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - first
        for _ in range(_poisson(rng, mean)):
            day = first + timedelta(days=rng.randrange(days.days))
            hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
            sent = datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=LONDON)
            if sent < latest:  # the current month: only what has happened so far
                times.append(sent)
    return sorted(times)


def plan_report(
    rng: random.Random,
    force: ForceStory,
    sent: datetime,
    people: int,
    *,
    t: float,
    surge: bool,
    now: datetime,
) -> ReportPlan:
    how_many = rng.choices((1, 2, 3), weights=(60, 30, 10))[0]
    categories = _several(rng, _blend(story.CATEGORIES, t), how_many)
    if surge and rng.random() < 0.55:
        first = rng.choice(story.SURGE_CATEGORIES)
        categories = [first, *(c for c in categories if c != first)][:how_many]
    platforms = _several(
        rng, _blend(story.PLATFORMS, t), rng.choices((0, 1, 2, 3), weights=(4, 70, 22, 4))[0]
    )
    roll = rng.random()
    if roll < 0.04:
        impacts = []  # not answered
    elif roll < 0.62:
        impacts = ["none"]
    else:
        impacts = _several(rng, story.OFFLINE_IMPACTS, 1 if rng.random() < 0.8 else 2)
    report = ReportPlan(
        force=force.slug,
        person=rng.randrange(people),
        submitted_at=sent,
        categories=categories,
        platforms=platforms,
        impacts=impacts,
        wants_support=_pick(rng, story.WANTS_SUPPORT),
        impact_level=rng.choices((1, 2, 3, 4, 5), weights=(8, 22, 32, 26, 12))[0],
    )
    report.case = _plan_case(rng, force, report, t=t, now=now)
    report.referral = _plan_referral(rng, report, now=now)
    return report


def _plan_case(
    rng: random.Random, force: ForceStory, report: ReportPlan, *, t: float, now: datetime
) -> CasePlan:
    latest = now - QUIET
    sent = report.submitted_at
    crime_likely = bool(story.CRIME_LIKELY & set(report.categories))
    risks = dict(story.RISKS)
    if crime_likely:
        risks.update(immediate=5, high=32, medium=43, low=20)
    case = CasePlan(risk=_pick(rng, risks))
    pace = force.response[0] + (force.response[1] - force.response[0]) * t
    hours = max(_lognormal(rng, story.RESPONSE_HOURS[case.risk] * pace, 0.7), 0.1)
    responded = sent + timedelta(hours=hours)
    days = _lognormal(rng, story.OUTCOME_MEDIAN_DAYS * force.outcome, 0.55)
    outcome_at = max(sent + timedelta(days=days), responded + timedelta(hours=2))
    # Every history case is finished: an open one would sit in a triage queue and, once its
    # clocks ran out, be escalated to supervisors on every run of the breach task.
    outcome_at = min(outcome_at, latest - timedelta(minutes=rng.randrange(5, 600)))
    responded = max(min(responded, outcome_at - timedelta(minutes=5)), sent)
    if rng.random() < story.WITHDRAWN_SHARE:
        case.withdrawn_at = min(sent + timedelta(days=rng.uniform(0.2, 10)), latest)
        case.closed_at = case.withdrawn_at
        case.status = "closed"
        if responded < case.withdrawn_at:
            case.responded_at = responded
            case.recording = _recording(rng, crime_likely)
        else:
            case.risk = ""
        return case
    case.responded_at = responded
    case.recording = _recording(rng, crime_likely)
    case.outcome_at = outcome_at
    case.outcome = _pick(
        rng, story.OUTCOMES_CRIME if case.recording == "crime" else story.OUTCOMES_OTHER
    )
    closed = outcome_at + timedelta(days=rng.uniform(3, 30))
    if closed < latest:
        case.status, case.closed_at = "closed", closed
    else:
        case.status = "outcome_given"
    return case


def _recording(rng: random.Random, crime_likely: bool) -> str:
    weights = (55, 38, 7) if crime_likely else (15, 65, 20)
    return rng.choices(("crime", "non_crime_incident", "no_recording"), weights=weights)[0]


def _plan_referral(rng: random.Random, report: ReportPlan, *, now: datetime) -> ReferralPlan | None:
    """Support offered when the case was first assessed; accepted, declined or lapsed. Every
    history referral is finished, so none waits in a champion's open queue."""
    offered = report.case.responded_at
    chance = {"yes": 0.85, "not_sure": 0.5, "no": 0.03}[report.wants_support]
    if offered is None or rng.random() >= chance:
        return None
    latest = now - QUIET
    support = rng.choices(
        ("wellbeing", "occupational_health", "trim", "eap", "technical", "family"),
        weights=(40, 20, 10, 10, 12, 8),
    )[0]
    roll = rng.random()
    if roll < 0.06:
        lapsed = min(offered + timedelta(days=14), latest)
        return ReferralPlan(
            offered, "closed", support, closed_at=lapsed, close_reason="offer_withdrawn"
        )
    answered = min(offered + timedelta(hours=rng.uniform(1, 96)), latest)
    if roll < 0.36:
        return ReferralPlan(offered, "declined", support, answered_at=answered)
    assigned = min(answered + timedelta(hours=rng.uniform(4, 96)), latest)
    first_support = min(assigned + timedelta(days=rng.uniform(1, 14)), latest)
    closed = min(first_support + timedelta(days=rng.uniform(14, 90)), latest)
    reason = rng.choices(("support_ended", "person_asked", "no_contact"), weights=(80, 12, 8))[0]
    return ReferralPlan(
        offered,
        "closed",
        support,
        answered_at=answered,
        assigned_at=assigned,
        first_support_at=first_support,
        closed_at=closed,
        close_reason=reason,
    )
