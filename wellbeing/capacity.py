"""Capacity: can a force deliver the support people are referred for? Aggregates only.

For each of the six support types, in one force or across all forces:

- **Open referrals** (accepted, assigned or in support) of that type, against the **capacity**:
  the sum of the capacity of the force's active support services of that type.
- **Waits** from acceptance to first support, over referrals whose first support came in the
  last `WAIT_WINDOW_DAYS` days: the median and the 90th percentile, by the nearest-rank method
  (the value at rank ceil(p/100 x n) of the sorted waits; `nearest_rank`).
- **Over target wait**: open referrals whose wait has gone past the type's target. That is a
  referral still waiting for first support whose wait so far is longer than the target, or
  one whose support has started after a wait longer than the target. The type's target is
  the shortest `target_wait_days` among the force's active services of that type; a type with
  no active service has no target, and the page says "No service". Across all forces, each
  referral is measured against its own force's target.

Every count of referrals goes through `harmsportal.disclosure.disclose` (1 to k-1 is withheld),
and a median or percentile of fewer than k waits is withheld. Capacity and targets describe
services, not people, so they are shown as they are. Nothing here names a person, a reference or
anything anyone wrote.

Over several forces, each count is a total of the forces' counts, and each force's count can be
seen on its own (an analyst filters by force). So the open and over-target counts go through
`harmsportal.disclosure.disclose_total` with the forces' counts as its parts: a total that would
let a withheld force's count be worked out by subtraction is withheld too. For one force that is
the same as `disclose`. There is no total across support types.

Over target is a part of open, published beside it, so open minus over target (the referrals
within the target) could be worked out: the over-target figure goes through
`harmsportal.disclosure.disclose_part`, which also withholds it when that rest is 1 to k-1
(open 9, over target 5: exactly 4 within the target), for one force or over several.

The figures take a fixed number of queries whatever the number of referrals: one aggregate of
services, one aggregate of open referrals by force and type (over-target included, as a
conditional count), and one list of wait durations.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, Sum, Value
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from harmsportal.disclosure import Withheld, disclose, disclose_part, disclose_total
from harmsportal.people.models import Force, Role, User
from wellbeing.models import OPEN_STATES, Referral, SupportService, SupportType

# Waits are measured over support that started in the last year: recent enough to describe
# the services as they are now.
WAIT_WINDOW_DAYS = 365
# Roles that see their own force's capacity; a national analyst sees every force.
FORCE_CAPACITY_ROLES = (Role.CHAMPION, Role.FORCE_LEAD, Role.OVERSIGHT)
CAPACITY_ROLES = (*FORCE_CAPACITY_ROLES, Role.NATIONAL_ANALYST)

Figure = int | Decimal | Withheld


@dataclass(frozen=True)
class TypeCapacity:
    """One support type's row. `has_service` False: no active service, so no capacity or target."""

    support_type: str
    label: str
    has_service: bool
    open: Figure
    capacity: int
    # One force: its target. All forces: the shortest and longest of the forces' targets.
    target_min: int | None
    target_max: int | None
    median_wait: Figure | None  # None: nobody of this type has had first support yet
    p90_wait: Figure | None
    over_target: Figure | None  # None: no target to be over
    over_capacity: bool  # only said when the open count itself is shown


def capacity_forces_for(user: User) -> list[Force] | None:
    """The forces whose capacity `user` may see: None means every force (a national analyst)."""
    if not user.is_authenticated or user.professional_standards:
        return []
    if user.has_role(Role.NATIONAL_ANALYST):
        return None
    forces = {m.force for m in user.membership_list() if m.role in FORCE_CAPACITY_ROLES}
    return sorted(forces, key=lambda force: force.name)


def nearest_rank(sorted_values: Sequence, percent: int):
    """The value at rank ceil(percent/100 x n) of `sorted_values` (ascending, n >= 1)."""
    if not sorted_values:
        raise ValueError("No values to take a percentile of")
    rank = max(1, math.ceil(percent * len(sorted_values) / 100))
    return sorted_values[rank - 1]


def wait_in_days(wait: timedelta) -> Decimal:
    """A wait in days, to one decimal place (half a day up)."""
    days = Decimal(wait.total_seconds()) / Decimal(86400)
    return days.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _wait() -> ExpressionWrapper:
    return ExpressionWrapper(F("first_support_at") - F("accepted_at"), output_field=DurationField())


