"""Cell key rounding to base k (decision 0011): the published figure, what a figure
stands for, the proof that two nested figures never pin a small count (checked over every pair),
and the table audit checked against an attacker who tries every candidate table."""

from __future__ import annotations

import itertools
import math

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from harmsportal import disclosure
from harmsportal.disclosure import (
    KEY_SPACE,
    Withheld,
    WithheldTotal,
    disclose,
    pins,
    publish_count,
    publish_table,
    publish_total,
    record_key,
    record_key_sql,
    table_pins,
    true_range,
)

ks = st.integers(min_value=4, max_value=12)
SMALL = "<"  # how the attacker below writes "<k"


# --- one figure --------------------------------------------------------------------------------


@given(count=st.integers(0, 10**6), key_sum=st.integers(0, 10**7), k=ks)
def test_a_count_is_published_as_0_as_fewer_than_k_or_as_a_multiple_of_k_less_than_k_away(
    count, key_sum, k
):
    figure = publish_count(count, key_sum, k=k)

    if count == 0:
        assert figure == 0
    elif count < k:
        assert figure == Withheld(k)
    else:
        assert type(figure) is int
        assert figure % k == 0
        assert figure >= k
        assert abs(figure - count) < k
    low, high = true_range(figure, k=k)
    assert low <= count <= high


@given(count=st.integers(0, 10**6), key_sum=st.integers(0, 10**7), laps=st.integers(0, 100))
def test_the_same_cell_always_gets_the_same_figure_decided_by_its_key_alone(count, key_sum, laps):
    figure = publish_count(count, key_sum, k=5)

    assert publish_count(count, key_sum, k=5) == figure
    # The cell key is the key sum mod 256: a cell's figure does not depend on how it was summed.
    assert publish_count(count, key_sum % KEY_SPACE + laps * KEY_SPACE, k=5) == figure


@pytest.mark.parametrize("k", range(4, 11))
def test_a_count_rounds_up_for_count_mod_k_in_k_of_the_cell_keys(k):
    for count in range(k, 3 * k):
        ups = sum(publish_count(count, key, k=k) > count for key in range(KEY_SPACE))
        if count % k == 0:
            assert ups == 0
        else:
            # ceil(r * 256 / k) of the 256 keys round up: r/k to within one key.
            assert ups == math.ceil((count % k) * KEY_SPACE / k)


@pytest.mark.parametrize("k", range(4, 11))
def test_a_figure_stands_for_exactly_the_counts_true_range_gives(k):
    stands_for: dict[object, set[int]] = {}
    for count in range(0, 6 * k):
        for key in range(KEY_SPACE):
            stands_for.setdefault(publish_count(count, key, k=k), set()).add(count)
    for figure, found in stands_for.items():
        low, high = true_range(figure, k=k)
        if high < 5 * k:  # figures whose counts all lie inside the counts tried
            assert found == set(range(low, high + 1)), figure
    assert true_range(WithheldTotal(k), k=k) == (1, None)


@pytest.mark.parametrize("k", [2, 3])
def test_rounding_refuses_a_k_of_2_or_3_because_two_nested_figures_could_pin_a_count(k):
    for call in (
        lambda: publish_count(7, 0, k=k),
        lambda: true_range(0, k=k),
        lambda: pins(0, [], exact=True, k=k),
        lambda: publish_total(7, 0, [], k=k),
    ):
        with pytest.raises(ValueError, match="from k = 4"):
            call()


@pytest.mark.django_db
def test_a_record_key_is_a_fixed_spread_of_the_id_and_the_sql_agrees():
    keys = [record_key(pk) for pk in range(1, 2561)]
    assert all(0 <= key < KEY_SPACE for key in keys)
    # Sequential ids spread evenly: every key is used, none more than twice as often as fair.
    counts = [keys.count(key) for key in range(KEY_SPACE)]
    assert min(counts) >= 1
    assert max(counts) <= 20
    with connection.cursor() as cursor:
        for pk in (1, 2, 255, 256, 1000, 123456, 2**31 - 1):
            cursor.execute(f"SELECT {record_key_sql(str(pk))}")
            assert cursor.fetchone()[0] == record_key(pk)


