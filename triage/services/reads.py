"""Audited reads: the case page and evidence downloads, each recorded in the access log."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from harmsportal.audit.models import AccessLog
from harmsportal.audit.services import access_record
from reports.models import Evidence
from triage.models import Case
from triage.selectors import role_in_force

if TYPE_CHECKING:
    from harmsportal.people.models import User


@transaction.atomic
def case_view_record(*, actor: User, case: Case) -> None:
    """Record that `actor` read the report through its case, so the reporter can see it."""
    access_record(
        actor=actor,
        action=AccessLog.Action.READ,
        obj=case.report,
        force=case.force,
        role=role_in_force(actor, case.force),
        reason=f"Triage case {case.pk}",
    )


@dataclass(frozen=True)
class EvidenceFile:
    data: bytes
    filename: str
    mime: str


@transaction.atomic
def case_evidence_read(
    *, actor: User, case: Case, evidence: Evidence, original: bool = False
) -> EvidenceFile:
    """Decrypt one file of the case's report for download, recording who, as what, and why.

    The viewing copy (metadata such as GPS removed) is served unless `original` asks for the
    byte-exact file the reporter uploaded.
    """
    from reports.evidence.storage import read_decrypted

    if evidence.report_id != case.report_id or evidence.is_link:
        raise ValidationError("That file is not part of this case.")
    use_copy = evidence.has_viewing_copy and not original
    access_record(
        actor=actor,
        action=AccessLog.Action.DOWNLOAD,
        obj=evidence,
        force=case.force,
        role=role_in_force(actor, case.force),
        reason=f"Triage case {case.pk}: {'viewing copy' if use_copy else 'original file'}",
    )
    if use_copy:
        stem = evidence.original_filename.rsplit(".", 1)[0] or "evidence"
        extension = mimetypes.guess_extension(evidence.viewing_mime) or ""
        return EvidenceFile(
            data=read_decrypted(evidence.viewing_path),
            filename=f"{stem} (viewing copy){extension}",
            mime=evidence.viewing_mime or "application/octet-stream",
        )
    return EvidenceFile(
        data=read_decrypted(evidence.stored_path),
        filename=evidence.original_filename or "evidence",
        mime=evidence.mime or "application/octet-stream",
    )
