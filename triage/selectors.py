"""Every read of a case starts here, scoped to the person asking.

`cases_visible_to(user)` is the one queryset the queue, the supervisor view, claim next and
the admin start from; `get_case_for_user(user, pk)` is the one chokepoint for a single case,
returning 404 alike for a case that does not exist and one the user may not see. Only the
triage and triage-supervisor roles of the case's own force see a case. Professional Standards
never do: they cannot hold those roles (people.models), and they are refused here as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from django.db.models import Case as SqlCase
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least, NullIf
from django.http import Http404
from django.utils import timezone

from harmsportal.people.models import TRIAGE_ROLES, Force, Role, User
from reports.models import Evidence
from triage import sla
from triage.models import (
    OPEN_STATUSES,
    QUEUE_ORDER,
    Case,
    CaseConflict,
    CaseEvent,
    CaseStatus,
    Risk,
)

# Stands in for "no such clock" when finding a case's next due time on every database.
_FAR_FUTURE = datetime(3000, 1, 1, tzinfo=UTC)


def _force_ids_with_role(user: User, roles: Iterable[str]) -> list[int]:
    """Ids of the forces where `user` holds one of `roles`, without a query of its own.

    Read from the user's membership cache (people.models.User.membership_list), which the role
    check has already loaded for the request. Literal ids rather than a subquery also let the
    planner walk the queue index in order for one force and stop at the first row, which is
    what keeps claim next fast on a queue of 100k cases.
    """
    return sorted(
        {membership.force_id for membership in user.membership_list() if membership.role in roles}
    )


def triage_forces_of(user: User) -> list[Force]:
    """The forces whose queue `user` works (as triage or triage supervisor), by name."""
    if not user.is_authenticated:
        return []
    if user.professional_standards:
        return []
    forces = {m.force_id: m.force for m in user.membership_list() if m.role in TRIAGE_ROLES}
    return sorted(forces.values(), key=lambda force: force.name)


def supervised_forces_of(user: User) -> QuerySet[Force]:
    if not user.is_authenticated:
        return Force.objects.none()
    if user.professional_standards:
        return Force.objects.none()
    return user.forces_with_role(Role.TRIAGE_SUPERVISOR)


def queue_force_ids(user: User) -> list[int]:
    """Ids of the forces whose cases `user` may see and claim; none for anyone else."""
    if not user.is_authenticated:
        return []
    if user.professional_standards:
        return []
    return _force_ids_with_role(user, TRIAGE_ROLES)


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Cases of the forces where `user` holds a triage role; nothing for anyone else.

    A case they stepped aside from (they know the person: CaseConflict) is not theirs to read
    any more, supervisors included: it leaves their queue and its pages are a 404.
    """
    force_ids = queue_force_ids(user)
    if not force_ids:
        return Case.objects.none()
    return Case.objects.filter(force_id__in=force_ids).exclude(conflicts__user=user)


def get_case_for_user(user: User, pk: UUID) -> Case:
    """The case `pk` if `user` may work it; Http404 otherwise, whether missing or forbidden."""
    case = (
        cases_visible_to(user)
        .select_related("report__reporter", "report__family_link__family_user", "force", "assignee")
        .filter(public_id=pk)
        .first()
    )
    if case is None:
        raise Http404("No such case")
    return case


def get_case_for_supervisor(user: User, pk: UUID) -> Case:
    """The case `pk` if `user` supervises its force (a supervisor's own moves: transfer,
    reassign, legal hold); Http404 otherwise. A supervisor elsewhere who triages this force
    sees the case, but these pages are not theirs, and a 404 says no more than a missing case."""
    case = get_case_for_user(user, pk)
    if not is_supervisor_of(user, case.force):
        raise Http404("No such case")
    return case


def case_history(case: Case) -> list[CaseEvent]:
    """Every write to `case`, oldest first, with the people it names."""
    return list(case.events.select_related("actor", "from_user", "to_user").order_by("at", "id"))


def get_case_evidence(case: Case, evidence_pk: UUID) -> Evidence:
    """A file on the case's report; 404 for a link or for evidence on another report."""
    evidence = (
        Evidence.objects.filter(report_id=case.report_id, public_id=evidence_pk)
        .exclude(kind=Evidence.Kind.LINK)
        .first()
    )
    if evidence is None:
        raise Http404("No such evidence")
    return evidence


def role_in_force(user: User, force: Force) -> str:
    """How `user` works `force`'s cases, as recorded in the access log."""
    if Role.TRIAGE_SUPERVISOR in user.roles_in(force):
        return Role.TRIAGE_SUPERVISOR
    return Role.TRIAGE


def is_supervisor_of(user: User, force: Force) -> bool:
    return not user.professional_standards and Role.TRIAGE_SUPERVISOR in user.roles_in(force)


