"""Writing the demo's history: people, reports, cases and referrals in a few bulk inserts.

Made with `bulk_create`, not the services: the services send notifications, open cases in the
present and write histories a few thousand synthetic reports do not need, and `make run` must
stay quick. What the services guarantee is kept by hand: references come from each force's
counter (so a real report made later never takes one), every case and referral is in a state
its model allows, and the reporters are accounts nobody can sign in to, with no names.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from harmsportal.people.models import Force, Membership, Role, User
from harmsportal.trends.demo import story
from harmsportal.trends.demo.plans import (
    PersonPlan,
    ReportPlan,
    history_months,
    plan_people,
    plan_report,
    submission_times,
)
from reports.models import HarmCategory, Platform, ReferenceCounter, Report, ReportStatus
from reports.models.taxonomy import current_taxonomy_version
from triage import sla
from triage.models import Case, CaseStatus
from triage.models.choices import RISK_WEIGHT, UNASSESSED_WEIGHT
from wellbeing.models import Referral, ReferralCounter

# A flag raised by the breach task a few minutes after a clock ran out.
FLAGGED_AFTER = timedelta(minutes=5)


def history_exists() -> bool:
    return Report.objects.filter(demo_key__startswith=story.DEMO_KEY_PREFIX).exists()


def history_create(*, now: datetime | None = None) -> int:
    """Write the whole history; returns how many reports it holds."""
    now = now or timezone.now()
    rng = random.Random(story.SEED)
    months = history_months(timezone.localdate(now))
    forces = {force.slug: force for force in Force.objects.filter(slug__in=_slugs())}
    plans: list[ReportPlan] = []
    people: dict[str, list[PersonPlan]] = {}
    for force in story.FORCES:
        times = submission_times(rng, force, months, now)
        people[force.slug] = plan_people(rng, round(len(times) / story.REPORTS_PER_PERSON))
        surge = _surge_month(force, months)
        for sent in times:
            index = months.index(sent.date().replace(day=1))
            plans.append(
                plan_report(
                    rng,
                    force,
                    sent,
                    len(people[force.slug]),
                    t=min(index / story.HISTORY_MONTHS, 1.0),
                    surge=sent.date().replace(day=1) == surge,
                    now=now,
                )
            )
    plans.sort(key=lambda plan: plan.submitted_at)
    accounts = _accounts(people, forces)
    reports = _reports(plans, accounts, forces)
    _tags(plans, reports)
    cases = _cases(plans, reports, forces)
    _referrals(plans, reports, cases, forces)
    return len(reports)


def _slugs() -> list[str]:
    return [force.slug for force in story.FORCES]


def _surge_month(force: story.ForceStory, months):
    if force.surge is None:
        return None
    return months[len(months) - 1 - force.surge[0]]


# --- people ----------------------------------------------------------------------------------
def _accounts(people: dict[str, list[PersonPlan]], forces) -> dict[str, list[User]]:
    """Each force's history reporters: no name, a password nobody can use, their answers."""
    emails = {}
    number = 0
    for slug in _slugs():
        for person in people[slug]:
            number += 1
            emails[story.EMAIL.format(n=number)] = (slug, person)
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    User.objects.bulk_create(
        [
            User(email=email, kind=person.kind, password=make_password(None), **person.answers)
            for email, (slug, person) in emails.items()
            if email not in existing
        ]
    )
    users = User.objects.in_bulk(list(emails), field_name="email")
    Membership.objects.bulk_create(
        [
            Membership(user=users[email], force=forces[slug], role=Role.REPORTER)
            for email, (slug, person) in emails.items()
            if email not in existing and person.kind != User.Kind.FAMILY
        ]
    )
    accounts: dict[str, list[User]] = defaultdict(list)
    for email, (slug, _) in emails.items():
        accounts[slug].append(users[email])
    return accounts


