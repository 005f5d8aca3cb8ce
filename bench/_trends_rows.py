"""The synthetic history the trends benchmarks read: reports as a national service would hold
them after two years, written as COPY text rows (bench/_trends_seed.py writes them).

Everything is drawn from a seeded random generator, so a run seeds the same history every time
and report n is the same report in every database that holds it: the 5,000-report database of
`trends_dashboard` holds the first 5,000 reports of the 500,000-report one, and `trends_export`'s
250,000 are its first half. A report's attributes never depend on how many others there are.

Proportions are made up but shaped like the service: ten forces skewed by size (the Met about
40%, the smallest about 1.5%), about two reports per reporter, officers most, family members one
in eight, two in five reporters answering some of the voluntary questions, one to three
categories and platforms a report (a few none), "none of these" for most offline impacts, first
responses within hours and outcomes within weeks, and a wellbeing referral offered on one case
in ten.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache


def _columns(names: str) -> list[str]:
    """Names written as one string, a space between each."""
    return names.split()


SEED = 20_260_510
EPOCH = date(1970, 1, 1)
MONTHS = 24
SPAN_SECONDS = MONTHS * 30.44 * 86_400
# Seeded accounts and their ids: far above anything the bench creates through Django (which
# takes ids from the sequences), so a second batch never collides with a bench's own users.
REPORTER_ID_BASE = 10_000_000
TRIAGER_ID_BASE = 9_000_000
TRIAGERS_PER_FORCE = 4

# (slug, weight): roughly the forces' sizes.
FORCES = [
    ("metropolitan", 34),
    ("police-scotland", 16),
    ("greater-manchester", 8),
    ("west-midlands", 7.5),
    ("west-yorkshire", 6),
    ("thames-valley", 5),
    ("kent", 4),
    ("south-wales", 3.3),
    ("durham", 1.3),
    ("dyfed-powys", 1.2),
]
KINDS = [("officer", 55), ("staff", 25), ("volunteer", 8), ("family", 12)]
# Reports per reporter: most report once, a few many times.
REPORTS_EACH = [(1, 55), (2, 20), (3, 10), (4, 5), (5, 4), (8, 4), (15, 2)]
CATEGORY_WEIGHTS = {
    "abuse": 30,
    "harassment": 22,
    "threats": 14,
    "doxxing": 9,
    "impersonation": 6,
    "image-based-abuse": 3,
    "pile-ons": 8,
    "hate": 7,
    "stalking": 3,
    "family-targeting": 4,
    "account-compromise": 4,
    "disinformation": 6,
    "other": 2,
}
PLATFORM_WEIGHTS = {
    "x": 25,
    "facebook": 22,
    "instagram": 12,
    "tiktok": 10,
    "youtube": 5,
    "snapchat": 4,
    "whatsapp": 8,
    "telegram": 2,
    "reddit": 2,
    "forums-websites": 4,
    "email": 3,
    "gaming": 1,
    "dating-apps": 1,
    "other": 1,
}
HOW_MANY = [(0, 3), (1, 64), (2, 25), (3, 8)]  # categories or platforms on one report
IMPACTS = ["home_visited", "approached", "family_approached", "moved_house", "property_targeted"]
OUTCOMES = [
    ("advice", 35),
    ("takedown", 20),
    ("investigation", 15),
    ("support", 12),
    ("technical", 6),
    ("no_further_action", 12),
]
RISKS = [("immediate", 3), ("high", 22), ("medium", 45), ("low", 30)]
RISK_WEIGHT = {"immediate": 4, "high": 3, "medium": 2, "low": 1}
DECISIONS = [("crime", 35), ("non_crime_incident", 32), ("no_recording", 33)]
SUPPORT = [("wellbeing", 50), ("occupational_health", 20), ("trim", 10), ("technical", 20)]
DEMOGRAPHICS = {
    "age_band": ["under_25", "25_34", "35_44", "45_54", "55_plus", "prefer_not_to_say"],
    "sex": ["female", "male", "prefer_not_to_say"],
    "gender_same_as_sex": ["yes", "yes", "yes", "no", "prefer_not_to_say"],
    "ethnicity": ["white"] * 8 + ["asian", "black", "mixed", "other", "prefer_not_to_say"],
    "disability": ["no", "no", "no", "yes", "prefer_not_to_say"],
    "sexual_orientation": ["straight"] * 6 + ["gay_lesbian", "bisexual", "other"],
    "religion": ["none", "none", "christian", "christian", "muslim", "hindu", "sikh", "jewish"],
}
WORDS = _columns(
    "messages comments posts account photos address family threatening repeated fake group "
    "shared video car home work profile online stopped again night"
)


def _picker(rng: random.Random, pairs):
    """A function drawing one value from `pairs` (value, weight) with `rng`."""
    values = [value for value, _ in pairs]
    cumulative = list(itertools.accumulate(weight for _, weight in pairs))
    total, draw = cumulative[-1], rng.random
    return lambda: values[bisect.bisect(cumulative, draw() * total)]


@cache
def _day(days: int) -> str:
    return (EPOCH + timedelta(days=days)).isoformat()


def _stamp(seconds: float) -> str:
    """A UTC timestamp as COPY text, to the second."""
    days, rest = divmod(int(seconds), 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, rest = divmod(rest, 60)
    return f"{_day(days)} {hours:02}:{minutes:02}:{rest:02}+00"


def _json(values: list[str]) -> str:
    """A list of plain words as JSON text."""
    return '["' + '", "'.join(values) + '"]' if values else "[]"


def _null(seconds: float | None) -> str:
    return r"\N" if seconds is None else _stamp(seconds)


@dataclass(frozen=True)
class Taxonomy:
    """What the rows point at, read from the migrated database."""

    force_ids: dict[str, int]
    force_codes: dict[str, str]
    categories: dict[str, int]
    platforms: dict[str, int]


@dataclass
class Rows:
    """One batch's rows for each table, as COPY text lines (columns: bench/_trends_seed.py)."""

    users: list[str]
    memberships: list[str]
    reports: list[str]
    report_categories: list[str]
    report_platforms: list[str]
    cases: list[str]
    case_categories: list[str]
    referrals: list[str]


