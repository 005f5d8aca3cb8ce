"""Acceptance 3: with frozen time, a completion expires and a refresher is assigned once, and
each reminder (30, 7 and 1 days before a due date and before an expiry) is sent exactly once
across repeated beats, including two sweeps at once on PostgreSQL."""

from __future__ import annotations

import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection

from harmsportal.notifications.models import Notification
from tests.factories import force, make_person
from tests.notifications.test_concurrency import run_together
from tests.training.factories import ModuleFactory
from training.models import Assignment, AssignmentSource, Completion, Module, VersionStatus
from training.services.assigning import assignment_create
from training.services.learning import expiry_for
from training.services.sweep import REFRESHER_DUE_DAYS, training_sweep
from training.tasks import training_sweep_task

LONDON = ZoneInfo("Europe/London")
DUE = datetime.date(2026, 6, 30)
EXPIRES = datetime.date(2027, 3, 1)


# --- helpers (shared by the assignment tests) ------------------------------------------------


def published_module(**fields) -> Module:
    """A national module with version 1 published (a 12-month refresh unless given)."""
    return ModuleFactory(**fields)


def complete(person, module: Module, *, on: datetime.date, version=None) -> Completion:
    """`person` completed `module` (its published version unless given) at 10am on `on`."""
    version = version or module.published_version()
    return Completion.objects.create(
        person=person,
        module=module,
        version=version,
        force=force(),
        completed_at=at(on, 10),
        expires_on=expiry_for(module, on),
        name_on_certificate=person.full_name,
    )


def assign(person, module: Module, *, due_on: datetime.date, on: datetime.date, **fields):
    """Work given to `person` at 9am on `on`, due on `due_on`, as an audience rule would."""
    with time_machine.travel(at(on), tick=False):
        return assignment_create(
            person=person,
            module=module,
            force=force(),
            audience=fields.pop("audience", module.audiences[0]),
            source=fields.pop("source", AssignmentSource.RULE),
            due_on=due_on,
            **fields,
        )


def titles(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user)
        .order_by("created_at", "id")
        .values_list("title", flat=True)
    )


def at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def sweep_on(day: datetime.date, hour: int = 9, minute: int = 0) -> dict[str, int]:
    with time_machine.travel(at(day, hour, minute), tick=False):
        return training_sweep()


def beat_every_day(first: datetime.date, last: datetime.date) -> None:
    """Four beats a day, every day from `first` to `last`: early, mid-morning, evening, late."""
    day = first
    while day <= last:
        for hour, minute in ((0, 5), (9, 0), (18, 30), (23, 50)):
            sweep_on(day, hour, minute)
        day += timedelta(days=1)


def due_title(module, due: datetime.date) -> str:
    return f"{module.title}: training due by {due.day} {due:%B} {due.year}"


def expiry_title(module, expires: datetime.date) -> str:
    return (
        f"{module.title}: your training runs out on {expires.day} {expires:%B} {expires.year}. "
        "Refresh it before then"
    )


# --- due-date reminders ---------------------------------------------------------------------


@pytest.mark.django_db
def test_each_due_reminder_is_sent_once_on_its_day_across_beats_day_by_day(officer):
    module = published_module()
    assignment = assign(officer, module, due_on=DUE, on=DUE - timedelta(days=45))

    sent_on: dict[str, datetime.date] = {}
    day = DUE - timedelta(days=40)
    while day <= DUE + timedelta(days=5):
        for hour in (0, 9, 23):
            sweep_on(day, hour)
        for title in titles(officer):
            sent_on.setdefault(title, day)
        day += timedelta(days=1)

    assert titles(officer) == [due_title(module, DUE)] * 3
    assert Notification.objects.filter(user=officer, kind=Notification.Kind.TRAINING).count() == 3
    days_sent = sorted(
        n.created_at.astimezone(LONDON).date() for n in Notification.objects.filter(user=officer)
    )
    assert days_sent == [DUE - timedelta(days=30), DUE - timedelta(days=7), DUE - timedelta(days=1)]
    assignment.refresh_from_db()
    assert assignment.reminded_30_at.astimezone(LONDON).date() == DUE - timedelta(days=30)
    assert assignment.reminded_7_at.astimezone(LONDON).date() == DUE - timedelta(days=7)
    assert assignment.reminded_1_at.astimezone(LONDON).date() == DUE - timedelta(days=1)


