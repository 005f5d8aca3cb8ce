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

import random
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from harmsportal import disclosure
from harmsportal.disclosure import KEY_SPACE, Grid, Withheld, WithheldTotal
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
    watching = defaultdict(list)
    for members, low, high in bounds:
        for atom in members:
            watching[atom].append((members, low, high))

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
        """Whether some fitting table gives `target` a count other than `value`. The target's
        atoms are tried last, so they vary first; each starts from its true count."""
        order = [a for a in range(size) if a not in target] + sorted(target)
        done = [False] * size
        assign = [0] * size

        def fits(atom: int) -> bool:
            for members, low, high in watching[atom]:
                known = sum(assign[a] for a in members if done[a])
                rest = sum(highest[a] for a in members if not done[a])
                if known > high or known + rest < low:
                    return False
            return True

        def walk(depth: int) -> bool:
            if depth == size:
                return sum(assign[a] for a in target) != value and same_reports_same_figure(assign)
            atom = order[depth]
            done[atom] = True
            for candidate in sorted(range(highest[atom] + 1), key=lambda v: abs(v - atoms[atom])):
                assign[atom] = candidate
                if fits(atom) and walk(depth + 1):
                    return True
            assign[atom], done[atom] = 0, False
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
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=decisions_by_month())
# Two "<5" in each month of a "<5" quarter: four reports, one in each cell.
@example(
    rows=[
        (m, d, 1 if d != NON_CRIME else 0, 7)
        for m in (APRIL, MAY)
        for d in (CRIME, NON_CRIME, NONE)
    ]
)
def test_months_by_recording_decision_with_both_margins_pin_nothing(rows):
    force = _force_ids()[0]
    atoms = _atoms(rows, force)
    load(atoms)

    cells = cells_of(atoms, tables_of_a_quarter((force,)))

    assert_nothing_small_is_shown(atoms, cells, K)
    assert pinned_by_tables([a.count for a in atoms], cells, K) == []


@pytest.mark.django_db
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=categories_by_month())
# One report in a, one with no category, each month: no report has both, so each month's
# "<5" is the two added up, and the quarter's "<5" is four "<5" cells: each is 1.
@example(
    rows=[
        (m, c, 1 if c in (("a",), ()) else 0, 3)
        for m in (APRIL, MAY)
        for c in (("a",), ("b",), ("a", "b"), ())
    ]
)
def test_months_by_category_with_both_margins_and_each_categorys_own_table_pin_nothing(rows):
    force = _force_ids()[0]
    atoms = _atoms(rows, force)
    load(atoms)

    cells = cells_of(atoms, tables_of_a_quarter((force,), categories=("a", "b")))

    assert_nothing_small_is_shown(atoms, cells, K)
    assert pinned_by_tables([a.count for a in atoms], cells, K) == []


@pytest.mark.django_db
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=forces_by_month())
# One report for each force each month: "<5" everywhere, the quarter's four "<5" cells say 4.
@example(rows=[(m, f, 1, 9) for m in (APRIL, MAY) for f in (0, 1)])
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


# --- differencing two requests through figures_by ---------------------------------------------


@st.composite
def reports_of_two_months(draw):
    """One force's reports in April and May by recording decision and categories a and b."""
    return [
        (month, decision, categories, draw(counts_), draw(key_sums))
        for month in (APRIL, MAY)
        for decision in (CRIME, NON_CRIME)
        for categories in (("a",), ("b",), ("a", "b"), ())
    ]


def _rich_atoms(rows, force: int) -> list[Reports]:
    return [
        Reports(month, force, decision, categories, count, key_sum if count else 0)
        for month, decision, categories, count, key_sum in rows
    ]


def nested_pairs(atoms, inner: ScopeFigures, outer: ScopeFigures, inner_key=None, outer_key=None):
    """(inner figure, outer figure, inner count, outer count) for every cell both publish."""
    inner_cells = {
        (cell.atoms, "total" if i == 0 else "row"): cell
        for i, cell in enumerate(published_cells(atoms, inner, inner_key))
    }
    pairs = []
    outer_total, *outer_rows = published_cells(atoms, outer, outer_key)
    inner_total = published_cells(atoms, inner, inner_key)
    if inner_total:
        pairs.append((inner_total[0], outer_total))
    for dimension, breakdown in inner.breakdowns.items():
        if dimension not in outer.breakdowns:
            continue
        outer_rows = {row.value: row.figure for row in outer.breakdowns[dimension].rows}
        inner_members = inner_total[0].atoms if inner_total else frozenset()
        for row in breakdown.rows:
            counted_in = frozenset(
                i for i in inner_members if row.value in atoms[i].values(dimension)
            )
            outer_members = frozenset(
                i for i in outer_total.atoms if row.value in atoms[i].values(dimension)
            )
            pairs.append((Cell(counted_in, row.figure), Cell(outer_members, outer_rows[row.value])))
    del inner_cells
    return [
        (
            a.figure,
            b.figure,
            sum(atoms[i].count for i in a.atoms),
            sum(atoms[i].count for i in b.atoms),
        )
        for a, b in pairs
    ]


