"""Run retention now: send the reminders that are due and erase what has expired.

The beat task does the same every night (privacy/tasks.py). `--dry-run` only counts what a run
would do. Safe to run at any time, and beside the beat task: every step is claimed on its row.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from privacy.services.retention import retention_due, retention_run


class Command(BaseCommand):
    help = "Send due retention reminders and erase expired closed cases and referrals."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what is due; change nothing."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        if dry_run:
            for name, count in retention_due().items():
                self.stdout.write(f"{name}: {count}")
            return
        result = retention_run()
        for name, count in result.as_dict().items():
            self.stdout.write(f"{name}: {count}")
        if result.errors:
            raise CommandError(f"{len(result.errors)} item(s) failed; see the log.")
