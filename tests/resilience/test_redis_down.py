"""Redis stops while a report is being sent: the report is kept and its acknowledgement goes
out once Redis is back, exactly once.

The reporter's browser talks to a real gunicorn whose broker and cache are a Redis of the
test's own. Redis either shuts down (connections refused at once) or freezes (SIGSTOP: the
port still accepts connections but never answers, as with a hung server or a network that
drops packets, the case that could hold a request until gunicorn kills it). Either way the
report is committed before anything is queued (`notification_send` queues after commit), the
failed publish is logged and swallowed, and the relay delivers the acknowledgement once Redis
returns. The broker's socket timeouts (CELERY_BROKER_TRANSPORT_OPTIONS) bound the wait.
"""

from __future__ import annotations

import re
import time
from collections import Counter

import pytest
import requests
from django.conf import settings
from django.test import Client
from django.urls import reverse

from harmsportal.notifications.models import Notification
from reports.models import Report
from tests.reports.factories import DraftReportFactory
from tests.resilience.procs import Processes, wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

RELAY = "harmsportal.notifications.tasks.notifications_relay_task"
# gunicorn's own timeout in the harness is 60 s; a request must finish well before that.
MOST_SECONDS_A_SUBMIT_MAY_TAKE = 30


def _signed_in_browser(user, base: str) -> requests.Session:
    """A browser holding `user`'s session (made here, in the database gunicorn reads)."""
    client = Client()
    client.force_login(user)
    browser = requests.Session()
    browser.cookies.set(
        settings.SESSION_COOKIE_NAME,
        client.cookies[settings.SESSION_COOKIE_NAME].value,
        domain="127.0.0.1",
    )
    return browser


def _csrf_token(page: requests.Response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert match, f"no CSRF token on {page.url}"
    return match.group(1)


def _relay_runs(procs: Processes) -> int:
    return sum(1 for e in procs.task_events() if e["event"] == "finish" and e["task"] == RELAY)


@pytest.mark.parametrize("outage", ["shut down", "frozen"])
def test_a_report_sent_while_redis_is_down_is_kept_and_acknowledged_once_redis_returns(
    procs, officer, outage
):
    redis = procs.redis()
    # A worker with beat runs throughout: it loses Redis with everyone and reconnects (or is
    # restarted, as its supervisor would, if the outage killed it).
    worker = procs.worker(redis, beat=True, wait=False)
    _, base = procs.gunicorn(redis)
    procs.ready(worker)
    draft = DraftReportFactory(reporter=officer)
    browser = _signed_in_browser(officer, base)
    check = browser.get(base + reverse("reports:check", args=[draft.public_id]), timeout=30)
    assert check.status_code == 200, procs.logs()

    if outage == "shut down":
        redis.shutdown()
    else:
        redis.freeze()
    started = time.monotonic()
    sent = browser.post(
        base + reverse("reports:submit", args=[draft.public_id]),
        data={"csrfmiddlewaretoken": _csrf_token(check)},
        allow_redirects=False,
        timeout=90,
    )
    took = time.monotonic() - started

    assert sent.status_code == 302, procs.logs()
    assert sent.headers["Location"] == reverse("reports:done", args=[draft.public_id])
    assert took < MOST_SECONDS_A_SUBMIT_MAY_TAKE, f"submitting took {took:.1f} s"
    done = browser.get(base + sent.headers["Location"], timeout=30)
    report = Report.objects.get(pk=draft.pk)
    assert report.reference
    assert done.status_code == 200
    assert report.reference in done.text
    acknowledgement = Notification.objects.get(user=officer, kind=Notification.Kind.ACKNOWLEDGEMENT)
    assert acknowledgement.email_status == Notification.EmailStatus.PENDING
    assert procs.sent_emails() == []

    if outage == "shut down":
        redis.start()
    else:
        redis.thaw()

    def acknowledged() -> bool:
        nonlocal worker
        worker = procs.supervised(worker)  # restarted if the outage killed it
        acknowledgement.refresh_from_db()
        return acknowledgement.email_status == Notification.EmailStatus.SENT

    wait_until(
        acknowledged,
        what=f"the acknowledgement sent\n{procs.logs()}",
        timeout=60,
    )
    # Three more relay runs after the send: a second copy would have gone by now.
    runs = _relay_runs(procs)
    wait_until(lambda: _relay_runs(procs) >= runs + 3, what="three more relay runs", timeout=30)

    to_reporter = Counter(m["subject"] for m in procs.sent_emails() if m["to"] == [officer.email])
    assert to_reporter == Counter({"Harms Portal: We have received your report": 1})