# --- two nested figures never pin a small count: the proof, checked over every pair -----------
#
# A inside B (a month inside its quarter, one category's reports inside all). The attacker
# knows both figures, the rule and k, but no record key. What a figure can stand for is worked
# out here afresh (not with `true_range`, which refuses k below 4) from the rule: 0 for 0; "<k"
# for 1..k-1; a multiple of k for itself; a count between multiples for the one below (never
# under k) and the one above, each for some key. The same records have the same key, so equal
# counts A = B (nothing between them) have equal figures: different figures say B holds more.


def _could_publish(count: int, k: int) -> set:
    if count == 0:
        return {0}
    if count < k:
        return {SMALL}
    if count % k == 0:
        return {count}
    down = count - count % k
    return {down, down + k}


def _stands_for(limit: int, k: int) -> dict[object, list[int]]:
    found: dict[object, list[int]] = {}
    for count in range(limit):
        for figure in _could_publish(count, k):
            found.setdefault(figure, []).append(count)
    return found


def _pinned_pairs(k: int) -> list[tuple]:
    """Every (what, a, b, figure a, figure b) where the attacker pins a count of 1..k-1: the
    difference B - A, or A or B shown as "<k"."""
    limit = 6 * k
    stands_for = _stands_for(limit + 2 * k, k)
    learnt: dict[tuple, tuple[set, set, set]] = {}
    for figure_a, figure_b in itertools.product(stands_for, repeat=2):
        differences, a_values, b_values = set(), set(), set()
        for a, b in itertools.product(stands_for[figure_a], stands_for[figure_b]):
            if b < a or (a == b and figure_a != figure_b):
                continue
            differences.add(b - a)
            a_values.add(a)
            b_values.add(b)
        learnt[figure_a, figure_b] = (differences, a_values, b_values)
    found = []
    for a in range(limit):
        for b in range(a, limit):
            for figure_a, figure_b in itertools.product(_could_publish(a, k), _could_publish(b, k)):
                if a == b and figure_a != figure_b:
                    continue  # the same records: the same key, the same figure
                differences, a_values, b_values = learnt[figure_a, figure_b]
                for what, true, values in (
                    ("B - A", b - a, differences),
                    ("A", a, a_values),
                    ("B", b, b_values),
                ):
                    assert true in values
                    if 1 <= true < k and len(values) == 1:
                        found.append((what, a, b, figure_a, figure_b))
    return found


@pytest.mark.parametrize("k", range(4, 11))
def test_two_nested_figures_never_pin_a_count_from_1_to_k_minus_1_for_k_from_4(k):
    assert _pinned_pairs(k) == []


def test_two_nested_figures_can_pin_a_count_when_k_is_3_or_2_so_k_is_at_least_4():
    # k = 3: 4 rounded up to 6 inside 5 rounded down to 3. A is 4 or 5 (at most B), B is 4 or 5,
    # and the figures differ, so B holds more: A = 4, B = 5, exactly one report between them.
    assert ("B - A", 4, 5, 6, 3) in _pinned_pairs(3)
    # k = 2: "<2" is 1 on its own.
    assert ("B", 0, 1, 0, SMALL) in _pinned_pairs(2)


@pytest.mark.parametrize("k", range(4, 11))
def test_the_attackers_reading_of_a_figure_is_true_range(k):
    for figure, counts in _stands_for(8 * k, k).items():
        shown = Withheld(k) if figure == SMALL else figure
        low, high = true_range(shown, k=k)
        if high < 7 * k:
            assert counts == list(range(low, high + 1))


# --- one table: the audit against an attacker who tries every candidate table ------------------
#
# A table is a total and breakdowns of it. Single-select ("exact") parts add up to the total;
# multi-select parts are each at most the total and together at least it (every report carries
# a value, "none" included), and a part equal to the total is the same reports, so has the
# same figure. The attacker tries every total and every set of parts the figures allow.


def _candidates(figure, k: int, cap: int) -> set[int]:
    """What the attacker reads a figure as: `_stands_for` (the rule worked out afresh) for a
    figure or "<k"; any count from 1 to `cap` for "not shown" (never 0: zeros are shown)."""
    if isinstance(figure, WithheldTotal):
        return set(range(1, cap + 1))
    if isinstance(figure, Withheld):
        return set(range(1, k))
    if figure == 0:
        return {0}
    return {c for c in range(max(1, figure - k), figure + k) if figure in _could_publish(c, k)}