def owners(total: int) -> Iterator[tuple[int, int, int]]:
    """(reporter index, first report, reports) for every reporter of reports 0..total-1."""
    rng = random.Random(SEED)
    many = _picker(rng, REPORTS_EACH)
    start, index = 0, 0
    while start < total:
        count = min(many(), total - start)
        yield index, start, count
        start += count
        index += 1


_FORCE_WEIGHTS = list(itertools.accumulate(weight for _, weight in FORCES))


def reporter_force(index: int) -> str:
    """A reporter's force: fixed by their index (a multiplicative hash), so each batch agrees."""
    share = ((index * 0x9E3779B1 + SEED) & 0xFFFFFFFF) / 2**32
    return FORCES[bisect.bisect(_FORCE_WEIGHTS, share * _FORCE_WEIGHTS[-1])][0]


def triager_rows(taxonomy: Taxonomy, now: float) -> tuple[list[str], list[str]]:
    """A few triagers a force (the cases' assignees): users and their memberships."""
    users, memberships = [], []
    joined = _stamp(now - SPAN_SECONDS - 86_400 * 30)
    for f, (slug, _) in enumerate(FORCES):
        for t in range(TRIAGERS_PER_FORCE):
            pk = TRIAGER_ID_BASE + f * 100 + t
            users.append(
                f"{pk}\ttrends-triager-{slug}-{t}@example.police.uk\tTriager {t}\tstaff\t{joined}"
                + "\t" * 7
            )
            for role in ("reporter", "triage"):
                memberships.append(f"{pk}\t{taxonomy.force_ids[slug]}\t{role}\t{joined}")
    return users, memberships


# The columns each batch writes, in the order of its text rows; bench/_trends_seed.py gives
# every other column its model default.
USER_COLUMNS = ["id", "email", "full_name", "kind", "date_joined", *DEMOGRAPHICS]
MEMBERSHIP_COLUMNS = ["user_id", "force_id", "role", "created_at"]


REPORT_COLUMNS = _columns(
    "id public_id reference reporter_id force_id status created_at updated_at subject "
    "hate_characteristics platform_other related_to_role description offline_impacts "
    "impact_level contact_preference taxonomy_version submitted_at withdrawn_at "
    "outcome_category outcome_explanation outcome_at"
)
CASE_COLUMNS = _columns(
    "id public_id report_id force_id submitted_at status assignee_id claimed_at risk priority "
    "assessed_at recording_decision first_response_due first_responded_at next_update_due "
    "outcome_due outcome_given_at closed_at close_reason created_at updated_at"
)
REFERRAL_COLUMNS = _columns(
    "reference public_id force_id person_id source case_id state support_type created_at "
    "accepted_at declined_at consent_given_at"
)