@pytest.mark.django_db
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=reports_of_two_months())
def test_subtracting_a_month_from_its_quarter_a_category_from_all_or_a_force_from_all_pins_nothing(
    rows,
):
    forces = tuple(_force_ids())
    atoms = _rich_atoms(rows, forces[0]) + [
        Reports(month, forces[1], decision, categories, count // 2, key_sum if count // 2 else 0)
        for month, decision, categories, count, key_sum in rows
    ]
    load(atoms)
    mine, everyone = (forces[0],), forces
    month, quarter = Scope(mine, month_period(APRIL)), Scope(mine, QUARTER)
    pairs = nested_pairs(atoms, figures_by(month)[None], figures_by(quarter)[None])
    for category in ("a", "b"):
        pairs += nested_pairs(
            atoms, figures_by(Scope(mine, QUARTER, category))[None], figures_by(quarter)[None]
        )
    pairs += nested_pairs(
        atoms, figures_by(quarter)[None], figures_by(Scope(everyone, QUARTER))[None]
    )

    assert pinned_by_differencing(pairs, K) == []
    for inner, outer, a, b in pairs:
        assert (
            (inner == outer)
            or a != b
            or isinstance(inner, WithheldTotal)
            or isinstance(outer, WithheldTotal)
        ), "the same reports must have the same figure"


@pytest.mark.django_db
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(counts_, key_sums), min_size=8, max_size=8))
def test_a_categorys_own_table_beside_the_scopes_table_pins_nothing(rows):
    # Both tables at once, every figure of each: the category's own table lies within the
    # scope's, and the reports outside it are counts like any other.
    force = _force_ids()[0]
    shapes = [(d, c) for d in (CRIME, NONE) for c in (("a",), ("b",), ("a", "b"), ())]
    atoms = [
        Reports(APRIL, force, d, c, count, key_sum if count else 0)
        for (d, c), (count, key_sum) in zip(shapes, rows, strict=True)
    ]
    load(atoms)
    april = Scope((force,), month_period(APRIL))

    tables = [
        (figures_by(april)[None], None),
        (figures_by(replace(april, category="a"))[None], None),
    ]

    cells = cells_of(atoms, tables)
    assert_nothing_small_is_shown(atoms, cells, K)
    assert pinned_by_tables([a.count for a in atoms], cells, K) == []


@pytest.mark.django_db
def test_the_same_cell_has_the_same_figure_whichever_request_asks_for_it():
    forces = tuple(_force_ids())
    rnd = random.Random(7)
    atoms = [
        Reports(m, f, d, c, n, rnd.randrange(KEY_SPACE) if n else 0)
        for m in (APRIL, MAY)
        for f in forces
        for d in (CRIME, NON_CRIME, NONE)
        for c in (("a",), ("b",), ("a", "b"))
        for n in [rnd.choice([0, 1, 2, 3, 6, 9, 13])]
    ]
    load(atoms)
    quarter = Scope(forces, QUARTER)

    def same(one: ScopeFigures, other: ScopeFigures) -> None:
        assert one.total == other.total
        for dimension, breakdown in one.breakdowns.items():
            theirs = {row.value: row.figure for row in other.breakdowns[dimension].rows}
            assert {row.value: row.figure for row in breakdown.rows} == theirs, dimension

    for month, figures in figures_by(quarter, by=MONTH).items():
        same(figures, figures_by(Scope(forces, month_period(month)))[None])
    for force, figures in figures_by(quarter, by=FORCE).items():
        same(figures, figures_by(Scope((force,), QUARTER))[None])
    whole = figures_by(quarter)[None]
    # Showing fewer dimensions changes no figure: the table is audited whole either way.
    categories_only = figures_by(quarter, dimensions=(CATEGORY,))[None]
    assert categories_only.total == whole.total
    assert categories_only.breakdowns[CATEGORY] == whole.breakdowns[CATEGORY]
    for category in ("a", "b"):
        own = figures_by(replace(quarter, category=category))[None]
        row = next(r for r in whole.breakdowns[CATEGORY].rows if r.value == category)
        assert own.total == row.figure


