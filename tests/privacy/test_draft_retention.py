"""Unsent drafts: kept while the reporter saves them, reminded about, then erased whole with their
answers and files, leaving a metadata-only record (privacy/services/drafts.py).

The clock is frozen with time-machine and moved day by day; the draft is made and saved
through the reporter's own services, so its `updated_at` moves as it does in the journey.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections, transaction

from harmsportal.audit.models import AccessLog
from harmsportal.notifications.models import Notification
from privacy.models import DraftReminder, ErasureRecord
from privacy.services.drafts import (
    DRAFT_REMINDER_TITLE,
    draft_erase,
    draft_retention_run,
    drafts_due,
)
from privacy.services.orphans import orphans_sweep
from privacy.tasks import retention_run_task
from reports.evidence import storage
from reports.models import Evidence, Report, ReportStatusEvent
from reports.services.drafting import report_answers_save, report_start
from reports.services.evidence import report_evidence_add
from tests.reports import hostile_files
from tests.reports.factories import SubmittedReportFactory
from tests.triage.factories import reporter_in

pytestmark = pytest.mark.django_db

DAYS = 90
NOTICE = 14
CANARY = "Canary-d7e1: the account that posts my children's school"
START = dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _periods(settings, tmp_path):
    settings.HARMSPORTAL_DRAFT_RETENTION_DAYS = DAYS
    settings.HARMSPORTAL_DRAFT_NOTICE_DAYS = NOTICE
    settings.HARMSPORTAL_EVIDENCE_ORPHAN_GRACE_MINUTES = 60
    settings.MEDIA_ROOT = tmp_path / "private"


def day(n: float) -> dt.datetime:
    return START + dt.timedelta(days=n)


def evidence_files(root) -> set[str]:
    folder = Path(root) / "evidence"
    return {name for _, _, names in os.walk(folder) for name in names}


def draft_started(reporter=None) -> Report:
    """A draft started and saved on day 0: a description and a photo (original and copy)."""
    with time_machine.travel(day(0), tick=False):
        report = report_start(actor=reporter or reporter_in())
        report_answers_save(actor=report.reporter, report=report, answers={"description": CANARY})
        report_evidence_add(
            actor=report.reporter,
            report=report,
            data=hostile_files.jpeg(gps=True),
            filename="school.jpg",
        )
    return Report.objects.get(pk=report.pk)


def run_on(n: float, captured):
    with time_machine.travel(day(n), tick=False), captured(execute=True):
        return draft_retention_run()


def reminders(user):
    return Notification.objects.filter(user=user, title__contains="have not sent")


def test_nothing_happens_before_the_notice_period_and_nothing_is_erased_before_expiry(
    django_capture_on_commit_callbacks,
):
    report = draft_started()

    early = run_on(DAYS - NOTICE - 1, django_capture_on_commit_callbacks)
    reminded = run_on(DAYS - NOTICE, django_capture_on_commit_callbacks)
    not_yet = run_on(DAYS - 0.01, django_capture_on_commit_callbacks)

    assert (early.reminded_drafts, early.erased_drafts) == (0, 0)
    assert (reminded.reminded_drafts, reminded.erased_drafts) == (1, 0)
    assert (not_yet.reminded_drafts, not_yet.erased_drafts) == (0, 0)
    assert Report.objects.filter(pk=report.pk).exists()
    assert run_on(DAYS, django_capture_on_commit_callbacks).erased_drafts == 1
    assert not Report.objects.filter(pk=report.pk).exists()


def test_the_reminder_is_sent_once_in_fixed_words_with_no_word_of_the_draft(
    django_capture_on_commit_callbacks,
):
    report = draft_started()
    reporter = report.reporter
    mail.outbox.clear()

    run_on(DAYS - NOTICE, django_capture_on_commit_callbacks)
    run_on(DAYS - NOTICE + 1, django_capture_on_commit_callbacks)

    reminder = reminders(reporter).get()
    assert reminder.title == DRAFT_REMINDER_TITLE.format(date=f"{day(DAYS):%-d %B %Y}")
    assert reminder.title == (
        "A report you started but have not sent will be deleted on 30 May 2027. "
        "To keep it, open it and save any page before then."
    )
    assert reminder.link_path == "/reports/"
    assert reminder.kind == Notification.Kind.UPDATE
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    for words in (CANARY, "school.jpg", str(report.public_id)):
        assert words not in f"{email.subject}\n{email.body}\n{reminder.title}"


def test_after_expiry_everything_of_the_draft_is_gone(django_capture_on_commit_callbacks, settings):
    report = draft_started()
    evidence_ids = list(report.evidence.values_list("pk", flat=True))
    assert len(evidence_files(settings.MEDIA_ROOT)) == 2
    Notification.objects.create(
        user=report.reporter,
        kind=Notification.Kind.UPDATE,
        title="Saved",
        link_path=f"/reports/{report.public_id}/check/",
    )

    run_on(DAYS - NOTICE, django_capture_on_commit_callbacks)
    done = run_on(DAYS, django_capture_on_commit_callbacks)

    assert done.erased_drafts == 1
    assert not Report.objects.filter(pk=report.pk).exists()
    assert not Evidence.objects.filter(pk__in=evidence_ids).exists()
    assert not ReportStatusEvent.objects.filter(report_id=report.pk).exists()
    assert not DraftReminder.objects.exists()
    assert not Notification.objects.filter(link_path__contains=str(report.public_id)).exists()
    assert evidence_files(settings.MEDIA_ROOT) == set()


def test_the_erasure_record_holds_metadata_only(django_capture_on_commit_callbacks):
    report = draft_started()

    run_on(DAYS - NOTICE, django_capture_on_commit_callbacks)
    run_on(DAYS + 3, django_capture_on_commit_callbacks)

    record = ErasureRecord.objects.get()
    assert record.kind == ErasureRecord.Kind.DRAFT
    assert (record.public_id, record.reference, record.force_id) == (
        report.public_id,
        "",
        report.force_id,
    )
    assert record.closed_at == day(0)  # when it was last saved
    assert (record.reminded_at, record.erased_at) == (day(DAYS - NOTICE), day(DAYS + 3))
    assert record.retention_days == DAYS
    assert record.counts == {
        "evidence_items": 1,
        "evidence_files": 2,
        "status_events": 1,
        "notifications": 0,
    }
    values = " ".join(str(value) for value in record.__dict__.values())
    assert CANARY not in values
    assert "school.jpg" not in values
    erased = AccessLog.objects.get(action=AccessLog.Action.ERASE)
    assert (erased.object_type, erased.object_id) == ("reports.report", str(report.pk))


def test_a_draft_saved_after_the_reminder_gets_a_fresh_clock(django_capture_on_commit_callbacks):
    report = draft_started()
    run_on(DAYS - NOTICE, django_capture_on_commit_callbacks)

    with time_machine.travel(day(DAYS - 5), tick=False):
        report_answers_save(
            actor=report.reporter, report=report, answers={"description": CANARY + " (more)"}
        )

    at_expiry = run_on(DAYS + 1, django_capture_on_commit_callbacks)
    assert (at_expiry.reminded_drafts, at_expiry.erased_drafts) == (0, 0)
    saved = DAYS - 5
    assert (
        run_on(saved + DAYS - NOTICE - 1, django_capture_on_commit_callbacks).reminded_drafts == 0
    )
    assert run_on(saved + DAYS - NOTICE, django_capture_on_commit_callbacks).reminded_drafts == 1
    assert reminders(report.reporter).count() == 2
    assert run_on(saved + DAYS - 1, django_capture_on_commit_callbacks).erased_drafts == 0
    assert run_on(saved + DAYS, django_capture_on_commit_callbacks).erased_drafts == 1


def test_adding_a_file_after_the_reminder_also_keeps_the_draft(django_capture_on_commit_callbacks):
    report = draft_started()
    run_on(DAYS - NOTICE, django_capture_on_commit_callbacks)

    with time_machine.travel(day(DAYS - 1), tick=False):
        report_evidence_add(
            actor=report.reporter, report=report, data=hostile_files.clean_pdf(), filename="b.pdf"
        )

    assert run_on(DAYS + NOTICE, django_capture_on_commit_callbacks).erased_drafts == 0
    assert Report.objects.filter(pk=report.pk).exists()


def test_with_no_reminder_erasure_waits_the_whole_notice_period(
    django_capture_on_commit_callbacks,
):
    report = draft_started()

    # The beat was down for a year: the first run after expiry only reminds.
    late = run_on(DAYS + 365, django_capture_on_commit_callbacks)
    assert (late.reminded_drafts, late.erased_drafts) == (1, 0)
    erase_on = day(DAYS + 365 + NOTICE)  # a whole notice from the reminder, not the expiry
    assert f"{erase_on:%-d %B %Y}" in reminders(report.reporter).get().title
    assert run_on(DAYS + 365 + NOTICE - 1, django_capture_on_commit_callbacks).erased_drafts == 0
    assert run_on(DAYS + 365 + NOTICE, django_capture_on_commit_callbacks).erased_drafts == 1


def test_a_sent_report_is_never_touched_by_draft_retention(django_capture_on_commit_callbacks):
    with time_machine.travel(day(0), tick=False):
        sent = SubmittedReportFactory(reporter=reporter_in())

    done = run_on(DAYS * 5, django_capture_on_commit_callbacks)

    assert (done.reminded_drafts, done.erased_drafts) == (0, 0)
    assert Report.objects.filter(pk=sent.pk).exists()
    assert draft_erase(report_id=sent.pk) is None


def test_a_run_twice_does_everything_once(django_capture_on_commit_callbacks):
    report = draft_started()

    first = run_on(DAYS - NOTICE, django_capture_on_commit_callbacks)
    second = run_on(DAYS - NOTICE, django_capture_on_commit_callbacks)
    erased = run_on(DAYS, django_capture_on_commit_callbacks)
    again = run_on(DAYS, django_capture_on_commit_callbacks)

    assert (first.reminded_drafts, second.reminded_drafts) == (1, 0)
    assert (erased.erased_drafts, again.erased_drafts) == (1, 0)
    assert reminders(report.reporter).count() == 1
    assert ErasureRecord.objects.count() == 1


def test_a_failed_file_delete_leaves_ciphertext_the_next_sweep_removes(
    django_capture_on_commit_callbacks, settings, monkeypatch
):
    draft_started()
    run_on(DAYS - NOTICE, django_capture_on_commit_callbacks)

    def disk_gone(path):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(storage, "delete_stored", disk_gone)
    assert run_on(DAYS, django_capture_on_commit_callbacks).erased_drafts == 1
    monkeypatch.undo()
    assert len(evidence_files(settings.MEDIA_ROOT)) == 2

    with time_machine.travel(day(DAYS + 1), tick=False):
        swept = orphans_sweep()

    assert swept.orphans_deleted == 2
    assert evidence_files(settings.MEDIA_ROOT) == set()


def test_the_nightly_task_reminds_and_erases_drafts(django_capture_on_commit_callbacks):
    draft_started()

    with time_machine.travel(day(DAYS - NOTICE), tick=False):
        assert drafts_due() == {"drafts_due_reminder": 1, "drafts_due_erasure": 0}
        with django_capture_on_commit_callbacks(execute=True):
            reminded = retention_run_task.delay().get()
    with (
        time_machine.travel(day(DAYS), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        erased = retention_run_task.delay().get()

    assert (reminded["reminded_drafts"], reminded["erased_drafts"]) == (1, 0)
    assert (erased["erased_drafts"], erased["errors"]) == (1, 0)


@pytest.mark.parametrize("days", [90, 45])
def test_the_reporter_is_told_on_the_start_page_and_the_list_how_long_drafts_are_kept(
    client, settings, days
):
    settings.HARMSPORTAL_DRAFT_RETENTION_DAYS = days
    report = draft_started()
    client.force_login(report.reporter)

    start = client.get("/reports/new/").content.decode()
    listing = client.get("/reports/").content.decode()
    notice = client.get("/privacy/").content.decode()

    for page in (start, listing):
        assert f"we delete a report you have not sent if it is not changed for {days} days" in (
            page.lower()
        )
    assert f"report you started but have not sent is not changed for {days} days" in notice


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every write, so two runs cannot overlap: row locks on Postgres",
)
def test_a_save_while_the_erasure_waits_keeps_the_draft_and_two_runs_erase_once():
    """The reporter saves a page (holding the draft's row lock) as two runs try to erase it:
    both wait, then see the new save, and the draft stays. Left alone, two runs at once erase
    it once."""
    from django.utils import timezone

    from privacy.services.drafts import draft_retention_remind

    kept = draft_started()
    gone = draft_started()
    now = timezone.now()
    # Made long ago and reminded a notice period ago (dates set directly: threads do not
    # share a frozen clock).
    Report.objects.filter(pk__in=[kept.pk, gone.pk]).update(
        updated_at=now - dt.timedelta(days=DAYS + 1)
    )
    for report in (kept, gone):
        assert draft_retention_remind(report_id=report.pk, now=now - dt.timedelta(days=NOTICE))
    saving = threading.Event()
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def save():
        try:
            with transaction.atomic():
                report_answers_save(actor=kept.reporter, report=kept, answers={"phone": "0"})
                saving.set()
                time.sleep(1.0)
        finally:
            connections.close_all()

    def erase(name):
        def run():
            try:
                saving.wait(timeout=10)
                start.wait(timeout=10)
                results[name] = (draft_erase(report_id=kept.pk), draft_erase(report_id=gone.pk))
            finally:
                connections.close_all()

        return run

    threads = [threading.Thread(target=t) for t in (save, erase("a"), erase("b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert Report.objects.filter(pk=kept.pk).exists()
    assert not Report.objects.filter(pk=gone.pk).exists()
    assert [kept_result for kept_result, _ in results.values()] == [None, None]
    assert sum(gone_result is not None for _, gone_result in results.values()) == 1
    assert ErasureRecord.objects.count() == 1
