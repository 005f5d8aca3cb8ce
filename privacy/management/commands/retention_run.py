"""Run retention now: send the reminders that are due, erase what has expired (closed cases,
referrals, unsent drafts), then sweep evidence files no row points at.

The beat task does the same every night (privacy/tasks.py). `--dry-run` only counts what a run
would do. Safe to run at any time, and beside the beat task: every step is claimed on its row.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from privacy.services.nightly import nightly_due, nightly_run


class Command(BaseCommand):
    help = (
        "Send due retention reminders, erase expired closed cases, referrals and unsent "
        "drafts, and delete evidence files no row points at."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what is due; change nothing."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        if dry_run:
            for name, count in nightly_due().items():
                self.stdout.write(f"{name}: {count}")
            return
        result = nightly_run()
        for name, count in result.items():
            self.stdout.write(f"{name}: {count}")
        if result["errors"]:
            raise CommandError(f"{result['errors']} item(s) failed; see the log.")
