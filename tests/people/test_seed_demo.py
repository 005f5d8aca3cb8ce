"""seed_demo: every demo account, idempotent, and never on a real deployment."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

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
    for _ in range(2):
        call_command("seed_demo", password="demo-password-123", stdout=io.StringIO())

    emails = set(User.objects.values_list("email", flat=True))
    assert {a.email for a in ACCOUNTS} <= emails
    assert User.objects.filter(email__endswith="@demo.harmsportal.test").count() == len(ACCOUNTS)
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