@pytest.mark.django_db
def test_work_assigned_20_days_before_it_is_due_gets_only_the_7_and_1_day_reminders(officer):
    module = published_module()
    assignment = assign(officer, module, due_on=DUE, on=DUE - timedelta(days=20))
    # The 30-day reminder's day had passed when the work was set: marked not needed at once.
    assert assignment.reminded_30_at is not None
    assert (assignment.reminded_7_at, assignment.reminded_1_at) == (None, None)

    beat_every_day(DUE - timedelta(days=20), DUE + timedelta(days=2))

    days_sent = sorted(
        n.created_at.astimezone(LONDON).date() for n in Notification.objects.filter(user=officer)
    )
    assert days_sent == [DUE - timedelta(days=7), DUE - timedelta(days=1)]


@pytest.mark.django_db
def test_work_assigned_exactly_30_days_ahead_still_gets_its_30_day_reminder(officer):
    module = published_module()
    assignment = assign(officer, module, due_on=DUE, on=DUE - timedelta(days=30))
    assert assignment.reminded_30_at is None

    assert sweep_on(DUE - timedelta(days=30))["due_reminders"] == 1
    assert titles(officer) == [due_title(module, DUE)]


@pytest.mark.django_db
def test_after_days_without_a_beat_only_the_most_pressing_reminder_is_sent(officer):
    module = published_module()
    assignment = assign(officer, module, due_on=DUE, on=DUE - timedelta(days=60))

    # The beat was down from 40 days before to 5 days before the due date.
    assert sweep_on(DUE - timedelta(days=5))["due_reminders"] == 1
    assert sweep_on(DUE - timedelta(days=5), 10)["due_reminders"] == 0

    assignment.refresh_from_db()
    assert assignment.reminded_7_at is not None
    assert assignment.reminded_30_at == assignment.reminded_7_at  # skipped, not sent
    assert len(titles(officer)) == 1
    beat_every_day(DUE - timedelta(days=4), DUE + timedelta(days=3))
    assert len(titles(officer)) == 2  # and the 1-day one on its day


@pytest.mark.django_db
def test_completed_retired_and_inactive_work_is_not_reminded(officer, staff_member):
    module = published_module()
    done = assign(officer, module, due_on=DUE, on=DUE - timedelta(days=60))
    completion = complete(officer, module, on=DUE - timedelta(days=40))
    Assignment.objects.filter(pk=done.pk).update(
        completion=completion, completed_at=completion.completed_at
    )
    retired = published_module(title="An old module")
    assign(officer, retired, due_on=DUE, on=DUE - timedelta(days=60))
    retired.versions.update(status=VersionStatus.RETIRED)
    gone = make_person(full_name="Left The Force")
    assign(gone, module, due_on=DUE, on=DUE - timedelta(days=60))
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    still_to_do = assign(staff_member, module, due_on=DUE, on=DUE - timedelta(days=60))

    assert sweep_on(DUE - timedelta(days=1))["due_reminders"] == 1

    assert list(Notification.objects.values_list("user", flat=True)) == [staff_member.pk]
    still_to_do.refresh_from_db()
    assert still_to_do.reminded_1_at is not None


@pytest.mark.django_db
def test_work_already_overdue_when_the_beat_finds_it_is_not_reminded(officer):
    module = published_module()
    overdue = assign(officer, module, due_on=DUE, on=DUE - timedelta(days=60))

    sweep_on(DUE + timedelta(days=1))  # the beat was down until after the due date

    assert Notification.objects.count() == 0  # overdue shows as overdue, not as "due soon"
    overdue.refresh_from_db()
    assert overdue.reminded_1_at is None


