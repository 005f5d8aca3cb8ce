"""Disclosure control: the one rule for every figure drawn from people's reports.

A count of 1 to k-1 people could point at someone (two officers in a small force reporting
doxxing this month), so it is withheld; a true zero names nobody and is shown. A median or a
percentage describes its base, so it is withheld whenever that base is under k, however large
the figure itself. k is settings.HARMSPORTAL_DISCLOSURE_K (5 unless configured, never under 2).

Wellbeing, campaigns and trends call `disclose` for every figure they show or export; trends
builds its secondary suppression (totals that would let a withheld cell be worked out) on top
of it. Never write a second copy of the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from django.conf import settings

Number = TypeVar("Number", int, float, Decimal)


@dataclass(frozen=True)
class Withheld:
    """Stands in for a figure that is not shown. Renders as "fewer than k" in a template."""

    k: int

    def __str__(self) -> str:
        return f"fewer than {self.k}"


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
