"""`manage.py seed_demo --password P`: demo accounts and data, safe to run again.

Each domain app extends the demo by providing `<app>/demo.py` with `seed(accounts)`; this
command calls them in dependency order, so no page is empty once an app exists.
"""

from __future__ import annotations

import importlib
import importlib.util

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from harmsportal.people.demo import ACCOUNTS, seed_accounts

# Dependency order (docs/architecture.md): each app may rely on the ones before it.
DEMO_APPS = ("reports", "triage", "wellbeing", "training", "harmsportal.trends")


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
        with transaction.atomic():
            accounts = seed_accounts(password)
            for app in DEMO_APPS:
                module_name = f"{app}.demo"
                if importlib.util.find_spec(module_name) is None:
                    continue
                importlib.import_module(module_name).seed(accounts)
        self.stdout.write(self.style.SUCCESS("Demo accounts (all with the same password):"))
        for spec in ACCOUNTS:
            self.stdout.write(f"  {spec.email:<36} {spec.what}")
        self.stdout.write(f"Password: {password}")
