"""A roster file is kept only while it waits to be applied (review of issue 9).

Applying or discarding a roster blanks its file and takes the names and emails out of its
summary; a bad roster never keeps its file; a trainer can discard a checked roster from its
preview (a second button on the same form); and rosters nobody applies are discarded after
PREVIEW_DAYS by `roster_imports_discard_stale` (for the training beat).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from harmsportal.people.models import User
from tests.training.test_roster_import import csv_bytes, import_file, preview, snapshot
from tests.training.test_roster_pages import ROSTER, preview_url, upload
from training.models import RosterImport
from training.services.roster import (
    NOT_APPLICABLE,
    NOT_DISCARDABLE,
    PREVIEW_DAYS,
    roster_apply,
    roster_discard,
    roster_imports_discard_stale,
)

pytestmark = pytest.mark.django_db

GOOD = [
    ["alex.khan@example.police.uk", "Alex Khan", "officer", "induction", "", ""],
    ["sam.patel@example.police.uk", "Sam Patel", "staff", "line manager", "", "alex.khan@example.police.uk"],
]  # fmt: skip
BAD = [["not-an-email", "Bad Row", "officer", "frontline", "", ""]]


def _holds_people(roster: RosterImport) -> bool:
    roster.refresh_from_db()
    text = str(roster.summary)
    return bool(bytes(roster.content)) or "Khan" in text or "example.police.uk" in text


def test_applying_a_roster_blanks_its_file_and_the_people_in_its_summary(trainer):
    roster = preview(trainer, csv_bytes(GOOD))
    assert bytes(roster.content) == csv_bytes(GOOD)
    assert roster.summary["first_rows"]
    roster = roster_apply(actor=trainer, roster=roster)
    assert roster.status == RosterImport.Status.APPLIED
    assert not _holds_people(roster)
    assert roster.summary["rows"] == 2
    assert roster.summary["new_account"] == 2  # the counts stay
    assert len(roster.sha256) == 64  # a second upload of the same file is still recognised
    again = preview(trainer, csv_bytes(GOOD))
    assert again.summary["applied_before"]


def test_a_bad_roster_never_keeps_its_file(trainer):
    roster = preview(trainer, csv_bytes(BAD))
    assert roster.status == RosterImport.Status.INVALID
    assert bytes(roster.content) == b""
    assert roster.summary["errors"]  # shown on its preview until it is discarded


def test_discarding_a_roster_blanks_it_and_it_can_no_longer_be_applied(trainer):
    roster = preview(trainer, csv_bytes(GOOD))
    before = snapshot()
    roster = roster_discard(actor=trainer, roster=roster)
    assert roster.status == RosterImport.Status.DISCARDED
    assert not _holds_people(roster)
    assert roster_discard(actor=trainer, roster=roster).status == RosterImport.Status.DISCARDED
    with pytest.raises(ValidationError, match=NOT_APPLICABLE):
        roster_apply(actor=trainer, roster=roster)
    assert snapshot() == before

    invalid = roster_discard(actor=trainer, roster=preview(trainer, csv_bytes(BAD)))
    assert invalid.status == RosterImport.Status.DISCARDED
    assert invalid.summary["errors"] == []


def test_an_applied_roster_cannot_be_discarded(trainer):
    roster = import_file(trainer, csv_bytes(GOOD))
    with pytest.raises(ValidationError, match=NOT_DISCARDABLE):
        roster_discard(actor=trainer, roster=roster)
    roster.refresh_from_db()
    assert roster.status == RosterImport.Status.APPLIED


# --- the preview page ----------------------------------------------------------------------------


def test_a_trainer_discards_a_checked_roster_from_its_preview(client, trainer):
    client.force_login(trainer)
    upload(client, csv_bytes(GOOD))
    roster = RosterImport.objects.get()
    html = client.get(preview_url(roster)).content.decode()
    assert 'name="action" value="apply"' in html
    assert 'name="action" value="discard"' in html

    response = client.post(preview_url(roster), {"action": "discard"})
    assert response.status_code == 302
    assert response["Location"] == ROSTER
    page = client.get(ROSTER).content.decode()
    assert "has been discarded. Nothing in it was applied" in page
    assert not _holds_people(roster)
    assert roster.status == RosterImport.Status.DISCARDED
    assert not User.objects.filter(email="alex.khan@example.police.uk").exists()

    shown = client.get(preview_url(roster)).content.decode()
    assert "Roster discarded" in shown
    assert "Apply roster" not in shown
    assert "Alex Khan" not in shown
    # A stale Apply from another tab applies nothing.
    client.post(preview_url(roster), {"action": "apply"})
    assert not User.objects.filter(email="alex.khan@example.police.uk").exists()


def test_a_roster_with_problems_can_be_discarded_and_an_applied_one_cannot(client, trainer):
    client.force_login(trainer)
    upload(client, csv_bytes(BAD))
    bad = RosterImport.objects.get()
    assert 'value="discard"' in client.get(preview_url(bad)).content.decode()
    client.post(preview_url(bad), {"action": "discard"})
    bad.refresh_from_db()
    assert bad.status == RosterImport.Status.DISCARDED

    applied = import_file(trainer, csv_bytes(GOOD))
    html = client.get(preview_url(applied)).content.decode()
    assert 'value="discard"' not in html
    assert "are not kept once a roster is applied" in html
    response = client.post(preview_url(applied), {"action": "discard"}, follow=True)
    assert NOT_DISCARDABLE in response.content.decode()
    applied.refresh_from_db()
    assert applied.status == RosterImport.Status.APPLIED


# --- the beat: previews nobody applied -----------------------------------------------------------


def test_rosters_left_unapplied_are_discarded_after_seven_days(trainer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old_good = preview(trainer, csv_bytes(GOOD))
        old_bad = preview(trainer, csv_bytes(BAD))
    with time_machine.travel(start + dt.timedelta(days=2), tick=False):
        recent = preview(trainer, csv_bytes(GOOD))
    # Applied before files were blanked on apply: its file is blanked too.
    applied = import_file(trainer, csv_bytes(GOOD))
    RosterImport.objects.filter(pk=applied.pk).update(
        content=b"kept", summary={**applied.summary, "first_rows": [{"email": "a@b.uk"}]}
    )

    now = start + dt.timedelta(days=PREVIEW_DAYS, hours=1)
    assert roster_imports_discard_stale(now=now) == 3
    for roster in (old_good, old_bad):
        roster.refresh_from_db()
        assert roster.status == RosterImport.Status.DISCARDED
        assert not _holds_people(roster)
    recent.refresh_from_db()
    assert recent.status == RosterImport.Status.PREVIEWED
    assert bytes(recent.content) == csv_bytes(GOOD)
    applied.refresh_from_db()
    assert applied.status == RosterImport.Status.APPLIED
    assert not _holds_people(applied)

    assert roster_imports_discard_stale(now=now) == 0  # once is enough
    later = start + dt.timedelta(days=PREVIEW_DAYS + 3)
    assert roster_imports_discard_stale(now=later) == 1
    recent.refresh_from_db()
    assert recent.status == RosterImport.Status.DISCARDED


def test_the_training_beat_discards_stale_rosters(trainer):
    from training.tasks import training_sweep_task

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = preview(trainer, csv_bytes(GOOD))
    with time_machine.travel(start + dt.timedelta(days=PREVIEW_DAYS, hours=1), tick=False):
        done = training_sweep_task()
    old.refresh_from_db()
    assert old.status == RosterImport.Status.DISCARDED
    assert done["stale_rosters"] == 1