# --- reports ---------------------------------------------------------------------------------
def _references(plans: list[ReportPlan], forces, counter_model, prefix: str, when) -> list[str]:
    """The next references of each force's counter for each plan, in order, and the counters
    moved on past them (as `reference_allocate` would have, one report at a time)."""
    counters = {
        (row.force_id, row.year): row
        for row in counter_model.objects.filter(force__in=forces.values())
    }
    references = []
    for plan in plans:
        force = forces[plan.force]
        year = timezone.localtime(when(plan)).year
        counter = counters.get((force.pk, year))
        if counter is None:
            counter = counters[(force.pk, year)] = counter_model.objects.create(
                force=force, year=year
            )
        counter.last += 1
        references.append(f"{prefix}-{force.code}-{year}-{counter.last:06d}")
    for counter in counters.values():
        counter.save(update_fields=["last"])
    return references


def _reports(plans: list[ReportPlan], accounts, forces) -> list[Report]:
    references = _references(plans, forces, ReferenceCounter, "OH", lambda p: p.submitted_at)
    version = current_taxonomy_version()
    reports = []
    for number, (plan, reference) in enumerate(zip(plans, references, strict=True), start=1):
        case = plan.case
        person = accounts[plan.force][plan.person]
        last = case.closed_at or case.outcome_at or case.responded_at or plan.submitted_at
        reports.append(
            Report(
                reporter=person,
                force=forces[plan.force],
                status=_report_status(plan),
                created_at=plan.submitted_at - timedelta(minutes=20),
                updated_at=last,
                subject="self",
                shared_with_member=False if person.kind == User.Kind.FAMILY else None,
                hate_characteristics=["race"] if "hate" in plan.categories else [],
                started_on=timezone.localdate(plan.submitted_at) - timedelta(days=number % 40),
                is_ongoing=number % 3 == 0,
                related_to_role=True,
                description=story.DESCRIPTION,
                perpetrator_known=("yes", "no", "not_sure")[number % 3],
                offline_impacts=plan.impacts,
                impact_level=plan.impact_level,
                wants_support=plan.wants_support,
                line_manager_answered=person.kind != User.Kind.FAMILY,
                contact_preference="email",
                reference=reference,
                taxonomy_version=version,
                submitted_at=plan.submitted_at,
                withdrawn_at=case.withdrawn_at,
                outcome_category=case.outcome,
                outcome_explanation=story.OUTCOME_EXPLANATION if case.outcome else "",
                outcome_at=case.outcome_at,
                demo_key=f"{story.DEMO_KEY_PREFIX}{number:06d}",
            )
        )
    return Report.objects.bulk_create(reports, batch_size=500)


def _report_status(plan: ReportPlan) -> str:
    case = plan.case
    if case.withdrawn_at is not None:
        return ReportStatus.WITHDRAWN
    if case.status == CaseStatus.CLOSED:
        return ReportStatus.CLOSED
    if case.status == CaseStatus.OUTCOME_GIVEN:
        return ReportStatus.OUTCOME_GIVEN
    return ReportStatus.SUBMITTED if case.status == CaseStatus.NEW else ReportStatus.IN_PROGRESS


def _tags(plans: list[ReportPlan], reports: list[Report]) -> None:
    """The reports' categories and platforms (several each, or none)."""
    categories = dict(HarmCategory.objects.values_list("slug", "pk"))
    platforms = dict(Platform.objects.values_list("slug", "pk"))
    by_category = Report.categories.through
    by_platform = Report.platforms.through
    by_category.objects.bulk_create(
        [
            by_category(report_id=report.pk, harmcategory_id=categories[slug])
            for plan, report in zip(plans, reports, strict=True)
            for slug in plan.categories
        ],
        batch_size=1000,
    )
    by_platform.objects.bulk_create(
        [
            by_platform(report_id=report.pk, platform_id=platforms[slug])
            for plan, report in zip(plans, reports, strict=True)
            for slug in plan.platforms
        ],
        batch_size=1000,
    )


