"""'Who has seen your report' summarises the access log without frightening the reporter:
one row per role, force, action and day with how many times; every read stays in the log."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from harmsportal.audit.models import AccessLog
from tests.triage.factories import CaseFactory

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Europe/London"))


def seen_rows(client, case) -> list[str]:
    client.force_login(case.report.reporter)
    page = client.get(f"/reports/{case.report.public_id}/").content.decode()
    section = page.split('id="seen-by"', 1)[1].split("</table>", 1)[0]
    body = section.split('<tbody class="govuk-table__body" role="rowgroup">', 1)[1]
    return body.split("</tr>")[:-1]


def test_four_reads_by_one_person_in_a_day_are_one_row_and_four_log_entries(client, triager):
    with time_machine.travel(MORNING, tick=False):
        case = CaseFactory()
    client.force_login(triager)
    for minutes in (0, 1, 2, 30):  # reloads after posting forms, and a look later on
        with time_machine.travel(MORNING + timedelta(minutes=minutes), tick=False):
            client.get(f"/triage/cases/{case.public_id}/")

    assert AccessLog.objects.filter(actor=triager, object_id=str(case.report_id)).count() == 4
    (row,) = seen_rows(client, case)
    assert "Triage" in row
    assert "West Yorkshire Police" in row
    assert "1 June 2026" in row
    assert "4 times" in row
    assert "last at 9:30am" in row
    assert triager.get_full_name() not in row


def test_another_day_and_another_role_are_rows_of_their_own(client, triager, triage_supervisor):
    with time_machine.travel(MORNING, tick=False):
        case = CaseFactory()
    for person, moment in (
        (triager, MORNING),
        (triager, MORNING + timedelta(days=1)),
        (triage_supervisor, MORNING + timedelta(days=1, hours=1)),
    ):
        client.force_login(person)
        with time_machine.travel(moment, tick=False):
            client.get(f"/triage/cases/{case.public_id}/")
    rows = seen_rows(client, case)
    assert len(rows) == 3
    assert "Triage supervisor" in rows[0]  # newest first
    assert "2 June 2026" in rows[0]
    assert "Once" in rows[0]
    assert "1 June 2026" in rows[2]
