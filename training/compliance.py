"""Compliance: who has done the training their force set, by audience and module.

The figures count each person's *current* piece of work on a module in a force: their latest
assignment that was not cancelled (`current_work`). Earlier assignments are history, so a
person who has completed a module three years running, or who is now asked to complete a new
version, is counted once, as they stand today. For each audience and module:

- **assigned**: people with current work on the module;
- **completed**: their current assignment was completed, and the completion is still in date
  (it never expires, or its expiry date is still ahead: a completion runs out ON its expiry
  date, `training.models.in_date`, the one rule every page uses). A later completion of the module by the same
  person (taken again without being asked) extends it: the person's latest completion decides;
- **overdue**: their current assignment is open and was due before today;
- **expiring in 30 days**: completed, and that latest completion runs out within the next
  `EXPIRING_DAYS` days.

Only a force's workforce is counted, listed or exported: active accounts that are not family
accounts (`training.models.COUNTED_PERSON`, applied once, in `current_work`). A family
member's refresher or re-completion is their own work on their own training page, and a
closed account has left.

The refresh rule is the completion's own: `Completion.expires_on` was set from the version the
person actually completed, so a v1 completion keeps its expiry after v2 is published. A new
version that must be completed again gives the person a new open assignment (source
NEW_VERSION), which becomes their current work: they count as assigned and not completed until
they complete it.

Each rule is one expression (`COMPLETED`, `OVERDUE`, `EXPIRING`, built by `_rules`), used both
in the aggregate counts and in the line manager's per-person view, so the two never disagree.
Every figure takes a fixed number of queries whatever the number of people: one aggregate query
grouped by force, audience and module.

Training admins see these figures exactly, with names in the overdue list: it is their own
force, and chasing training is their job. Leads, oversight and analysts see them only through
`training.figures.disclosed_figures`, which suppresses small counts (`harmsportal.disclosure`) and any count
that could be worked out from the others by subtraction.

Reads of people's training records (the overdue list, a line manager's team) and every export
are written to the access log by the `*_record` functions below, in the transaction that shows
the data. A module's review and certificate checks are in `training.review`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from harmsportal.audit.models import AccessLog
from harmsportal.audit.services import access_record
from harmsportal.disclosure import Withheld
from harmsportal.people.models import Role
from training.models import Assignment, Audience, Completion, expired, in_date

if TYPE_CHECKING:
    from collections.abc import Iterable

    from harmsportal.people.models import Force, User
    from training.models import Module, TrainingProfile

# A completion running out within this many days is "expiring".
EXPIRING_DAYS = 30

Figure = int | Withheld


# --- the rules ---------------------------------------------------------------------------------


def current_work(force_ids: Iterable[int] | None = None) -> QuerySet[Assignment]:
    """Each person's latest assignment that was not cancelled, per module and force, with
    `latest_expires_on`: the expiry of their latest completion of the module since that
    assignment's own completion (None: open, or a completion that never expires).

    "Latest" is the assignment made last (the highest key): a refresher or a new version's
    assignment replaces the completed one it follows.
    """
    later = Assignment.objects.filter(
        person=OuterRef("person"),
        module=OuterRef("module"),
        force=OuterRef("force"),
        cancelled_at__isnull=True,
        pk__gt=OuterRef("pk"),
    )
    latest_completion = Completion.objects.filter(
        person=OuterRef("person"),
        module=OuterRef("module"),
        completed_at__gte=OuterRef("completion__completed_at"),
    ).order_by("-completed_at", "-pk")
    # Only the force's workforce counts, so the one condition is applied here, where every
    # figure, overdue list, team page and export starts: never a family account (their
    # refresher is their own work) and never a closed account (they have left).
    work = Assignment.objects.counted().filter(cancelled_at__isnull=True)
    if force_ids is not None:
        work = work.filter(force_id__in=list(force_ids))
    return work.exclude(Exists(later)).annotate(
        latest_expires_on=Subquery(latest_completion.values("expires_on")[:1])
    )


@dataclass(frozen=True)
class Rules:
    completed: Q
    overdue: Q
    expiring: Q
    expired: Q


def _rules(today: date) -> Rules:
    """The conditions on `current_work()` rows, for counts and for each person's status."""
    done = Q(completion__isnull=False)
    still_in_date = in_date(today, "latest_expires_on")
    return Rules(
        completed=done & still_in_date,
        overdue=Q(completion__isnull=True, due_on__lt=today),
        expiring=done
        & still_in_date
        & Q(latest_expires_on__lte=today + timedelta(days=EXPIRING_DAYS)),
        expired=done & expired(today, "latest_expires_on"),
    )


