"""The figures a Police and Crime Commissioner holds the chief constable to account with.

For one force and one period: reports received; the median time to first response and the
share within target; the median time to outcome and the share within 28 days; wellbeing
referrals offered and accepted; training completion by audience. Each is compared with the
previous period, the same period a year before, the national median and the peer group median.

Disclosure (decision 0011) is never decided here, only called:

- counts go through `publish_count` / `publish_total`. Reports received is the figures layer's
  own audited total (`trends.figures`), so it is shown or withheld exactly as on the force's
  dashboard, the pack and the exports; referral counts are audited against their months;
- medians are worked out on the true figures and go through `disclose(value, base=n)`: shown
  only when their base is k or more. Percentages go through `disclose_share`, which also
  withholds one that would pin a part or a rest of 1 to k-1;
- a group median (national, peer) is the median of the shown figures of the forces the force
  is compared with, never its own, and needs `MIN_GROUP_FORCES` of them. Nothing says
  how many forces it is the median of: that would tell a lead which peers had fewer than k.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from harmsportal.disclosure import (
    Withheld,
    WithheldTotal,
    disclose,
    disclose_share,
    disclosure_k,
    publish_count,
    publish_total,
)
from harmsportal.trends.figures import Scope, scope_figures
from harmsportal.trends.models import PerformanceRollup, TrainingRollup
from harmsportal.trends.periods import CALENDAR_YEAR, FINANCIAL_YEAR, QUARTER
from harmsportal.trends.rollup.sql import OUTCOME_DAYS_CAP, RESPONSE_HOURS_CAP
from training.models.choices import Audience

if TYPE_CHECKING:
    from datetime import date

    from harmsportal.people.models import Force
    from harmsportal.trends.figures import Figure, ScopeFigures
    from harmsportal.trends.periods import Period

# A national or peer median needs at least this many other forces' figures (each shown: a base
# of k or more). Over three, with the force's own figure beside them, a median is one named
# force's exact figure; over five others a reader cannot tell whose it is.
MIN_GROUP_FORCES = 5

COUNT, HOURS, DAYS, PERCENT = "count", "hours", "days", "percent"
LOWER, HIGHER = "lower", "higher"  # which way is better; None: neither (a count, a choice)


@dataclass(frozen=True)
class Median:
    """A median in whole hours or days; `open_ended` when it falls in the histogram's last
    bucket ("72 hours or more")."""

    value: float
    open_ended: bool = False


Value = Median | float | int | Withheld | None  # None: nothing to show (a base of 0)


def merge_histograms(*histograms) -> tuple[int, ...]:
    """Add histograms bucket by bucket. The rollup stores each one only as far as its last
    non-empty bucket, so shorter ones are padded with zeros."""
    merged: list[int] = []
    for histogram in histograms:
        if len(histogram) > len(merged):
            merged += [0] * (len(histogram) - len(merged))
        for index, count in enumerate(histogram):
            merged[index] += count
    return tuple(merged)


def histogram_median(histogram, *, cap: int) -> Median | None:
    """The median of the values a histogram counts (bucket i = i whole hours or days, bucket
    `cap` = `cap` or more): the middle value, or the mean of the two middle values; None for an
    empty histogram."""
    total = sum(histogram)
    if total == 0:
        return None
    wanted = {(total - 1) // 2, total // 2}  # 0-based positions of the middle value(s)
    middle: list[int] = []
    seen = 0
    for index, count in enumerate(histogram):
        middle += [index for position in sorted(wanted) if seen <= position < seen + count]
        seen += count
    return Median(statistics.mean(middle), open_ended=max(middle) >= cap)


def median_of(histogram, *, cap: int) -> Median | Withheld | None:
    base = sum(histogram)
    return None if base == 0 else disclose(histogram_median(histogram, cap=cap), base=base)


def share_of(part: int, base: int) -> float | Withheld | None:
    """`part` as a percentage of `base`, if `disclose_share` lets it be shown: never when the
    base is under k, nor when it would pin a part or a rest of 1 to k-1 (1 of 5 referrals
    accepted is "20%"). Kept exact here: the page words it ("under 1%", "82%")."""
    if base == 0:
        return None
    shown = disclose_share(part, base)
    return shown if isinstance(shown, Withheld) else 100 * part / base


@dataclass(frozen=True)
class Raw:
    """One force's (or several forces') true figures over some months: never shown as they are."""

    responded: int = 0
    responded_in_target: int = 0
    response_hours: tuple[int, ...] = ()
    outcomes: int = 0
    outcomes_in_28_days: int = 0
    outcome_days: tuple[int, ...] = ()
    offered: int = 0
    offered_key_sum: int = 0
    accepted: int = 0
    accepted_key_sum: int = 0

    @classmethod
    def of(cls, row: PerformanceRollup) -> Raw:
        return cls(
            responded=row.responded,
            responded_in_target=row.responded_in_target,
            response_hours=tuple(row.response_hours or ()),
            outcomes=row.outcomes,
            outcomes_in_28_days=row.outcomes_in_28_days,
            outcome_days=tuple(row.outcome_days or ()),
            offered=row.referrals_offered,
            offered_key_sum=row.referrals_offered_key_sum,
            accepted=row.referrals_accepted,
            accepted_key_sum=row.referrals_accepted_key_sum,
        )

    def __add__(self, other: Raw) -> Raw:
        return Raw(
            responded=self.responded + other.responded,
            responded_in_target=self.responded_in_target + other.responded_in_target,
            response_hours=merge_histograms(self.response_hours, other.response_hours),
            outcomes=self.outcomes + other.outcomes,
            outcomes_in_28_days=self.outcomes_in_28_days + other.outcomes_in_28_days,
            outcome_days=merge_histograms(self.outcome_days, other.outcome_days),
            offered=self.offered + other.offered,
            offered_key_sum=self.offered_key_sum + other.offered_key_sum,
            accepted=self.accepted + other.accepted,
            accepted_key_sum=self.accepted_key_sum + other.accepted_key_sum,
        )

    def rates(self) -> dict[str, Value]:
        """The medians and percentages, each through `disclose` with its own base."""
        return {
            "response_median": median_of(self.response_hours, cap=RESPONSE_HOURS_CAP),
            "response_in_target": share_of(self.responded_in_target, self.responded),
            "outcome_median": median_of(self.outcome_days, cap=OUTCOME_DAYS_CAP),
            "outcome_in_28_days": share_of(self.outcomes_in_28_days, self.outcomes),
            "acceptance": share_of(self.accepted, self.offered),
        }


def raw_by(period: Period, force_ids: tuple[int, ...] | None) -> dict[tuple[int, date], Raw]:
    """{(force id, month): Raw} for the months of `period` (every force when None)."""
    rows = PerformanceRollup.objects.filter(month__gte=period.start, month__lt=period.end)
    if force_ids is not None:
        rows = rows.filter(force_id__in=force_ids)
    return {(row.force_id, row.month): Raw.of(row) for row in rows}


def first_performance_month() -> date | None:
    return PerformanceRollup.objects.order_by("month").values_list("month", flat=True).first()


def _sum(raws) -> Raw:
    total = Raw()
    for raw in raws:
        total += raw
    return total


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    kind: str  # COUNT, HOURS, DAYS or PERCENT
    better: str | None  # LOWER, HIGHER or None
    base_words: str  # what the base counts: "reports had a first response"
    over_period: bool = True  # False: a snapshot (training), not compared between periods
    compared_between_forces: bool = True


MEASURES = (
    Measure("received", "Reports received", COUNT, None, "reports", compared_between_forces=False),
    Measure("response_median", "Median time to first response", HOURS, LOWER,
            "reports had a first response"),
    Measure("response_in_target", "First responses within target", PERCENT, HIGHER,
            "reports had a first response"),
    Measure("outcome_median", "Median time to outcome", DAYS, LOWER, "reports had an outcome"),
    Measure("outcome_in_28_days", "Outcomes within 28 days", PERCENT, HIGHER,
            "reports had an outcome"),
    Measure("referrals_offered", "Wellbeing referrals offered", COUNT, None, "referrals",
            compared_between_forces=False),
    Measure("referrals_accepted", "Wellbeing referrals accepted", COUNT, None, "referrals",
            compared_between_forces=False),
    Measure("acceptance", "Wellbeing referrals accepted, of those offered", PERCENT, None,
            "referrals were offered"),
    Measure("training", "Training completed, all audiences", PERCENT, HIGHER,
            "people were assigned training", over_period=False),
)  # fmt: skip


@dataclass
class Figures:
    """What is published about one force over one period (or as at now, for training):
    {measure key: Value}, plus the referral counts by month when asked for."""

    values: dict[str, Value]
    offered_by_month: dict[date, Figure] = field(default_factory=dict)
    accepted_by_month: dict[date, Figure] = field(default_factory=dict)


def _published_referrals(by_month: dict[date, Raw], months: list[date]) -> dict[str, object]:
    """The referral counts: each month's through `publish_count`, and the period's through
    `publish_total`, audited against its months (published in the monthly trend)."""
    found: dict[str, object] = {}
    for name in ("offered", "accepted"):
        months_shown = {
            month: publish_count(
                getattr(by_month.get(month, Raw()), name),
                getattr(by_month.get(month, Raw()), f"{name}_key_sum"),
            )
            for month in months
        }
        total = _sum(by_month.values())
        found[f"referrals_{name}"] = publish_total(
            getattr(total, name),
            getattr(total, f"{name}_key_sum"),
            [(list(months_shown.values()), True)],
        )
        found[f"{name}_by_month"] = months_shown
    return found


def force_figures(force: Force, period: Period, *, received: ScopeFigures | None = None) -> Figures:
    """Everything published about `force` over `period`, training as at the last rollup."""
    raws = raw_by(period, (force.pk,))
    by_month = {month: raw for (_, month), raw in raws.items()}
    total = _sum(by_month.values())
    referrals = _published_referrals(by_month, period.month_list())
    received = received or scope_figures(Scope(forces=(force.pk,), period=period))
    values: dict[str, Value] = {"received": received.total, **total.rates()}
    values["referrals_offered"] = referrals["referrals_offered"]
    values["referrals_accepted"] = referrals["referrals_accepted"]
    values["training"] = training_table(force).completion
    return Figures(
        values=values,
        offered_by_month=referrals["offered_by_month"],
        accepted_by_month=referrals["accepted_by_month"],
    )


@dataclass(frozen=True)
class GroupMedian:
    value: Value  # a Median or float when shown, else None


NO_GROUP_MEDIAN = {
    "national": "not shown, as too few other forces have figures large enough to compare",
    "peer": "not shown, as the peer group has too few forces with figures large enough to compare",
}


def group_median(values: list[Value]) -> GroupMedian:
    """The median of the shown figures in `values`, the other forces' (Withheld and None are
    left out), or a GroupMedian with value None when fewer than MIN_GROUP_FORCES have one."""
    shown = [v for v in values if v is not None and not isinstance(v, Withheld)]
    if len(shown) < MIN_GROUP_FORCES:
        return GroupMedian(None)
    if not isinstance(shown[0], Median):
        return GroupMedian(statistics.median(shown))
    ordered = sorted(shown, key=lambda m: m.value)
    middle = ordered[(len(ordered) - 1) // 2 : len(ordered) // 2 + 1]
    return GroupMedian(
        Median(statistics.mean(m.value for m in middle), any(m.open_ended for m in middle))
    )


def every_force_rates(period: Period) -> dict[int, dict[str, Value]]:
    """{force id: {measure key: Value}} for every force with figures: what group medians use."""
    by_force: dict[int, list[Raw]] = defaultdict(list)
    for (force_id, _), raw in raw_by(period, None).items():
        by_force[force_id].append(raw)
    rates = {force_id: _sum(raws).rates() for force_id, raws in by_force.items()}
    for force_id, table in training_tables(None).items():
        rates.setdefault(force_id, {})["training"] = table.completion
    return rates


# --- training -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingRow:
    audience: str
    label: str
    assigned: Figure
    completed: Figure
    percent: Value


@dataclass(frozen=True)
class TrainingTable:
    """A force's training by audience, as at the last rollup (a snapshot, not a period)."""

    rows: list[TrainingRow]
    completion: Value  # all audiences together, for comparing forces; never a count


