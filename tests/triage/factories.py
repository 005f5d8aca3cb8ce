"""Case factories, one per state. Each goes through the real intake and services, so the
report's own status, timeline and notifications are what they would be in the portal."""

from __future__ import annotations

from datetime import datetime, timedelta

import factory
from django.utils import timezone

from harmsportal.people.models import Role, User
from reports.models import HarmCategory, Report, ReportStatus
from tests.factories import force, make_person
from tests.reports.factories import SubmittedReportFactory
from triage.models import Case, CaseAction
from triage.services.claiming import case_claim, case_open_from_report
from triage.services.working import case_action_record, case_assess, case_close, case_outcome_give

REPORT_TEXT = "They posted my home address on 14 Acacia Avenue and said they would visit."


def reporter_in(force_slug: str = "west-yorkshire") -> User:
    return make_person(force_slug=force_slug, full_name="Rep Orter")


def triager_in(force_slug: str = "west-yorkshire", **fields) -> User:
    return make_person(Role.TRIAGE, force_slug=force_slug, kind=User.Kind.STAFF, **fields)


class CaseFactory(factory.Factory):
    """A case for a just-submitted report: new, unassigned, clocks running."""

    class Meta:
        model = Case

    reporter = factory.LazyFunction(reporter_in)
    submitted_at = factory.LazyFunction(timezone.now)
    categories = ("doxxing",)
    description = REPORT_TEXT

    @classmethod
    def _create(cls, model_class, **kwargs) -> Case:
        report = SubmittedReportFactory(
            reporter=kwargs.pop("reporter"),
            submitted_at=kwargs.pop("submitted_at"),
            categories=list(kwargs.pop("categories")),
            description=kwargs.pop("description"),
        )
        case = case_open_from_report(report)
        return cls._advance(case, **kwargs)

    @classmethod
    def _advance(cls, case: Case, **kwargs) -> Case:
        return case


class ClaimedCaseFactory(CaseFactory):
    assignee = factory.LazyFunction(triager_in)

    @classmethod
    def _advance(cls, case: Case, **kwargs) -> Case:
        assignee = kwargs.pop("assignee")
        case = super()._advance(case, **kwargs)
        case_claim(actor=assignee, case=case)
        return Case.objects.get(pk=case.pk)


class AssessedCaseFactory(ClaimedCaseFactory):
    risk = "medium"
    recording_decision = "non_crime_incident"

    @classmethod
    def _advance(cls, case: Case, **kwargs) -> Case:
        risk, decision = kwargs.pop("risk"), kwargs.pop("recording_decision")
        case = super()._advance(case, **kwargs)
        case_assess(
            actor=case.assignee,
            case=case,
            risk=risk,
            categories=case.categories.all(),
            recording_decision=decision,
        )
        return Case.objects.get(pk=case.pk)


class ActionUnderWayCaseFactory(AssessedCaseFactory):
    @classmethod
    def _advance(cls, case: Case, **kwargs) -> Case:
        case = super()._advance(case, **kwargs)
        case_action_record(actor=case.assignee, case=case, kind=CaseAction.Kind.SAFEGUARDING_ADVICE)
        return Case.objects.get(pk=case.pk)


class OutcomeGivenCaseFactory(AssessedCaseFactory):
    outcome_category = "advice"
    outcome_explanation = "We gave you advice on locking down your accounts."

    @classmethod
    def _advance(cls, case: Case, **kwargs) -> Case:
        category, explanation = kwargs.pop("outcome_category"), kwargs.pop("outcome_explanation")
        case = super()._advance(case, **kwargs)
        case_outcome_give(
            actor=case.assignee, case=case, category=category, explanation=explanation
        )
        return Case.objects.get(pk=case.pk)


class ClosedCaseFactory(OutcomeGivenCaseFactory):
    @classmethod
    def _advance(cls, case: Case, **kwargs) -> Case:
        case = super()._advance(case, **kwargs)
        case_close(actor=case.assignee, case=case)
        return Case.objects.get(pk=case.pk)


def bulk_open_cases(
    count: int,
    *,
    reporter: User,
    force_slug: str = "west-yorkshire",
    submitted_at: datetime | None = None,
) -> list[Case]:
    """Many new cases quickly (bulk inserts), each with its report, for volume tests."""
    home = force(force_slug)
    now = submitted_at or timezone.now()
    start = Report.objects.count()
    reports = Report.objects.bulk_create(
        [
            Report(
                reporter=reporter,
                force=home,
                status=ReportStatus.SUBMITTED,
                reference=f"OH-{home.code}-2026-{start + n + 1:06d}",
                submitted_at=now - timedelta(minutes=n),
                related_to_role=True,
                description=REPORT_TEXT,
                taxonomy_version=1,
            )
            for n in range(count)
        ]
    )
    if not all(report.pk for report in reports):  # SQLite before 3.35 returns no ids
        reports = list(Report.objects.filter(reporter=reporter).order_by("pk"))[-count:]
    cases = [case_open_from_report(report) for report in reports]
    doxxing = HarmCategory.objects.get(slug="doxxing")
    Case.categories.through.objects.bulk_create(
        [Case.categories.through(case=case, harmcategory=doxxing) for case in cases]
    )
    return cases
