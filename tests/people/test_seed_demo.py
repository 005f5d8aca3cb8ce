"""seed_demo: every demo account, idempotent, and never on a real deployment."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import emails_withheld, notification_send
from harmsportal.people.demo import ACCOUNTS
from harmsportal.people.models import FamilyLink, Membership, Role, User


def test_seed_demo_refuses_to_run_outside_a_demo(db, settings):
    settings.DEBUG = False
    settings.HARMSPORTAL_DEMO = False
    with pytest.raises(CommandError, match="demo or development"):
        call_command("seed_demo", password="demo-password-123", stdout=io.StringIO())
    assert not User.objects.filter(email__endswith="@demo.harmsportal.test").exists()


def test_seed_demo_creates_every_account_once_however_often_it_runs(db, settings):
    settings.HARMSPORTAL_DEMO = True
    counts = []
    for _ in range(2):
        call_command("seed_demo", password="demo-password-123", stdout=io.StringIO())
        counts.append(User.objects.count())

    assert counts[0] == counts[1], "a second run added people"
    emails = set(User.objects.values_list("email", flat=True))
    assert {a.email for a in ACCOUNTS} <= emails
    # The demo's other people (colleagues whose referrals fill the wellbeing queue) exist
    # only as data: nobody signs in as them.
    can_sign_in = [
        user.email
        for user in User.objects.filter(email__endswith="@demo.harmsportal.test")
        if user.has_usable_password()
    ]
    assert sorted(can_sign_in) == sorted(a.email for a in ACCOUNTS)
    psd = User.objects.get(email="psd@demo.harmsportal.test")
    assert psd.professional_standards
    assert psd.roles == {Role.REPORTER}
    triage2 = User.objects.get(email="triage2@demo.harmsportal.test")
    assert Membership.objects.get(user=triage2, role=Role.TRIAGE).force.slug == "north-yorkshire"
    assert (
        FamilyLink.objects.filter(
            member__email="officer@demo.harmsportal.test",
            family_user__email="family@demo.harmsportal.test",
            accepted_at__isnull=False,
        ).count()
        == 1
    )


def test_each_apps_demo_is_found_through_its_app_config_bottom_layer_first():
    from harmsportal.people.management.commands.seed_demo import demo_seeders
    from harmsportal.trends import demo as trends_demo
    from reports import demo as reports_demo
    from training import demo as training_demo
    from triage import demo as triage_demo
    from wellbeing import demo as wellbeing_demo

    assert demo_seeders() == [
        training_demo.seed,
        reports_demo.seed,
        triage_demo.seed,
        wellbeing_demo.seed,
        trends_demo.seed,
    ]


def test_seed_demo_fills_inboxes_but_sends_no_email(
    db, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.HARMSPORTAL_DEMO = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", password="demo-password-123", stdout=io.StringIO())

    assert Notification.objects.filter(user__email="officer@demo.harmsportal.test").exists()
    assert not Notification.objects.exclude(
        email_status=Notification.EmailStatus.NOT_REQUIRED
    ).exists()
    assert mailoutbox == []


def test_emails_are_sent_again_after_seeding(db, officer, mailoutbox):
    with emails_withheld():
        withheld = notification_send(user=officer, kind=Notification.Kind.UPDATE, title="x")
    sent = notification_send(user=officer, kind=Notification.Kind.UPDATE, title="y")

    assert withheld.email_status == Notification.EmailStatus.NOT_REQUIRED
    assert sent.email_status == Notification.EmailStatus.PENDING
