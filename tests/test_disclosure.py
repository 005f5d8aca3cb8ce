"""Disclosure control: small counts, and medians or percentages of small bases, are withheld."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from harmsportal.disclosure import Withheld, WithheldTotal, disclose, disclose_total

ks = st.integers(min_value=2, max_value=100)
counts = st.integers(min_value=0, max_value=10**12)
figures = st.one_of(
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False),
)


@given(count=counts, k=ks)
def test_a_count_from_1_to_k_minus_1_is_withheld_and_any_other_is_shown_exactly(count, k):
    shown = disclose(count, k=k)

    if 1 <= count <= k - 1:
        assert shown == Withheld(k)
    else:
        assert shown == count
        assert type(shown) is int


@given(figure=figures, base=counts, k=ks)
def test_a_median_or_percentage_is_shown_only_when_its_base_is_at_least_k(figure, base, k):
    shown = disclose(figure, base=base, k=k)

    if base < k:
        assert shown == Withheld(k)
    else:
        assert shown is figure


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, 0), (1, Withheld(5)), (4, Withheld(5)), (5, 5), (6, 6)],
)
def test_k_is_five_unless_configured(count, expected):
    assert disclose(count) == expected


def test_k_comes_from_the_setting(settings):
    settings.HARMSPORTAL_DISCLOSURE_K = 10

    assert disclose(9) == Withheld(10)
    assert disclose(Decimal("42.5"), base=9) == Withheld(10)
    assert disclose(Decimal("42.5"), base=10) == Decimal("42.5")


def test_a_percentage_of_nobody_is_withheld_not_divided_by_zero():
    assert disclose(0.0, base=0) == Withheld(5)


def test_a_withheld_figure_reads_plainly_in_a_page():
    rendered = Template("{{ figure }}").render(Context({"figure": disclose(3)}))

    assert rendered == "fewer than 5"


@pytest.mark.parametrize("count", [2.0, True, "3", None])
def test_a_count_that_is_not_a_whole_number_of_people_is_refused(count):
    with pytest.raises(TypeError):
        disclose(count)


@pytest.mark.parametrize("call", [lambda: disclose(-1), lambda: disclose(50.0, base=-3)])
def test_a_negative_count_or_base_is_refused(call):
    with pytest.raises(ValueError, match="negative"):
        call()


@pytest.mark.parametrize("k", [0, 1])
def test_a_k_that_would_withhold_nothing_is_refused(k):
    with pytest.raises(ValueError, match="2 or more"):
        disclose(1, k=k)


# ---------------------------------------------------------------------------
# Secondary suppression: totals whose parts are published too
# ---------------------------------------------------------------------------


def _values_each_withheld_part_could_take(parts: list[int], total: int, k: int) -> list[set[int]]:
    """Brute force, as someone subtracting would: for each withheld part, every value it could
    be, given the total, the shown parts and that each withheld part is 1 to k-1."""
    shown = [part for part in parts if not 0 < part < k]
    m = sum(1 for part in parts if 0 < part < k)
    rest = total - sum(shown)
    could = [set() for _ in range(m)]
    for guess in itertools.product(range(1, k), repeat=m):
        if sum(guess) == rest:
            for i, value in enumerate(guess):
                could[i].add(value)
    return could


@given(
    parts=st.lists(st.integers(min_value=0, max_value=12), max_size=5),
    k=st.integers(min_value=2, max_value=6),
)
def test_a_shown_total_never_lets_a_withheld_part_or_a_small_sum_be_worked_out(parts, k):
    shown = disclose_total(parts, k=k)

    if isinstance(shown, Withheld):
        # Withheld only when the total is small, or subtracting would give a count away.
        could = _values_each_withheld_part_could_take(parts, sum(parts), k)
        rest = sum(part for part in parts if 0 < part < k)
        assert 0 < sum(parts) < k or 0 < rest < k or any(len(c) == 1 for c in could)
    else:
        assert shown == sum(parts)
        rest = sum(part for part in parts if 0 < part < k)
        assert rest == 0 or rest >= k
        assert all(len(c) > 1 for c in _values_each_withheld_part_could_take(parts, shown, k))


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        # All forces 12: West Yorkshire 9, North Yorkshire "<5", so North Yorkshire is 3.
        ([9, 3, 0, 0], WithheldTotal(5)),
        ([9, 1], WithheldTotal(5)),
        ([9, 2, 2], WithheldTotal(5)),  # the two withheld together are 4: a small count
        ([9, 3, 2], 14),  # the withheld parts add up to 5: each could be 1 to 4
        ([9, 5, 0], 14),  # nothing is withheld
        ([9, 4, 4], WithheldTotal(5)),  # two "<5" with a rest of 8: both are 4
        ([1, 1, 1, 1, 1], WithheldTotal(5)),  # five "<5" with a rest of 5: all are 1
        ([3], Withheld(5)),  # a total that is small itself is withheld as any count is
        ([1, 2], Withheld(5)),
        ([], 0),
        ([0, 0], 0),
    ],
)
def test_a_total_is_withheld_when_subtracting_the_shown_parts_would_give_a_count_away(
    parts, expected
):
    assert disclose_total(parts) == expected


def test_a_total_withheld_for_its_parts_is_still_withheld_and_says_not_shown():
    total = disclose_total(iter([9, 3]))

    assert isinstance(total, Withheld)
    assert total != Withheld(5)  # not "fewer than 5": the total is 12
    assert str(total) == "not shown"


def test_a_total_of_one_part_is_that_part_disclosed(settings):
    settings.HARMSPORTAL_DISCLOSURE_K = 10

    assert disclose_total([9]) == Withheld(10)
    assert disclose_total([10]) == 10
    assert disclose_total([10, 9]) == WithheldTotal(10)


@pytest.mark.parametrize("parts", [[9, 2.0], [True, 9], [9, None]])
def test_a_part_that_is_not_a_whole_number_of_people_is_refused(parts):
    with pytest.raises(TypeError):
        disclose_total(parts)


def test_a_negative_part_is_refused():
    with pytest.raises(ValueError, match="negative"):
        disclose_total([9, -3])
