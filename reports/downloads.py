"""Evidence is served in one place: one audited read and one attachment response.

Both the reporter's download (`reports.views.reporter.evidence_download`) and triage's
(`triage.views.case_pages.evidence`) come through here, so they cannot drift apart in their
defaults, their file names or their headers (decision 0005).

- **Which copy.** `?copy=original` asks for the byte-exact upload, `?copy=viewing` for the
  copy with metadata (EXIF GPS) removed. With no choice, an image's viewing copy is served:
  it is the safer file to open. Files without a viewing copy (PDF, text) have only the original.
- **The name comes from the detected type, never the uploaded name.** An upload called
  `invoice.csv` that libmagic found to be text downloads as `….txt`; a PNG called `image.html`
  downloads as `….png`. A spreadsheet never opens a harasser's formulas, and a browser never
  renders a file as a page because of its name.
- **Headers.** Always an attachment, `nosniff`, `no-store`, and a sandbox CSP so that even a
  browser that ignores the disposition runs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.db import transaction
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header

from harmsportal.audit.models import AccessLog
from harmsportal.audit.services import access_record
from reports.evidence.storage import read_decrypted

if TYPE_CHECKING:
    from harmsportal.people.models import Force, User
    from reports.models import Evidence

Copy = Literal["original", "viewing"]

# The only types the pipeline keeps (reports.evidence.detection), each with the one extension
# it downloads under. Anything else falls back to an inert binary download.
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
}
FALLBACK_MIME = "application/octet-stream"
FALLBACK_EXTENSION = ".bin"
SANDBOX_CSP = "default-src 'none'; sandbox"


@dataclass(frozen=True)
class EvidenceFile:
    data: bytes
    filename: str
    mime: str


def requested_copy(value: str | None) -> Copy | None:
    """The copy a `?copy=` query parameter asks for; None for no (or an unknown) choice."""
    if value == "original":
        return "original"
    if value == "viewing":
        return "viewing"
    return None


def download_name(evidence: Evidence, *, mime: str, viewing_copy: bool) -> str:
    """`<reference>-evidence-<short id>[-viewing-copy].<ext>`, the extension from `mime` alone."""
    reference = evidence.report.reference or "draft-report"
    extension = EXTENSIONS.get(_bare(mime), FALLBACK_EXTENSION)
    suffix = "-viewing-copy" if viewing_copy else ""
    return f"{reference}-evidence-{evidence.public_id.hex[:8]}{suffix}{extension}"


@transaction.atomic
def evidence_file_read(
    *,
    actor: User,
    evidence: Evidence,
    force: Force,
    role: str,
    copy: Copy | None = None,
    reason: str = "",
) -> EvidenceFile:
    """Decrypt one evidence file for download and record who read it, as what, and why.

    Raises Http404 for a link, or for a viewing copy the file does not have. The caller has
    already reached `evidence` through its object's chokepoint.
    """
    if evidence.is_link:
        raise Http404("A link has no file")
    if copy == "viewing" and not evidence.has_viewing_copy:
        raise Http404("No viewing copy")
    viewing_copy = evidence.has_viewing_copy and copy != "original"
    access_record(
        actor=actor,
        action=AccessLog.Action.DOWNLOAD,
        obj=evidence,
        force=force,
        role=role,
        reason=reason or ("viewing copy" if viewing_copy else "original file"),
    )
    path = evidence.viewing_path if viewing_copy else evidence.stored_path
    mime = _bare((evidence.viewing_mime if viewing_copy else evidence.mime) or FALLBACK_MIME)
    if mime not in EXTENSIONS:
        mime = FALLBACK_MIME
    return EvidenceFile(
        data=read_decrypted(path),
        filename=download_name(evidence, mime=mime, viewing_copy=viewing_copy),
        mime=mime,
    )


def attachment_response(file: EvidenceFile) -> HttpResponse:
    """The one way evidence leaves the portal: a download that nothing renders or runs."""
    content_type = f"{file.mime}; charset=utf-8" if file.mime == "text/plain" else file.mime
    response = HttpResponse(file.data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, file.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = SANDBOX_CSP
    return response


def _bare(mime: str) -> str:
    return mime.split(";", 1)[0].strip().lower()
