"""Every read of a report starts here, scoped to the person asking.

`get_report_for_user` is the one access chokepoint for a report (and, through it, its
evidence and messages): it returns 404 alike for a report that does not exist and for one the
user may not see, so nobody can probe what exists. Triage, champions, leads and Professional
Standards never read reports here; triage works from its own cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from harmsportal.audit.models import AccessLog
from harmsportal.audit.services import object_label
from harmsportal.people.models import Force, Role, User
from harmsportal.people.selectors import live_link_q
from reports.models import Evidence, HarmCategory, Platform, Report, ReportStatus

ROLE_REPORTER = "reporter"
ROLE_LINKED_MEMBER = "linked member"


def reports_visible_to(user: User) -> QuerySet[Report]:
    """Reports `user` may read: their own, and family reports shared with them."""
    if not user.is_authenticated:
        return Report.objects.none()
    own = Q(reporter=user)
    # A family member's report reaches the officer they are linked to only when the family
    # member chose to share it, never as a draft, and only while the link is accepted and
    # has not been ended by either of them.
    shared = (
        Q(reporter__kind=User.Kind.FAMILY)
        & Q(family_link__member=user)
        & Q(family_link__family_user=F("reporter"))
        & live_link_q(through="family_link__")
        & Q(shared_with_member=True)
        & ~Q(status=ReportStatus.DRAFT)
    )
    if user.professional_standards:
        # The Professional Standards wall: their own reports, nobody else's, ever.
        return Report.objects.filter(own)
    return Report.objects.filter(own | shared)


def get_report_for_user(user: User, pk: UUID, *, as_reporter: bool = False) -> Report:
    """The report `pk` if `user` may see it; Http404 otherwise, whether missing or forbidden.

    `as_reporter=True` narrows to the reporter's own reports: drafts, messages and withdrawal
    are theirs alone, never the linked member's.
    """
    reports = reports_visible_to(user)
    if as_reporter:
        reports = reports.filter(reporter=user)
    report = reports.select_related("force", "reporter", "family_link__member").filter(public_id=pk)
    found = report.first()
    if found is None:
        raise Http404("No such report")
    return found


def reader_role(user: User, report: Report) -> str:
    """How `user` is reading `report`, as recorded in the access log."""
    return ROLE_REPORTER if report.reporter_id == user.pk else ROLE_LINKED_MEMBER


def get_evidence_for_user(
    user: User, report_pk: UUID, evidence_pk: UUID
) -> tuple[Report, Evidence]:
    """Evidence through its report's chokepoint; 404 for a link, or a file not on that report.

    Files are the reporter's alone (triage opens them through its cases): a linked member a
    report is shared with gets the same 404 as anyone else.
    """
    report = get_report_for_user(user, report_pk, as_reporter=True)
    evidence = (
        report.evidence.exclude(kind=Evidence.Kind.LINK).filter(public_id=evidence_pk).first()
    )
    if evidence is None:
        raise Http404("No such evidence")
    return report, evidence


def reports_of_reporter(user: User) -> QuerySet[Report]:
    """The reporter's own reports for "My reports": newest sent first (drafts, which have not
    been sent, by when they were started).

    Joins and prefetches what the list shows (`subject_label`) and what finding a draft's
    next question reads (`step_urls.resume_url`), so the page asks the same number of queries
    however many reports there are.
    """
    return (
        reports_visible_to(user)
        .filter(reporter=user)
        .select_related("force", "reporter", "family_link__family_user", "family_link__member")
        .prefetch_related("categories", "platforms")
        # The list's one date column is "Sent": a message or a transfer must not reorder it.
        .order_by(F("submitted_at").desc(nulls_first=True), "-created_at", "-id")
    )


def reports_shared_with(user: User) -> QuerySet[Report]:
    """Family members' reports shared with `user`."""
    return (
        reports_visible_to(user)
        .exclude(reporter=user)
        .select_related("reporter", "force")
        .order_by("-submitted_at", "-id")
    )


def categories_for_new_reports() -> QuerySet[HarmCategory]:
    return HarmCategory.objects.current()


def platforms_for_new_reports() -> QuerySet[Platform]:
    return Platform.objects.current()


@dataclass(frozen=True)
class SeenBy:
    """How often people in one role and force opened the report (or its evidence) on one day."""

    role: str
    force: str
    day: date
    action: str
    times: int
    last_at: datetime

    @property
    def times_label(self) -> str:
        if self.times == 1:
            return "Once"
        if self.times == 2:
            return "Twice"
        return f"{self.times} times"


def report_seen_by(report: Report) -> list[SeenBy]:
    """Who has seen the report or its evidence: one row per role, force, action and day, with
    how many times — never who by name. Newest day first.

    Every read stays in the access log; this only summarises it, so that one triager reloading
    a page nine times reads as "9 times" in one row, not nine rows. The reporter's own reads
    are left out: this answers "who else has seen it".
    """
    evidence_ids = [str(pk) for pk in report.evidence.values_list("pk", flat=True)]
    logs = AccessLog.objects.filter(
        Q(object_type=object_label(report), object_id=str(report.pk))
        | Q(object_type=object_label(Evidence()), object_id__in=evidence_ids)
    ).exclude(actor_id=report.reporter_id)
    role_labels = dict(Role.choices) | {ROLE_LINKED_MEMBER: "The family member you shared it with"}
    force_names = dict(Force.objects.values_list("slug", "name"))
    actions = dict(AccessLog.Action.choices)
    groups: dict[tuple[str, str, date, str], list[datetime]] = {}
    for role, force_slug, action, at in logs.values_list(
        "actor_role", "force_slug", "action", "at"
    ).order_by("-at", "-id"):
        key = (role, force_slug, timezone.localdate(at), action)
        groups.setdefault(key, []).append(at)
    return [
        SeenBy(
            role=role_labels.get(role, role.replace("_", " ").capitalize()),
            force=force_names.get(force_slug, ""),
            day=day,
            action=actions.get(action, action),
            times=len(moments),
            last_at=moments[0],
        )
        for (role, force_slug, day, action), moments in groups.items()
    ]
