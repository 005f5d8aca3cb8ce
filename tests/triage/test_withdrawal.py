"""A withdrawal reaches triage: the case closes, leaves the queue, stops its clocks, is never
claimed or escalated again, and whoever held it is told."""

from __future__ import annotations

import importlib
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection

from harmsportal.notifications.models import Notification
from reports.intake import withdrawal_handler_replaced
from reports.models import ReportStatus
from reports.services.lifecycle import report_withdraw
from tests.triage.factories import (
    REPORT_TEXT,
    AssessedCaseFactory,
    CaseFactory,
    ClaimedCaseFactory,
    OutcomeGivenCaseFactory,
    bulk_open_cases,
    reporter_in,
    triager_in,
)
from triage.models import Case, CaseEvent, CaseStatus, CloseReason
from triage.services.breaches import cases_flag_breaches
from triage.services.claiming import case_claim, case_claim_next
from triage.services.working import case_close
from triage.tasks import triage_flag_breaches_task

START = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Europe/London"))  # a Monday


def withdraw(case: Case) -> Case:
    report_withdraw(actor=case.report.reporter, report=case.report, reason="I have moved on.")
    return Case.objects.get(pk=case.pk)


@pytest.mark.django_db
def test_a_withdrawn_reports_case_closes_with_that_reason_and_its_clocks_stop():
    case = withdraw(CaseFactory())
    assert case.status == CaseStatus.CLOSED
    assert case.close_reason == CloseReason.WITHDRAWN
    assert case.closed_at is not None
    assert case.clocks() == []
    assert case.events.filter(kind=CaseEvent.Kind.WITHDRAWN, actor=case.report.reporter).exists()


@pytest.mark.django_db
def test_the_withdrawal_reaches_triage_in_the_same_transaction():
    case = CaseFactory()

    def broken(report, *, actor):
        raise RuntimeError("triage is unavailable")

    with withdrawal_handler_replaced(broken), pytest.raises(RuntimeError):
        report_withdraw(actor=case.report.reporter, report=case.report)
    case.report.refresh_from_db()
    assert case.report.status == ReportStatus.SUBMITTED
    assert Case.objects.get(pk=case.pk).status == CaseStatus.NEW


@pytest.mark.django_db
def test_a_refused_withdrawal_leaves_the_case_as_it_was():
    case = OutcomeGivenCaseFactory()
    case_close(actor=case.assignee, case=case)
    with pytest.raises(ValidationError):
        withdraw(Case.objects.get(pk=case.pk))  # a closed report cannot be withdrawn
    stored = Case.objects.get(pk=case.pk)
    assert stored.close_reason == CloseReason.AFTER_OUTCOME
    assert not stored.events.filter(kind=CaseEvent.Kind.WITHDRAWN).exists()


@pytest.mark.django_db
def test_withdrawing_twice_changes_nothing_more():
    case = withdraw(CaseFactory())
    withdraw(case)
    assert case.events.filter(kind=CaseEvent.Kind.WITHDRAWN).count() == 1


@pytest.mark.django_db
def test_a_withdrawn_case_leaves_the_open_queue_and_shows_why(client, triager):
    kept, gone = CaseFactory(), withdraw(CaseFactory())
    client.force_login(triager)
    queue = client.get("/triage/").content.decode()
    assert kept.report.reference in queue
    assert gone.report.reference not in queue
    page = client.get(f"/triage/cases/{gone.public_id}/").content.decode()
    assert "Withdrawn by the reporter" in page
    assert "The clocks stopped when the reporter withdrew the report." in page
    assert "Claim this case" not in page


@pytest.mark.django_db
def test_a_withdrawn_case_is_never_claimed(client, triager):
    case = withdraw(CaseFactory())
    assert case_claim_next(actor=triager) is None
    with pytest.raises(ValidationError):
        case_claim(actor=triager, case=case)
    client.force_login(triager)
    client.post(f"/triage/cases/{case.public_id}/claim/")
    assert Case.objects.get(pk=case.pk).assignee is None


@pytest.mark.django_db
def test_the_triager_holding_it_is_told_by_reference_only(triager):
    case = withdraw(ClaimedCaseFactory(assignee=triager))
    (told,) = Notification.objects.filter(user=triager)
    assert told.kind == Notification.Kind.ALERT
    assert case.report.reference in told.title
    assert "withdrawn" in told.title
    assert "I have moved on" not in told.title
    assert REPORT_TEXT[:20] not in told.title
    assert told.link_path == f"/triage/cases/{case.public_id}/"
    assert told.email_status == Notification.EmailStatus.NOT_REQUIRED  # no email chosen
    assert case.assignee == triager  # who held it stays on the record


