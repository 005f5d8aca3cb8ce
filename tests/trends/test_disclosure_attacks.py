"""Attacks on the published trends figures (decision 0011, issue 10 acceptance 1).

The attacker knows the method and k and sees every published figure; not the record keys. They
are written here from scratch, not with `harmsportal.disclosure.pins`:

- the same-table attacker tries every table of true counts the published figures allow (a brute
  force over the smallest cells, "atoms", with pruning) and pins a count when every such table
  gives it the same value;
- the differencing attacker subtracts each figure of one request from the figure of the same
  cell in another request that contains it (a month from its quarter, a category's reports from
  all reports, a force from all forces).

A figure reads as the counts the rule could have published it for: 0 for 0, 1..k-1 for "<k",
a multiple of k for the counts within k of it that round to it (never under k), and 1 or more
for "not shown". The same reports have the same key, so two figures of the same reports are
equal: different figures say the reports differ.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harmsportal.disclosure import KEY_SPACE, Withheld, WithheldTotal
from harmsportal.people.models import Force
from harmsportal.trends.figures import (
    CATEGORY,
    DIMENSIONS,
    FORCE,
    IMPACT,
    MONTH,
    OUTCOME,
    PLATFORM,
    RECORDING_DECISION,
    REPORTER_KIND,
    TOTAL,
    Scope,
    ScopeFigures,
    figures_by,
)
from harmsportal.trends.models import (
    NO_CATEGORY,
    NO_IMPACT,
    NO_OUTCOME,
    NO_PLATFORM,
    DimensionRollup,
    ReportRollup,
)
from harmsportal.trends.periods import month_period, quarter_of

K = 5


# --- reading a figure ---------------------------------------------------------------------------


def could_publish(count: int, k: int) -> set:
    """Every figure the rule can publish for a count, over all keys."""
    if count == 0:
        return {0}
    if count < k:
        return {"<k"}
    if count % k == 0:
        return {count}
    down = count - count % k
    return {down, down + k}


def reading(figure, k: int, cap: int) -> tuple[int, int]:
    """The counts a published figure can stand for, lowest and highest."""
    if isinstance(figure, WithheldTotal):
        return 1, cap
    key = "<k" if isinstance(figure, Withheld) else figure
    counts = [c for c in range(cap + 1) if key in could_publish(c, k)]
    return min(counts), max(counts)


def differ(one, other) -> bool:
    """Whether two published figures cannot be of the same reports."""
    if isinstance(one, WithheldTotal) or isinstance(other, WithheldTotal):
        return False
    return one != other


# --- the same-table attacker ------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    atoms: frozenset[int]
    figure: object


def pinned_by_tables(atoms: list[int], cells: list[Cell], k: int, interest=(), read=None) -> list:
    """The cells (published ones, each atom, and `interest`) whose true count is 1..k-1 and
    that every table of atoms fitting the published figures gives the same value."""
    read = read or reading
    cap = 2 * sum(atoms) + 2 * k
    size = len(atoms)
    bounds = [(sorted(cell.atoms), *read(cell.figure, k, cap)) for cell in cells]
    highest = [cap] * size
    for members, _, high in bounds:
        for atom in members:
            highest[atom] = min(highest[atom], high)
    # Each bound is checked once its last atom is set, and pruned on the way.
    watching = defaultdict(list)
    for members, low, high in bounds:
        for atom in members:
            watching[atom].append((members, low, high))

    def fits(assign: list[int], upto: int) -> bool:
        for members, low, high in watching[upto]:
            known = sum(assign[a] for a in members if a <= upto)
            rest = sum(highest[a] for a in members if a > upto)
            if known > high or known + rest < low:
                return False
        return True

    def same_reports_same_figure(assign: list[int]) -> bool:
        seen: dict[frozenset, object] = {}
        for cell in cells:
            if isinstance(cell.figure, WithheldTotal):
                continue
            support = frozenset(a for a in cell.atoms if assign[a])
            if support in seen and differ(seen[support], cell.figure):
                return False
            seen.setdefault(support, cell.figure)
        return True

    def another(target: frozenset[int], value: int) -> bool:
        """Whether some fitting table gives `target` a count other than `value`."""
        assign = [0] * size

        def order(atom: int) -> list[int]:
            # Near the truth first: the likeliest other tables.
            return sorted(range(highest[atom] + 1), key=lambda v: abs(v - atoms[atom]))

        def walk(atom: int) -> bool:
            if atom == size:
                return sum(assign[a] for a in target) != value and same_reports_same_figure(assign)
            for candidate in order(atom):
                assign[atom] = candidate
                if fits(assign, atom) and walk(atom + 1):
                    return True
            assign[atom] = 0
            return False

        return walk(0)

    targets = {cell.atoms for cell in cells} | {frozenset([a]) for a in range(size)}
    targets |= set(interest)
    found = []
    for target in sorted(targets, key=sorted):
        value = sum(atoms[a] for a in target)
        if 1 <= value < k and not another(target, value):
            found.append((sorted(target), value))
    return found


# --- the differencing attacker ----------------------------------------------------------------


def pinned_by_differencing(pairs, k: int, cap: int = 500, read=None) -> list:
    """For each (inner figure, outer figure, inner count, outer count) of a cell inside
    another, the counts of 1..k-1 that subtracting them pins: the difference, or either side
    shown as "<k"."""
    read = read or reading
    found = []
    for inner, outer, a, b in pairs:
        low_a, high_a = read(inner, k, cap)
        low_b, high_b = read(outer, k, cap)
        differences, inners, outers = set(), set(), set()
        for x in range(low_a, high_a + 1):
            for y in range(max(x, low_b), high_b + 1):
                if x == y and differ(inner, outer):
                    continue
                differences.add(y - x)
                inners.add(x)
                outers.add(y)
        assert b - a in differences
        for what, true, values in (("difference", b - a, differences), ("inner", a, inners)):
            if 1 <= true < k and len(values) == 1:
                found.append((what, inner, outer, a, b))
        if 1 <= b < k and len(outers) == 1:
            found.append(("outer", inner, outer, a, b))
    return found


def as_shown(figure, k: int, cap: int) -> tuple[int, int]:
    """How to read figures that are shown exactly (small ones as "<k")."""
    return (1, k - 1) if isinstance(figure, Withheld) else (figure, figure)


def test_the_attackers_can_pin_a_count_when_nothing_protects_it():
    # Figures shown as they are: a 3 and a 4 inside 7 pin everything.
    exact = [Cell(frozenset([0]), 3), Cell(frozenset([1]), 4), Cell(frozenset([0, 1]), 7)]
    assert pinned_by_tables([3, 4], exact, K, read=as_shown) == [([0], 3), ([1], 4)]
    # Four "<5" parts of a "<5" total: each is 1.
    small = Withheld(K)
    cells = [Cell(frozenset([a]), small) for a in range(4)] + [Cell(frozenset(range(4)), small)]
    assert pinned_by_tables([1, 1, 1, 1], cells, K) == [
        ([0], 1),
        ([0, 1, 2, 3], 4),
        ([1], 1),
        ([2], 1),
        ([3], 1),
    ]
    # Suppression without rounding: 5 inside 7 says the 2 between them.
    assert pinned_by_differencing([(5, 7, 5, 7)], K, read=as_shown) == [("difference", 5, 7, 5, 7)]


# --- the tables the portal publishes: figures_by over rollup rows made here -------------------

APRIL, MAY = date(2026, 4, 1), date(2026, 5, 1)
QUARTER = quarter_of(APRIL)  # April to June 2026
CRIME, NON_CRIME, NONE = "crime", "non_crime", "none"


@dataclass(frozen=True)
class Reports:
    """Reports alike in everything the rollup keeps (an atom): how many, and their keys' sum."""

    month: date
    force: int
    decision: str
    categories: tuple[str, ...]
    count: int
    key_sum: int

    def values(self, dimension: str) -> list[str]:
        return {
            TOTAL: [""],
            RECORDING_DECISION: [self.decision],
            CATEGORY: list(self.categories) or [NO_CATEGORY],
            REPORTER_KIND: ["officer"],
            PLATFORM: [NO_PLATFORM],
            IMPACT: [NO_IMPACT],
            OUTCOME: [NO_OUTCOME],
        }[dimension]