def _sumset(sets: list[set[int]]) -> set[int]:
    total = {0}
    for values in sets:
        total = {a + b for a in total for b in values}
    return total


def _differ(one, other) -> bool:
    """Two published figures that cannot be the same reports (a "not shown" could be any)."""
    return (
        not isinstance(one, WithheldTotal) and not isinstance(other, WithheldTotal) and one != other
    )


def _exact_feasible(totals: set[int], sets: list[set[int]]) -> tuple[set[int], list[set[int]]]:
    """Single-select parts add up to the total: the totals they allow, and each part's values
    for some allowed total."""
    possible = totals & _sumset(sets)
    values = []
    for i, own in enumerate(sets):
        rest = _sumset([other for j, other in enumerate(sets) if j != i])
        values.append({v for v in own if any(v + r in possible for r in rest)})
    return possible, values


def _multi_parts(total: int, figure, sets: list[set[int]], figures) -> list[set[int]] | None:
    """Multi-select parts for one total: each at most the total, a part equal to it only when
    its figure could be the total's (the same reports), together at least the total."""
    allowed = []
    for own, part in zip(sets, figures, strict=True):
        values = {v for v in own if v < total or (v == total and not _differ(part, figure))}
        if not values:
            return None
        allowed.append(values)
    if total == 0:
        return allowed if all(0 in v for v in allowed) else None
    highest = [max(v) for v in allowed]
    result = [
        {v for v in own if v + sum(highest) - highest[i] >= total} for i, own in enumerate(allowed)
    ]
    return result if all(result) else None


def attacker_pins_a_table(total_figure, breakdowns, k: int, cap: int) -> bool:
    """Whether an attacker who tries every total and every part the figures allow pins a count
    of 1..k-1: the total, or a part shown as "<k" or "not shown". The breakdowns share only the
    total (any one-way margins with the same total fit some set of reports)."""
    totals = _candidates(total_figure, k, cap)
    for parts, exact in breakdowns:
        sets = [_candidates(part, k, cap) for part in parts]
        if exact:
            totals &= _sumset(sets)
        else:
            totals = {t for t in totals if _multi_parts(t, total_figure, sets, parts) is not None}
    if len(totals) == 1 and 1 <= min(totals) < k:
        return True
    for parts, exact in breakdowns:
        sets = [_candidates(part, k, cap) for part in parts]
        if exact:
            values = _exact_feasible(totals, sets)[1]
        else:
            values = [set() for _ in parts]
            for total in totals:
                for i, found in enumerate(_multi_parts(total, total_figure, sets, parts)):
                    values[i] |= found
        for part, seen in zip(parts, values, strict=True):
            if isinstance(part, Withheld) and len(seen) == 1 and 1 <= min(seen) < k:
                return True
    return False


small_counts = st.integers(0, 14)
keys_ = st.integers(0, KEY_SPACE - 1)


@st.composite
def tables(draw, *, breakdowns: int):
    """A true table: a total's parts for each breakdown (consistent with one total), with keys,
    published as the portal would publish each figure on its own."""
    k = draw(st.sampled_from([4, 5]))
    exact_first = draw(st.lists(small_counts, min_size=1, max_size=4))
    total = sum(exact_first)
    result = [(exact_first, True)]
    for _ in range(breakdowns - 1):
        if draw(st.booleans()):  # another exact breakdown of the same total
            cuts = sorted(draw(st.lists(st.integers(0, total), min_size=1, max_size=3)))
            parts = [b - a for a, b in itertools.pairwise([0, *cuts, total])]
            result.append((parts, True))
        else:  # a multi-select one: each part at most the total, together at least it
            size = draw(st.integers(1, 3))
            parts = draw(st.lists(st.integers(0, total), min_size=size, max_size=size))
            if total and sum(parts) < total:
                parts[0] = total
            if not total:
                parts = [0] * size
            result.append((parts, False))
    figures = [
        ([publish_count(part, draw(keys_), k=k) for part in parts], exact)
        for parts, exact in result
    ]
    return k, total, draw(keys_), figures


