"""Branching logic of the report services, state methods and the intake seam."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured, ValidationError

from harmsportal.notifications.models import Notification
from reports import intake
from reports.intake import (
    intake_handler_replaced,
    intake_submitted_report,
    register_intake_handler,
    registered_intake_handler,
)
from reports.models import ContactPreference, OutcomeCategory, Report, ReportStatus
from reports.services.conversation import report_message_send, report_messages_mark_read
from reports.services.drafting import report_answers_save, report_start
from reports.services.errors import NoForceError, ReportIncompleteError, ReportNotEditableError
from reports.services.lifecycle import (
    report_close,
    report_outcome_record,
    report_progress_start,
    report_reopen,
    report_withdraw,
)
from reports.services.sending import report_submit
from tests.factories import UserFactory
from tests.reports.factories import DraftReportFactory, SubmittedReportFactory

# ---------------------------------------------------------------------------
# State methods: idempotent, and refusing illegal moves
# ---------------------------------------------------------------------------


def test_every_state_method_does_nothing_when_already_there(officer):
    report = SubmittedReportFactory(reporter=officer)
    assert report.start_progress() is True
    assert report.start_progress() is False
    assert report.give_outcome(category="advice", explanation="Advice given.") is True
    assert report.give_outcome(category="advice", explanation="Again.") is False
    assert report.outcome_explanation == "Advice given."
    assert report.close() is True
    assert report.close() is False


@pytest.mark.parametrize(
    ("status", "move"),
    [
        (ReportStatus.DRAFT, "start_progress"),
        (ReportStatus.DRAFT, "close"),
        (ReportStatus.DRAFT, "withdraw"),
        (ReportStatus.WITHDRAWN, "start_progress"),
        (ReportStatus.WITHDRAWN, "close"),
        (ReportStatus.WITHDRAWN, "reopen"),
        (ReportStatus.CLOSED, "start_progress"),
        (ReportStatus.CLOSED, "withdraw"),
        (ReportStatus.SUBMITTED, "reopen"),
    ],
)
def test_illegal_moves_are_refused_with_a_clear_reason(officer, status, move):
    report = SubmittedReportFactory(reporter=officer, status=status)
    with pytest.raises(ValidationError, match="cannot become"):
        getattr(report, move)()
    report.refresh_from_db()
    assert report.status == status


def test_an_unknown_outcome_category_is_refused(officer):
    report = SubmittedReportFactory(reporter=officer)
    with pytest.raises(ValidationError, match="Unknown outcome"):
        report.give_outcome(category="blame", explanation="")


def test_a_closed_report_can_reopen(officer):
    report = SubmittedReportFactory(reporter=officer, status=ReportStatus.CLOSED)
    report_reopen(actor=officer, report=report)
    assert report.status == ReportStatus.IN_PROGRESS
    assert report.status_events.filter(status=ReportStatus.IN_PROGRESS).count() == 1


# ---------------------------------------------------------------------------
# Starting and saving a draft
# ---------------------------------------------------------------------------


def test_a_draft_is_made_under_the_reporters_force(officer):
    report = report_start(actor=officer)
    assert report.status == ReportStatus.DRAFT
    assert report.force.slug == "west-yorkshire"


def test_a_family_account_reports_under_its_members_force(family_member, officer):
    report = report_start(actor=family_member)
    assert report.force == officer.home_force


def test_someone_with_no_force_cannot_start_a_report(db):
    with pytest.raises(NoForceError):
        report_start(actor=UserFactory())


def test_a_family_account_with_no_link_cannot_start_a_report(db):
    with pytest.raises(NoForceError, match="family member"):
        report_start(actor=UserFactory(kind="family"))


def test_the_start_page_explains_when_there_is_no_force(client, db):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/reports/new/")
    assert response.status_code == 200
    assert "not linked to a police force" in response.content.decode()


def test_answers_cannot_change_once_sent(officer):
    report = SubmittedReportFactory(reporter=officer)
    with pytest.raises(ReportNotEditableError):
        report_answers_save(actor=officer, report=report, answers={"description": "x"})


# ---------------------------------------------------------------------------
# Submitting
# ---------------------------------------------------------------------------


def test_only_the_reporter_can_send_their_draft(officer, staff_member):
    with pytest.raises(ValidationError):
        report_submit(actor=staff_member, report=DraftReportFactory(reporter=officer))


def test_an_incomplete_draft_names_the_steps_left(officer):
    draft = DraftReportFactory(reporter=officer, description="", contact_preference="")
    with pytest.raises(ReportIncompleteError) as refused:
        report_submit(actor=officer, report=draft)
    assert refused.value.steps == ["description", "contact"]


def test_a_failing_intake_rolls_the_whole_submission_back(officer):
    draft = DraftReportFactory(reporter=officer)

    def broken_intake(report):
        raise RuntimeError("the queue is unavailable")

    with intake_handler_replaced(broken_intake), pytest.raises(RuntimeError):
        report_submit(actor=officer, report=draft)
    draft.refresh_from_db()
    assert draft.status == ReportStatus.DRAFT
    assert draft.reference == ""
    assert not Notification.objects.exists()


def test_submitting_with_no_intake_registered_only_logs(officer, caplog):
    draft = DraftReportFactory(reporter=officer)
    with intake_handler_replaced(None):
        report = report_submit(actor=officer, report=draft)
    assert report.status == ReportStatus.SUBMITTED
    assert "no triage intake registered" in caplog.text


# ---------------------------------------------------------------------------
# The intake seam
# ---------------------------------------------------------------------------


def test_registering_the_same_handler_twice_is_harmless():
    def handler(report):
        return None

    with intake_handler_replaced(None):
        register_intake_handler(handler)
        register_intake_handler(handler)
        assert registered_intake_handler() is handler


def test_a_second_different_handler_is_refused():
    with intake_handler_replaced(lambda report: None), pytest.raises(ImproperlyConfigured):
        register_intake_handler(lambda report: None)


def test_the_triage_app_registers_its_intake_at_startup():
    # The triage app's ready() registers the handler; reports never imports triage.
    assert registered_intake_handler() is not None
    assert registered_intake_handler().__module__.startswith("triage")
    assert intake.registered_withdrawal_handler().__module__.startswith("triage")
    assert intake.registered_reporter_wrote_handler().__module__.startswith("triage")


def test_intake_passes_the_report_to_the_handler(officer):
    report = SubmittedReportFactory(reporter=officer)
    seen = []
    with intake_handler_replaced(seen.append):
        intake_submitted_report(report)
    assert seen == [report]


# ---------------------------------------------------------------------------
# Messages, outcome and withdrawal
# ---------------------------------------------------------------------------


def test_a_message_from_triage_notifies_the_reporter_without_content(officer, triager):
    report = SubmittedReportFactory(reporter=officer)
    message = report_message_send(actor=triager, report=report, body="Can you call us?")
    assert message.from_reporter is False
    notification = Notification.objects.get(user=officer)
    assert notification.kind == "update"
    assert "Can you call us" not in notification.title


def test_a_message_from_the_reporter_is_marked_as_theirs(officer):
    report = SubmittedReportFactory(reporter=officer)
    message = report_message_send(actor=officer, report=report, body="Another post today.")
    assert message.from_reporter is True
    assert not Notification.objects.exists()


@pytest.mark.parametrize("status", [ReportStatus.DRAFT, ReportStatus.WITHDRAWN])
def test_messages_cannot_be_sent_about_a_draft_or_withdrawn_report(officer, status):
    report = SubmittedReportFactory(reporter=officer, status=status)
    with pytest.raises(ValidationError):
        report_message_send(actor=officer, report=report, body="Hello")


def test_an_empty_message_is_refused(officer):
    report = SubmittedReportFactory(reporter=officer)
    with pytest.raises(ValidationError, match="Enter a message"):
        report_message_send(actor=officer, report=report, body="   ")


def test_only_the_reporter_marks_triage_messages_read(officer, triager):
    report = SubmittedReportFactory(reporter=officer)
    report_message_send(actor=triager, report=report, body="Update for you.")
    assert report_messages_mark_read(actor=triager, report=report) == 0
    assert report_messages_mark_read(actor=officer, report=report) == 1
    assert report_messages_mark_read(actor=officer, report=report) == 0


def test_recording_an_outcome_tells_the_reporter_there_is_an_update(officer, triager):
    report = SubmittedReportFactory(reporter=officer)
    report_progress_start(actor=triager, report=report)
    report_outcome_record(
        actor=triager,
        report=report,
        category=OutcomeCategory.TAKEDOWN,
        explanation="We asked the platform to remove the posts.",
    )
    assert report.status == ReportStatus.OUTCOME_GIVEN
    assert report.outcome_at is not None
    notification = Notification.objects.get(user=officer)
    assert "remove the posts" not in notification.title
    assert notification.link_path.endswith("#outcome")
    statuses = list(report.status_events.values_list("status", flat=True))
    assert statuses == [ReportStatus.IN_PROGRESS, ReportStatus.OUTCOME_GIVEN]


def test_withdrawing_twice_records_one_event(officer):
    report = SubmittedReportFactory(reporter=officer)
    report_withdraw(actor=officer, report=report, reason="Sorted it out myself")
    report_withdraw(actor=officer, report=report, reason="again")
    assert report.status == ReportStatus.WITHDRAWN
    assert report.withdrawal_reason == "Sorted it out myself"
    assert report.status_events.filter(status=ReportStatus.WITHDRAWN).count() == 1


def test_only_the_reporter_can_withdraw(officer, triager):
    report = SubmittedReportFactory(reporter=officer)
    with pytest.raises(ValidationError):
        report_withdraw(actor=triager, report=report)


def test_close_after_withdrawal_is_refused(officer, triager):
    report = SubmittedReportFactory(reporter=officer)
    report_withdraw(actor=officer, report=report)
    with pytest.raises(ValidationError):
        report_close(actor=triager, report=report)


def test_close_after_withdrawal_on_a_copy_read_before_it_is_refused(officer, triager):
    report = SubmittedReportFactory(reporter=officer)
    stale = Report.objects.get(pk=report.pk)
    report_withdraw(actor=officer, report=report)
    with pytest.raises(ValidationError, match="withdrawn cannot become closed"):
        report_close(actor=triager, report=stale)
    report.refresh_from_db()
    assert report.status == ReportStatus.WITHDRAWN


# ---------------------------------------------------------------------------
# Two people acting at once: the database decides, never a stale copy
# ---------------------------------------------------------------------------


def test_an_outcome_recorded_on_a_stale_copy_cannot_overwrite_a_withdrawal(officer, triager):
    report = SubmittedReportFactory(reporter=officer)
    report_progress_start(actor=triager, report=report)
    stale = Report.objects.get(pk=report.pk)  # triage read it before the reporter withdrew
    report_withdraw(actor=officer, report=report, reason="Sorted now")
    with pytest.raises(ValidationError, match="withdrawn cannot become outcome given"):
        report_outcome_record(
            actor=triager,
            report=stale,
            category=OutcomeCategory.ADVICE,
            explanation="Here is some advice.",
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.WITHDRAWN
    assert report.withdrawal_reason == "Sorted now"
    assert (report.outcome_category, report.outcome_explanation, report.outcome_at) == (
        "",
        "",
        None,
    )
    assert stale.status == ReportStatus.WITHDRAWN  # the copy now shows what really happened
    assert not Notification.objects.filter(title__contains="outcome").exists()
    assert report.status_events.filter(status=ReportStatus.OUTCOME_GIVEN).count() == 0


def test_withdrawing_on_a_stale_copy_after_the_outcome_keeps_the_outcome(officer, triager):
    report = SubmittedReportFactory(reporter=officer)
    stale = Report.objects.get(pk=report.pk)
    report_outcome_record(
        actor=triager, report=report, category=OutcomeCategory.ADVICE, explanation="Advice."
    )
    report_withdraw(actor=officer, report=stale)
    report.refresh_from_db()
    assert report.status == ReportStatus.WITHDRAWN
    assert report.outcome_explanation == "Advice."


def test_a_move_already_made_through_another_copy_changes_nothing(officer):
    report = SubmittedReportFactory(reporter=officer)
    stale = Report.objects.get(pk=report.pk)
    report_withdraw(actor=officer, report=report, reason="First")
    report_withdraw(actor=officer, report=stale, reason="Second")
    report.refresh_from_db()
    assert report.withdrawal_reason == "First"
    assert report.status_events.filter(status=ReportStatus.WITHDRAWN).count() == 1


# ---------------------------------------------------------------------------
# Emails only for those who asked to be emailed; the portal notification always
# ---------------------------------------------------------------------------


def _acknowledge(report, triager):
    return report_submit(actor=report.reporter, report=report)


def _message(report, triager):
    report_message_send(actor=triager, report=report, body="Can we talk?")


def _outcome(report, triager):
    report_outcome_record(
        actor=triager, report=report, category=OutcomeCategory.ADVICE, explanation="Advice."
    )


EVENTS = {
    "acknowledgement": (_acknowledge, ReportStatus.DRAFT),
    "new message": (_message, ReportStatus.IN_PROGRESS),
    "outcome": (_outcome, ReportStatus.IN_PROGRESS),
}


@pytest.mark.parametrize("event", list(EVENTS))
@pytest.mark.parametrize(
    ("preference", "emailed"),
    [
        (ContactPreference.EMAIL, True),
        (ContactPreference.PHONE, False),
        (ContactPreference.PORTAL, False),
    ],
)
def test_only_reporters_who_chose_email_are_emailed(
    officer, triager, django_capture_on_commit_callbacks, event, preference, emailed
):
    act, status = EVENTS[event]
    report = SubmittedReportFactory(
        reporter=officer,
        status=status,
        reference="" if status == ReportStatus.DRAFT else "OH-WYP-2026-000777",
        contact_preference=preference,
        phone="07700 900982" if preference == ContactPreference.PHONE else "",
    )
    with django_capture_on_commit_callbacks(execute=True):
        act(report, triager)
    notification = Notification.objects.get(user=officer)
    assert notification.link_path.startswith(f"/reports/{report.public_id}/")
    if emailed:
        assert notification.email_status == Notification.EmailStatus.SENT
        assert [message.to for message in mail.outbox] == [[officer.email]]
    else:
        assert notification.email_status == Notification.EmailStatus.NOT_REQUIRED
        assert mail.outbox == []


# ---------------------------------------------------------------------------
# Saving a draft from two tabs
# ---------------------------------------------------------------------------


def test_saving_one_step_keeps_answers_saved_through_another_copy(officer):
    draft = report_start(actor=officer)
    first_tab = Report.objects.get(pk=draft.pk)
    second_tab = Report.objects.get(pk=draft.pk)
    report_answers_save(
        actor=officer, report=first_tab, answers={"description": "Posts about my home."}
    )
    report_answers_save(actor=officer, report=second_tab, answers={"impact_level": 4})
    draft.refresh_from_db()
    assert draft.description == "Posts about my home."
    assert draft.impact_level == 4


def test_answers_saved_on_a_copy_read_before_sending_are_refused(officer):
    draft = DraftReportFactory(reporter=officer)
    stale = Report.objects.get(pk=draft.pk)
    report_submit(actor=officer, report=draft)
    with pytest.raises(ReportNotEditableError):
        report_answers_save(actor=officer, report=stale, answers={"description": "Changed"})
    draft.refresh_from_db()
    assert draft.description != "Changed"
