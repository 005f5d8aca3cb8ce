"""Re-encrypt every stored evidence file with the first key in HARMSPORTAL_EVIDENCE_KEYS.

Rolling a key: put the new key first (keep the old ones after it), deploy, run this command,
and remove an old key only once a run reports nothing left to re-encrypt. Safe to run again at
any time: files already on the first key are left alone.
"""

from __future__ import annotations

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError

from reports.evidence import rotate_file
from reports.evidence.storage import iter_stored


class Command(BaseCommand):
    help = "Re-encrypt stored evidence files with the first key in HARMSPORTAL_EVIDENCE_KEYS."

    def add_arguments(self, parser):
        parser.add_argument(
            "--subdir",
            action="append",
            dest="subdirs",
            help="Folder under MEDIA_ROOT to walk (repeatable). Default: evidence.",
        )

    def handle(self, *args, subdirs: list[str] | None, **options) -> None:
        rotated = current = 0
        unreadable: list[str] = []
        for subdir in subdirs or ["evidence"]:
            for path in iter_stored(subdir):
                try:
                    if rotate_file(path):
                        rotated += 1
                    else:
                        current += 1
                except InvalidToken:
                    unreadable.append(path)
        self.stdout.write(
            f"Re-encrypted {rotated} file(s); {current} already used the current key."
        )
        if unreadable:
            listing = "\n".join(f"  {path}" for path in unreadable)
            raise CommandError(
                f"{len(unreadable)} file(s) could not be decrypted with any configured key "
                f"(left untouched):\n{listing}"
            )
