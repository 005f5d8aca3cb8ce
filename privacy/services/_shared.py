"""Helpers the retention services share: deleting an erased report's evidence files."""

from __future__ import annotations

import logging

from django.db import transaction

from reports.evidence.storage import delete_stored

logger = logging.getLogger("privacy.services.retention")


def delete_files_after_commit(paths: list[str]) -> None:
    """Delete `paths` once the erasure that removed their rows commits (never before: a rollback
    must find its files). A crash or storage error in between leaves a file no row points at,
    which the nightly sweep removes (privacy/services/orphans.py)."""

    def delete() -> None:
        for path in paths:
            try:
                delete_stored(path)
            except OSError:
                # The row is gone; the file is an unreadable Fernet token. Logged (path only, a
                # random name); the next sweep deletes it.
                logger.exception("Retention could not delete stored evidence file %s", path)

    transaction.on_commit(delete)
