"""A draft erased while its reporter is still on it: by the nightly draft retention
(privacy/services/drafts.py) or deleted in another tab.

Either the draft is gone before the request arrives (the chokepoint's 404), or it goes while
the request is under way: between the page reading the draft and the service saving to it.
The second is provoked here by erasing the draft straight after the chokepoint returns it.
Both must end as the portal's ordinary 404, the same page as for a draft that never existed,
never a 500, and nothing is written or stored for a draft that is gone.
"""

from __future__ import annotations

import os
import re
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from privacy.models import DraftReminder, ErasureRecord
from privacy.services.drafts import draft_erase
from reports.models import Evidence, Report
from reports.services.evidence import report_evidence_add, report_link_add
from reports.views import journey
from tests.reports import hostile_files
from tests.reports.factories import DraftReportFactory, image_upload, step_answers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def store(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


def stored_files(root) -> set[str]:
    return {name for _, _, names in os.walk(Path(root) / "evidence") for name in names}


def erase_by_retention(report: Report) -> None:
    """Make the draft due (unsaved for 100 days, reminded 20 days ago) and erase it as the
    nightly run does."""
    now = timezone.now()
    Report.objects.filter(pk=report.pk).update(updated_at=now - timedelta(days=100))
    DraftReminder.objects.create(report_id=report.pk, reminded_at=now - timedelta(days=20))
    assert draft_erase(report_id=report.pk, now=now) is not None


def delete_elsewhere(report: Report) -> None:
    """The reporter deleted the draft in another tab."""
    Report.objects.filter(pk=report.pk).delete()


ERASERS = [erase_by_retention, delete_elsewhere]


@pytest.fixture
def erased_mid_request(monkeypatch):
    """From now on, the journey's chokepoint hands back the draft and then it is erased, as if
    retention ran between the page reading the draft and the service writing to it."""

    def arm(erase):
        real = journey.get_report_for_user

        def read_then_erase(user, pk, **kwargs):
            report = real(user, pk, **kwargs)
            erase(report)
            return report

        monkeypatch.setattr(journey, "get_report_for_user", read_then_erase)

    return arm


def without_nonces(response) -> str:
    # Each response carries a fresh CSP nonce and CSRF token; everything else must match.
    page = re.sub(r'nonce="[^"]*"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def missing_draft_page(client, url: str, draft: Report) -> str:
    """The page for the same request to a draft that never existed."""
    response = client.post(url.replace(str(draft.public_id), str(uuid.uuid4())))
    assert response.status_code == 404
    return without_nonces(response)


def draft_with_a_file(reporter) -> tuple[Report, Evidence]:
    draft = DraftReportFactory(reporter=reporter)
    photo = report_evidence_add(
        actor=reporter, report=draft, data=hostile_files.jpeg(gps=True), filename="a.jpg"
    )
    return draft, photo


def requests_on(draft: Report, evidence: Evidence) -> dict[str, tuple[str, dict]]:
    """Every POST the journey takes for a draft: (url, data) by what the reporter is doing."""
    base = f"/reports/{draft.public_id}"
    return {
        "answering a question": (f"{base}/step/who/", step_answers("who")),
        "answering the description": (f"{base}/step/description/", step_answers("description")),
        "saving and coming back later": (
            f"{base}/step/impact/",
            {**step_answers("impact"), "action": "save_exit"},
        ),
        "uploading a file": (
            f"{base}/step/evidence/",
            {"file": image_upload(), "action": "upload"},
        ),
        "adding a link": (
            f"{base}/step/evidence/",
            {"link_url": "https://example.com/post/1", "action": "add_link"},
        ),
        "removing a file": (f"{base}/evidence/{evidence.public_id}/remove/", {}),
        "sending it": (f"{base}/submit/", {}),
        "deleting it": (f"{base}/delete/", {}),
    }


ACTIONS = [
    "answering a question",
    "answering the description",
    "saving and coming back later",
    "uploading a file",
    "adding a link",
    "removing a file",
    "sending it",
    "deleting it",
]


@pytest.mark.parametrize("erase", ERASERS)
@pytest.mark.parametrize("action", ACTIONS)
def test_a_draft_erased_before_the_post_is_the_ordinary_404(client, officer, erase, action):
    draft, photo = draft_with_a_file(officer)
    url, data = requests_on(draft, photo)[action]
    erase(draft)
    client.force_login(officer)

    response = client.post(url, data)

    assert response.status_code == 404
    assert without_nonces(response) == missing_draft_page(client, url, draft)
    assert not Report.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize("erase", ERASERS)
@pytest.mark.parametrize("action", ACTIONS)
def test_a_draft_erased_during_the_post_is_the_ordinary_404_not_a_500(
    client, officer, erased_mid_request, store, erase, action
):
    draft, photo = draft_with_a_file(officer)
    url, data = requests_on(draft, photo)[action]
    client.force_login(officer)
    expected = missing_draft_page(client, url, draft)
    erased_mid_request(erase)

    response = client.post(url, data)

    assert response.status_code == 404
    assert without_nonces(response) == expected
    # Nothing was written for the draft that is gone: no row, no evidence, no file kept.
    assert not Report.objects.filter(pk=draft.pk).exists()
    assert not Report.objects.filter(reporter=officer).exists()
    assert not Evidence.objects.exists()
    if erase is erase_by_retention:
        assert ErasureRecord.objects.filter(public_id=draft.public_id).count() == 1


def test_the_404_shows_nothing_of_the_draft(client, officer, erased_mid_request):
    draft = DraftReportFactory(reporter=officer, description="Canary-5b1e: my street and car")
    client.force_login(officer)
    erased_mid_request(erase_by_retention)

    response = client.post(f"/reports/{draft.public_id}/step/who/", step_answers("who"))

    assert response.status_code == 404
    page = response.content.decode()
    assert "Canary-5b1e" not in page
    assert str(draft.public_id) not in page


def test_the_reporters_other_drafts_are_untouched(client, officer, erased_mid_request):
    kept = DraftReportFactory(reporter=officer)
    link = report_link_add(actor=officer, report=kept, url="https://example.com/kept")
    gone = DraftReportFactory(reporter=officer)
    client.force_login(officer)
    erased_mid_request(delete_elsewhere)

    response = client.post(
        f"/reports/{gone.public_id}/step/evidence/",
        {"link_url": "https://example.com/late", "action": "add_link"},
    )

    assert response.status_code == 404
    assert list(Report.objects.filter(reporter=officer)) == [kept]
    assert list(kept.evidence.all()) == [link]


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, so a save cannot wait on a row lock "
    "(set DATABASE_URL=postgres://…; CI runs it)",
)
# serialized_rollback: the flush after the test must not re-run post_migrate (as in
# tests/notifications/test_concurrency.py).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_save_waiting_on_the_erasures_lock_gets_the_404_when_it_commits(client, officer):
    """The real race, without a stand-in: retention has locked and deleted the draft but not
    yet committed; the reporter's page still reads the draft (its delete is not visible yet),
    then the save waits on the row lock and, once the erasure commits, finds no row."""
    draft = DraftReportFactory(reporter=officer, description="Canary-77e0: my new address")
    now = timezone.now()
    Report.objects.filter(pk=draft.pk).update(updated_at=now - timedelta(days=100))
    DraftReminder.objects.create(report_id=draft.pk, reminded_at=now - timedelta(days=20))
    client.force_login(officer)
    url = f"/reports/{draft.public_id}/step/description/"
    expected = missing_draft_page(client, url, draft)
    erasing = threading.Event()
    erased: list[object] = []

    def erase():
        try:
            with transaction.atomic():
                erased.append(draft_erase(report_id=draft.pk, now=now))
                erasing.set()
                time.sleep(1.0)
        finally:
            erasing.set()
            connections.close_all()

    thread = threading.Thread(target=erase)
    thread.start()
    assert erasing.wait(timeout=10)
    began = time.monotonic()
    response = client.post(url, step_answers("description"))
    waited = time.monotonic() - began
    thread.join(timeout=30)

    assert len(erased) == 1
    assert erased[0] is not None
    assert waited > 0.5  # it reached the service's lock and waited there
    assert response.status_code == 404
    assert without_nonces(response) == expected
    assert not Report.objects.filter(pk=draft.pk).exists()