# --- cases -----------------------------------------------------------------------------------
def _flagged(due: datetime, met: datetime | None) -> datetime | None:
    """When the breach task flagged a clock met late (or never met), else None."""
    if met is None or met <= due:
        return None
    return due + FLAGGED_AFTER


def _cases(plans: list[ReportPlan], reports: list[Report], forces) -> list[Case]:
    cases = []
    for plan, report in zip(plans, reports, strict=True):
        case, sent = plan.case, plan.submitted_at
        force = forces[plan.force]
        first_due = sla.first_response_due(sent, case.risk, subdivision=force.holiday_subdivision)
        outcome_due = sla.outcome_due(sent)
        stopped = case.outcome_at or case.closed_at
        late_response = _flagged(first_due, case.responded_at or stopped)
        late_outcome = _flagged(outcome_due, stopped)
        is_open = case.status not in (CaseStatus.OUTCOME_GIVEN, CaseStatus.CLOSED)
        cases.append(
            Case(
                report=report,
                force=force,
                submitted_at=sent,
                status=case.status,
                claimed_at=case.responded_at and case.responded_at - timedelta(minutes=10),
                risk=case.risk,
                priority=RISK_WEIGHT.get(case.risk, UNASSESSED_WEIGHT),
                assessed_at=case.responded_at if case.risk else None,
                recording_decision=case.recording,
                first_response_due=first_due,
                first_responded_at=case.responded_at,
                first_response_breached_at=None if is_open else late_response,
                first_response_escalated_at=None if is_open else late_response,
                next_update_due=sla.next_update_due(case.responded_at or sent) if is_open else None,
                outcome_due=outcome_due,
                outcome_breached_at=None if is_open else late_outcome,
                outcome_escalated_at=None if is_open else late_outcome,
                outcome_given_at=case.outcome_at,
                closed_at=case.closed_at,
                close_reason=_close_reason(plan),
                created_at=sent,
                updated_at=report.updated_at,
            )
        )
    cases = Case.objects.bulk_create(cases, batch_size=500)
    confirmed = Case.categories.through
    by_slug = dict(HarmCategory.objects.values_list("slug", "pk"))
    confirmed.objects.bulk_create(
        [
            confirmed(case_id=case.pk, harmcategory_id=by_slug[slug])
            for plan, case in zip(plans, cases, strict=True)
            if case.risk
            for slug in plan.categories
        ],
        batch_size=1000,
    )
    return cases


def _close_reason(plan: ReportPlan) -> str:
    if plan.case.status != CaseStatus.CLOSED:
        return ""
    return "withdrawn" if plan.case.withdrawn_at else "after_outcome"


# --- referrals -------------------------------------------------------------------------------
def _referrals(plans: list[ReportPlan], reports, cases, forces) -> None:
    offered = [
        (plan, report, case)
        for plan, report, case in zip(plans, reports, cases, strict=True)
        if plan.referral is not None
    ]
    references = _references(
        [plan for plan, _, _ in offered],
        forces,
        ReferralCounter,
        "WB",
        lambda plan: plan.referral.offered_at,
    )
    referrals = []
    for (plan, report, case), reference in zip(offered, references, strict=True):
        offer = plan.referral
        accepted = offer.answered_at if offer.assigned_at else None
        referrals.append(
            Referral(
                reference=reference,
                force=case.force,
                person=report.reporter,
                source="case",
                case=case,
                state=offer.state,
                support_type=offer.support_type,
                consent_given_at=accepted,
                created_at=offer.offered_at,
                accepted_at=accepted,
                declined_at=offer.answered_at if offer.state == "declined" else None,
                assigned_at=offer.assigned_at,
                first_support_at=offer.first_support_at,
                closed_at=offer.closed_at,
                close_reason=offer.close_reason,
            )
        )
    Referral.objects.bulk_create(referrals, batch_size=500)