# --- the attacker test: both attacks on many random tables --------------------------------------


def random_tables(count: int, seed: int = 2026):
    """Months (2) by a single-select dimension (3 values) for one force: counts mostly small,
    keys as sums of record keys."""
    rnd = random.Random(seed)
    for _ in range(count):
        counts = [
            [rnd.choice([0, 0, 1, 2, 3, 4, rnd.randint(0, 3 * K)]) for _ in range(3)]
            for _ in range(2)
        ]
        keys = [[sum(rnd.randrange(KEY_SPACE) for _ in range(n)) for n in row] for row in counts]
        yield counts, keys


def publish_months_and_quarter(counts, keys) -> tuple[list, list[Cell], list]:
    """The tables figures_by publishes for one force's quarter of two months, with the same
    calls: each month's table, then the quarter's with its months and the months-by-value grid.
    Returns the atoms, every published cell, and each month's (table, cells) for differencing."""
    atoms = [n for row in counts for n in row]
    cells, months = [], []
    month_totals, month_parts = [], []
    for m, (row, row_keys) in enumerate(zip(counts, keys, strict=True)):
        plain = [disclosure.publish_count(n, s, k=K) for n, s in zip(row, row_keys, strict=True)]
        total, [parts] = disclosure.publish_table(sum(row), sum(row_keys), [(plain, True)], k=K)
        month_totals.append(disclosure.publish_count(sum(row), sum(row_keys), k=K))
        month_parts.append(plain)
        members = [3 * m + v for v in range(3)]
        month_cells = [Cell(frozenset(members), total)]
        month_cells += [Cell(frozenset([a]), f) for a, f in zip(members, parts, strict=True)]
        cells += month_cells
        months.append(month_cells)
    columns = [sum(counts[m][v] for m in range(2)) for v in range(3)]
    column_keys = [sum(keys[m][v] for m in range(2)) for v in range(3)]
    rows = [disclosure.publish_count(n, s, k=K) for n, s in zip(columns, column_keys, strict=True)]
    total, [parts] = disclosure.publish_table(
        sum(atoms),
        sum(map(sum, keys)),
        [(rows, True)],
        fixed=[(month_totals, True)],
        grids=[Grid(rows=1, columns=0, cells=month_parts)],
        k=K,
    )
    quarter = [Cell(frozenset(range(6)), total)]
    quarter += [Cell(frozenset([v, 3 + v]), f) for v, f in enumerate(parts)]
    return atoms, cells + quarter, [(month, quarter) for month in months]


def attacks(tables, read=None) -> tuple[list, list]:
    """Both attacks on each table: every table of atoms the figures allow, and each month
    subtracted from the quarter figure by figure."""
    same_table, differencing = [], []
    for counts, keys in tables:
        atoms, cells, months = publish_months_and_quarter(counts, keys)
        if found := pinned_by_tables(atoms, cells, K, read=read):
            same_table.append((counts, found))
        pairs = [
            (a.figure, b.figure, sum(atoms[i] for i in a.atoms), sum(atoms[i] for i in b.atoms))
            for month, quarter in months
            for a, b in zip(month, quarter, strict=True)
        ]
        if found := pinned_by_differencing(pairs, K, read=read):
            differencing.append((counts, found))
    return same_table, differencing


def test_the_attacker_pins_no_small_count_in_hundreds_of_random_tables():
    same_table, differencing = attacks(random_tables(200))

    assert same_table == []
    assert differencing == []


def test_the_attacker_pins_counts_when_the_tables_are_not_audited(monkeypatch):
    monkeypatch.setattr(disclosure, "system_pins", lambda *args, **kwargs: set())

    same_table, _ = attacks(random_tables(300))

    # Four "<5" cells in a "<5" month: each is 1 (and more like it).
    assert len(same_table) >= 3


def test_the_attacker_pins_counts_when_figures_are_suppressed_but_not_rounded(monkeypatch):
    # Suppression alone: a count of 5 or more shown as it is.
    monkeypatch.setattr(
        disclosure,
        "publish_count",
        lambda count, key_sum, *, k=None: disclosure.disclose(count, k=k),
    )

    _, differencing = attacks(random_tables(200), read=as_shown)

    # April 7 inside a quarter of 8: May is 1.
    assert len(differencing) >= 5
