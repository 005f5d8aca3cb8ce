"""Disclosure control: the one rule for every figure drawn from people's reports.

A count of 1 to k-1 people could point at someone (two officers in a small force reporting
doxxing this month), so it is withheld; a true zero names nobody and is shown. A median or a
percentage describes its base, so it is withheld whenever that base is under k, however large
the figure itself. k is settings.HARMSPORTAL_DISCLOSURE_K (5 unless configured, never under 2).

Wellbeing, campaigns and trends call `disclose` for every figure they show or export. A total
whose parts are published elsewhere (all forces, when each force can be seen on its own) goes
through `disclose_total`, the secondary suppression built on `disclose`: it withholds a total
that would let a withheld part be worked out by subtraction. A count that is part of another
published count (over target, of the open referrals) goes through `disclose_part`: it is
withheld when the rest, which is not published, could be worked out and is 1 to k-1. Never
write a second copy of the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings

if TYPE_CHECKING:
    from collections.abc import Iterable

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
