"""Acceptance 6 (training's side): the line-manager notice is sent once, only when the reporter
asked, to the line manager the roster of that force names, and holds nothing of the report."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from harmsportal.notifications.models import Notification
from harmsportal.people.models import Membership, User
from tests.factories import force, make_person
from training.models import LineManagerNotice, TrainingProfile
from training.services.notices import (
    NOTICE_TITLE,
    line_manager_notice_for,
    line_manager_notice_send,
)

pytestmark = pytest.mark.django_db

MODULE_PATH = "/training/modules/supporting-a-colleague-who-is-targeted/?from=notice"
# The reporter's name is the one thing the service is handed that could name them.
CANARY_NAME = "Canary Zx7Qv Reporter"


@pytest.fixture
def manager(db) -> User:
    # The reporter's line manager, as West Yorkshire's roster names them.
    return make_person(full_name="Lin Manager")


@pytest.fixture
def reporter(manager) -> User:
    person = make_person(full_name=CANARY_NAME)
    TrainingProfile.objects.create(
        person=person, force=force(), audiences=["frontline"], line_manager=manager
    )
    return person


def _send(actor, reporter, *, asked=True, key="a1b2c3", where="west-yorkshire"):
    return line_manager_notice_send(
        actor=actor, reporter=reporter, force=force(where), subject_key=key, asked=asked
    )


def test_the_line_manager_is_told_once_with_the_fixed_words_and_the_module_link(
    triager, reporter, manager
):
    notice = _send(triager, reporter)

    assert (notice.reporter, notice.line_manager, notice.sent_by) == (reporter, manager, triager)
    assert notice.force.slug == "west-yorkshire"
    (sent,) = Notification.objects.filter(user=manager)
    assert sent.kind == Notification.Kind.ALERT
    assert sent.title == (
        "A member of your team has reported online harm linked to their role and asked that "
        "you know"
    )
    assert sent.title == NOTICE_TITLE
    assert sent.link_path == MODULE_PATH
    assert line_manager_notice_for("a1b2c3") == notice


def test_a_second_send_for_the_same_report_sends_nothing(triager, triage_supervisor, reporter):
    first = _send(triager, reporter)
    again = _send(triage_supervisor, reporter)

    assert again == first
    assert LineManagerNotice.objects.count() == 1
    assert Notification.objects.filter(kind=Notification.Kind.ALERT).count() == 1


def test_nothing_is_sent_when_the_reporter_did_not_ask(triager, reporter):
    with pytest.raises(ValidationError, match="did not ask for their line manager to be told"):
        _send(triager, reporter, asked=False)

    assert not LineManagerNotice.objects.exists()
    assert not Notification.objects.exists()


def test_nothing_is_sent_when_the_roster_names_no_line_manager(triager):
    person = make_person()
    TrainingProfile.objects.create(person=person, force=force(), audiences=["frontline"])

    with pytest.raises(ValidationError, match="does not name a line manager"):
        _send(triager, person)

    assert not LineManagerNotice.objects.exists()
    assert not Notification.objects.exists()


def test_only_the_roster_of_the_force_given_counts(triager, reporter):
    with pytest.raises(ValidationError, match="North Yorkshire Police does not name"):
        _send(triager, reporter, where="north-yorkshire")

    assert not Notification.objects.exists()


def test_a_line_manager_who_has_left_is_not_told(triager, reporter, manager):
    manager.is_active = False
    manager.save(update_fields=["is_active"])

    with pytest.raises(ValidationError, match="does not name a line manager"):
        _send(triager, reporter)

    assert not Notification.objects.exists()


def test_a_line_manager_who_moved_to_another_force_is_not_told(triager, reporter, manager):
    Membership.objects.filter(user=manager).update(force=force("north-yorkshire"))

    with pytest.raises(ValidationError, match="does not name a line manager"):
        _send(triager, reporter)

    assert not Notification.objects.exists()


def test_a_line_manager_in_professional_standards_is_never_told(triager, reporter, manager):
    manager.professional_standards = True
    manager.save(update_fields=["professional_standards"])

    with pytest.raises(ValidationError) as refused:
        _send(triager, reporter)

    assert refused.value.messages == [
        "The roster names a line manager who works in Professional Standards, and the portal "
        "never tells Professional Standards about a report. Nobody has been told. Let the "
        "reporter know, so they can decide what to do."
    ]
    assert not LineManagerNotice.objects.exists()
    assert not Notification.objects.exists()


def test_the_triager_is_not_sent_a_notice_about_their_own_team_member(reporter, manager):
    with pytest.raises(ValidationError, match="names you as the reporter's line manager"):
        _send(manager, reporter)

    assert not LineManagerNotice.objects.exists()
    assert not Notification.objects.exists()


def test_the_notice_and_its_email_never_name_the_reporter(
    triager, reporter, manager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice = _send(triager, reporter)

    (sent,) = Notification.objects.all()
    stored = " ".join(
        str(value)
        for value in (
            sent.title,
            sent.link_path,
            sent.to_email,
            sent.email_subject,
            sent.email_body,
        )
    )
    (email,) = mailoutbox
    assert email.to == [manager.email]
    for text in (stored, email.subject, email.body, notice.subject_key):
        assert "Canary" not in text
        assert "Zx7Qv" not in text
    assert "Sign in to read it" in email.body


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every write to the whole file, so two sends cannot race; the "
    "unique key is tested on Postgres, as CI does.",
)
# Real commits from several connections; serialized rollback puts back the forces afterwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_eight_triagers_pressing_at_once_tell_the_line_manager_once():
    manager = make_person(full_name="Lin Manager")
    person = make_person()
    TrainingProfile.objects.create(
        person=person, force=force(), audiences=["frontline"], line_manager=manager
    )
    senders = [make_person("triage", kind=User.Kind.STAFF) for _ in range(8)]
    start = threading.Barrier(len(senders))
    notices, errors = [], []

    def send(actor):
        try:
            start.wait()
            notices.append(_send(actor, person, key="raced"))
        except BaseException as error:  # reported below; a thread must not die silently
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(actor,)) for actor in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert len({notice.pk for notice in notices}) == 1
    assert LineManagerNotice.objects.count() == 1
    assert Notification.objects.filter(user=manager).count() == 1