def training_tables(force_ids: tuple[int, ...] | None) -> dict[int, TrainingTable]:
    """{force id: TrainingTable} for the forces named (every force with rows when None).

    Assigned and completed are counts (`publish_count`); the share complete is a percentage
    of those assigned (`disclose` with that base). Where the assigned count is withheld, the
    completed count is too, zero included: "fewer than 5 assigned, 0 completed" would tell a
    reader that none of a handful of named people has done it.
    """
    rows = TrainingRollup.objects.all()
    if force_ids is not None:
        rows = rows.filter(force_id__in=force_ids)
    labels = dict(Audience.choices)
    order = {value: index for index, value in enumerate(labels)}
    by_force: dict[int, list[TrainingRollup]] = defaultdict(list)
    for row in rows:
        by_force[row.force_id].append(row)
    tables = {}
    for force_id, found in by_force.items():
        found.sort(key=lambda r: (order.get(r.audience, len(order)), r.audience))
        table_rows = [
            TrainingRow(
                audience=row.audience,
                label=labels.get(row.audience, row.audience),
                assigned=publish_count(row.assigned, row.assigned_key_sum),
                completed=disclose(
                    publish_count(row.completed, row.completed_key_sum), base=row.assigned
                )
                if row.assigned
                else 0,
                percent=share_of(row.completed, row.assigned),
            )
            for row in found
        ]
        tables[force_id] = TrainingTable(
            rows=table_rows,
            completion=share_of(sum(r.completed for r in found), sum(r.assigned for r in found)),
        )
    return tables


