"""Encrypted evidence files under MEDIA_ROOT, which sits outside the web root.

A stored file is named by a random UUID in a two-level fan-out (`evidence/3f/a9/<uuid>.bin`),
so names reveal nothing about the report, the reporter or the file type. Files are 0600 and
directories 0700: only the portal's own user can read them, and only as Fernet tokens.

Paths handed back in are checked: they must resolve inside MEDIA_ROOT and name a `.bin` file,
so a tampered or corrupted database value can never read or delete anything else.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import transaction

from . import crypto

logger = logging.getLogger(__name__)

_SUBDIR = re.compile(r"[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*")
SUFFIX = ".bin"


def _root() -> Path:
    return Path(settings.MEDIA_ROOT).resolve()


def _ensure_private_dir(path: Path) -> None:
    """Create `path` and any missing parents as 0700, whatever the process umask."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=0o700)
        except FileExistsError:  # another worker made it first
            continue
        os.chmod(directory, 0o700)


def _write_private(target: Path, payload: bytes) -> None:
    """Write `payload` to `target` atomically: readers see the old file or the new, never half."""
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def resolve(path: str) -> Path:
    """The absolute location of a stored file. Raises SuspiciousFileOperation."""
    relative = PurePosixPath(path)
    if (
        not path
        or "\\" in path
        or "\x00" in path
        or relative.is_absolute()
        or ".." in relative.parts
    ):
        raise SuspiciousFileOperation("Evidence path is not a relative path under MEDIA_ROOT")
    root = _root()
    # resolve() follows symlinks, so a link pointing out of the root is caught here too.
    candidate = (root / relative).resolve()
    if not candidate.is_relative_to(root) or candidate == root or candidate.suffix != SUFFIX:
        raise SuspiciousFileOperation("Evidence path is outside the evidence store")
    return candidate


def store_encrypted(data: bytes, *, subdir: str = "evidence") -> str:
    """Encrypt `data` with the current key and store it; returns the path relative to
    MEDIA_ROOT (keep it on the model). Raises ImproperlyConfigured without keys."""
    if not _SUBDIR.fullmatch(subdir):
        raise SuspiciousFileOperation("Evidence subdir must be lower-case path segments")
    token = crypto.encrypt(data)
    name = uuid.uuid4().hex
    relative = PurePosixPath(subdir, name[:2], name[2:4], name + SUFFIX)
    target = _root() / relative
    _ensure_private_dir(target.parent)
    _write_private(target, token)
    return relative.as_posix()


def read_decrypted(path: str) -> bytes:
    """The original bytes of a stored file.

    Raises SuspiciousFileOperation for a path outside the store, FileNotFoundError for a
    missing file, and cryptography.fernet.InvalidToken if no configured key opens it.
    """
    return crypto.decrypt(resolve(path).read_bytes())


def delete_stored(path: str) -> bool:
    """Remove a stored file. Deleting one that is already gone does nothing and returns False."""
    try:
        resolve(path).unlink()
    except FileNotFoundError:
        return False
    return True


def delete_stored_after_commit(paths: Iterable[str]) -> None:
    """Delete stored files once the transaction that removed their rows commits (never before:
    a rollback must find its files).

    A storage error then (permission, EIO, a file already gone in an odd way) is logged with the
    path only, a random name, and never raised: the change has committed, so the caller's answer
    stands, and the file, which no row names any more, is an unreadable Fernet token the nightly
    evidence sweep deletes (privacy/services/orphans.py). A crash before the callback runs ends
    the same way.
    """
    paths = [path for path in paths if path]
    if not paths:
        return

    def delete() -> None:
        for path in paths:
            try:
                delete_stored(path)
            except OSError:
                logger.exception("Could not delete stored evidence file %s after commit", path)

    transaction.on_commit(delete)


def rotate_file(path: str) -> bool:
    """Re-encrypt a stored file under the first key. Returns False when it already used it.

    Raises InvalidToken if no configured key opens the file (it is left untouched).
    """
    target = resolve(path)
    token = crypto.rotate(target.read_bytes())
    if token is None:
        return False
    _write_private(target, token)
    return True


def iter_stored(subdir: str = "evidence") -> Iterator[str]:
    """Every stored file's relative path under MEDIA_ROOT/<subdir>, in a stable order."""
    for path, _ in _walk(subdir, lambda name: name.endswith(SUFFIX) and not name.startswith(".")):
        yield path


def iter_stored_with_mtime(subdir: str = "evidence") -> Iterator[tuple[str, float]]:
    """Every stored file's relative path and modification time (seconds since the epoch), in a
    stable order. Plain files only: a link, or a file removed while the folder is walked, is
    left out."""
    return _walk(
        subdir, lambda name: name.endswith(SUFFIX) and not name.startswith("."), with_mtime=True
    )


# `_write_private`'s temporary: `.<uuid hex>.bin.<uuid hex>.tmp`. A process killed between
# creating it and the rename (SIGKILL, power loss) leaves it behind; nothing else makes one.
_TEMPORARY = re.compile(r"\.[0-9a-f]{32}\.bin\.[0-9a-f]{32}\.tmp")


def iter_temporaries_with_mtime(subdir: str = "evidence") -> Iterator[tuple[str, float]]:
    """Every half-written temporary under MEDIA_ROOT/<subdir>, with its modification time.
    One being written now is listed too: the caller decides how old is abandoned."""
    return _walk(subdir, _TEMPORARY.fullmatch, with_mtime=True)


def delete_temporary(path: str) -> bool:
    """Remove a temporary `iter_temporaries_with_mtime` listed. False if it was already gone.

    Raises SuspiciousFileOperation for anything but such a temporary inside the store."""
    relative = PurePosixPath(path)
    if not _TEMPORARY.fullmatch(relative.name) or ".." in relative.parts or relative.is_absolute():
        raise SuspiciousFileOperation("Not an evidence store temporary")
    root = _root()
    # The folder resolved, not the name: a link in the temporary's place is removed itself.
    folder = (root / relative.parent).resolve()
    if not folder.is_relative_to(root):
        raise SuspiciousFileOperation("Evidence path is outside the evidence store")
    try:
        (folder / relative.name).unlink()
    except FileNotFoundError:
        return False
    return True


def _walk(subdir: str, wanted, *, with_mtime: bool = False) -> Iterator[tuple[str, float]]:
    if not _SUBDIR.fullmatch(subdir):
        raise SuspiciousFileOperation("Evidence subdir must be lower-case path segments")
    root = _root()
    for directory, dirnames, filenames in os.walk(root / subdir):
        dirnames.sort()
        for filename in sorted(filenames):
            if not wanted(filename):
                continue
            location = Path(directory) / filename
            mtime = 0.0
            if with_mtime:
                try:
                    status = location.lstat()
                except FileNotFoundError:  # deleted or renamed since the folder was read
                    continue
                if not stat.S_ISREG(status.st_mode):
                    continue  # the store writes plain files only; a link is never listed
                mtime = status.st_mtime
            yield location.relative_to(root).as_posix(), mtime
