"""Evidence files: what may be kept, the metadata-free viewing copy, and encrypted storage.

The journey calls, for each upload: `check_count` → `inspect_upload` → `store_encrypted` of
the original (byte-exact) → for images, `make_viewing_copy` → `store_encrypted` of the copy.
Nothing here touches the database; the caller records the returned paths, type and SHA-256.
See docs/decisions/0005-evidence-storage.md.
"""

from __future__ import annotations

from .detection import Accepted, check_count, inspect_upload
from .errors import EvidenceNotStored, EvidenceRejected
from .images import make_viewing_copy
from .storage import delete_stored, read_decrypted, rotate_file, store_encrypted

__all__ = [
    "Accepted",
    "EvidenceNotStored",
    "EvidenceRejected",
    "check_count",
    "delete_stored",
    "inspect_upload",
    "make_viewing_copy",
    "read_decrypted",
    "rotate_file",
    "store_encrypted",
]