@pytest.mark.django_db
def test_the_reminder_email_has_the_fixed_training_wording(
    officer, django_capture_on_commit_callbacks
):
    module = published_module(title="Your online footprint")
    assign(officer, module, due_on=DUE, on=DUE - timedelta(days=45))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        sweep_on(DUE - timedelta(days=30))

    (notification,) = Notification.objects.filter(user=officer)
    assert notification.title == "Your online footprint: training due by 30 June 2026"
    assert notification.link_path == f"/training/modules/{module.slug}/"
    (email,) = mail.outbox
    assert email.to == [officer.email]
    assert email.subject.endswith("You have training to do")
    assert "Your online footprint" not in email.body
    assert "Sign in to see what it is and when it is due" in email.body


@pytest.mark.django_db
def test_a_sweep_out_of_time_leaves_the_rest_to_the_next_beat(officer, monkeypatch):
    module = published_module()
    assign(officer, module, due_on=DUE, on=DUE - timedelta(days=45))
    monkeypatch.setattr("training.services.sweep.SWEEP_TIME_BUDGET_SECONDS", -1.0)
    assert sweep_on(DUE - timedelta(days=30))["due_reminders"] == 0

    monkeypatch.undo()
    assert sweep_on(DUE - timedelta(days=30), 9, 15)["due_reminders"] == 1
    assert titles(officer) == [due_title(module, DUE)]


# --- expiry reminders and the refresher -----------------------------------------------------


@pytest.mark.django_db
def test_a_completion_expires_and_gets_one_refresher_across_repeated_beats(officer):
    module = published_module(refresh_months=12)
    completion = complete(officer, module, on=EXPIRES - timedelta(days=365))
    assert completion.expires_on == EXPIRES

    beat_every_day(EXPIRES - timedelta(days=40), EXPIRES + timedelta(days=10))

    (refresher,) = Assignment.objects.filter(person=officer, module=module)
    assert refresher.source == AssignmentSource.REFRESHER
    assert refresher.refresher_of == completion
    assert refresher.due_on == EXPIRES + timedelta(days=REFRESHER_DUE_DAYS)
    assert refresher.assigned_at.astimezone(LONDON).date() == EXPIRES
    completion.refresh_from_db()
    assert completion.refresher_assigned_at.astimezone(LONDON).date() == EXPIRES
    due = refresher.due_on
    assert titles(officer) == [
        expiry_title(module, EXPIRES),
        expiry_title(module, EXPIRES),
        expiry_title(module, EXPIRES),
        f"{module.title}: your training has run out. Complete it again by "
        f"{due.day} {due:%B} {due.year}",
    ]
    days_sent = [
        n.created_at.astimezone(LONDON).date()
        for n in Notification.objects.filter(user=officer).order_by("created_at")
    ]
    assert days_sent == [
        EXPIRES - timedelta(days=30),
        EXPIRES - timedelta(days=7),
        EXPIRES - timedelta(days=1),
        EXPIRES,
    ]
    # The refresher's own 30-day reminder was that notice: the next is 7 days before it is due.
    assert refresher.reminded_30_at is not None
    beat_every_day(EXPIRES + timedelta(days=11), due + timedelta(days=3))
    assert len(titles(officer)) == 6
    assert Assignment.objects.filter(person=officer, module=module).count() == 1


@pytest.mark.django_db
def test_the_task_on_the_beat_runs_the_sweep(officer):
    module = published_module(refresh_months=12)
    complete(officer, module, on=EXPIRES - timedelta(days=365))
    for minutes in (0, 15, 30):
        with time_machine.travel(at(EXPIRES, 9, minutes), tick=False):
            training_sweep_task.delay()
    assert Assignment.objects.filter(person=officer, source=AssignmentSource.REFRESHER).count() == 1


def test_the_beat_runs_the_sweep_every_fifteen_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["training-sweep"]
    assert entry == {"task": "training.tasks.training_sweep_task", "schedule": 900.0}


@pytest.mark.django_db
def test_a_refresher_found_late_is_due_30_days_from_when_it_was_found(officer):
    module = published_module(refresh_months=12)
    complete(officer, module, on=EXPIRES - timedelta(days=365))

    sweep_on(EXPIRES + timedelta(days=12))

    refresher = Assignment.objects.get(person=officer)
    assert refresher.due_on == EXPIRES + timedelta(days=12 + REFRESHER_DUE_DAYS)
    # No burst of stale expiry reminders after the fact: only the refresher's notice.
    assert len(titles(officer)) == 1


