"""Every page writes dates and times one way, in GOV.UK style: "1 January 2026 at 11:24am"."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone

from harmsportal.templatetags.govuk_time import govuk_date, govuk_datetime, govuk_time
from reports.models import ReportStatus
from reports.services.conversation import report_message_send
from tests.reports.factories import DraftReportFactory, SubmittedReportFactory
from tests.triage.factories import CaseFactory, ClaimedCaseFactory

LONDON = ZoneInfo("Europe/London")
ROOT = Path(settings.BASE_DIR)


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        (11, 24, "11:24am"),
        (10, 0, "10am"),
        (13, 5, "1:05pm"),
        (23, 59, "11:59pm"),
        (0, 0, "midnight"),
        (12, 0, "midday"),
        (0, 30, "12:30am"),
        (12, 45, "12:45pm"),
    ],
)
def test_a_time_is_written_the_gov_uk_way(hour, minute, expected):
    assert govuk_time(datetime.time(hour, minute)) == expected


def test_an_aware_time_is_shown_in_uk_time():
    # 10:24 UTC in July is 11:24 in London (British Summer Time).
    moment = datetime.datetime(2026, 7, 1, 10, 24, tzinfo=datetime.UTC)
    assert govuk_datetime(moment) == "1 July 2026 at 11:24am"


def test_a_date_and_time_read_as_a_sentence():
    moment = datetime.datetime(2026, 1, 1, 11, 24, tzinfo=LONDON)
    assert govuk_datetime(moment) == "1 January 2026 at 11:24am"
    assert govuk_date(moment) == "1 January 2026"


def test_the_short_style_abbreviates_months_as_gov_uk_does():
    assert govuk_datetime(datetime.datetime(2026, 9, 3, 9, 0, tzinfo=LONDON), "short") == (
        "3 Sept 2026 at 9am"
    )
    assert govuk_date(datetime.date(2026, 1, 31), "short") == "31 Jan 2026"


def test_nothing_is_written_for_no_time():
    assert govuk_datetime(None) == ""
    assert govuk_time(None) == ""


def test_the_filters_need_no_load_tag_in_any_template():
    moment = datetime.datetime(2026, 1, 1, 15, 7, tzinfo=LONDON)
    rendered = Template("{{ moment|govuk_datetime }} / {{ moment|govuk_time }}").render(
        Context({"moment": moment})
    )
    assert rendered == "1 January 2026 at 3:07pm / 3:07pm"


# ---------------------------------------------------------------------------
# No template writes a time any other way
# ---------------------------------------------------------------------------

TEMPLATE_DIRS = [
    ROOT / "templates",
    *ROOT.glob("harmsportal/*/templates"),
    *ROOT.glob("*/templates"),
]
# Django date-format characters that write a time of day (hours, minutes, am/pm and so on).
TIME_CHARACTERS = set("aAbBfgGhHiPsuveOTZUrc")
DATE_FILTER = re.compile(r"\|\s*date\s*:\s*(['\"])(?P<format>.*?)\1")
MACHINE_FORMATS = {"c"}  # ISO 8601 for <time datetime="…">: read by machines, not people


def _templates():
    for directory in TEMPLATE_DIRS:
        if directory.is_dir() and ".venv" not in directory.parts:
            yield from directory.rglob("*.html")
            yield from directory.rglob("*.txt")


def test_templates_are_found():
    names = {path.name for path in _templates()}
    assert {"detail.html", "case.html", "inbox.html", "list.html"} <= names


def test_no_template_formats_a_time_itself():
    offenders = []
    for path in _templates():
        text = path.read_text()
        if re.search(r"\|\s*time\b", text):
            offenders.append(f"{path.relative_to(ROOT)}: |time")
        for match in DATE_FILTER.finditer(text):
            fmt = match["format"]
            if fmt in MACHINE_FORMATS:
                continue
            unescaped = re.sub(r"\\.", "", fmt)
            if TIME_CHARACTERS & set(unescaped):
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert offenders == [], "use |govuk_datetime or |govuk_time instead"


def test_no_view_formats_a_time_with_strftime():
    offenders = []
    for path in ROOT.glob("*/views/*.py"):
        text = path.read_text()
        if re.search(r"strftime\([^)]*%[HIMp]", text) or re.search(r":%[^}]*%[HIM]", text):
            offenders.append(str(path.relative_to(ROOT)))
    for path in ROOT.glob("*/views.py"):
        text = path.read_text()
        if re.search(r"strftime\([^)]*%[HIMp]", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


# ---------------------------------------------------------------------------
# Each kind of page that shows a time shows it the same way
# ---------------------------------------------------------------------------

# A time of day as a reader would see it: "11:24", "11:24am", "11:24 a.m.", "11:24AM".
ANY_TIME = re.compile(r"\b\d{1,2}:\d{2}(?:\s?[ap]\.m\.|\s?[ap]m|\s?[AP]M)?(?![\d:])")
GOVUK_TIME = re.compile(r"^\d{1,2}:\d{2}[ap]m$")


def _times_on(html: str) -> list[str]:
    # Ignore machine-readable values in attributes (<time datetime="2026-…T11:24:00">).
    text = re.sub(r"<[^>]+>", " ", html)
    return ANY_TIME.findall(text)


def _assert_gov_uk_times(html: str) -> None:
    times = _times_on(html)
    assert times, "the page should show at least one time"
    assert [t for t in times if not GOVUK_TIME.match(t)] == []


MOMENT = datetime.datetime(2026, 3, 2, 14, 37, tzinfo=LONDON)


@pytest.mark.django_db
def test_the_reporters_pages_write_times_the_gov_uk_way(client, officer, triager):
    DraftReportFactory(reporter=officer, created_at=MOMENT, updated_at=MOMENT)
    sent = SubmittedReportFactory(reporter=officer, submitted_at=MOMENT)
    sent.status_events.create(status=ReportStatus.SUBMITTED, at=MOMENT, note="Received.")
    report_message_send(actor=triager, report=sent, body="Thank you for telling us.")
    client.force_login(officer)

    reports_page = client.get("/reports/").content.decode()
    _assert_gov_uk_times(reports_page)
    assert "2 March 2026 at 2:37pm" in reports_page

    detail = client.get(f"/reports/{sent.public_id}/").content.decode()
    _assert_gov_uk_times(detail)
    assert "2 March 2026 at 2:37pm" in detail


@pytest.mark.django_db
def test_the_inbox_writes_times_the_gov_uk_way(client, officer, triager):
    sent = SubmittedReportFactory(reporter=officer)
    report_message_send(actor=triager, report=sent, body="Thank you for telling us.")
    client.force_login(officer)
    _assert_gov_uk_times(client.get("/notifications/").content.decode())


@pytest.mark.django_db
def test_triage_pages_write_times_the_gov_uk_way(client, triager, triage_supervisor):
    case = ClaimedCaseFactory(assignee=triager)
    # Received three weeks ago: past its clocks, so the supervisor's breach list shows it.
    CaseFactory(submitted_at=timezone.now() - datetime.timedelta(days=21))
    client.force_login(triager)
    _assert_gov_uk_times(client.get(f"/triage/cases/{case.public_id}/").content.decode())
    _assert_gov_uk_times(client.get("/triage/?status=all").content.decode())
    client.force_login(triage_supervisor)
    _assert_gov_uk_times(client.get("/triage/supervisor/").content.decode())
