"""Disclosure control: the one rule for every figure drawn from people's reports.

A count of 1 to k-1 people could point at someone (two officers in a small force reporting
doxxing this month), so it is withheld; a true zero names nobody and is shown. A median or a
percentage describes its base, so it is withheld whenever that base is under k, however large
the figure itself. k is settings.HARMSPORTAL_DISCLOSURE_K (5 unless configured, never under 4: decision 0011).

Wellbeing, campaigns and trends call `disclose` for every figure they show or export. A total
whose parts are published elsewhere (all forces, when each force can be seen on its own) goes
through `disclose_total`, the secondary suppression built on `disclose`: it withholds a total
that would let a withheld part be worked out by subtraction. A count that is part of another
published count (over target, of the open referrals) goes through `disclose_part`: it is
withheld when the rest, which is not published, could be worked out and is 1 to k-1. Never
write a second copy of the rule.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

Number = TypeVar("Number", int, float, Decimal)


@dataclass(frozen=True)
class Withheld:
    """Stands in for a figure that is not shown. Renders as "fewer than k" in a template."""

    k: int

    def __str__(self) -> str:
        return f"fewer than {self.k}"


@dataclass(frozen=True)
class WithheldTotal(Withheld):
    """Stands in for a figure that is not small itself but is withheld (by `disclose_total` or
    `disclose_part`), because showing it would let a withheld count be worked out. Still a
    `Withheld`."""

    def __str__(self) -> str:
        return "not shown"


class _Rest(WithheldTotal):
    """The reports of a published figure that are not in a published figure inside it (all
    reports less one category's): never published, 0 or more, and as protected as any count."""


def disclosure_k() -> int:
    return settings.HARMSPORTAL_DISCLOSURE_K


def disclose(value: Number, *, base: int | None = None, k: int | None = None) -> Number | Withheld:
    """`value` if it may be shown, otherwise a `Withheld`.

    Without `base`, `value` is a count of people (or of their reports): withheld from 1 to k-1.
    With `base`, `value` is a median or percentage of `base` people: withheld when base < k.
    Raises ValueError for a negative count or base, and TypeError for a count that is not a
    whole number (a bool included), so a wrong call fails loudly instead of leaking a figure.
    """
    k = disclosure_k() if k is None else k
    if k < 2:
        raise ValueError(f"k must be 2 or more, got {k}")
    if base is None:
        _check_count(value, "count")
        return Withheld(k) if 0 < value < k else value
    _check_count(base, "base")
    return Withheld(k) if base < k else value


def _check_count(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"A {name} must be a whole number of people, got {value!r}")
    if value < 0:
        raise ValueError(f"A {name} cannot be negative, got {value}")


def disclose_total(parts: Iterable[int], *, k: int | None = None) -> int | Withheld:
    """The total of `parts` (counts that are each published through `disclose`) if it may be
    shown, otherwise a `Withheld` (the total is itself 1 to k-1) or a `WithheldTotal`.

    Anyone who sees the total and every part can subtract the shown parts from the total. What
    is left, `rest`, is the sum of the m withheld parts, each of which is known to be 1 to k-1.
    The total is withheld when that tells them a count below k:

    - `rest` is 1 to k-1: the withheld parts together are a small count (with one withheld
      part, m = 1, it is that part exactly: all forces 12, West Yorkshire 9, North Yorkshire
      "<5", every other force 0, so North Yorkshire is 3);
    - or `rest` pins each withheld part to one value: m parts of 1 to k-1 adding up to m can
      only all be 1, and adding up to m x (k-1) can only all be k-1 (two forces "<5" and a
      rest of 8 means both are 4).

    Otherwise each withheld part could still be more than one value, and the total is shown.
    It may narrow a part (two parts "<5" with a rest of 7 are each 3 or 4); that is accepted,
    as no count is worked out. With no withheld part the total is shown: nothing is hidden.
    Every part is checked as `disclose` checks a count (TypeError, ValueError).
    """
    k = disclosure_k() if k is None else k
    parts = list(parts)
    withheld = [part for part in parts if isinstance(disclose(part, k=k), Withheld)]
    total = sum(parts)
    shown = disclose(total, k=k)
    if isinstance(shown, Withheld) or not withheld:
        return shown
    m, rest = len(withheld), sum(withheld)
    # Each withheld part lies between these, whatever the others are.
    lowest = max(1, rest - (m - 1) * (k - 1))
    highest = min(k - 1, rest - (m - 1))
    if rest < k or lowest == highest:
        return WithheldTotal(k)
    return total


def disclose_part(pairs: Iterable[tuple[int, int]], *, k: int | None = None) -> int | Withheld:
    """The total of the parts in `pairs`, one `(whole, part)` for each force, where the part is
    counted among the whole (over target, of the open referrals), the whole is published beside
    it (through `disclose_total`) and the rest, whole - part, is not published.

    Anyone who sees the whole and the part can subtract to get the rest. So on top of
    `disclose_total(parts)`, the total is withheld (a `WithheldTotal`) when a rest that can be
    worked out is 1 to k-1 (open 9 and over target 5: exactly 4 are within the target):

    - the rest of the totals, when the wholes' total is shown;
    - the rest of any one pair whose whole is shown on its own (a force's own figures): that
      pair's part is withheld on the force's own page, and a total that includes it would
      give it back by subtracting the other forces' parts (withheld whenever it is included,
      a cautious rule).

    When a whole is withheld, its rest cannot be worked out, and the part is judged as a count.
    Raises ValueError for a part larger than its whole, and as `disclose` does for bad counts.
    """
    k = disclosure_k() if k is None else k
    pairs = list(pairs)
    for whole, part in pairs:
        _check_count(whole, "count")
        _check_count(part, "count")
        if part > whole:
            raise ValueError(f"A part ({part}) cannot be larger than its whole ({whole})")
    shown = disclose_total([part for _, part in pairs], k=k)
    if isinstance(shown, Withheld):
        return shown

    def gives_away(whole_shown: int | Withheld, rest: int) -> bool:
        return not isinstance(whole_shown, Withheld) and isinstance(disclose(rest, k=k), Withheld)

    wholes = disclose_total([whole for whole, _ in pairs], k=k)
    rest = sum(whole - part for whole, part in pairs)
    if gives_away(wholes, rest) or any(
        gives_away(disclose(whole, k=k), whole - part) for whole, part in pairs
    ):
        return WithheldTotal(k)
    return shown


def disclose_share(part: int, base: int, *, k: int | None = None) -> int | Withheld:
    """`part` as a whole-number percentage of `base` (0 or 100 only when exact), if it may be
    shown; otherwise a `Withheld` when `base` is under k (as `disclose(value, base=base)`), or a
    `WithheldTotal` ("not shown") when `part` or the rest, `base - part`, is 1 to k-1.

    A percentage is published beside a rounded count of its base (referrals offered "5", that
    is 5 to 9), and when the base is small next to the rounding, only a few (part, base) pairs
    give that percentage: 20% of 5 to 9 can only be 1 of 5, and 88% of 6 to 14 only 7 of 8. So
    the percentage would pin a count withheld as "<5" (1 accepted), or the rest (1 not yet
    trained). When part and rest are both 0 or k or more, each stays as protected as a count
    shown through `publish_count`. A 0% (part 0) or 100% (rest 0) is a true zero and is shown,
    as a count of 0 is: it names nobody.
    Raises ValueError for a part larger than its base, and as `disclose` does for bad counts.
    """
    k = disclosure_k() if k is None else k
    _check_count(part, "count")
    _check_count(base, "base")
    if part > base:
        raise ValueError(f"A part ({part}) cannot be larger than its base ({base})")
    if isinstance(disclose(part, base=base, k=k), Withheld):
        return Withheld(k)
    if 0 < part < k or 0 < base - part < k:
        return WithheldTotal(k)
    percent = 100 * part / base
    return min(max(round(percent), 1), 99) if 0 < part < base else round(percent)


# ---------------------------------------------------------------------------
# Trends: the cell key method, rounding to base k (decision 0011)
# ---------------------------------------------------------------------------
#
# Dashboards, packs, exports and the API let people slice the same reports many ways, so a
# figure withheld in one request could otherwise be worked out by subtracting two others. Every
# count trends publishes therefore goes through `publish_count`:
#
# - 0 is shown (it names nobody), 1 to k-1 shows as "<k" (a `Withheld`);
# - k or more is rounded to a multiple of k, down or up, never below k: up with probability
#   (count mod k) / k, decided by the cell key, so the same cell always rounds the same way and
#   asking again, or asking another way, gains nothing.
#
# A cell's key is the sum of the record keys of the records in it, mod KEY_SPACE; a record's
# key is fixed (`record_key`). A published figure p then stands for a range of true counts
# (`true_range`): 0 for 0, 1..k-1 for "<k", k..2k-1 for k, p-k+1..p+k-1 above.
#
# Two published figures A inside B (a month inside its quarter, one category's reports inside
# all reports) never pin a count of 1 to k-1 to one value, for k >= 4 (MIN_ROUNDING_K; the
# proof is in decision 0011, and tests/test_disclosure_cellkey.py checks every pair of figures).
# For k = 3 they can: 4 rounded up to 6 inside 5 rounded down to 3 says the 5 hold exactly one
# more. A table is audited as a whole (`table_pins`): its total, every breakdown of it and every
# split of it (months, quarters, forces) at once; `publish_total` withholds a total that would
# pin a withheld figure, and `publish_table` also withholds a table's own breakdowns when they
# would pin one through each other even without the total.

KEY_SPACE = 256
# Knuth's multiplicative hash: the top 8 bits of (id x 2654435761) mod 2^32 spread sequential
# ids evenly over 0..255. The same arithmetic in SQL (`record_key_sql`) gives the same key.
_HASH_MULTIPLIER = 2654435761
# The smallest k rounding protects with: below it two nested figures can pin a count.
MIN_ROUNDING_K = 4

Figure = int | Withheld
Range = tuple[int, int | None]


def rounding_k(k: int | None = None) -> int:
    """k for the trends rules: `disclosure_k()` unless given; ValueError below MIN_ROUNDING_K."""
    k = disclosure_k() if k is None else k
    if isinstance(k, bool) or not isinstance(k, int) or k < MIN_ROUNDING_K:
        raise ValueError(
            f"Rounding to base k protects small counts only from k = {MIN_ROUNDING_K}, got {k!r}"
        )
    return k


def record_key(pk: int) -> int:
    """The fixed key, 0..KEY_SPACE-1, of the record with primary key `pk`."""
    return ((pk * _HASH_MULTIPLIER) % 2**32) // 2**24


def record_key_sql(column: str) -> str:
    """`record_key` as SQL over an integer column (Postgres and SQLite alike)."""
    return f"((({column}) * {_HASH_MULTIPLIER}) % 4294967296) / 16777216"


def cell_key(key_sum: int) -> int:
    """The cell key of a cell whose records' keys add up to `key_sum`."""
    return key_sum % KEY_SPACE


def rounds_up(count: int, key_sum: int, *, k: int) -> bool:
    """Whether a count that is not a multiple of k rounds up: with probability (count mod k)/k,
    decided by the cell key."""
    return cell_key(key_sum) * k < (count % k) * KEY_SPACE


def publish_count(count: int, key_sum: int, *, k: int | None = None) -> Figure:
    """The figure trends shows for a true `count` whose records' keys add up to `key_sum`:
    0, a `Withheld` for 1 to k-1, or a multiple of k (k at least). Raises as `disclose` does
    for a count that is not a whole number of at least 0, and ValueError for k below
    MIN_ROUNDING_K."""
    k = rounding_k(k)
    _check_count(count, "count")
    shown = disclose(count, k=k)
    if isinstance(shown, Withheld) or count % k == 0:
        return shown
    down = count - count % k
    return down + k if rounds_up(count, key_sum, k=k) else down


def true_range(figure: Figure, *, k: int | None = None) -> Range:
    """The true counts a figure published by `publish_count` (or withheld as "not shown") can
    stand for, as (lowest, highest); highest is None when unbounded. A figure is only ever "not
    shown" when it is not 0 (a zero names nobody and is always shown), so that is 1 or more."""
    k = rounding_k(k)
    if isinstance(figure, _Rest):
        return (0, None)
    if isinstance(figure, WithheldTotal):
        return (1, None)
    if isinstance(figure, Withheld):
        return (1, k - 1)
    if figure == 0:
        return (0, 0)
    if figure == k:
        return (k, 2 * k - 1)
    return (figure - k + 1, figure + k - 1)


# No published count comes near this: "not shown" reads as 1 up to it.
_UNBOUNDED = 10**15
# Bound propagation settles in a few rounds on real tables; this only stops a runaway (figures
# that cannot all be true, which a rollup never gives).
_MAX_ROUNDS = 50

Sum = tuple[int, list[int], bool]
# A table's figures as published: (total, each breakdown's parts).
Within = tuple["Figure", "Sequence[Sequence[Figure]]"]


def system_pins(
    figures: Sequence[Figure], sums: Iterable[tuple[int, Iterable[int], bool]], *, k=None
) -> set[int]:
    """The indices of the withheld figures ("<k" or "not shown") that `figures`, with the
    `sums` between them, pin to one count of 1 to k-1.

    Each sum is (total, parts, exact): single-select parts (`exact`) add up to the total;
    multi-select parts each count a report once in every value it carries, and every report
    carries one ("none" included), so each part is at most the total and together they are at
    least the total. Every figure starts as the counts it can stand for (`true_range`) and each
    sum narrows its total and its parts in turn, until nothing moves: what an attacker with
    these figures can work out by adding and subtracting. On one total with its breakdowns (a
    star) this is exact; on a grid (months by categories, with both margins) it is checked
    against an attacker who tries every table (tests/trends/test_disclosure_attacks.py).
    """
    k = rounding_k(k)
    low, high = [], []
    for figure in figures:
        lowest, highest = true_range(figure, k=k)
        low.append(lowest)
        high.append(_UNBOUNDED if highest is None else highest)
    sums = [(total, list(parts), exact) for total, parts, exact in sums]
    # A sum is looked at again only when one of its figures has moved since.
    touching: dict[int, list[int]] = defaultdict(list)
    for s, (total, parts, _) in enumerate(sums):
        touching[total].append(s)
        for p in parts:
            touching[p].append(s)
    waiting = deque(range(len(sums)))
    queued = [True] * len(sums)
    budget = _MAX_ROUNDS * max(len(sums), 1)
    low_of, high_of = low.__getitem__, high.__getitem__
    while waiting and budget:
        budget -= 1
        s = waiting.popleft()
        queued[s] = False
        total, parts, exact = sums[s]
        moved = []
        parts_low = sum(map(low_of, parts))
        parts_high = sum(map(high_of, parts))
        total_low = parts_low if exact else max(map(low_of, parts), default=0)
        if total_low < low[total]:
            total_low = low[total]
        total_high = high[total] if high[total] < parts_high else parts_high
        if total_low != low[total] or total_high != high[total]:
            low[total], high[total] = total_low, total_high
            moved.append(total)
        for p in parts:
            # The total is at most the sum of the parts (both kinds): this part is at least the
            # rest. A single-select part is the total less the others; a multi-select one at
            # most the total.
            was_low, was_high = low[p], high[p]
            part_low = total_low - (parts_high - was_high)
            if part_low < was_low:
                part_low = was_low
            part_high = total_high - (parts_low - was_low) if exact else total_high
            if part_high > was_high:
                part_high = was_high
            if part_low != was_low or part_high != was_high:
                parts_low += part_low - was_low
                parts_high += part_high - was_high
                low[p], high[p] = part_low, part_high
                moved.append(p)
        for figure in moved:
            for other in touching[figure]:
                if not queued[other]:
                    queued[other] = True
                    waiting.append(other)
    return {
        i
        for i, figure in enumerate(figures)
        if isinstance(figure, Withheld) and low[i] == high[i] and 1 <= low[i] < k
    }


def _breakdowns(breakdowns) -> list[tuple[list[Figure], bool, int | None]]:
    """Breakdowns as (parts, exact, none): `none` is the index of a multi-select breakdown's
    part that no report shares with another ("no category given"), or None."""
    found = []
    for breakdown in breakdowns:
        parts, exact, *rest = breakdown
        found.append((list(parts), exact, rest[0] if rest and not exact else None))
    return found


def _add_sum(figures: list[Figure], sums: list[Sum], total: int, parts: list[int], exact, none):
    """The sum between a total and its parts. A multi-select breakdown with a part no report
    shares ("none") is that part plus the reports with some other value (a count of its own,
    never published), which the other parts each reach and together cover."""
    # A part shown as 0 is exactly 0 and adds nothing: left out, the sum is the same.
    if exact or none is None:
        sums.append((total, [p for p in parts if figures[p] != 0], exact))
        return
    figures.append(_Rest(2))
    some = len(figures) - 1
    sums.append((total, [parts[none], some], True))
    sums.append((some, [p for i, p in enumerate(parts) if i != none and figures[p] != 0], False))


def table_pins(
    total: Figure, breakdowns: Iterable[tuple[Iterable[Figure], bool]], *, k: int | None = None
) -> bool:
    """Whether `total` (as published: a figure, "<k", or "not shown") beside `breakdowns`,
    each (parts as published, exact) or (parts, False, index of the "none" part), pins a count
    of 1 to k-1 to one value: the total, or a part shown as "<k" or "not shown".

    The breakdowns are everything published about the same total: each dimension of a table,
    and its months, quarters and forces, taken together as an attacker takes them
    (`system_pins`; exact for one total with its breakdowns).
    """
    figures: list[Figure] = [total]
    sums: list[Sum] = []
    for parts, exact, none in _breakdowns(breakdowns):
        start = len(figures)
        figures.extend(parts)
        _add_sum(figures, sums, 0, list(range(start, start + len(parts))), exact, none)
    return bool(system_pins(figures, sums, k=k))


def pins(
    total: Figure,
    parts: Iterable[Figure],
    *,
    exact: bool,
    k: int | None = None,
) -> bool:
    """Whether publishing `total` beside `parts` (all as published) pins a withheld figure, the
    total or a part shown as "<k", to one value: `table_pins` for one breakdown.

    `exact`: the parts add up to the total (a single-select breakdown: recording decision,
    reporter kind, outcome, month, force). Otherwise the parts are a multi-select breakdown
    (categories, platforms, impacts): each part is at most the total, and together they are
    at least the total. Interval reasoning on one sum is exact, so this is what an attacker
    with only these figures can learn.
    """
    return table_pins(total, [(parts, exact)], k=k)


def publish_total(
    count: int,
    key_sum: int,
    breakdowns: Iterable[tuple[Iterable[Figure], bool]],
    *,
    k: int | None = None,
) -> Figure:
    """`publish_count` for a total, withheld as "not shown" (a `WithheldTotal`) when its
    published breakdowns, (parts, exact) as `table_pins` takes them, would pin a withheld
    figure.

    Pass every breakdown of the same total that the portal publishes anywhere (by month, by
    quarter, by force, by each dimension), so the total is shown or withheld the same way on
    every page. A table whose breakdowns are its own to withhold is `publish_table`'s.
    """
    k = rounding_k(k)
    shown = publish_count(count, key_sum, k=k)
    if table_pins(shown, breakdowns, k=k):
        return WithheldTotal(k)
    return shown


@dataclass(frozen=True)
class Grid:
    """Two breakdowns of a table crossed: `cells[i][j]` is the figure for part i of breakdown
    `rows` and part j of breakdown `columns` (months by categories, months by forces), as the
    page that publishes it shows it. A part of one breakdown is the sum of its row (or
    column) of cells, exactly when the other breakdown is single-select."""

    rows: int
    columns: int
    cells: Sequence[Sequence[Figure]]


Table = list[tuple[list[Figure], bool, int | None]]


def _table_system(
    total: Figure,
    tables: Table,
    grids: Sequence[Grid] = (),
    within: Within | None = None,
) -> tuple[list[Figure], list[Sum], list[list[int]], list[list[int]]]:
    """The figures and sums of a table: its total, its breakdowns, the grids between them and
    the table it lies within; with where each breakdown's parts sit and, for each part, the
    other figures it adds up (its grid cells, its rest outside the table)."""
    figures: list[Figure] = [total]
    sums: list[Sum] = []
    rows: list[list[int]] = []
    for parts, _, _ in tables:
        start = len(figures)
        figures.extend(parts)
        rows.append(list(range(start, len(figures))))
    for row, (_, exact, none) in zip(rows, tables, strict=True):
        _add_sum(figures, sums, 0, row, exact, none)
    related: list[list[int]] = [[] for row in rows for _ in row]
    offsets = [sum(len(r) for r in rows[:b]) for b in range(len(rows))]
    if within is not None:
        # Each of the outer table's figures is this table's figure for the same cell plus the
        # reports outside this table (a cell of its own, never published).
        outer_total, outer_parts = within
        pairs = [(outer_total, 0, None)] + [
            (outer, rows[b][v], offsets[b] + v)
            for b, outers in enumerate(outer_parts)
            for v, outer in enumerate(outers)
        ]
        for outer, inner, place in pairs:
            figures.extend([outer, _Rest(2)])
            sums.append((len(figures) - 2, [inner, len(figures) - 1], True))
            if place is not None:
                related[place].append(len(figures) - 1)
    for grid in grids:
        cells = []
        for line in grid.cells:
            figures.extend(line)
            cells.append(list(range(len(figures) - len(line), len(figures))))
        _, across_exact, across_none = tables[grid.columns]
        _, down_exact, down_none = tables[grid.rows]
        for i, line in enumerate(cells):
            _add_sum(figures, sums, rows[grid.rows][i], line, across_exact, across_none)
            related[offsets[grid.rows] + i].extend(line)
        for j in range(len(rows[grid.columns])):
            column = [line[j] for line in cells]
            _add_sum(figures, sums, rows[grid.columns][j], column, down_exact, down_none)
            related[offsets[grid.columns] + j].extend(column)
    return figures, sums, rows, related


def _decide_parts(
    total: Figure,
    tables: Table,
    owned: int,
    grids: Sequence[Grid],
    k: int,
    within: Within | None = None,
) -> tuple[list[list[Figure]], set[int]]:
    """The table's own parts (its first `owned` breakdowns) beside `total`, withheld until
    nothing is pinned that they could protect, with what the other pages' figures pin on their
    own (`_fixed_pins`). The other breakdowns (its months, quarters, forces) are other
    pages' figures, never changed here.

    A part that is the only non-zero one of its breakdown is the total itself (the same
    reports: "crime" when every report was recorded as a crime): it follows the total. Among
    the others, a part pinned itself goes first, then one whose grid cells (or rest outside the
    table) are pinned, then any part of a breakdown with something pinned; within each, the
    breakdown that narrows the total most first (four reporter kinds "<5" beside two
    categories "<5": the categories).
    """
    tables = [(list(parts), exact, none) for parts, exact, none in tables]
    twins = {
        (b, v) for b in range(owned) for v in range(len(tables[b][0])) if _is_twin(b, v, tables)
    }
    not_shown = WithheldTotal(k)

    def current() -> Table:
        follows = isinstance(total, WithheldTotal)
        return [
            (
                [total if follows and (b, v) in twins else p for v, p in enumerate(parts)],
                exact,
                none,
            )
            for b, (parts, exact, none) in enumerate(tables)
        ]

    def width(b: int) -> float:
        figures = [true_range(part, k=k) for part in tables[b][0]]
        highest = sum(_UNBOUNDED if high is None else high for _, high in figures)
        lows = [low for low, _ in figures]
        return highest - (sum(lows) if tables[b][1] else max(lows, default=0))

    baseline = _fixed_pins(total, tables, owned, grids, within, k)
    # The other pages' figures are taken as published before their own audits, which may
    # withhold what pins a count among them. So nothing of this table's own is excused as
    # already public: a part they pin on their own is withheld (its page withholds the same
    # reports: decision 0011), and the total likewise (`publish_table`).
    place = 1
    for b in range(owned):
        for v in range(len(tables[b][0])):
            if place + v in baseline and (b, v) not in twins:
                tables[b][0][v] = not_shown
        place += len(tables[b][0])
    while True:
        figures, sums, rows, related = _table_system(total, current(), grids, within)
        pinned = system_pins(figures, sums, k=k) - baseline
        if not pinned:
            break
        open_parts = [
            (b, v)
            for b in range(owned)
            for v, part in enumerate(tables[b][0])
            if (b, v) not in twins and part != 0 and not isinstance(part, WithheldTotal)
        ]
        if not open_parts:
            break  # other pages' figures pin a count on their own (decision 0011)
        offsets = [sum(len(r) for r in rows[:b]) for b in range(len(rows))]
        place = {rows[b][v]: (b, v) for b, v in open_parts}
        near: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for b, v in open_parts:
            for figure in related[offsets[b] + v]:
                near[figure].append((b, v))
        # One part for each pinned figure: itself if it is one of the table's own open parts,
        # else the part whose grid cells (or rest) it is, the breakdown narrowing the total
        # most first; when neither, the one part most likely to help. A national month has
        # many rare values, each pinned in its own column: they go together, not one by one.
        chosen = set()
        for figure in sorted(pinned):
            if figure in place:
                chosen.add(place[figure])
            elif near.get(figure):
                chosen.add(min(near[figure], key=lambda bv: (width(bv[0]), bv)))
        if chosen:
            # Within the breakdown that narrows the total most, for now: withholding those may
            # free the others (two categories "<5" before four reporter kinds).
            first = min((width(b), b) for b, _ in chosen)[1]
            chosen = {(b, v) for b, v in chosen if b == first}
        else:

            def rank(b: int, v: int, rows=rows, pinned=pinned) -> int:
                return 0 if pinned.intersection(rows[b]) or 0 in pinned else 1

            chosen = {min(open_parts, key=lambda bv: (rank(*bv), width(bv[0]), bv))}
        for b, v in chosen:
            tables[b][0][v] = not_shown
    return [parts for parts, _, _ in current()[:owned]], baseline


def _fixed_pins(
    total: Figure, tables: Table, owned: int, grids: Sequence[Grid], within, k: int
) -> set[int]:
    """What the other pages' figures pin with every part of this table withheld: nothing this
    table can help, and each such count lies within one of those pages' own tables, which its
    own audit protects (the figures here are as those pages publish them before that audit)."""
    hidden = [
        ([part if part == 0 else WithheldTotal(k) for part in parts], exact, none)
        for parts, exact, none in tables[:owned]
    ]
    figures, sums, _, _ = _table_system(total, hidden + tables[owned:], grids, within)
    return system_pins(figures, sums, k=k)


def publish_breakdowns(
    total: Figure,
    breakdowns: Iterable[tuple[Iterable[Figure], bool]],
    *,
    fixed: Iterable[tuple[Iterable[Figure], bool]] = (),
    grids: Sequence[Grid] = (),
    within: Within | None = None,
    k: int | None = None,
) -> list[list[Figure]]:
    """A table's own breakdowns' parts as they may be published beside its `total`, as another
    page publishes it, so that with the `fixed` breakdowns (its months, quarters and forces:
    other pages' figures), the `grids` between any two breakdowns (numbered own first, then
    fixed) and the table it lies `within` they pin no count of 1 to k-1. Parts are withheld
    ("not shown") as `publish_table` withholds them; the total never is. A breakdown is
    (parts, exact), or (parts, False, index of the part no report shares with another).

    `within` is the published table this one lies inside, (its total, its parts in the same
    order as `breakdowns`): a category's own table lies inside the scope's, and has for total
    that category's figure there. Working through both tables at once pins nothing: the
    reports outside this table, for each cell, are counts the audit protects like any other.
    """
    k = rounding_k(k)
    tables = _breakdowns(breakdowns)
    owned = len(tables)
    tables += _breakdowns(fixed)
    return _decide_parts(total, tables, owned, list(grids), k, within)[0]


def publish_table(
    count: int,
    key_sum: int,
    breakdowns: Iterable[tuple[Iterable[Figure], bool]],
    *,
    fixed: Iterable[tuple[Iterable[Figure], bool]] = (),
    grids: Sequence[Grid] = (),
    k: int | None = None,
) -> tuple[Figure, list[list[Figure]]]:
    """A table's total and its own breakdowns' parts as they may be published, so that with
    its `fixed` breakdowns (its months, quarters and forces, each another page's figure and
    never changed here) and the `grids` between any two breakdowns (numbered own first, then
    fixed: months by categories, months by forces) nothing pins a count of 1 to k-1. A
    breakdown is (parts, exact), or (parts, False, index of the part no report shares with
    another: "no category given").

    - The parts are decided first, as if the total were not shown: a part is withheld ("not
      shown") while the table, grids and all, would pin a count (`_decide_parts`).
    - Then the total is shown unless, beside them, it would pin one.

    A part that is the total itself (the only non-zero one of its breakdown) follows the total.
    What other pages' figures pin on their own cannot be helped here (decision 0011 says what
    is left), but a figure of this table's own that they pin is withheld, never shown as
    already public: they are taken as published before their own audits.
    """
    k = rounding_k(k)
    tables = _breakdowns(breakdowns)
    owned = len(tables)
    tables += _breakdowns(fixed)
    grids = list(grids)
    parts, baseline = _decide_parts(WithheldTotal(k), tables, owned, grids, k)
    shown = publish_count(count, key_sum, k=k)
    # Beside a shown total, a part that is the total itself shows the same figure.
    beside = [
        ([shown if _is_twin(b, v, tables) else p for v, p in enumerate(figures)], exact, none)
        for b, (figures, (_, exact, none)) in enumerate(zip(parts, tables[:owned], strict=True))
    ]
    figures, sums, _, _ = _table_system(shown, beside + tables[owned:], grids)
    # Nor is the total taken as already public when the other pages' figures pin it (a force's
    # "<5" beside its four "<5" kinds, "not shown" on its own page): it is withheld.
    if shown != 0 and (0 in baseline or system_pins(figures, sums, k=k) - baseline):
        return WithheldTotal(k), parts
    return shown, [figures for figures, _, _ in beside]


def _is_twin(b: int, v: int, tables: Table) -> bool:
    """Whether part v is the only non-zero part of breakdown b: the total's own reports."""
    return [i for i, part in enumerate(tables[b][0]) if part != 0] == [v]
