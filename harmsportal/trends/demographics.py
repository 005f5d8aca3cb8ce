"""What the people who reported volunteered about themselves, as the dashboards publish it.

Two rules on top of the one disclosure method (harmsportal.disclosure, decision 0011):

- A figure counts reports, but it describes people: one person's six reports must never pass
  for a group. An answer's figure is shown only when at least k different people are known to
  be in it; otherwise it is withheld, as "<k" when its reports are fewer than k, else as "not
  shown". `DemographicRollup.reporters` holds the different people of a cell in one month and
  force; over a scope, the people known to be in it are at least the sum over forces of the
  largest monthly `reporters` of each force. This takes a person to report under one force
  (their home force: reports go to the reporter's own force); were one person to report under
  two, they would be counted twice, so the bound assumes it never happens.
- Each question is audited as `figures_by` audits a dimension of the main key: beside its
  total and against the same question split by force and by month (and quarter) that other
  pages publish, so "<5" nationally beside "<5" in each of four forces cannot pin each to 1
  (`publish_breakdowns`, with the splits as fixed breakdowns and grids).
"""

from __future__ import annotations

from collections import defaultdict

from harmsportal.disclosure import (
    Grid,
    Withheld,
    WithheldTotal,
    disclosure_k,
    publish_breakdowns,
    rounding_k,
)
from harmsportal.people.forms import ABOUT_YOU_QUESTIONS
from harmsportal.people.models import DEMOGRAPHIC_FIELDS
from harmsportal.trends.figures import (
    COUNTS_REPORTS,
    Breakdown,
    Count,
    Figure,
    Row,
    Scope,
    _in_scope,
    _whole_quarters,
)
from harmsportal.trends.models import DemographicRollup
from harmsportal.trends.periods import quarter_of

DEMOGRAPHIC_LABELS = {
    "age_band": "Age",
    "sex": "Sex",
    "gender_same_as_sex": "Gender the same as sex registered at birth",
    "ethnicity": "Ethnic group",
    "disability": "Long-term health condition or illness",
    "sexual_orientation": "Sexual orientation",
    "religion": "Religion",
}
NOT_ANSWERED = "Not answered"

MONTHS, QUARTERS, FORCES = "months", "quarters", "forces"


class _Cell:
    """One answer (or a question's total) over a scope: its reports, and per force and month."""

    def __init__(self) -> None:
        self.by_month_force: dict[tuple, Count] = defaultdict(Count)
        self.reporters: dict[tuple, int] = {}

    def add(self, month, force: int, count: Count, reporters: int) -> None:
        self.by_month_force[(month, force)] += count
        self.reporters[(month, force)] = self.reporters.get((month, force), 0) + reporters

    def count(self, unit=None, split: str | None = None) -> Count:
        return sum(
            (c for (m, f), c in self.by_month_force.items() if _in(unit, split, m, f)), Count()
        )

    def people(self, unit=None, split: str | None = None) -> int:
        """The fewest different people the cell can hold: per force the largest monthly
        number (a person reports under one force), summed over the forces."""
        largest: dict[int, int] = defaultdict(int)
        for (m, f), n in self.reporters.items():
            if _in(unit, split, m, f):
                largest[f] = max(largest[f], n)
        return sum(largest.values())

    def figure(self, unit=None, split: str | None = None) -> Figure:
        """As a page publishes it before its own audit: `publish_count`, withheld when fewer
        than k different people are known to be in it."""
        figure = self.count(unit, split).published()
        k = rounding_k()
        if figure == 0 or isinstance(figure, Withheld) or self.people(unit, split) >= k:
            return figure
        return WithheldTotal(k)


def _in(unit, split: str | None, month, force: int) -> bool:
    if split == MONTHS:
        return month == unit
    if split == QUARTERS:
        return quarter_of(month).start == unit
    if split == FORCES:
        return force == unit
    return True


def demographic_figures(scope: Scope, *, total: Figure) -> list[Breakdown]:
    """What the people who reported volunteered about themselves (people.DEMOGRAPHIC_FIELDS),
    one breakdown per question, over `scope`'s forces and period. Never by harm category: the
    demographic rollup does not hold it, so `scope.category` is not applied.

    Every report has one answer to each question ("" when not answered), so each question's
    parts add up to the reports in the scope, whose published total is `total` (the scope's
    total without a category, as `figures_by` publishes it: never changed here). An answer is
    shown only when at least k people are known to be in it, and is withheld ("not shown")
    when beside the total and the question's figures by force and by month it would pin one.
    """
    cells: dict[str, dict[str, _Cell]] = defaultdict(lambda: defaultdict(_Cell))
    totals: dict[str, _Cell] = defaultdict(_Cell)
    rows = _in_scope(DemographicRollup.objects.all(), scope).values_list(
        "month", "force_id", "dimension", "value", "reports", "key_sum", "reporters"
    )
    for month, force, dimension, value, reports, key_sum, reporters in rows:
        count = Count(reports, key_sum)
        cells[dimension][value].add(month, force, count, reporters)
        totals[dimension].add(month, force, count, reporters)
    splits = []
    if scope.period.months > 1:
        splits.append(MONTHS)
        if _whole_quarters(scope.period):
            splits.append(QUARTERS)
    if scope.forces is None or len(scope.forces) > 1:
        splits.append(FORCES)
    result = []
    for dimension in DEMOGRAPHIC_FIELDS:
        labels = {**dict(ABOUT_YOU_QUESTIONS[dimension][1]), "": NOT_ANSWERED}
        values = cells.get(dimension, {})
        # Values the form no longer offers still count.
        labels.update({value: value for value in values if value not in labels})
        answers = [values.get(value, _Cell()) for value in labels]
        question = totals.get(dimension, _Cell())
        fixed, grids = [], []
        for split in splits:
            units = sorted(
                {_unit(split, m, f) for (m, f), c in question.by_month_force.items() if c.reports}
            )
            if not units:
                continue
            grids.append(
                Grid(
                    rows=1 + len(fixed),
                    columns=0,
                    cells=[[answer.figure(unit, split) for answer in answers] for unit in units],
                )
            )
            fixed.append(([question.count(unit, split).published() for unit in units], True))
        parts = [answer.figure() for answer in answers]
        if fixed or any(isinstance(part, Withheld) for part in parts):
            parts = publish_breakdowns(total, [(parts, True)], fixed=fixed, grids=grids)[0]
        if question.count().reports and question.people() < disclosure_k():
            # Fewer than k people answered for in the whole question: its zeros would tell
            # the answer the few gave ("0" for every religion but one), so none is shown.
            parts = [WithheldTotal(disclosure_k())] * len(answers)
        result.append(
            Breakdown(
                dimension=dimension,
                label=DEMOGRAPHIC_LABELS[dimension],
                rows=[
                    Row(value, label, figure)
                    for (value, label), figure in zip(labels.items(), parts, strict=True)
                ],
                total=total,
                counts=COUNTS_REPORTS,
                exact=True,
            )
        )
    return result


def _unit(split: str, month, force: int):
    if split == MONTHS:
        return month
    if split == QUARTERS:
        return quarter_of(month).start
    return force
