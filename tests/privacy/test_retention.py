"""Retention: closed cases and referrals kept for their force's period, the person reminded,
then everything erased but a metadata-only record (privacy/services/retention.py).

Runs are given `now=` instead of freezing the clock: the case closes at the real time and the
run is asked to act as it would some days later.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.utils import timezone

from harmsportal.audit.models import AccessLog
from harmsportal.notifications.models import Notification
from privacy.models import ErasureRecord, ForceRetention
from privacy.services.retention import (
    REMINDER_TITLE,
    case_retention_days,
    referral_retention_days,
    retention_due,
    retention_run,
)
from privacy.tasks import retention_run_task
from reports.models import Evidence, Report, ReportMessage, ReportStatusEvent
from reports.services.conversation import report_message_send
from reports.services.evidence import report_evidence_add_after_send
from tests.factories import force, make_person
from tests.reports import hostile_files
from tests.triage.factories import OutcomeGivenCaseFactory, reporter_in
from training.models import LineManagerNotice
from triage.models import Case, CaseAction, CaseEvent, CaseNote
from triage.services.reads import case_view_record
from triage.services.working import (
    case_close,
    case_message_send,
    case_note_add,
    case_reopen,
)
from wellbeing.models import CheckIn, Referral, ReferralMessage, SupportPlan
from wellbeing.services._shared import person_url

pytestmark = pytest.mark.django_db

DESCRIPTION = "Canary-7f3a: they posted my address at 14 Acacia Avenue"
REPORTER_MESSAGE = "Canary-7f3a: here is another screenshot of it"
NOTE = "Canary-7f3a: internal note, the reporter's neighbour is suspected"
SUMMARY = "My own summary: I am not sleeping since the posts."
PLAN_NEEDS = "My own plan: weekly calls, help with privacy settings"
DAYS = 6 * 365
NOTICE = 30


@pytest.fixture(autouse=True)
def _periods(settings, tmp_path):
    settings.HARMSPORTAL_RETENTION_CASE_DAYS = DAYS
    settings.HARMSPORTAL_RETENTION_REFERRAL_DAYS = DAYS
    settings.HARMSPORTAL_RETENTION_NOTICE_DAYS = NOTICE
    settings.MEDIA_ROOT = tmp_path / "private"


def evidence_files(root) -> list[Path]:
    folder = Path(root) / "evidence"
    return [Path(d) / name for d, _, names in os.walk(folder) for name in names]


def closed_case_with_everything(django_capture_on_commit_callbacks, force_slug="west-yorkshire"):
    """A closed case whose report has evidence (a photo: original and viewing copy), messages
    both ways, an internal note, an action, a status timeline, notifications and audit rows."""
    with django_capture_on_commit_callbacks(execute=True):
        case = OutcomeGivenCaseFactory(reporter=reporter_in(force_slug), description=DESCRIPTION)
        report = case.report
        report_evidence_add_after_send(
            actor=report.reporter,
            report=report,
            data=hostile_files.jpeg(gps=True),
            filename="threat.jpg",
        )
        report_message_send(actor=report.reporter, report=report, body=REPORTER_MESSAGE)
        case = Case.objects.get(pk=case.pk)
        case_message_send(actor=case.assignee, case=case, body="Thank you, we have it.")
        case_note_add(actor=case.assignee, case=case, body=NOTE)
        case_view_record(actor=case.assignee, case=case)
        case_close(actor=case.assignee, case=Case.objects.get(pk=case.pk))
    return Case.objects.select_related("report").get(pk=case.pk)


def run(case: Case, *, days: float, captured) -> object:
    """A retention run as it would go `days` after the case closed."""
    with captured(execute=True):
        return retention_run(now=case.closed_at + timedelta(days=days))


def test_a_force_may_set_its_own_period_and_every_other_force_keeps_the_national_default():
    west, north = force("west-yorkshire"), force("north-yorkshire")
    ForceRetention.objects.create(force=west, closed_case_days=400, closed_referral_days=500)
    ForceRetention.objects.create(force=force("durham"))  # a row with no periods of its own

    assert (case_retention_days(west), referral_retention_days(west)) == (400, 500)
    assert (case_retention_days(north), referral_retention_days(north)) == (DAYS, DAYS)
    assert case_retention_days(force("durham")) == DAYS


def test_each_force_case_is_erased_on_its_own_forces_period(django_capture_on_commit_callbacks):
    ForceRetention.objects.create(force=force("west-yorkshire"), closed_case_days=100)
    west = closed_case_with_everything(django_capture_on_commit_callbacks)
    north = closed_case_with_everything(django_capture_on_commit_callbacks, "north-yorkshire")

    run(west, days=100 - NOTICE, captured=django_capture_on_commit_callbacks)
    done = run(west, days=100, captured=django_capture_on_commit_callbacks)

    assert done.erased_cases == 1
    assert not Case.objects.filter(pk=west.pk).exists()
    assert Case.objects.filter(pk=north.pk).exists()


def test_nothing_is_erased_before_expiry(django_capture_on_commit_callbacks, settings):
    case = closed_case_with_everything(django_capture_on_commit_callbacks)
    files = evidence_files(settings.MEDIA_ROOT)
    assert len(files) == 2

    run(case, days=DAYS - NOTICE, captured=django_capture_on_commit_callbacks)
    done = run(case, days=DAYS - 0.001, captured=django_capture_on_commit_callbacks)

    assert done.erased_cases == 0
    assert Case.objects.filter(pk=case.pk).exists()
    assert Report.objects.get(pk=case.report_id).description == DESCRIPTION
    assert Evidence.objects.filter(report_id=case.report_id).count() == 1
    assert all(path.exists() for path in files)
    assert not ErasureRecord.objects.exists()


def test_the_reporter_is_reminded_once_before_erasure_in_fixed_words(
    django_capture_on_commit_callbacks,
):
    case = closed_case_with_everything(django_capture_on_commit_callbacks)
    reporter = case.report.reporter
    mail.outbox.clear()

    too_early = run(case, days=DAYS - NOTICE - 1, captured=django_capture_on_commit_callbacks)
    first = run(case, days=DAYS - NOTICE, captured=django_capture_on_commit_callbacks)
    again = run(case, days=DAYS - NOTICE + 1, captured=django_capture_on_commit_callbacks)

    assert (too_early.reminded_cases, first.reminded_cases, again.reminded_cases) == (0, 1, 0)
    reminder = Notification.objects.get(user=reporter, title__startswith="We will delete")
    expires = timezone.localdate(case.closed_at + timedelta(days=DAYS))
    assert reminder.title == REMINDER_TITLE.format(date=f"{expires:%-d %B %Y}")
    assert reminder.link_path == "/your-data/"
    assert reminder.kind == Notification.Kind.UPDATE
    # One email, in the fixed words of its kind: nothing of the case, not even its reference.
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [reporter.email]
    for words in (DESCRIPTION, "Canary-7f3a", case.report.reference, "Acacia"):
        assert words not in f"{email.subject}\n{email.body}\n{reminder.title}"


def test_after_expiry_everything_of_the_case_is_gone(django_capture_on_commit_callbacks, settings):
    case = closed_case_with_everything(django_capture_on_commit_callbacks)
    report = case.report
    files = evidence_files(settings.MEDIA_ROOT)
    pointing = Notification.objects.filter(link_path__contains=str(report.public_id)).count()
    pointing += Notification.objects.filter(link_path__contains=str(case.public_id)).count()
    assert pointing >= 2  # the acknowledgement, the message, the outcome, staff alerts …
    assert CaseNote.objects.filter(case=case).exists()
    assert CaseAction.objects.filter(case=case).exists() or CaseEvent.objects.filter(case=case)
    # The reporter asked that their line manager be told, and they were.
    LineManagerNotice.objects.create(
        subject_key=str(report.public_id),
        reporter=report.reporter,
        line_manager=make_person(full_name="Line Manager"),
        force=case.force,
    )

    run(case, days=DAYS - NOTICE, captured=django_capture_on_commit_callbacks)
    done = run(case, days=DAYS, captured=django_capture_on_commit_callbacks)

    assert done.erased_cases == 1
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not Report.objects.filter(pk=report.pk).exists()
    assert not Evidence.objects.filter(report_id=report.pk).exists()
    assert not ReportMessage.objects.filter(report_id=report.pk).exists()
    assert not ReportStatusEvent.objects.filter(report_id=report.pk).exists()
    assert not CaseNote.objects.filter(case_id=case.pk).exists()
    assert not CaseAction.objects.filter(case_id=case.pk).exists()
    assert not CaseEvent.objects.filter(case_id=case.pk).exists()
    assert not Notification.objects.filter(link_path__contains=str(report.public_id)).exists()
    assert not Notification.objects.filter(link_path__contains=str(case.public_id)).exists()
    assert not LineManagerNotice.objects.filter(subject_key=str(report.public_id)).exists()
    assert files
    assert not any(path.exists() for path in files)
    assert evidence_files(settings.MEDIA_ROOT) == []


def test_the_erasure_record_holds_metadata_only(django_capture_on_commit_callbacks):
    case = closed_case_with_everything(django_capture_on_commit_callbacks)

    run(case, days=DAYS - NOTICE, captured=django_capture_on_commit_callbacks)
    run(case, days=DAYS, captured=django_capture_on_commit_callbacks)

    record = ErasureRecord.objects.get()
    assert record.kind == ErasureRecord.Kind.CASE
    assert record.public_id == case.public_id
    assert record.reference == case.report.reference
    assert record.force_id == case.force_id
    assert record.closed_at == case.closed_at
    assert record.retention_days == DAYS
    assert record.counts["evidence_files"] == 2
    assert record.counts["messages"] == 2
    assert record.counts["case_notes"] == 1
    everything = json.dumps(model_to_dict(record), default=str)
    for words in ("Canary-7f3a", "Acacia", "threat.jpg", case.report.reporter.email):
        assert words not in everything


def test_the_audit_log_keeps_its_entries_without_the_content(django_capture_on_commit_callbacks):
    case = closed_case_with_everything(django_capture_on_commit_callbacks)
    before = set(AccessLog.objects.values_list("pk", flat=True))
    # Triage's read of the report, recorded when the case page was opened.
    read = AccessLog.objects.filter(object_type="reports.report", object_id=str(case.report_id))
    assert read.exists()

    run(case, days=DAYS - NOTICE, captured=django_capture_on_commit_callbacks)
    run(case, days=DAYS, captured=django_capture_on_commit_callbacks)

    assert before <= set(AccessLog.objects.values_list("pk", flat=True))
    assert read.exists()
    erased = AccessLog.objects.get(action=AccessLog.Action.ERASE)
    assert (erased.object_type, erased.object_id) == ("triage.case", str(case.pk))
    assert erased.actor_id is None
    rows = json.dumps(list(AccessLog.objects.values()), default=str)
    for words in ("Canary-7f3a", "Acacia", case.report.reporter.email):
        assert words not in rows


def test_without_a_reminder_erasure_waits_the_whole_notice_period(
    django_capture_on_commit_callbacks,
):
    # The beat task was down for a year: the first run after expiry only reminds.
    case = closed_case_with_everything(django_capture_on_commit_callbacks)

    late = run(case, days=DAYS + 365, captured=django_capture_on_commit_callbacks)
    still = run(case, days=DAYS + 365 + NOTICE - 1, captured=django_capture_on_commit_callbacks)
    done = run(case, days=DAYS + 365 + NOTICE, captured=django_capture_on_commit_callbacks)

    assert (late.reminded_cases, late.erased_cases) == (1, 0)
    assert still.erased_cases == 0
    assert done.erased_cases == 1


def test_reopening_a_case_stops_its_clock_and_the_next_closure_starts_one(
    django_capture_on_commit_callbacks,
):
    case = closed_case_with_everything(django_capture_on_commit_callbacks)
    # Closed long enough ago that the reporter is reminded today; then it is reopened.
    first_closed = timezone.now() - timedelta(days=DAYS - NOTICE)
    Case.objects.filter(pk=case.pk).update(closed_at=first_closed)
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_run().reminded_cases == 1
        case_reopen(actor=case.assignee, case=Case.objects.get(pk=case.pk), reason="New threat")

    reopened = retention_run(now=first_closed + timedelta(days=DAYS + NOTICE))
    assert reopened.erased_cases == reopened.reminded_cases == 0
    assert Case.objects.filter(pk=case.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        case = Case.objects.get(pk=case.pk)
        from triage.services.working import case_outcome_give

        case_outcome_give(actor=case.assignee, case=case, category="advice", explanation="Done.")
        case_close(actor=case.assignee, case=Case.objects.get(pk=case.pk))
    case = Case.objects.get(pk=case.pk)
    assert case.closed_at > first_closed
    # Reminded again for the new closure, and erased only on its own expiry.
    again = run(case, days=DAYS - NOTICE, captured=django_capture_on_commit_callbacks)
    early = run(case, days=DAYS - 1, captured=django_capture_on_commit_callbacks)
    done = run(case, days=DAYS, captured=django_capture_on_commit_callbacks)
    assert (again.reminded_cases, early.erased_cases, done.erased_cases) == (1, 0, 1)


def test_a_legal_hold_stops_erasure_until_it_is_lifted(
    django_capture_on_commit_callbacks, triage_supervisor
):
    case = closed_case_with_everything(django_capture_on_commit_callbacks)
    case.place_legal_hold(triage_supervisor, reason="Court order 2031/17")

    held = run(case, days=DAYS * 3, captured=django_capture_on_commit_callbacks)
    assert (held.reminded_cases, held.erased_cases, held.held_cases) == (0, 0, 1)
    assert Case.objects.filter(pk=case.pk).exists()

    Case.objects.get(pk=case.pk).lift_legal_hold()
    reminded = run(case, days=DAYS * 3, captured=django_capture_on_commit_callbacks)
    erased = run(case, days=DAYS * 3 + NOTICE, captured=django_capture_on_commit_callbacks)
    assert (reminded.reminded_cases, reminded.erased_cases) == (1, 0)
    assert erased.erased_cases == 1


def test_a_hold_placed_after_the_reminder_still_stops_erasure(
    django_capture_on_commit_callbacks, triage_supervisor
):
    case = closed_case_with_everything(django_capture_on_commit_callbacks)
    run(case, days=DAYS - NOTICE, captured=django_capture_on_commit_callbacks)
    Case.objects.get(pk=case.pk).place_legal_hold(triage_supervisor, reason="Civil claim")

    done = run(case, days=DAYS + 1, captured=django_capture_on_commit_callbacks)

    assert done.erased_cases == 0
    assert Report.objects.get(pk=case.report_id).description == DESCRIPTION


# --- wellbeing referrals ---------------------------------------------------------------------


def referral_from(case: Case, **fields) -> Referral:
    """An accepted referral from `case`, with a plan, a check-in and messages."""
    from tests.wellbeing.factories import InSupportReferralFactory

    referral = InSupportReferralFactory(case=case, summary=SUMMARY, **fields)
    SupportPlan.objects.create(referral=referral, by=referral.champion, needs=PLAN_NEEDS)
    CheckIn.objects.create(referral=referral, by=referral.champion, score=3, note="Canary-7f3a")
    ReferralMessage.objects.create(
        referral=referral, author=referral.person, from_person=True, body="Canary-7f3a message"
    )
    Notification.objects.create(
        user=referral.person,
        kind="update",
        title="Your champion wrote",
        link_path=person_url(referral),
    )
    return referral


def test_a_referral_from_an_erased_case_keeps_only_the_persons_summary_and_plan(
    django_capture_on_commit_callbacks,
):
    case = closed_case_with_everything(django_capture_on_commit_callbacks)
    referral = referral_from(case, consent_scope="summary_description")

    run(case, days=DAYS - NOTICE, captured=django_capture_on_commit_callbacks)
    run(case, days=DAYS, captured=django_capture_on_commit_callbacks)

    assert not Case.objects.filter(pk=case.pk).exists()
    kept = Referral.objects.get(pk=referral.pk)
    assert kept.case_id is None
    assert kept.source == "case"
    assert kept.summary == SUMMARY
    assert kept.consent_scope == "summary"  # the description it could share is gone
    assert list(kept.plans.values_list("needs", flat=True)) == [PLAN_NEEDS]
    assert not kept.checkins.exists()
    assert not kept.messages.exists()
    assert not kept.events.exclude(why="").exists()


def test_a_referral_has_its_own_clock_from_when_it_closes(django_capture_on_commit_callbacks):
    case = closed_case_with_everything(django_capture_on_commit_callbacks)
    referral = referral_from(case)
    run(case, days=DAYS - NOTICE, captured=django_capture_on_commit_callbacks)
    run(case, days=DAYS, captured=django_capture_on_commit_callbacks)
    # Support went on for a year after the case closed.
    referral_closed = case.closed_at + timedelta(days=365)
    Referral.objects.filter(pk=referral.pk).update(
        state="closed", closed_at=referral_closed, close_reason="support_ended"
    )

    def run_at(days):
        with django_capture_on_commit_callbacks(execute=True):
            return retention_run(now=referral_closed + timedelta(days=days))

    assert run_at(DAYS - NOTICE - 1).reminded_referrals == 0
    reminded = run_at(DAYS - NOTICE)
    assert reminded.reminded_referrals == 1
    assert Notification.objects.filter(user=referral.person, title__startswith="We will delete")
    assert run_at(DAYS - 1).erased_referrals == 0
    assert Referral.objects.filter(pk=referral.pk).exists()

    done = run_at(DAYS)

    assert done.erased_referrals == 1
    assert not Referral.objects.filter(pk=referral.pk).exists()
    assert not SupportPlan.objects.filter(referral_id=referral.pk).exists()
    assert not Notification.objects.filter(link_path__contains=str(referral.public_id)).exists()
    record = ErasureRecord.objects.get(kind=ErasureRecord.Kind.REFERRAL)
    assert (record.reference, record.closed_at) == (referral.reference, referral_closed)
    assert SUMMARY not in json.dumps(model_to_dict(record), default=str)
    assert AccessLog.objects.filter(
        action=AccessLog.Action.ERASE, object_type="wellbeing.referral", object_id=str(referral.pk)
    ).exists()


def test_a_legal_hold_on_the_case_keeps_its_referral_too(
    django_capture_on_commit_callbacks, triage_supervisor
):
    case = closed_case_with_everything(django_capture_on_commit_callbacks)
    referral = referral_from(case)
    Referral.objects.filter(pk=referral.pk).update(
        state="closed", closed_at=case.closed_at, close_reason="support_ended"
    )
    case.place_legal_hold(triage_supervisor, reason="Civil claim")

    run(case, days=DAYS * 2, captured=django_capture_on_commit_callbacks)
    done = run(case, days=DAYS * 2 + NOTICE, captured=django_capture_on_commit_callbacks)

    assert done.as_dict() == {
        "reminded_cases": 0,
        "reminded_referrals": 0,
        "erased_cases": 0,
        "erased_referrals": 0,
        "held_cases": 1,
        "errors": 0,
    }
    assert Referral.objects.get(pk=referral.pk).checkins.exists()


def test_an_open_referral_is_never_erased(django_capture_on_commit_callbacks):
    case = closed_case_with_everything(django_capture_on_commit_callbacks)
    referral = referral_from(case)

    run(case, days=DAYS * 4, captured=django_capture_on_commit_callbacks)
    done = run(case, days=DAYS * 4 + NOTICE, captured=django_capture_on_commit_callbacks)

    assert (done.erased_cases, done.erased_referrals) == (1, 0)
    assert Referral.objects.get(pk=referral.pk).summary == SUMMARY


# --- running it -------------------------------------------------------------------------------


def test_a_run_twice_does_everything_once(django_capture_on_commit_callbacks):
    case = closed_case_with_everything(django_capture_on_commit_callbacks)
    reporter = case.report.reporter

    first = run(case, days=DAYS - NOTICE, captured=django_capture_on_commit_callbacks)
    second = run(case, days=DAYS - NOTICE, captured=django_capture_on_commit_callbacks)
    erased = run(case, days=DAYS, captured=django_capture_on_commit_callbacks)
    again = run(case, days=DAYS, captured=django_capture_on_commit_callbacks)

    assert (first.reminded_cases, second.reminded_cases) == (1, 0)
    assert (erased.erased_cases, again.erased_cases) == (1, 0)
    assert (
        Notification.objects.filter(user=reporter, title__startswith="We will delete").count() == 1
    )
    assert ErasureRecord.objects.count() == 1


def test_the_command_counts_without_acting_on_a_dry_run(django_capture_on_commit_callbacks, capsys):
    case = closed_case_with_everything(django_capture_on_commit_callbacks)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=DAYS + 1))

    call_command("retention_run", "--dry-run")
    assert "cases_due_reminder: 1" in capsys.readouterr().out
    assert Case.objects.get(pk=case.pk).retention_reminded_at is None

    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention_run")
    assert "reminded_cases: 1" in capsys.readouterr().out
    assert retention_due()["cases_due_reminder"] == 0


def test_the_beat_task_runs_retention_and_is_in_the_schedule(
    django_capture_on_commit_callbacks, settings
):
    case = closed_case_with_everything(django_capture_on_commit_callbacks)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=DAYS + 1))

    with django_capture_on_commit_callbacks(execute=True):
        done = retention_run_task.delay().get()

    assert done["reminded_cases"] == 1
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "privacy.tasks.retention_run_task" in tasks


# --- the admin --------------------------------------------------------------------------------


def test_a_platform_admin_sets_a_forces_period_and_reads_but_cannot_change_erasure_records(
    client, platform_admin
):
    west = force("west-yorkshire")
    client.force_login(platform_admin)

    response = client.post(
        "/admin/privacy/forceretention/add/",
        {"force": west.pk, "closed_case_days": "1000", "closed_referral_days": ""},
    )

    assert response.status_code == 302
    assert (case_retention_days(west), referral_retention_days(west)) == (1000, DAYS)
    record = ErasureRecord.objects.create(
        kind=ErasureRecord.Kind.CASE,
        reference="OH-WYP-2026-000001",
        force=west,
        closed_at=timezone.now(),
        retention_days=DAYS,
    )
    assert client.get("/admin/privacy/erasurerecord/").status_code == 200
    page = client.get(f"/admin/privacy/erasurerecord/{record.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(f"/admin/privacy/erasurerecord/{record.pk}/delete/").status_code == 403
    assert ErasureRecord.objects.filter(pk=record.pk).exists()


def test_a_hold_placed_after_a_run_read_the_held_cases_still_keeps_the_referral(
    django_capture_on_commit_callbacks, triage_supervisor, monkeypatch
):
    """The run reads which cases are held, then claims the referral: a supervisor holding the
    case in between must still win (the erasure re-checks the hold on the locked case row)."""
    from privacy.services import retention

    case = closed_case_with_everything(django_capture_on_commit_callbacks)
    referral = referral_from(case)
    Referral.objects.filter(pk=referral.pk).update(
        state="closed", closed_at=case.closed_at, close_reason="support_ended"
    )
    run(case, days=DAYS - NOTICE, captured=django_capture_on_commit_callbacks)
    original = retention._ended_referrals

    def held_in_between():
        due = original()  # the list of held cases is read here
        Case.objects.get(pk=case.pk).place_legal_hold(triage_supervisor, reason="Civil claim")
        return due

    monkeypatch.setattr(retention, "_ended_referrals", held_in_between)
    with django_capture_on_commit_callbacks(execute=True):
        erased = retention.referral_erase(
            referral_id=referral.pk, now=case.closed_at + timedelta(days=DAYS + 1)
        )

    assert erased is None
    kept = Referral.objects.get(pk=referral.pk)
    assert kept.erasure_claimed_at is None
    assert kept.checkins.exists()


def test_erasure_leaves_no_notification_naming_the_case_even_one_that_links_elsewhere(
    django_capture_on_commit_callbacks, triage_supervisor
):
    """A transfer tells the triager who held the case, naming its reference, with a link to
    their own queue (the case is no longer theirs to open): that notice goes with the case."""
    from tests.triage.factories import ClaimedCaseFactory
    from triage.models import CaseStatus
    from triage.services.moving import case_transfer

    with django_capture_on_commit_callbacks(execute=True):
        case = ClaimedCaseFactory(description=DESCRIPTION)
        holder = case.assignee
        case_transfer(
            actor=triage_supervisor, case=case, to_force=force("north-yorkshire"), reason="Theirs"
        )
    reference = case.report.reference
    told = Notification.objects.filter(user=holder, title__contains=reference)
    assert told.exists()
    assert not told.filter(link_path__contains=str(case.public_id)).exists()
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=timezone.now())
    case = Case.objects.get(pk=case.pk)

    run(case, days=DAYS - NOTICE, captured=django_capture_on_commit_callbacks)
    done = run(case, days=DAYS, captured=django_capture_on_commit_callbacks)

    assert done.erased_cases == 1
    assert not Notification.objects.filter(title__contains=reference).exists()
    record = ErasureRecord.objects.get(reference=reference)
    assert record.counts["notifications"] >= 2  # the holder's notice and the reporter's own


def test_a_hold_lifted_after_the_reminder_went_means_a_new_reminder_before_erasure(
    django_capture_on_commit_callbacks, triage_supervisor
):
    """Reminded, then held for years: the old reminder's date is long gone, so lifting the hold
    starts a fresh notice (as the hold page promises) rather than erasing at the next run.
    The referral from the case, reminded with it, gets a fresh notice too."""
    from triage.services.legal_hold import case_legal_hold_lift, case_legal_hold_place

    case = closed_case_with_everything(django_capture_on_commit_callbacks)
    referral = referral_from(case)
    Referral.objects.filter(pk=referral.pk).update(
        state="closed", closed_at=case.closed_at, close_reason="support_ended"
    )
    first = run(case, days=DAYS - NOTICE, captured=django_capture_on_commit_callbacks)
    assert (first.reminded_cases, first.reminded_referrals) == (1, 1)
    case_legal_hold_place(actor=triage_supervisor, case=case, reason="Court order 2031/17")
    run(case, days=DAYS * 3, captured=django_capture_on_commit_callbacks)
    case_legal_hold_lift(actor=triage_supervisor, case=case, reason="The trial has ended")

    after_lift = run(case, days=DAYS * 3, captured=django_capture_on_commit_callbacks)
    assert after_lift.as_dict() | {"held_cases": 0} == {
        "reminded_cases": 1,
        "reminded_referrals": 1,
        "erased_cases": 0,
        "erased_referrals": 0,
        "held_cases": 0,
        "errors": 0,
    }
    assert Report.objects.filter(pk=case.report_id).exists()
    assert (
        run(
            case, days=DAYS * 3 + NOTICE - 1, captured=django_capture_on_commit_callbacks
        ).erased_cases
        == 0
    )

    erased = run(case, days=DAYS * 3 + NOTICE, captured=django_capture_on_commit_callbacks)
    assert (erased.erased_cases, erased.erased_referrals) == (1, 1)