def triagers_of(force: Force) -> QuerySet[User]:
    """Active people holding a triage role in `force`: who a case may be assigned to."""
    return (
        User.objects.filter(
            memberships__force=force,
            memberships__role__in=TRIAGE_ROLES,
            is_active=True,
            professional_standards=False,
        )
        .distinct()
        .order_by("full_name", "email")
    )


def assignable_triagers_for(case: Case) -> QuerySet[User]:
    """Who the case may be reassigned to: its force's triage team, less anyone who stepped aside."""
    return triagers_of(case.force).exclude(pk__in=case.conflicts.values("user_id"))


def declared_conflicts_of(case: Case) -> QuerySet[CaseConflict]:
    """Who stepped aside from the case, for the team to see (never why). The conflicts the
    portal writes for the reporter and their family link are not shown."""
    return case.conflicts.filter(source=CaseConflict.Source.DECLARED).select_related("user")


def supervisors_of(force: Force, *, case: Case | None = None) -> QuerySet[User]:
    """The force's triage supervisors; about `case`, less anyone who may not read it (stepped
    aside, or the reporter and their family link: CaseConflict)."""
    supervisors = User.objects.filter(
        memberships__force=force,
        memberships__role=Role.TRIAGE_SUPERVISOR,
        is_active=True,
        professional_standards=False,
    )
    if case is not None:
        supervisors = supervisors.exclude(pk__in=case.conflicts.values("user_id"))
    return supervisors.distinct()


def triage_colleagues_of(user: User) -> QuerySet[User]:
    """Everyone working the same queues as `user`, for the assignee filter."""
    return (
        User.objects.filter(
            memberships__force_id__in=_force_ids_with_role(user, TRIAGE_ROLES),
            memberships__role__in=TRIAGE_ROLES,
            is_active=True,
        )
        .only("id", "full_name", "email")
        .distinct()
        .order_by("full_name", "email")
    )


# ---------------------------------------------------------------------------
# Service clocks as database conditions (the same rules as triage.sla.state_of)
# ---------------------------------------------------------------------------


def _overdue_at(moment: datetime) -> Q:
    """An open case with a running clock due before `moment`."""
    return Q(status__in=OPEN_STATUSES) & (
        Q(first_responded_at__isnull=True, first_response_due__lt=moment)
        | Q(next_update_due__lt=moment)
        | Q(outcome_due__lt=moment)
    )


def breached_q(now: datetime) -> Q:
    return _overdue_at(now)


def late_q() -> Q:
    """A deadline missed and since met, or never met before the clocks stopped (sla.late_clocks)."""
    stopped = ~Q(status__in=OPEN_STATUSES)
    stopped_at = Coalesce(F("outcome_given_at"), F("closed_at"))
    return (
        Q(first_responded_at__gt=F("first_response_due"))
        | (stopped & Q(first_responded_at__isnull=True) & Q(first_response_due__lt=stopped_at))
        | Q(update_met_late_at__isnull=False)
        | Q(outcome_given_at__gt=F("outcome_due"))
        | (stopped & Q(outcome_given_at__isnull=True) & Q(outcome_due__lt=F("closed_at")))
    )


def sla_state_q(state: str, now: datetime) -> Q:
    soon = now + sla.DUE_SOON
    if state == "breached":
        return _overdue_at(now)
    if state == "due_soon":
        return _overdue_at(soon) & ~_overdue_at(now)
    if state == "met_late":
        return ~_overdue_at(soon) & late_q()
    if state == "on_time":
        return Q(status__in=OPEN_STATUSES) & ~_overdue_at(soon) & ~late_q()
    raise ValueError(f"unknown SLA state {state!r}")


def replied_q() -> Q:
    """The reporter wrote after the outcome and nobody has answered yet."""
    return Q(reporter_replied_at__isnull=False)


def waiting_q() -> Q:
    """The queue's default view: cases without an outcome, and cases whose reporter replied."""
    return Q(status__in=OPEN_STATUSES) | replied_q()