class Batch:
    """Rows for reports first..first+count-1 and the reporters whose first report is among
    them. `total` is the most reports any database of the run holds: it fixes who owns what."""

    def __init__(self, taxonomy: Taxonomy, *, first: int, count: int, total: int, now: float):
        self.taxonomy, self.first, self.last, self.total, self.now = (
            taxonomy,
            first,
            first + count,
            max(total, first + count),
            now,
        )
        self.rng = rng = random.Random(SEED + first)
        self.kind = _picker(rng, KINDS)
        self.how_many = _picker(rng, HOW_MANY)
        self.outcome = _picker(rng, OUTCOMES)
        self.risk = _picker(rng, RISKS)
        self.decision = _picker(rng, DECISIONS)
        self.support = _picker(rng, SUPPORT)
        self.category = _picker(rng, CATEGORY_WEIGHTS.items())
        self.platform = _picker(rng, PLATFORM_WEIGHTS.items())
        self.force_index = {slug: f for f, (slug, _) in enumerate(FORCES)}
        self.rows = Rows([], [], [], [], [], [], [], [])

    def build(self) -> Rows:
        for index, start, reports in owners(self.total):
            if start + reports <= self.first:
                continue
            if start >= self.last:
                break
            slug = reporter_force(index)
            user_id, user_kind = REPORTER_ID_BASE + index, self.kind()
            if start >= self.first:  # the reporter's first report is here: make the account
                self._reporter(index, user_id, user_kind, self.taxonomy.force_ids[slug])
            for n in range(max(start, self.first), min(start + reports, self.last)):
                self._report(n + 1, user_id, user_kind, slug)
        return self.rows

    def _uuid(self) -> str:
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"

    def _reporter(self, index: int, user_id: int, user_kind: str, force_id: int) -> None:
        rng = self.rng
        joined = _stamp(self.now - SPAN_SECONDS - rng.random() * 86_400 * 365)
        volunteered = rng.random() < 0.4  # two in five answer some of the questions
        answers = [
            rng.choice(values) if volunteered and rng.random() < 0.8 else ""
            for values in DEMOGRAPHICS.values()
        ]
        self.rows.users.append(
            f"{user_id}\ttrends-{index}@example.police.uk\t\t{user_kind}\t{joined}\t"
            + "\t".join(answers)
        )
        self.rows.memberships.append(f"{user_id}\t{force_id}\treporter\t{joined}")

    def _categories_and_platforms(self) -> tuple[list[str], list[str]]:
        categories = [self.category() for _ in range(self.how_many())]
        platforms = [self.platform() for _ in range(self.how_many())]
        return list(dict.fromkeys(categories)), list(dict.fromkeys(platforms))

    def _impacts(self) -> list[str]:
        roll = self.rng.random()
        if roll < 0.55:
            return ["none"]
        if roll < 0.65:
            return []  # not answered
        return self.rng.sample(IMPACTS, 1 if roll < 0.9 else 2)

    def _report(self, pk: int, user_id: int, user_kind: str, slug: str) -> None:
        """One report, its categories and platforms, its case and perhaps a referral."""
        rng, now, taxonomy = self.rng, self.now, self.taxonomy
        age = SPAN_SECONDS * rng.random() ** 1.15  # more recent than old: the service grows
        submitted = now - age
        created = submitted - rng.random() * 3_600
        when = datetime.fromtimestamp(submitted, UTC)
        categories, platforms = self._categories_and_platforms()
        hate = (
            [rng.choice(["race", "religion", "sexual_orientation"])] if "hate" in categories else []
        )
        subject = "self" if user_kind == "family" or rng.random() < 0.85 else "family"
        respond = math.exp(rng.gauss(math.log(6), 1.2)) * 3_600  # median 6 hours
        decide = math.exp(rng.gauss(math.log(16), 0.7)) * 86_400  # median 16 days
        responded = submitted + respond if age > respond else None
        withdrawn = responded is not None and rng.random() < 0.02
        case = _Case(submitted=submitted, created=created, responded=responded)
        if withdrawn:
            case.withdraw(submitted + respond + rng.random() * (age - respond))
        elif responded is not None and age > decide:
            case.finish(self.outcome(), submitted + decide, rng, now)
        elif responded is not None:
            case.open("assessed" if rng.random() < 0.4 else "action_under_way")
        if responded is not None:
            case.risk = self.risk()
            if case.status not in ("assessed", "action_under_way") or rng.random() < 0.8:
                case.decision = self.decision()
            case.assignee = TRIAGER_ID_BASE + self.force_index[slug] * 100 + pk % TRIAGERS_PER_FORCE
        code, force_id = taxonomy.force_codes[slug], taxonomy.force_ids[slug]
        self.rows.reports.append(
            "\t".join(
                (
                    str(pk),
                    self._uuid(),
                    f"OH-{code}-{when.year}-{pk:07d}",
                    str(user_id),
                    str(force_id),
                    case.report_status,
                    _stamp(created),
                    _stamp(case.updated),
                    subject,
                    _json(hate),
                    "A forum" if "other" in platforms else "",
                    "t",
                    " ".join(rng.choices(WORDS, k=12 + pk % 25)),
                    _json(self._impacts()),
                    str(1 + pk % 5),
                    "email",
                    "1",
                    _stamp(submitted),
                    _null(case.closed_at if withdrawn else None),
                    case.outcome,
                    "Advice given by phone." if case.outcome else "",
                    _null(case.outcome_at),
                )
            )
        )
        self.rows.report_categories.extend(f"{pk}\t{taxonomy.categories[c]}" for c in categories)
        self.rows.report_platforms.extend(f"{pk}\t{taxonomy.platforms[s]}" for s in platforms)
        self.rows.cases.append(case.row(pk, self._uuid(), force_id, when.weekday()))
        if case.risk:
            self.rows.case_categories.extend(f"{pk}\t{taxonomy.categories[c]}" for c in categories)
        if responded is not None and rng.random() < 0.1:
            self._referral(pk, user_id, force_id, f"WB-{code}-{when.year}-{pk:07d}", responded)

    def _referral(self, pk: int, user_id: int, force_id: int, reference: str, responded: float):
        rng = self.rng
        offered = responded + 2 * 3_600
        answered = offered + rng.random() * 5 * 86_400
        roll = rng.random()
        accepted = declined = None
        if answered > self.now or roll < 0.1:
            state = "offered"
        elif roll < 0.45:
            state, declined = "declined", answered
        else:
            state, accepted = rng.choice(["accepted", "assigned", "in_support", "closed"]), answered
        self.rows.referrals.append(
            "\t".join(
                (
                    reference,
                    self._uuid(),
                    str(force_id),
                    str(user_id),
                    "case",
                    str(pk),
                    state,
                    self.support(),
                    _stamp(offered),
                    _null(accepted),
                    _null(declined),
                    _null(accepted),
                )
            )
        )


