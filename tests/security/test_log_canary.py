"""A report's words never leave the pages meant to show them.

A canary string is written into a report's description (and the reporter's message on it). The
whole journey then runs through the HTTP client: the reporter files the report, triage opens
the queue and the case, claims it and writes, the reporter reads the reply and writes back,
every notification is delivered, and a request carrying the canary fails with a server error.
Throughout, every logger is captured at DEBUG and every Celery task published is recorded with
its arguments. The canary must then appear in no log record (message, arguments or traceback),
no task's arguments, no error page and no email (subject, text or HTML; the ADMINS error email too), while the pages meant
to show it (the case to triage, the report to its reporter) do show it, so the test can fail.

SQL statements are the one log that would carry it: Django logs them (`django.db.backends`)
only when DEBUG is on, which production never runs with (docs/security.md).
"""

from __future__ import annotations

import logging
import sys
import uuid

import pytest
from celery.app.task import Task
from django.core import mail
from django.test import Client
from django.views.debug import ExceptionReporter

from harmsportal.notifications.models import Notification
from reports.models import Report
from tests.reports.factories import step_answers
from tests.reports.test_journey import start_report, walk_to_check
from triage.models import Case, TriagePreference

pytestmark = pytest.mark.django_db

CANARY = f"canary-{uuid.uuid4().hex}"
DESCRIPTION = f"He posted my home address with a photo of my car. {CANARY}"
WORDS_BACK = f"Thank you. There is more: {CANARY}"


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # format() adds the traceback of exc_info; the raw args are kept as well.
        self.lines.append(f"{self.format(record)} {record.args!r} {vars(record)!r}")


@pytest.fixture
def logs():
    """Every logger at DEBUG, root and named, for the test; put back afterwards."""
    handler = _Everything()
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    before = {logger: (logger.level, logger.disabled) for logger in loggers}
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
    # django.db.backends is left as it is: see the module docstring.
    logging.getLogger("django.db.backends").setLevel(logging.INFO)
    logging.getLogger().addHandler(handler)
    logging.disable(logging.NOTSET)
    try:
        yield handler.lines
    finally:
        logging.getLogger().removeHandler(handler)
        for logger, (level, disabled) in before.items():
            logger.setLevel(level)
            logger.disabled = disabled


@pytest.fixture
def published(monkeypatch):
    """Every task sent: its name, args and kwargs, as they would go on the wire."""
    sent: list[str] = []
    apply_async = Task.apply_async

    def recording(self, args=None, kwargs=None, *rest, **options):
        sent.append(f"{self.name} {args!r} {kwargs!r} {options!r}")
        return apply_async(self, args, kwargs, *rest, **options)

    monkeypatch.setattr(Task, "apply_async", recording)
    return sent


def _emails() -> list[str]:
    texts = []
    for message in mail.outbox:
        parts = [
            message.subject,
            message.body,
            *[str(part) for part in getattr(message, "alternatives", [])],
        ]
        texts.append(" ".join(str(part) for part in parts))
    return texts


def test_the_canary_reaches_no_log_task_error_page_or_email(
    client, officer, triager, logs, published, settings, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    # Even with admins mailed on errors, as an operator might set: Django's report would copy
    # the POSTed words and every frame's variables (harmsportal/error_reports.py).
    settings.ADMINS = [("Operations", "operations@harmsportal.test")]
    TriagePreference.objects.create(user=triager, email_when_reporter_writes=True)

    # The reporter files the report.
    client.force_login(officer)
    report, first = start_report(client)
    answers = {"description": {**step_answers("description"), "description": DESCRIPTION}}
    walk_to_check(client, report, first, overrides=answers)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/reports/{report.public_id}/submit/").status_code == 302
    report.refresh_from_db()
    assert report.description == DESCRIPTION
    case = Case.objects.get(report=report)

    # Triage reads it, claims it and writes to the reporter.
    client.force_login(triager)
    assert client.get("/triage/").status_code == 200
    case_page = client.get(f"/triage/cases/{case.public_id}/")
    assert CANARY in case_page.content.decode()  # the page meant to show it does
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/triage/cases/{case.public_id}/claim/")
        sent = client.post(
            f"/triage/cases/{case.public_id}/messages/new/",
            {"body": "Thank you for telling us. Can we call you tomorrow?"},
        )
    assert sent.status_code == 302

    # The reporter reads the reply and writes back.
    client.force_login(officer)
    own = client.get(f"/reports/{report.public_id}/")
    assert CANARY in own.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        wrote = client.post(f"/reports/{report.public_id}/messages/", {"body": WORDS_BACK})
    assert wrote.status_code == 302

    # A request carrying the canary fails inside the view.
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("reports.views.reporter.report_message_send", broken)
    failing = Client(raise_request_exception=False)
    failing.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        error_page = failing.post(f"/reports/{report.public_id}/messages/", {"body": WORDS_BACK})
    assert error_page.status_code == 500

    assert Notification.objects.filter(user=officer).exists()
    assert Notification.objects.filter(user=triager).exists()
    assert published, "no task was published: the journey sent nothing to Celery"
    assert len(mail.outbox) >= 2, "the acknowledgement and triage's email were not sent"
    assert any("Internal Server Error" in line for line in logs), "the error was not logged"

    assert [line for line in logs if CANARY in line] == []
    assert [task for task in published if CANARY in task] == []
    assert CANARY not in error_page.content.decode()
    assert [text for text in _emails() if CANARY in text] == []
    stored = Notification.objects.values_list("title", "email_subject", "email_body", "email_html")
    assert [row for row in stored if CANARY in " ".join(row)] == []
    assert Report.objects.get(pk=report.pk).description == DESCRIPTION


def test_an_error_report_names_the_fields_and_variables_but_holds_none_of_their_values(rf):
    request = rf.post("/reports/x/messages/", {"body": WORDS_BACK})

    def failing(words: str) -> None:
        raise RuntimeError("the database went away")

    try:
        failing(request.POST["body"])
    except RuntimeError:
        reporter = ExceptionReporter(request, *sys.exc_info())
    text, page = reporter.get_traceback_text(), reporter.get_traceback_html()

    assert "the database went away" in text  # the report is still a report
    assert "words" in page  # the variable's name, and the field's
    assert "body" in page
    assert CANARY not in text
    assert CANARY not in page
