"""The compliance figures with disclosure control, for force leads, oversight and analysts.

The same counts as a training admin's (`training.compliance.counts_by_force`), as aggregates
only: no names, and every count through `harmsportal.disclosure`, so that neither a small count
nor one worked out from the others by subtraction is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harmsportal.disclosure import (
    Withheld,
    WithheldTotal,
    disclose,
    disclose_part,
    disclose_total,
)
from harmsportal.people.models import Role
from training.compliance import (
    ComplianceRow,
    Counts,
    Figure,
    audience_label,
    counts_by_force,
    in_order,
    percent,
)

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from harmsportal.people.models import Force, User


def _first_withheld(*figures: Figure) -> Figure:
    """The first of `figures` that is withheld, else the first (they are the same count)."""
    return next((figure for figure in figures if isinstance(figure, Withheld)), figures[0])


def disclose_counts(parts: list[Counts]) -> dict[str, Figure]:
    """The four figures and the per cent complete for one audience and module, over the
    forces whose exact counts are `parts`, each withheld when it, or something worked out from
    it and the others, is a small count.

    The figures nest: completed and overdue are parts of assigned (completed people are not
    overdue), and expiring is a part of completed. Subtracting shown figures gives the people
    not completed (assigned - completed), those not completed but not overdue either
    (assigned - completed - overdue), those not overdue (assigned - overdue), those completed
    and not expiring (completed - expiring) and those not expiring (assigned - expiring). Each
    figure goes through `disclose_part` against every figure it is a part of, so none of those
    rests can be worked out when it is 1 to k-1; assigned goes through `disclose_total` over
    the forces. With every rest that can be worked out 0 or at least k, so is every sum of
    them. The per cent complete is shown only when both completed and assigned are, and its
    base (assigned) is k or more. When a group is withheld, so is every part of it, zeros
    included, so nothing is said about the few people in it (attribute disclosure).
    """
    assigned = disclose_total([p.assigned for p in parts])
    completed = disclose_part([(p.assigned, p.completed) for p in parts])
    overdue = _first_withheld(
        disclose_part([(p.assigned - p.completed, p.overdue) for p in parts]),
        disclose_part([(p.assigned, p.overdue) for p in parts]),
    )
    expiring = _first_withheld(
        disclose_part([(p.completed, p.expiring) for p in parts]),
        disclose_part([(p.assigned, p.expiring) for p in parts]),
    )
    # A part of a withheld group is withheld too, even 0: "fewer than 5 assigned, 0 completed"
    # tells anyone who knows the few people in that group that none of them has done it.
    if isinstance(assigned, Withheld):
        completed = overdue = expiring = WithheldTotal(assigned.k)
    if isinstance(completed, Withheld):
        share: Figure = completed
    elif isinstance(assigned, Withheld):
        share = assigned
    else:
        share = disclose(percent(completed, assigned), base=assigned)
    return {
        "assigned": assigned,
        "completed": completed,
        "overdue": overdue,
        "expiring": expiring,
        "percent_complete": share,
    }


# Roles that see their own force's aggregate figures; a national analyst sees every force.
FORCE_FIGURES_ROLES = (Role.FORCE_LEAD, Role.OVERSIGHT)
FIGURES_ROLES = (*FORCE_FIGURES_ROLES, Role.NATIONAL_ANALYST)


def figures_forces_for(user: User) -> list[Force] | None:
    """The forces whose aggregate figures `user` may see: None means every force."""
    if not user.is_authenticated or user.professional_standards:
        return []
    if user.has_role(Role.NATIONAL_ANALYST):
        return None
    forces = {m.force for m in user.membership_list() if m.role in FORCE_FIGURES_ROLES}
    return sorted(forces, key=lambda force: force.name)


def disclosed_figures(
    force_ids: Iterable[int] | None,
    *,
    audience: str | None = None,
    today: date | None = None,
) -> list[ComplianceRow]:
    """The figures for one or more forces (None: every force), as aggregates only: no names,
    every count through `harmsportal.disclosure` (`disclose_counts`)."""
    found = counts_by_force(force_ids, audience=audience, today=today)
    return [
        ComplianceRow(
            audience=key[0],
            audience_label=audience_label(key[0]),
            module_title=key[1],
            module_slug=key[2],
            **disclose_counts(list(found[key].values())),
        )
        for key in in_order(found)
    ]