def with_next_due(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate `next_due`: the soonest running clock (null once the outcome is given)."""
    far = Value(_FAR_FUTURE, output_field=DateTimeField())
    first_response = SqlCase(
        When(first_responded_at__isnull=True, then=F("first_response_due")),
        default=far,
        output_field=DateTimeField(),
    )
    soonest = Least(
        first_response,
        Coalesce(F("next_update_due"), far, output_field=DateTimeField()),
        F("outcome_due"),
        output_field=DateTimeField(),
    )
    return cases.annotate(
        next_due=SqlCase(
            When(status__in=OPEN_STATUSES, then=ExpressionWrapper(soonest, DateTimeField())),
            default=Value(None, output_field=DateTimeField()),
            output_field=DateTimeField(),
        )
    )


# What a queue row needs from the case itself: its clocks (for the SLA badge) and the columns.
QUEUE_FIELDS = (
    "id",
    "public_id",
    "status",
    "submitted_at",
    "assignee",
    "risk",
    "priority",
    "first_response_due",
    "first_responded_at",
    "next_update_due",
    "outcome_due",
    "update_met_late_at",
    "outcome_given_at",
    "closed_at",
    "unread_since",
    "reporter_replied_at",
)


def queue_for(user: User) -> QuerySet[Case]:
    """The user's queue, for filtering, sorting and counting: no joins, so the count is cheap."""
    return with_next_due(cases_visible_to(user))


def queue_rows(cases: QuerySet[Case]) -> QuerySet[Case]:
    """`cases` (filtered and sorted) with exactly what a queue row shows, as one flat query.

    The reference and the assignee's name come as columns rather than whole related objects;
    the categories come from `category_names_for`, one more query for the page.
    """
    return cases.only(*QUEUE_FIELDS).annotate(
        reference=F("report__reference"),
        assignee_name=Coalesce(
            NullIf(F("assignee__full_name"), Value("")),
            F("assignee__email"),
            output_field=CharField(),
        ),
    )


def category_names_for(cases: list[Case]) -> dict[int, list[str]]:
    """Each case's confirmed kinds of harm, by name, in one query for a whole page of rows."""
    names: dict[int, list[str]] = {case.pk: [] for case in cases}
    links = (
        Case.categories.through.objects.filter(case_id__in=list(names))
        .order_by("harmcategory__sort_order", "harmcategory__name")
        .values_list("case_id", "harmcategory__name")
    )
    for case_id, name in links:
        names[case_id].append(name)
    return names


def claimable_cases_for(user: User) -> QuerySet[Case]:
    """Unassigned open cases in the user's queues, highest priority then oldest first.

    Never one `user` stepped aside from (the same rule as Case.claim_head_of_queue's SQL).
    """
    return (
        cases_visible_to(user)
        .filter(assignee__isnull=True, status__in=OPEN_STATUSES)
        .exclude(conflicts__user=user)
        .order_by(*QUEUE_ORDER)
    )


# ---------------------------------------------------------------------------
# Supervisor view
# ---------------------------------------------------------------------------


def breached_cases_for_supervisor(user: User, now: datetime | None = None) -> QuerySet[Case]:
    now = now or timezone.now()
    return (
        with_next_due(
            cases_visible_to(user)
            .filter(force__in=supervised_forces_of(user))
            .filter(breached_q(now))
        )
        .select_related("report", "assignee", "force")
        .order_by("next_due", "id")
    )


def replied_count_for_supervisor(user: User) -> int:
    """Cases with an outcome whose reporter wrote again, in the forces `user` supervises."""
    return (
        cases_visible_to(user)
        .filter(force__in=supervised_forces_of(user))
        .filter(replied_q())
        .count()
    )


@dataclass(frozen=True)
class Workload:
    person: User | None  # None: the unassigned cases
    force: Force
    open_cases: int
    breached: int
    immediate_or_high: int
    new_or_claimed: int


def workload_for_supervisor(user: User, now: datetime | None = None) -> list[Workload]:
    """Open cases per triager in each supervised force, including people with none."""
    now = now or timezone.now()
    forces = list(supervised_forces_of(user))
    counts = {
        (row["force_id"], row["assignee_id"]): row
        for row in Case.objects.filter(force__in=forces, status__in=OPEN_STATUSES)
        .values("force_id", "assignee_id")
        .annotate(
            open_cases=Count("id"),
            breached=Count("id", filter=breached_q(now)),
            immediate_or_high=Count("id", filter=Q(risk__in=[Risk.IMMEDIATE, Risk.HIGH])),
            new_or_claimed=Count("id", filter=Q(status__in=[CaseStatus.NEW, CaseStatus.CLAIMED])),
        )
    }
    people = (
        User.objects.filter(
            memberships__force__in=forces,
            memberships__role__in=TRIAGE_ROLES,
            is_active=True,
        )
        .annotate(force_id=F("memberships__force_id"))
        .distinct()
        .order_by("full_name", "email")
    )
    forces_by_id = {force.pk: force for force in forces}
    rows: list[Workload] = []
    seen: set[tuple[int, int]] = set()
    for person in people:
        key = (person.force_id, person.pk)
        if key in seen:
            continue
        seen.add(key)
        rows.append(_workload(person, forces_by_id[person.force_id], counts.get(key)))
    for force in forces:
        rows.append(_workload(None, force, counts.get((force.pk, None))))
    return rows


def _workload(person: User | None, force: Force, row: dict | None) -> Workload:
    row = row or {}
    return Workload(
        person=person,
        force=force,
        open_cases=row.get("open_cases", 0),
        breached=row.get("breached", 0),
        immediate_or_high=row.get("immediate_or_high", 0),
        new_or_claimed=row.get("new_or_claimed", 0),
    )