def load(atoms: list[Reports]) -> None:
    """The rollup rows these reports make: one dimension row per value, and the main rollup's
    rows (for a category's own table), each with its count and key sum."""
    DimensionRollup.objects.all().delete()
    ReportRollup.objects.all().delete()
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    main = []
    for atom in atoms:
        if not atom.count:
            continue
        for dimension in (TOTAL, *DIMENSIONS):
            for value in atom.values(dimension):
                cell = cells[(atom.month, atom.force, dimension, value)]
                cell[0] += atom.count
                cell[1] += atom.key_sum
        for i, category in enumerate(atom.categories or (NO_CATEGORY,)):
            main.append(
                ReportRollup(
                    month=atom.month,
                    force_id=atom.force,
                    category=category,
                    recording_decision=atom.decision,
                    reporter_kind="officer",
                    platform=NO_PLATFORM,
                    impact=NO_IMPACT,
                    outcome=NO_OUTCOME,
                    first_category=i == 0,
                    first_platform=True,
                    first_impact=True,
                    reports=atom.count,
                    key_sum=atom.key_sum,
                )
            )
    DimensionRollup.objects.bulk_create(
        DimensionRollup(month=m, force_id=f, dimension=d, value=v, reports=n, key_sum=s)
        for (m, f, d, v), (n, s) in cells.items()
    )
    ReportRollup.objects.bulk_create(main)


