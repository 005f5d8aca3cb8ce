"""Shared helpers for trends tests: source data built through the real services, and the
rollup tables read back as plain rows.

Importable by other trends tests (keep these names stable):

    at(year, month, day=15, hour=12)      an aware datetime, UK time
    submitted_report(submitted_at=…, …)   a submitted report with its case, as intake leaves it
    case_of(report)                       its case, fresh from the database
    worker_for(report)                    a triage supervisor of the report's force
    assess(report, decision=…, …)         claim if need be, then triage's case_assess
    give_outcome(report, category=…)      triage's case_outcome_give
    reopen(report)                        triage's case_reopen
    withdraw(report)                      the reporter's report_withdraw
    respond(report)                       triage writes to the reporter (first response)
    erase(report)                         the report gone from the database, with its case
    rollup_snapshot()                     every rollup table's rows, without ids, sorted
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from harmsportal.people.models import Role, User
from harmsportal.trends.models import (
    DemographicRollup,
    DimensionRollup,
    PerformanceRollup,
    PublishedMonthFigure,
    ReportRollup,
    TrainingRollup,
)
from reports.models import Report
from reports.services.lifecycle import report_withdraw
from tests.factories import make_person
from tests.reports.factories import SubmittedReportFactory
from triage.models import Case
from triage.services.claiming import case_claim, case_open_from_report
from triage.services.working import (
    case_assess,
    case_message_send,
    case_outcome_give,
    case_reopen,
)

LONDON = ZoneInfo("Europe/London")


def at(year: int, month: int, day: int = 15, hour: int = 12, minute: int = 0) -> datetime:
    """An aware datetime in UK time (GMT or BST as the date has it)."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def submitted_report(
    *,
    submitted_at: datetime,
    force_slug: str = "west-yorkshire",
    categories: tuple[str, ...] = ("doxxing",),
    platforms: tuple[str, ...] = ("x",),
    offline_impacts: tuple[str, ...] = ("none",),
    reporter: User | None = None,
    kind: str = User.Kind.OFFICER,
    **user_fields,
) -> Report:
    """A report sent at `submitted_at` with its case opened, as the intake leaves it.

    Empty `categories` or `platforms` mean none given (the factory's defaults are not used)."""
    reporter = reporter or make_person(force_slug=force_slug, kind=kind, **user_fields)
    report = SubmittedReportFactory(
        reporter=reporter,
        force=reporter.home_force,
        submitted_at=submitted_at,
        offline_impacts=list(offline_impacts),
        categories=list(categories) or ["-none-"],
        platforms=list(platforms) or ["-none-"],
    )
    case_open_from_report(report)
    return report


def case_of(report: Report) -> Case:
    return Case.objects.select_related("report", "force").get(report=report)


def worker_for(report: Report) -> User:
    """A triage supervisor of the report's force (one per force; they may transfer too)."""
    force = Report.objects.get(pk=report.pk).force
    worker = User.objects.filter(
        memberships__force=force, memberships__role=Role.TRIAGE_SUPERVISOR
    ).first()
    return worker or make_person(
        Role.TRIAGE, Role.TRIAGE_SUPERVISOR, force_slug=force.slug, kind=User.Kind.STAFF
    )


def _held(report: Report) -> tuple[Case, User]:
    case, worker = case_of(report), worker_for(report)
    if case.assignee_id != worker.pk:
        case_claim(actor=worker, case=case)
        case = case_of(report)
    return case, worker


def assess(
    report: Report,
    *,
    decision: str = "crime",
    risk: str = "medium",
    categories: tuple[str, ...] | None = None,
) -> bool:
    """Triage assesses (or reassesses) the case; `categories` None keeps the case's own."""
    from reports.models import HarmCategory

    case, worker = _held(report)
    chosen = (
        case.categories.all()
        if categories is None
        else HarmCategory.objects.filter(slug__in=categories)
    )
    return case_assess(
        actor=worker, case=case, risk=risk, categories=list(chosen), recording_decision=decision
    )


def give_outcome(report: Report, *, category: str = "advice") -> bool:
    case, worker = _held(report)
    return case_outcome_give(
        actor=worker, case=case, category=category, explanation="We gave you advice."
    )


def reopen(report: Report) -> bool:
    case, worker = case_of(report), worker_for(report)
    return case_reopen(actor=worker, case=case, reason="The reporter wrote again.")


def withdraw(report: Report) -> None:
    report = Report.objects.get(pk=report.pk)
    report_withdraw(actor=report.reporter, report=report, reason="")


def respond(report: Report) -> None:
    case, worker = _held(report)
    case_message_send(actor=worker, case=case, body="We have read your report.")


def erase(report: Report) -> None:
    """The report deleted outright (an erasure), with its case and any referral from it."""
    from wellbeing.models import Referral

    case = Case.objects.filter(report=report).first()
    if case is not None:
        Referral.objects.filter(case=case).delete()
        case.delete()
    Report.objects.filter(pk=report.pk).delete()


def rollup_snapshot() -> dict[str, list[tuple]]:
    """Every rollup table's rows as sorted tuples of their values, without ids."""
    tables = (
        ReportRollup,
        DimensionRollup,
        DemographicRollup,
        PerformanceRollup,
        TrainingRollup,
        PublishedMonthFigure,
    )
    snapshot = {}
    for model in tables:
        names = [f.attname for f in model._meta.concrete_fields if f.name != "id"]
        rows = model.objects.values_list(*names)
        snapshot[model._meta.model_name] = sorted(
            tuple(str(value) for value in row) for row in rows
        )
    return snapshot