@dataclass
class _Case:
    """A case's state and clocks as its report's story unfolds."""

    submitted: float
    created: float
    responded: float | None
    status: str = "new"
    report_status: str = "submitted"
    risk: str = ""
    decision: str = ""
    assignee: int | None = None
    outcome: str = ""
    outcome_at: float | None = None
    closed_at: float | None = None
    close_reason: str = ""

    @property
    def updated(self) -> float:
        return max(
            t
            for t in (self.submitted, self.responded, self.outcome_at, self.closed_at)
            if t is not None
        )

    def withdraw(self, at: float) -> None:
        self.report_status, self.status = "withdrawn", "closed"
        self.closed_at, self.close_reason = at, "withdrawn"

    def open(self, status: str) -> None:
        self.report_status, self.status = "in_progress", status

    def finish(self, outcome: str, at: float, rng: random.Random, now: float) -> None:
        self.outcome, self.outcome_at = outcome, at
        self.report_status = self.status = "outcome_given"
        closed = at + rng.random() * 7 * 86_400
        if rng.random() < 0.7 and closed < now:
            self.report_status = self.status = "closed"
            self.closed_at, self.close_reason = closed, "after_outcome"

    def row(self, pk: int, public_id: str, force_id: int, weekday: int) -> str:
        due_days = {"immediate": 1 / 24, "high": 1, "medium": 3 if weekday < 2 else 5, "low": 7}
        running = self.status in ("assessed", "action_under_way")
        claimed = self.submitted + (self.responded - self.submitted) * 0.4 if self.risk else None
        assessed = self.submitted + (self.responded - self.submitted) * 0.8 if self.risk else None
        return "\t".join(
            (
                str(pk),
                public_id,
                str(pk),
                str(force_id),
                _stamp(self.submitted),
                self.status,
                r"\N" if self.assignee is None else str(self.assignee),
                _null(claimed),
                self.risk,
                str(RISK_WEIGHT.get(self.risk, 3)),
                _null(assessed),
                self.decision,
                _stamp(self.submitted + due_days.get(self.risk, 1) * 86_400),
                _null(self.responded),
                _null(self.submitted + 14 * 86_400 if running else None),
                _stamp(self.submitted + 28 * 86_400),
                _null(self.outcome_at),
                _null(self.closed_at),
                self.close_reason,
                _stamp(self.created),
                _stamp(self.updated),
            )
        )
