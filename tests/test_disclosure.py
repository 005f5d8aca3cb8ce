"""Disclosure control: small counts, and medians or percentages of small bases, are withheld."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from harmsportal.disclosure import Withheld, disclose

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