# --- exact figures (training admins) ------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """One force's exact figures for one audience and module."""

    assigned: int
    completed: int
    overdue: int
    expiring: int


@dataclass(frozen=True)
class ComplianceRow:
    audience: str
    audience_label: str
    module_title: str
    module_slug: str
    assigned: Figure
    completed: Figure
    overdue: Figure
    expiring: Figure
    # Whole per cent of assigned that are completed; a Withheld when it cannot be shown.
    percent_complete: Figure


def percent(part: int, whole: int) -> int:
    """`part` of `whole` as a whole per cent, halves rounded up (whole > 0)."""
    return (200 * part + whole) // (2 * whole)


def audience_label(value: str) -> str:
    return Audience(value).label if value in Audience.values else value


def counts_by_force(
    force_ids: Iterable[int] | None,
    *,
    audience: str | None = None,
    module: Module | None = None,
    today: date | None = None,
) -> dict[tuple[str, str, str], dict[int, Counts]]:
    """{(audience, module title, module slug): {force id: Counts}}, in one query."""
    today = today or timezone.localdate()
    rules = _rules(today)
    work = current_work(force_ids)
    if audience:
        work = work.filter(audience=audience)
    if module is not None:
        work = work.filter(module=module)
    rows = (
        work.values("force_id", "audience", "module__title", "module__slug")
        .annotate(
            assigned=Count("pk"),
            completed=Count("pk", filter=rules.completed),
            overdue=Count("pk", filter=rules.overdue),
            expiring=Count("pk", filter=rules.expiring),
        )
        .order_by()
    )
    found: dict[tuple[str, str, str], dict[int, Counts]] = defaultdict(dict)
    for row in rows:
        key = (row["audience"], row["module__title"], row["module__slug"])
        found[key][row["force_id"]] = Counts(
            row["assigned"], row["completed"], row["overdue"], row["expiring"]
        )
    return found


def in_order(keys):
    """By audience (in the order audiences are listed), then module title."""
    order = {value: index for index, value in enumerate(Audience.values)}
    return sorted(keys, key=lambda key: (order.get(key[0], len(order)), key[1].lower(), key[2]))


def compliance_rows(
    force: Force,
    *,
    audience: str | None = None,
    module: Module | None = None,
    today: date | None = None,
) -> list[ComplianceRow]:
    """The exact figures for one force, for its training admins: one row per audience and
    module that anyone has current work on."""
    found = counts_by_force([force.pk], audience=audience, module=module, today=today)
    rows = []
    for key in in_order(found):
        counts = found[key][force.pk]
        rows.append(
            ComplianceRow(
                audience=key[0],
                audience_label=audience_label(key[0]),
                module_title=key[1],
                module_slug=key[2],
                assigned=counts.assigned,
                completed=counts.completed,
                overdue=counts.overdue,
                expiring=counts.expiring,
                percent_complete=percent(counts.completed, counts.assigned),
            )
        )
    return rows


# --- people (training admins and line managers) --------------------------------------------------


def overdue_work(
    force: Force,
    *,
    audience: str | None = None,
    module: Module | None = None,
    today: date | None = None,
) -> QuerySet[Assignment]:
    """The force's overdue current work, longest overdue first, with each person and module."""
    today = today or timezone.localdate()
    work = current_work([force.pk]).filter(_rules(today).overdue)
    if audience:
        work = work.filter(audience=audience)
    if module is not None:
        work = work.filter(module=module)
    return work.select_related("person", "module").order_by("due_on", "person__full_name", "pk")