def _over_target_q(targets: dict[tuple[int, str], int], now: datetime) -> Q:
    """The referrals over their force's target for their type (the one rule for it)."""
    over = Q(pk__in=[])
    for (force_id, support_type), days in targets.items():
        target = timedelta(days=days)
        waiting = Q(first_support_at__isnull=True, accepted_at__lt=now - target)
        started = Q(
            GreaterThan(_wait(), Value(target, output_field=DurationField())),
            first_support_at__isnull=False,
        )
        over |= Q(force_id=force_id, support_type=support_type) & (waiting | started)
    return over


def _scoped(queryset, force_ids: Iterable[int] | None):
    return queryset if force_ids is None else queryset.filter(force_id__in=list(force_ids))


def capacity_by_type(force_ids: Iterable[int] | None, *, now: datetime | None = None):
    """A `TypeCapacity` for each support type, over `force_ids` (None: every force)."""
    now = now or timezone.now()
    force_ids = None if force_ids is None else list(force_ids)

    services = (
        _scoped(SupportService.objects.filter(active=True), force_ids)
        .values("force_id", "support_type")
        .annotate(capacity=Sum("capacity"), target=Min("target_wait_days"))
        .order_by()
    )
    capacity: dict[str, int] = defaultdict(int)
    targets: dict[tuple[int, str], int] = {}
    for row in services:
        capacity[row["support_type"]] += row["capacity"]
        targets[(row["force_id"], row["support_type"])] = row["target"]

    open_rows = (
        _scoped(Referral.objects.filter(state__in=OPEN_STATES), force_ids)
        .values("force_id", "support_type")
        .annotate(open=Count("id"), over=Count("id", filter=_over_target_q(targets, now)))
        .order_by()
    )
    # Each force's counts for each type: the parts of the type's totals.
    opened: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in open_rows:
        opened[row["support_type"]].append((row["open"], row["over"]))

    waits: dict[str, list[timedelta]] = defaultdict(list)
    started = _scoped(Referral.objects, force_ids).filter(
        accepted_at__isnull=False,
        first_support_at__gte=now - timedelta(days=WAIT_WINDOW_DAYS),
        first_support_at__lte=now,
    )
    for support_type, wait in started.annotate(wait=_wait()).values_list("support_type", "wait"):
        waits[support_type].append(max(wait, timedelta(0)))

    return [
        _row(
            support_type,
            label,
            capacity=capacity.get(support_type, 0),
            targets=[days for (_, kind), days in targets.items() if kind == support_type],
            counts=opened.get(support_type, []),
            waits=sorted(waits.get(support_type, [])),
        )
        for support_type, label in SupportType.choices
    ]


def _row(support_type, label, *, capacity, targets, counts, waits) -> TypeCapacity:
    """`counts`: (open, over target) for each force with open referrals of this type."""
    open_parts = [open_count for open_count, _ in counts]
    shown_open = disclose_total(open_parts)
    has_service = bool(targets)
    median = p90 = None
    if waits:
        median = disclose(wait_in_days(nearest_rank(waits, 50)), base=len(waits))
        p90 = disclose(wait_in_days(nearest_rank(waits, 90)), base=len(waits))
    return TypeCapacity(
        support_type=support_type,
        label=label,
        has_service=has_service,
        open=shown_open,
        capacity=capacity,
        target_min=min(targets) if targets else None,
        target_max=max(targets) if targets else None,
        median_wait=median,
        p90_wait=p90,
        # Over target is part of open: withheld too when open - over (within target) is small.
        over_target=disclose_part(counts) if has_service else None,
        over_capacity=not isinstance(shown_open, Withheld) and sum(open_parts) > capacity,
    )


def open_by_service(service_ids: Iterable[int]) -> dict[int, Figure]:
    """Open referrals held by each service (one query), each count through `disclose`."""
    service_ids = list(service_ids)
    rows = (
        Referral.objects.filter(service_id__in=service_ids, state__in=OPEN_STATES)
        .values("service_id")
        .annotate(open=Count("id"))
        .order_by()
    )
    counts = {row["service_id"]: row["open"] for row in rows}
    return {pk: disclose(counts.get(pk, 0)) for pk in service_ids}