@pytest.mark.django_db
def test_nobody_is_told_when_nobody_held_it(triage_supervisor):
    withdraw(CaseFactory())
    assert not Notification.objects.filter(kind=Notification.Kind.ALERT).exists()


@pytest.mark.django_db
def test_the_beat_task_never_escalates_a_withdrawn_case(triage_supervisor):
    with time_machine.travel(START, tick=False):
        case = CaseFactory()
        withdraw(case)
    for days in (2, 15, 30, 60):
        with time_machine.travel(START + timedelta(days=days), tick=False):
            triage_flag_breaches_task.delay()
    stored = Case.objects.get(pk=case.pk)
    assert stored.first_response_breached_at is None
    assert stored.first_response_escalated_at is None
    assert stored.outcome_escalated_at is None
    assert not Notification.objects.filter(user=triage_supervisor).exists()


@pytest.mark.django_db
def test_a_breach_found_before_the_withdrawal_is_not_escalated_after_it(triage_supervisor):
    with time_machine.travel(START, tick=False):
        case = AssessedCaseFactory(risk="high")
    # The task flagged the breach, but the escalation had not run when the reporter withdrew.
    Case.objects.filter(pk=case.pk).update(first_response_breached_at=START + timedelta(days=2))
    withdraw(case)
    with time_machine.travel(START + timedelta(days=2, minutes=5), tick=False):
        assert cases_flag_breaches() == 0
    assert not Notification.objects.filter(user=triage_supervisor, kind="alert").exists()


@pytest.mark.django_db
def test_the_migration_closes_cases_of_reports_withdrawn_before_it():
    # What migration 0003 does for a case left open by a withdrawal before this change.
    case = CaseFactory()
    case.report.withdraw(reason="")  # the old way: the report alone, triage never told
    importlib.import_module("triage.migrations.0003_case_events").close_reasons(apps, None)
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.close_reason) == (CaseStatus.CLOSED, CloseReason.WITHDRAWN)


# ---------------------------------------------------------------------------
# Concurrency, on Postgres: claimers racing a reporter's withdrawal
# ---------------------------------------------------------------------------

CLAIMERS = 8
OPEN_CASES = 60


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SELECT … FOR UPDATE SKIP LOCKED needs Postgres. CI runs this on Postgres.",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_claimers_racing_withdrawals_never_take_a_withdrawn_case():
    reporter = reporter_in()
    cases = bulk_open_cases(OPEN_CASES, reporter=reporter)
    withdrawn_before = cases[::3]  # withdrawn before anyone claims
    withdrawn_during = cases[1::3]  # withdrawn while the claimers run
    for case in withdrawn_before:
        report_withdraw(actor=reporter, report=case.report)
    claimers = [triager_in() for _ in range(CLAIMERS)]
    claimed: dict[int, list[int]] = {person.pk: [] for person in claimers}
    errors: list[BaseException] = []
    start = threading.Barrier(CLAIMERS + 1)

    def claim(person):
        try:
            start.wait()
            while (case := case_claim_next(actor=person)) is not None:
                claimed[person.pk].append(case.pk)
        except BaseException as error:  # reported below; a thread must not die silently
            errors.append(error)
        finally:
            connection.close()

    def withdraw_during():
        try:
            start.wait()
            for case in withdrawn_during:
                report_withdraw(actor=reporter, report=case.report)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(person,)) for person in claimers]
    threads.append(threading.Thread(target=withdraw_during))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    every_claim = [pk for pks in claimed.values() for pk in pks]
    assert len(every_claim) == len(set(every_claim)), "a case was claimed twice"
    assert not set(every_claim) & {case.pk for case in withdrawn_before}
    for case in withdrawn_before + withdrawn_during:
        stored = Case.objects.get(pk=case.pk)
        assert (stored.status, stored.close_reason) == (CaseStatus.CLOSED, CloseReason.WITHDRAWN)
        if stored.assignee_id is not None:
            # Claimed before the withdrawal committed: its holder was told.
            assert Notification.objects.filter(
                user_id=stored.assignee_id, title__contains=case.report.reference
            ).exists()
    # Every case nobody withdrew was claimed, once; afterwards there is nothing to claim.
    kept = {case.pk for case in cases} - {c.pk for c in withdrawn_before + withdrawn_during}
    assert kept <= set(every_claim)
    assert case_claim_next(actor=claimers[0]) is None
    assert not Case.objects.filter(status__in=["new", "claimed"], close_reason="withdrawn").exists()