@settings(max_examples=150, deadline=None)
@given(table=tables(breakdowns=1))
def test_pins_withholds_exactly_when_an_attacker_trying_every_table_pins_a_count(table):
    k, total, key_sum, [(parts, exact)] = table
    figure = publish_count(total, key_sum, k=k)

    found = attacker_pins_a_table(figure, [(parts, exact)], k, cap=80)

    assert pins(figure, parts, exact=exact, k=k) == found


@settings(max_examples=150, deadline=None)
@given(table=tables(breakdowns=3))
def test_a_published_table_pins_nothing_for_an_attacker_trying_every_table(table):
    k, total, key_sum, breakdowns = table

    shown, published = publish_table(total, key_sum, breakdowns, k=k)

    final = [(parts, exact) for parts, (_, exact) in zip(published, breakdowns, strict=True)]
    assert not attacker_pins_a_table(shown, final, k, cap=80)
    # Whatever is published is 0, "<k", "not shown" or a multiple of k: never a count 1..k-1.
    for figure in [shown, *itertools.chain.from_iterable(published)]:
        assert isinstance(figure, Withheld) or figure == 0 or (figure % k == 0 and figure >= k)


def test_the_table_audit_takes_the_breakdowns_together():
    w = Withheld(5)
    # Each alone leaves every figure two values or more; together the total is 4 and the four
    # reporter kinds 1 each: withheld, and the total's one-part twin with it.
    kinds, decisions = ([w, w, w, w], True), ([w, 0, 0], True)
    assert not pins(w, [w, 0, 0], exact=True, k=5)
    assert table_pins(w, [kinds, decisions], k=5)
    total, (kinds_shown, decisions_shown) = publish_table(4, 0, [kinds, decisions], k=5)
    assert total == WithheldTotal(5)
    assert decisions_shown == [WithheldTotal(5), 0, 0]
    assert not attacker_pins_a_table(total, [(kinds_shown, True), (decisions_shown, True)], 5, 60)


def test_breakdowns_that_pin_through_each_other_lose_a_part_of_the_narrowest_first():
    w = Withheld(5)
    # Reporter kinds 5, "<5" x 3 say at least 8 reports; two categories "<5" at most 8: so 8,
    # the kinds 5, 1, 1, 1, the categories 4 and 4, whether or not the total is shown.
    kinds, categories = ([5, w, w, w], True), ([w, w, 0], False)
    assert attacker_pins_a_table(WithheldTotal(5), [kinds, categories], 5, 60)

    total, (kinds_shown, categories_shown) = publish_table(8, 0, [kinds, categories], k=5)

    # The categories "not shown" take the "at most 8" away; the total (8 rounded up) can show.
    assert categories_shown == [WithheldTotal(5), WithheldTotal(5), 0]
    assert kinds_shown == [5, w, w, w]
    assert total == 10
    assert not attacker_pins_a_table(total, [(kinds_shown, True), (categories_shown, False)], 5, 60)


def test_an_audit_that_looks_at_one_breakdown_at_a_time_is_caught_by_the_attacker(monkeypatch):
    # The attacker can fail the table: audited one sum at a time (as it was), the table above
    # is published whole, total and all, and the attacker pins the reporter kinds.
    whole_system = disclosure.system_pins

    def one_sum_at_a_time(figures, sums, *, k=None):
        return set().union(*(whole_system(figures, [one], k=k) for one in sums))

    monkeypatch.setattr(disclosure, "system_pins", one_sum_at_a_time)
    w = Withheld(5)
    kinds, categories = ([5, w, w, w], True), ([w, w, 0], False)

    total, published = disclosure.publish_table(8, 0, [kinds, categories], k=5)

    assert (total, published) == (10, [[5, w, w, w], [w, w, 0]])
    assert attacker_pins_a_table(total, [(published[0], True), (published[1], False)], 5, 60)


def test_disclose_and_publish_count_agree_on_what_is_small():
    for k in range(4, 9):
        for count in range(0, 3 * k):
            small = isinstance(disclose(count, k=k), Withheld)
            assert small == isinstance(publish_count(count, 0, k=k), Withheld)
