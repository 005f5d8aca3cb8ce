"""Delete stored evidence files that no evidence row points at, older than the grace period
(HARMSPORTAL_EVIDENCE_ORPHAN_GRACE_MINUTES), and abandoned half-written temporaries.

The nightly retention run does this too (privacy/services/orphans.py). It refuses when most of
the store has no rows, which means the database and the store do not belong together; check
DATABASE_URL and HARMSPORTAL_PRIVATE_STORAGE, and only then use `--force`.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from privacy.services.orphans import orphans_sweep


class Command(BaseCommand):
    help = "Delete evidence files no row points at (older than the grace period)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would go; delete nothing."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Sweep even when most stored files have no row (after checking why).",
        )

    def handle(self, *args, dry_run: bool, force: bool, **options) -> None:
        result = orphans_sweep(dry_run=dry_run, force=force)
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(
            f"{result.stored_files} stored file(s); {result.orphans_deleted} with no row "
            f"{verb}; {result.orphans_recent} with no row kept as recent; "
            f"{result.temporaries_deleted} abandoned temporary file(s) {verb}."
        )
        if result.refused:
            raise CommandError(
                "Refused: most stored files have no evidence row. Check that DATABASE_URL and "
                "HARMSPORTAL_PRIVATE_STORAGE belong to the same portal; --force sweeps anyway."
            )
        if result.errors:
            raise CommandError(f"{result.errors} file(s) could not be deleted; see the log.")
