"""`disclose_share`: a percentage beside a rounded count of its base never gives away a count
of 1 to k-1, neither the part nor the rest (decision 0011)."""

from __future__ import annotations

import pytest

from harmsportal.disclosure import (
    Withheld,
    WithheldTotal,
    disclose_share,
    publish_count,
    true_range,
)


def test_one_of_five_referrals_accepted_is_not_shown_as_20_percent():
    # 5 offered shows as "5" (5 to 9) and 1 accepted as "<5": only 1 of 5 is 20%.
    assert disclose_share(1, 5, k=5) == WithheldTotal(5)


def test_seven_of_eight_trained_is_not_shown_as_88_percent():
    # 8 assigned shows as 10 (6 to 14): only 7 of 8 is 88%, so exactly 1 has not.
    assert disclose_share(7, 8, k=5) == WithheldTotal(5)


def test_a_percentage_of_fewer_than_k_is_withheld_as_fewer_than_k():
    found = disclose_share(0, 4, k=5)
    assert isinstance(found, Withheld)
    assert not isinstance(found, WithheldTotal)


@pytest.mark.parametrize(("part", "base", "shown"), [(0, 9, 0), (9, 9, 100), (5, 10, 50)])
def test_0_and_100_percent_are_true_zeros_and_shown(part, base, shown):
    assert disclose_share(part, base, k=5) == shown


@pytest.mark.parametrize(("part", "base", "shown"), [(5, 1000, 1), (995, 1000, 99), (25, 30, 83)])
def test_a_percentage_is_whole_and_0_or_100_only_when_exact(part, base, shown):
    assert disclose_share(part, base, k=5) == shown


@pytest.mark.parametrize("k", [4, 5, 10])
def test_no_shown_percentage_beside_its_published_base_pins_a_small_part_or_rest(k):
    """An attacker sees the base as published (every cell key) and the percentage: every
    (part, base) that fits them has a part and a rest of 0 or at least k."""
    shown: dict[tuple[object, int], set[tuple[int, int]]] = {}
    for base in range(0, 8 * k):
        for key_sum in range(0, 256, 7):
            published = publish_count(base, key_sum, k=k)
            for part in range(base + 1):
                percent = disclose_share(part, base, k=k) if base else None
                if isinstance(percent, int):
                    shown.setdefault((published, percent), set()).add((part, base))
    assert shown
    for (published, _), fits in shown.items():
        low, high = true_range(published, k=k)
        for part, base in fits:
            assert low <= base <= high
            assert part == 0 or part >= k
            assert base - part == 0 or base - part >= k


@pytest.mark.parametrize(("part", "base"), [(6, 5), (-1, 5), (1, -1), (True, 5), (1.0, 5)])
def test_a_part_larger_than_its_base_or_not_a_count_is_refused(part, base):
    with pytest.raises((TypeError, ValueError)):
        disclose_share(part, base, k=5)
