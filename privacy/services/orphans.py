"""The evidence sweep: delete stored files that no evidence row points at.

Files are deleted after the transaction that removed their rows commits (an erasure, a draft
deleted or expired, a file removed from a draft), so a crash or a storage error between the
commit and the unlink leaves ciphertext with no row, for ever. An upload killed between writing
its file and its row leaves one too, and a process killed mid-write a half-written temporary
(reports/evidence/storage.py `_write_private`). This sweep finds and deletes them.

What may point at a stored file: an `Evidence` row's `stored_path` (the original) and
`viewing_path` (the stripped viewing copy of an image, the only derived file). Nothing else
does: key rotation rewrites a file in place under the same name, and the backup script only
reads the store. Only `evidence/` under MEDIA_ROOT is swept, where `store_encrypted` writes.

Never touched:
- a file younger than HARMSPORTAL_EVIDENCE_ORPHAN_GRACE_MINUTES (by its modification time): an
  upload writes its file a moment before its row commits, so a file without a row yet may be
  one being kept right now;
- anything, when most of the store has no rows (see `REFUSE_AT`): that is a database and a
  store that do not belong together (a restore half done, a wrong DATABASE_URL or
  HARMSPORTAL_PRIVATE_STORAGE), not files left by crashes. `force=True` overrides it.

Safe twice and at once: the files are listed first and the rows read after, so a row deleted
in between only makes its file an orphan sooner; paths are random and never reused, so no row
can come to point at a file already listed as old. Deleting a file another sweep (or the
erasure's own after-commit step) already deleted is a no-op, and is not counted. The log holds
counts only, never a path or anything of a report.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from reports.evidence.storage import (
    delete_stored,
    delete_temporary,
    iter_stored_with_mtime,
    iter_temporaries_with_mtime,
)
from reports.models import Evidence

logger = logging.getLogger(__name__)

SUBDIR = "evidence"
# Refuse when this many old files or more have no row and they are more than half the store.
REFUSE_AT = 100


@dataclass
class SweepResult:
    stored_files: int = 0  # .bin files in the store
    orphans_deleted: int = 0
    orphans_recent: int = 0  # no row, but younger than the grace period: kept
    temporaries_deleted: int = 0
    refused: bool = False
    errors: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "orphan_files_deleted": self.orphans_deleted,
            "orphan_files_recent": self.orphans_recent,
            "temporary_files_deleted": self.temporaries_deleted,
            "orphan_sweep_refused": int(self.refused),
            "orphan_sweep_errors": self.errors,
        }


def grace() -> timedelta:
    return timedelta(minutes=settings.HARMSPORTAL_EVIDENCE_ORPHAN_GRACE_MINUTES)


def _referenced_paths() -> set[str]:
    referenced: set[str] = set()
    rows = Evidence.objects.values_list("stored_path", "viewing_path")
    for stored, viewing in rows.iterator(chunk_size=5000):
        referenced.add(stored)
        referenced.add(viewing)
    referenced.discard("")
    return referenced


def orphans_find(*, now: datetime | None = None) -> tuple[list[str], SweepResult]:
    """The stored files no row points at that are older than the grace period, and the counts
    so far (files, recent orphans). Reads only."""
    cutoff = ((now or timezone.now()) - grace()).timestamp()
    result = SweepResult()
    listed = list(iter_stored_with_mtime(SUBDIR))  # before the rows: see the module docstring
    result.stored_files = len(listed)
    referenced = _referenced_paths()
    old: list[str] = []
    for path, mtime in listed:
        if path in referenced:
            continue
        if mtime > cutoff:
            result.orphans_recent += 1
        else:
            old.append(path)
    return old, result


def _looks_mismatched(orphans: int, stored: int) -> bool:
    return orphans >= REFUSE_AT and orphans * 2 > stored


def orphans_sweep(
    *, now: datetime | None = None, dry_run: bool = False, force: bool = False
) -> SweepResult:
    """Delete stored evidence files no row points at, and abandoned temporaries, older than the
    grace period. `dry_run` counts what would go (in `orphans_deleted`) and deletes nothing."""
    now = now or timezone.now()
    old, result = orphans_find(now=now)
    if _looks_mismatched(len(old), result.stored_files) and not force:
        result.refused = True
        result.errors += 1
        logger.error(
            "Evidence sweep refused: %d of %d stored files have no evidence row. Check that "
            "DATABASE_URL and HARMSPORTAL_PRIVATE_STORAGE belong to the same portal; "
            "`manage.py evidence_sweep --force` deletes them.",
            len(old),
            result.stored_files,
        )
        return result
    cutoff = (now - grace()).timestamp()
    temporaries = [path for path, mtime in iter_temporaries_with_mtime(SUBDIR) if mtime <= cutoff]
    if dry_run:
        result.orphans_deleted = len(old)
        result.temporaries_deleted = len(temporaries)
        return result
    for path in old:
        try:
            result.orphans_deleted += delete_stored(path)
        except OSError:
            result.errors += 1
    for path in temporaries:
        try:
            result.temporaries_deleted += delete_temporary(path)
        except OSError:
            result.errors += 1
    logger.info(
        "Evidence sweep: %d stored files, %d orphans deleted, %d kept as recent, "
        "%d temporaries deleted, %d errors",
        result.stored_files,
        result.orphans_deleted,
        result.orphans_recent,
        result.temporaries_deleted,
        result.errors,
    )
    return result