@pytest.mark.django_db
def test_only_the_latest_completion_is_reminded_and_refreshed(officer):
    module = published_module(refresh_months=12)
    old = complete(officer, module, on=EXPIRES - timedelta(days=365))
    beat_every_day(EXPIRES - timedelta(days=35), EXPIRES - timedelta(days=15))
    assert titles(officer) == [expiry_title(module, EXPIRES)]  # its 30-day reminder

    # Completed again a fortnight before the old one ran out: that one now counts.
    newer = complete(officer, module, on=EXPIRES - timedelta(days=14))
    beat_every_day(EXPIRES - timedelta(days=14), EXPIRES + timedelta(days=5))

    assert titles(officer) == [expiry_title(module, EXPIRES)]
    assert not Assignment.objects.filter(person=officer).exists()
    old.refresh_from_db()
    assert old.refresher_assigned_at is None
    assert old.expiry_reminded_7_at is None
    assert newer.expires_on == datetime.date(2028, 2, 15)


@pytest.mark.django_db
def test_a_retired_module_gets_no_expiry_reminder_and_no_refresher(officer):
    module = published_module(refresh_months=12)
    complete(officer, module, on=EXPIRES - timedelta(days=365))
    module.versions.update(status=VersionStatus.RETIRED)

    beat_every_day(EXPIRES - timedelta(days=31), EXPIRES + timedelta(days=1))

    assert titles(officer) == []
    assert not Assignment.objects.exists()


@pytest.mark.django_db
def test_a_module_that_never_expires_is_never_refreshed(officer):
    module = published_module(refresh_months=None)
    completion = complete(officer, module, on=EXPIRES - timedelta(days=365))
    assert completion.expires_on is None
    sweep_on(EXPIRES + timedelta(days=400))
    assert not Assignment.objects.exists()
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_expiry_reminders_wait_while_the_person_already_has_the_module_to_do(officer):
    module = published_module(refresh_months=12)
    complete(officer, module, on=EXPIRES - timedelta(days=365))
    # Their training admin asked them to take it again before it ran out.
    work = assign(
        officer, module, due_on=EXPIRES + timedelta(days=60), on=EXPIRES - timedelta(days=40)
    )

    beat_every_day(EXPIRES - timedelta(days=31), EXPIRES + timedelta(days=1))

    assert titles(officer) == []  # the work's own reminders come later
    assert list(Assignment.objects.filter(person=officer)) == [work]
    assert Completion.objects.get(person=officer).refresher_assigned_at is not None


# --- concurrent sweeps, on Postgres -------------------------------------------------------


def _sweep_at(moment: datetime.datetime):
    def sweep() -> dict[str, int]:
        return training_sweep(now=moment)

    return sweep


# serialized_rollback: the flush after the test must not re-run post_migrate (as in
# tests/notifications/test_concurrency.py).
@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, so it cannot show a race "
    "(set DATABASE_URL=postgres://…; CI runs it)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("threads", [2, 6])
def test_concurrent_sweeps_send_each_reminder_and_make_each_refresher_once(threads):
    today = datetime.date(2026, 9, 1)
    module = published_module(refresh_months=12)
    learners = [make_person(full_name=f"Learner {n}") for n in range(12)]
    for person in learners[:4]:  # due in 7 days
        assign(person, module, due_on=today + timedelta(days=7), on=today - timedelta(days=30))
    for person in learners[4:8]:  # their completion runs out in 30 days
        complete(person, module, on=today + timedelta(days=30) - timedelta(days=365))
    for person in learners[8:]:  # their completion ran out today
        complete(person, module, on=today - timedelta(days=365))
    assert force("west-yorkshire")

    results = run_together(_sweep_at(at(today)), threads=threads)

    assert sum(result["due_reminders"] for result in results) == 4
    assert sum(result["expiry_reminders"] for result in results) == 4
    assert sum(result["refreshers"] for result in results) == 4
    for person in learners:
        assert len(titles(person)) == 1, person.full_name
    assert Assignment.objects.filter(source=AssignmentSource.REFRESHER).count() == 4