def published_cells(atoms: list[Reports], figures: ScopeFigures, key=None) -> list[Cell]:
    """Each published figure of one table with the atoms it counts (zeros left out: a 0 is
    exactly 0 and counts nothing)."""
    scope = figures.scope

    def inside(atom: Reports) -> bool:
        return (
            (scope.forces is None or atom.force in scope.forces)
            and scope.period.start <= atom.month < scope.period.end
            and (scope.category is None or scope.category in atom.categories)
            and (key is None or key in (atom.month, atom.force))
        )

    members = [i for i, atom in enumerate(atoms) if inside(atom)]
    cells = [Cell(frozenset(members), figures.total)]
    for dimension, breakdown in figures.breakdowns.items():
        for row in breakdown.rows:
            counted = frozenset(i for i in members if row.value in atoms[i].values(dimension))
            if counted or row.figure != 0:
                cells.append(Cell(counted, row.figure))
    return [cell for cell in cells if cell.atoms]


def every_figure(figures: ScopeFigures):
    yield figures.total
    for breakdown in figures.breakdowns.values():
        for row in breakdown.rows:
            yield row.figure


def assert_nothing_small_is_shown(atoms: list[Reports], cells: list[Cell], k: int) -> None:
    for cell in cells:
        true = sum(atoms[a].count for a in cell.atoms)
        figure = cell.figure
        if isinstance(figure, Withheld):
            continue
        assert figure % k == 0, cell
        assert figure >= k or (figure == 0 and true == 0), cell
        assert 1 <= true < k or abs(figure - true) < k, cell


counts_ = st.one_of(st.integers(0, 3), st.integers(0, 14))
key_sums = st.integers(0, KEY_SPACE - 1)


@st.composite
def decisions_by_month(draw):
    """One force's reports in April and May by recording decision."""
    return [
        (month, decision, draw(counts_), draw(key_sums))
        for month in (APRIL, MAY)
        for decision in (CRIME, NON_CRIME, NONE)
    ]


