"""Postgres connections dropped under a running portal (pg_terminate_backend).

A gunicorn of the portal runs against the test database with persistent connections
(DATABASE_CONN_MAX_AGE=60, the case where a dead connection could linger). Its backends are
terminated, and new connections are refused for a while (ALLOW_CONNECTIONS false), as in a
database failover. /healthz answers 503 naming the database; the same worker process serves
again once connections are possible; and a report being sent at the moment its connection is
cut fails with the portal's error page, leaving the draft as it was: no reference, no status
event, no acknowledgement, no case. An evidence upload cut the same way leaves neither its row
nor its encrypted files. A server that takes the connection and never answers gets a 503
inside the health probe's 5 s.
"""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest
import requests
from django.db import connection

from bench._procs import database_url
from harmsportal.notifications.models import Notification
from reports.models import Evidence, ReferenceCounter, Report, ReportStatus
from tests.reports import hostile_files
from tests.reports.factories import DraftReportFactory
from tests.resilience._data import admin_connection, needs_postgres, portal
from triage.models import Case

transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PROBLEM = "Sorry, there is a problem with the service"


def _own_backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


class Outage:
    """Cut the test database's connections, except this test process's own."""

    def __init__(self) -> None:
        self.name = connection.settings_dict["NAME"]
        self.keep = _own_backend_pid()
        self.admin = admin_connection()

    def _others(self) -> list[int]:
        rows = self.admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
            [self.name, self.keep],
        ).fetchall()
        return [pid for (pid,) in rows]

    def begin(self) -> int:
        self.admin.execute(f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS false')
        cut = 0
        for pid in self._others():
            cut += self.admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
        deadline = time.monotonic() + 10
        while self._others() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self._others() == []
        return cut

    def end(self) -> None:
        self.admin.execute(f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS true')

    def close(self) -> None:
        self.end()
        self.admin.close()


@pytest.fixture
def outage():
    cut = Outage()
    yield cut
    cut.close()  # whatever happened, the database takes connections again


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    # One gunicorn for the module: it needs no rows to start, and each test leaves it serving.
    store = tmp_path_factory.mktemp("served") / "private"
    with portal(database=database_url(), media_root=store, DATABASE_CONN_MAX_AGE="60") as running:
        running.store = store
        yield running


@needs_postgres
@transactional
def test_healthz_reports_the_dropped_database_and_the_same_worker_recovers(served, outage, officer):
    browser = served.session(officer)
    assert browser.get(served.url + "/reports/", timeout=30).status_code == 200
    healthy = requests.get(served.url + "/healthz", timeout=30)
    assert healthy.status_code == 200
    assert healthy.json()["checks"]["database"] == "ok"
    workers = served.worker_pids()

    assert outage.begin() >= 1  # the worker's persistent connection was among those cut
    for _ in range(3):  # every probe during the outage, not just the first
        started = time.monotonic()
        down = requests.get(served.url + "/healthz", timeout=30)
        assert down.status_code == 503
        assert down.json() == {
            "status": "unavailable",
            "checks": {**healthy.json()["checks"], "database": "unavailable"},
        }
        assert time.monotonic() - started < 5
    page = browser.get(served.url + "/reports/", timeout=30)
    assert page.status_code == 500
    assert PROBLEM in page.text
    assert "Traceback" not in page.text

    outage.end()
    assert requests.get(served.url + "/healthz", timeout=30).status_code == 200
    assert browser.get(served.url + "/reports/", timeout=30).status_code == 200
    assert served.worker_pids() == workers  # recovered in place: no worker was restarted


@needs_postgres
@transactional
def test_an_upload_whose_connection_is_cut_leaves_no_file_and_no_row(served, outage, officer):
    draft = DraftReportFactory(reporter=officer)
    browser = served.session(officer)
    step = f"/reports/{draft.public_id}/step/evidence/"
    token = served.csrf(browser, step)

    # Hold the evidence table: the upload has checked the file and written both encrypted
    # files (the original and its viewing copy) when its row insert waits here.
    holder = admin_connection(outage.name, autocommit=False)
    holder.execute(f'LOCK TABLE "{Evidence._meta.db_table}" IN EXCLUSIVE MODE')
    answers: list[requests.Response] = []
    upload = {"file": ("threat.jpg", hostile_files.jpeg(gps=True), "image/jpeg")}
    sender = threading.Thread(
        target=lambda: answers.append(
            browser.post(
                served.url + step,
                data={"csrfmiddlewaretoken": token, "action": "upload"},
                files=upload,
                timeout=60,
            )
        )
    )
    sender.start()
    try:
        waiting = _wait_for_a_backend_waiting_on_a_lock(outage)
        assert _files(served.store), "the upload should have written its files by now"
        outage.admin.execute("SELECT pg_terminate_backend(%s)", [waiting])
    finally:
        holder.rollback()
        holder.close()
        sender.join(timeout=60)

    [answer] = answers
    assert answer.status_code == 500
    assert PROBLEM in answer.text
    assert not Evidence.objects.filter(report=draft).exists()
    assert _files(served.store) == []  # both ciphertexts removed, no temporary file left

    again = browser.post(
        served.url + step,
        data={"csrfmiddlewaretoken": token, "action": "upload"},
        files=upload,
        timeout=60,
    )
    assert again.status_code == 200  # the redirect back to the step, followed
    assert Evidence.objects.filter(report=draft).count() == 1
    assert len(_files(served.store)) == 2


def _files(root) -> list[str]:
    return sorted(
        os.path.join(folder, name)
        for folder, _, names in os.walk(root / "evidence")
        for name in names
    )


@needs_postgres
@transactional
def test_a_report_sent_as_its_connection_is_cut_is_not_half_written(served, outage, officer):
    draft = DraftReportFactory(reporter=officer)
    browser = served.session(officer)
    submit = f"{served.url}/reports/{draft.public_id}/submit/"
    token = served.csrf(browser, f"/reports/{draft.public_id}/check/")

    # Hold the triage intake's table, so the submission waits inside its transaction after it
    # has given the report its reference, its status event and its acknowledgement.
    holder = admin_connection(outage.name, autocommit=False)
    holder.execute(f'LOCK TABLE "{Case._meta.db_table}" IN EXCLUSIVE MODE')
    answers: list[requests.Response] = []
    sender = threading.Thread(
        target=lambda: answers.append(
            browser.post(submit, data={"csrfmiddlewaretoken": token}, timeout=60)
        )
    )
    sender.start()
    try:
        waiting = _wait_for_a_backend_waiting_on_a_lock(outage)
        outage.admin.execute("SELECT pg_terminate_backend(%s)", [waiting])
    finally:
        holder.rollback()
        holder.close()
        sender.join(timeout=60)

    [answer] = answers
    assert answer.status_code == 500
    assert PROBLEM in answer.text
    assert "Traceback" not in answer.text
    draft.refresh_from_db()
    assert draft.status == ReportStatus.DRAFT
    assert not draft.reference
    assert not draft.status_events.exists()
    assert not Notification.objects.filter(user=officer).exists()
    assert not Case.objects.filter(report=draft).exists()
    assert not ReferenceCounter.objects.filter(last__gt=0).exists()

    # The same portal, with no restart, sends it on the next try, once.
    again = browser.post(submit, data={"csrfmiddlewaretoken": token}, timeout=60)
    assert again.status_code == 200
    assert again.url.endswith(f"/reports/{draft.public_id}/done/")
    sent = Report.objects.get(pk=draft.pk)
    assert sent.reference.endswith("-000001")
    assert sent.reference in again.text
    assert Notification.objects.filter(user=officer).count() == 1
    assert Case.objects.filter(report=sent).count() == 1


def test_healthz_answers_within_the_probes_timeout_when_the_database_never_answers():
    # A database host that takes the TCP connection and then says nothing (a hung server, a
    # half-open firewall): libpq waits forever unless told otherwise, so /healthz would hang
    # past the 5 s probe and the worker be killed. It must say 503, in time.
    with socket.socket() as black_hole:
        black_hole.bind(("127.0.0.1", 0))
        black_hole.listen(64)  # the kernel completes handshakes; nothing ever reads or answers
        port = black_hole.getsockname()[1]
        silent = f"postgres://portal:secret@127.0.0.1:{port}/harmsportal"
        with portal(database=silent, CELERY_BROKER_URL="", REDIS_URL="") as hung:
            started = time.monotonic()
            answer = requests.get(hung.url + "/healthz", timeout=30)
            took = time.monotonic() - started
    assert answer.status_code == 503
    assert answer.json()["checks"]["database"] == "unavailable"
    assert took < 5, f"/healthz took {took:.1f}s"


def _wait_for_a_backend_waiting_on_a_lock(outage: Outage) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        row = outage.admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
            [outage.name],
        ).fetchone()
        if row:
            return row[0]
        time.sleep(0.05)
    pytest.fail("the submission never reached the triage intake")