def training_table(force: Force) -> TrainingTable:
    return training_tables((force.pk,)).get(force.pk, TrainingTable(rows=[], completion=None))


# --- words --------------------------------------------------------------------------------

PERIOD_WORDS = {QUARTER: "quarter", FINANCIAL_YEAR: "financial year", CALENDAR_YEAR: "year"}


def period_word(period: Period) -> str:
    return PERIOD_WORDS.get(period.kind, "month")


def value_text(value: Value, measure: Measure) -> str:
    """A shown value in words: "6 hours", "82%", "1,250"; "" for Withheld or None."""
    if value is None or isinstance(value, Withheld):
        return ""
    if measure.kind == COUNT:
        return f"{value:,}"
    if measure.kind == PERCENT:
        if 0 < value < 0.5:
            return "under 1%"
        if 99.5 <= value < 100:
            return "over 99%"
        return f"{round(value)}%"
    unit = "hour" if measure.kind == HOURS else "day"
    if value.value < 1 and not value.open_ended:
        return f"under 1 {unit}"
    number = f"{round(value.value, 1):g}"  # a median of medians can end in .25
    text = f"{number} {unit}" if number == "1" else f"{number} {unit}s"
    return f"{text} or more" if value.open_ended else text


def missing_text(value: Value, measure: Measure) -> str:
    """Why a median or percentage is not shown, in words ("" for a count or a shown value)."""
    if measure.kind == COUNT:
        return ""
    if isinstance(value, WithheldTotal):
        return f"Not shown: the percentage would let a number under {disclosure_k()} be worked out"
    if isinstance(value, Withheld):
        return f"Not shown: fewer than {disclosure_k()} {measure.base_words}"
    if value is None:
        return f"No figure: no {measure.base_words}"
    return ""


def _number(value: Value) -> float | None:
    if isinstance(value, Median):
        return value.value
    if value is None or isinstance(value, Withheld):
        return None
    return float(value)


def direction(value: Value, other: Value, measure: Measure) -> str | None:
    """ "better than", "worse than", "about the same as" (or "higher than" and "lower than"
    where neither way is better); None when either figure is not shown.

    About the same: within 2 percentage points for a share; within 10% (and at least one
    hour or day) for a median; within 10% (and at least k, the rounding's reach) for a count.
    """
    mine, theirs = _number(value), _number(other)
    if mine is None or theirs is None:
        return None
    tolerance = {
        PERCENT: 2.0,
        HOURS: max(1.0, 0.1 * theirs),
        DAYS: max(1.0, 0.1 * theirs),
        COUNT: max(float(disclosure_k()), 0.1 * theirs),
    }[measure.kind]
    if abs(mine - theirs) <= tolerance:
        return "about the same as"
    higher = mine > theirs
    if measure.better is None:
        return "higher than" if higher else "lower than"
    return "better than" if higher == (measure.better == HIGHER) else "worse than"