@st.composite
def categories_by_month(draw):
    """One force's reports in April and May carrying category a, b, both, or none."""
    return [
        (month, categories, draw(counts_), draw(key_sums))
        for month in (APRIL, MAY)
        for categories in (("a",), ("b",), ("a", "b"), ())
    ]


@st.composite
def forces_by_month(draw):
    return [
        (month, force, draw(counts_), draw(key_sums)) for month in (APRIL, MAY) for force in (0, 1)
    ]


def _force_ids() -> list[int]:
    return list(Force.objects.order_by("pk").values_list("pk", flat=True)[:2])


def _atoms(rows, force: int, *, decision=NONE, categories=()) -> list[Reports]:
    atoms = []
    for month, what, count, key_sum in rows:
        key_sum = key_sum if count else 0
        if isinstance(what, tuple):
            atoms.append(Reports(month, force, decision, what, count, key_sum))
        else:
            atoms.append(Reports(month, force, what, categories, count, key_sum))
    return atoms


def tables_of_a_quarter(forces: tuple[int, ...], categories=()) -> list[tuple]:
    """What a dashboard reader can ask for about April to June, as (figures, month or force
    the figures are for, or None): the quarter, by month and by force, each month on its own
    page, each force's own quarter, and each category's own tables."""
    quarter = Scope(forces, QUARTER)
    tables = [(figures_by(quarter)[None], None)]
    tables += [(figures, key) for key, figures in figures_by(quarter, by=MONTH).items()]
    tables += [(figures_by(Scope(forces, month_period(m)))[None], None) for m in (APRIL, MAY)]
    if len(forces) > 1:
        tables += [(f, key) for key, f in figures_by(quarter, by=FORCE).items()]
        tables += [(figures_by(Scope((force,), QUARTER))[None], None) for force in forces]
        tables += [
            (figures_by(Scope((force,), month_period(m)))[None], None)
            for force in forces
            for m in (APRIL, MAY)
        ]
    for category in categories:
        filtered = Scope(forces, QUARTER, category)
        tables.append((figures_by(filtered)[None], None))
        tables += [(f, key) for key, f in figures_by(filtered, by=MONTH).items()]
    return tables


def cells_of(atoms: list[Reports], tables) -> list[Cell]:
    return [cell for figures, key in tables for cell in published_cells(atoms, figures, key)]


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=decisions_by_month())
def test_months_by_recording_decision_with_both_margins_pin_nothing(rows):
    force = _force_ids()[0]
    atoms = _atoms(rows, force)
    load(atoms)

    cells = cells_of(atoms, tables_of_a_quarter((force,)))

    assert_nothing_small_is_shown(atoms, cells, K)
    assert pinned_by_tables([a.count for a in atoms], cells, K) == []


@pytest.mark.django_db
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=categories_by_month())
def test_months_by_category_with_both_margins_and_each_categorys_own_table_pin_nothing(rows):
    force = _force_ids()[0]
    atoms = _atoms(rows, force)
    load(atoms)

    cells = cells_of(atoms, tables_of_a_quarter((force,), categories=("a", "b")))

    assert_nothing_small_is_shown(atoms, cells, K)
    assert pinned_by_tables([a.count for a in atoms], cells, K) == []


@pytest.mark.django_db
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=forces_by_month())
def test_months_by_force_with_both_margins_pin_nothing(rows):
    forces = tuple(_force_ids())
    atoms = [
        Reports(month, forces[f], NONE, (), count, key_sum if count else 0)
        for month, f, count, key_sum in rows
    ]
    load(atoms)

    cells = cells_of(atoms, tables_of_a_quarter(forces))

    assert_nothing_small_is_shown(atoms, cells, K)
    assert pinned_by_tables([a.count for a in atoms], cells, K) == []