@dataclass(frozen=True)
class TeamWork:
    """One piece of a team member's current work, as their line manager sees it."""

    module_title: str
    audience_label: str
    due_on: date
    status: str  # a key of STATUS_LABELS
    completed_on: date | None
    expires_on: date | None


@dataclass(frozen=True)
class TeamMember:
    name: str
    email: str
    force_name: str
    work: list[TeamWork]


STATUS_LABELS = {
    "completed": "Completed",
    "expiring": "Expires soon",
    "expired": "Expired",
    "overdue": "Overdue",
    "to_do": "To do",
}


def _status(row) -> str:
    if row.is_expiring:
        return "expiring"
    if row.is_completed:
        return "completed"
    if row.is_expired:
        return "expired"
    return "overdue" if row.is_overdue else "to_do"


def team_members(profiles: Iterable[TrainingProfile], *, today: date | None = None):
    """Each person in `profiles` (from `training.selectors.team_profiles`) with their current
    work in that profile's force, by name. Two queries whatever the size of the team."""
    today = today or timezone.localdate()
    rules = _rules(today)
    profiles = sorted(profiles, key=lambda p: (p.person.full_name.lower(), p.force.name, p.pk))
    if not profiles:
        return []
    pairs = Q(pk__in=[])
    for profile in profiles:
        pairs |= Q(person_id=profile.person_id, force_id=profile.force_id)
    flags = {
        f"is_{name}": ExpressionWrapper(getattr(rules, name), output_field=BooleanField())
        for name in ("completed", "overdue", "expiring", "expired")
    }
    work = (
        current_work({profile.force_id for profile in profiles})
        .filter(pairs)
        .annotate(**flags)
        .select_related("module", "completion")
        .order_by("due_on", "module__title", "pk")
    )
    by_pair: dict[tuple[int, int], list[TeamWork]] = defaultdict(list)
    for row in work:
        by_pair[(row.person_id, row.force_id)].append(
            TeamWork(
                module_title=row.module.title,
                audience_label=audience_label(row.audience),
                due_on=row.due_on,
                status=_status(row),
                completed_on=timezone.localdate(row.completion.completed_at)
                if row.completion
                else None,
                expires_on=row.latest_expires_on,
            )
        )
    return [
        TeamMember(
            name=profile.person.full_name,
            email=profile.person.email,
            force_name=profile.force.name,
            work=by_pair.get((profile.person_id, profile.force_id), []),
        )
        for profile in profiles
    ]


# --- the access log --------------------------------------------------------------------------------


@transaction.atomic
def overdue_list_read_record(*, actor: User, force: Force, shown: int, page: int) -> None:
    """A training admin read the names on their force's overdue list."""
    access_record(
        actor=actor,
        action=AccessLog.Action.READ,
        object_type="training.overdue_list",
        object_id=force.slug,
        force=force,
        role=Role.TRAINING_ADMIN,
        reason=f"Overdue training, page {page}: {shown} people",
    )


@transaction.atomic
def team_read_record(*, actor: User, members: int, export_format: str = "") -> None:
    """A line manager read (or exported) their team's training records."""
    access_record(
        actor=actor,
        action=AccessLog.Action.EXPORT if export_format else AccessLog.Action.READ,
        object_type="training.team",
        object_id=str(actor.pk),
        reason=(
            f"Team training records ({export_format}): {members} people"
            if export_format
            else f"Team training records: {members} people"
        ),
    )


@transaction.atomic
def compliance_export_record(
    *, actor: User, force: Force, export_format: str, rows: int, what: str = "compliance"
) -> None:
    """A training admin exported their force's compliance table, or (`what` "overdue") the
    names on its overdue list."""
    overdue = what == "overdue"
    access_record(
        actor=actor,
        action=AccessLog.Action.EXPORT,
        object_type="training.overdue_list" if overdue else "training.compliance",
        object_id=force.slug,
        force=force,
        role=Role.TRAINING_ADMIN,
        reason=f"{'Overdue training' if overdue else 'Training compliance'} "
        f"({export_format}): {rows} rows",
    )
