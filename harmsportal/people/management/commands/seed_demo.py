"""`manage.py seed_demo --password P`: demo accounts and data, safe to run again.

The accounts are people's own. Every other app joins the demo through the app registry: its
AppConfig names a `demo` function (`demo = "reports.demo.seed"`) taking the accounts, and this
command calls them in INSTALLED_APPS order, which runs bottom layer first. So people, at the
bottom, never names an app above it, and a new app's demo needs no change here.

The demo's events happened to nobody: their notifications reach the inbox but send no email,
so the console shows the sign-in details rather than a screenful of emails.
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from harmsportal.notifications.services import emails_withheld
from harmsportal.people.demo import ACCOUNTS, seed_accounts
from harmsportal.people.models import User


def demo_seeders() -> list[Callable[[dict[str, User]], None]]:
    """Each installed app's demo function, in INSTALLED_APPS order."""
    return [
        import_string(config.demo)
        for config in apps.get_app_configs()
        if getattr(config, "demo", None)
    ]


class Command(BaseCommand):
    help = "Create the demo accounts (<role>@demo.harmsportal.test) and realistic demo data."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--password", required=True, help="Password for every demo account")

    def handle(self, *args, password: str, **options) -> None:
        if not (settings.DEBUG or settings.HARMSPORTAL_DEMO):
            # Demo accounts share one known password and include a platform admin: never on a
            # real deployment.
            raise CommandError(
                "seed_demo only runs on a demo or development machine "
                "(set HARMSPORTAL_DEMO=1 or DJANGO_DEBUG=1)."
            )
        if len(password) < 10:
            raise CommandError("Use a demo password of at least 10 characters.")
        with transaction.atomic(), emails_withheld():
            accounts = seed_accounts(password)
            for seed in demo_seeders():
                seed(accounts)
        self.stdout.write(self.style.SUCCESS("Demo accounts (all with the same password):"))
        for spec in ACCOUNTS:
            self.stdout.write(f"  {spec.email:<36} {spec.what}")
        self.stdout.write(f"Password: {password}")
