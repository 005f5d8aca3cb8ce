"""Decide whether an uploaded file may be kept as evidence, and what it really is.

The type is decided by the bytes (libmagic, then each format's own structure), never by the
name or the browser's Content-Type. Only six kinds are kept: JPEG, PNG, WebP, GIF, PDF and plain
UTF-8 text. Anything that could run — in a browser, a PDF reader or an operating system — is
refused, including files that are valid images *and* something else at the same time.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass

import magic
from django.conf import settings

from . import containers, errors, images, pdf
from .errors import EvidenceRejected

logger = logging.getLogger(__name__)

# libmagic calls comma-rich text (a chat log) text/csv. Either way it is kept and served as
# plain text: opened as CSV, a spreadsheet would run a harasser's "=HYPERLINK(…)" cell.
TEXT_MIMES = frozenset({"text/plain", "text/csv"})
IMAGE_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
}

_WEB_MIMES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "text/xml",
        "application/xml",
        "text/javascript",
        "application/javascript",
        "application/x-javascript",
        "text/x-php",
    }
)
_ARCHIVE_MIMES = frozenset(
    {
        "application/zip",
        "application/gzip",
        "application/x-gzip",
        "application/x-7z-compressed",
        "application/x-rar",
        "application/vnd.rar",
        "application/x-tar",
        "application/x-bzip2",
        "application/x-xz",
        "application/zstd",
        "application/vnd.ms-cab-compressed",
    }
)
_OFFICE_MIME_PREFIXES = (
    "application/msword",
    "application/vnd.ms-",
    "application/vnd.openxmlformats-officedocument",
    "application/vnd.oasis.opendocument",
    "application/cdfv2",
)
_OFFICE_EXTENSIONS = (".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp")

# Executables and archives recognised by their first bytes, before libmagic is asked: a
# refusal here does not depend on how complete the system's magic database is.
_EXECUTABLE_PREFIXES = (
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O, 32- and 64-bit, both byte orders, and fat binaries
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",  # a script with an interpreter line
)
_ARCHIVE_PREFIXES = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"PK\x07\x08",
    b"\x1f\x8b",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"\xfd7zXZ\x00",
    b"\x28\xb5\x2f\xfd",  # zstd
    b"MSCF",  # cabinet
)
_OLE_PREFIX = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office files, where macros live

# Text that a browser would treat as a page or a script, matched case-insensitively anywhere.
# One pattern led by a literal "<" lets the regex engine jump between "<"s, so a 20 MB chat
# export is searched in tens of milliseconds rather than once per marker.
_TEXT_MARKUP = re.compile(
    rb"<(?:html|head|body|script|svg|\?xml|!doctype|iframe|object|embed|\?php|style|meta|img"
    rb"|form|xsl)"
)
_SCRIPT_URL = b"javascript:"


@dataclass(frozen=True)
class Accepted:
    """What an accepted upload really is. `mime` and `extension` come from its content."""

    kind: str  # "image", "pdf" or "text"
    mime: str
    extension: str
    size: int
    sha256: str  # hex digest of the original bytes, exactly as uploaded
    width: int | None = None  # images only, in stored pixels (before EXIF rotation)
    height: int | None = None


def check_count(existing: int, adding: int = 1) -> None:
    """Raise EvidenceRejected if a report holding `existing` files cannot take `adding` more."""
    limit = settings.HARMSPORTAL_EVIDENCE_MAX_FILES
    if existing + adding > limit:
        raise EvidenceRejected(errors.too_many_files(limit))


def inspect_upload(data: bytes, *, filename: str = "") -> Accepted:
    """Accept `data` as evidence or raise EvidenceRejected with a reason for the reporter.

    `filename` only tailors the advice in a refusal (an office document is told to save as
    PDF); it never makes a file acceptable. Accepting means: an allowed type by content, within
    the size and pixel limits, intact (images fully decode, PDFs are complete), and carrying
    nothing that could run.
    """
    try:
        return _inspect(data, filename)
    except EvidenceRejected as rejection:
        logger.info("Evidence upload refused (%d bytes): %s", len(data), rejection.message)
        raise


def _inspect(data: bytes, filename: str) -> Accepted:
    size = len(data)
    if size == 0:
        raise EvidenceRejected(errors.EMPTY)
    max_bytes = settings.HARMSPORTAL_EVIDENCE_MAX_BYTES
    if size > max_bytes:
        raise EvidenceRejected(errors.too_big(max_bytes))
    _refuse_known_dangerous_signatures(data, filename)

    mime = magic.from_buffer(data, mime=True)
    if mime in images.PILLOW_FORMATS:
        width, height = _inspect_image(data, mime)
        return Accepted("image", mime, IMAGE_EXTENSIONS[mime], size, _sha256(data), width, height)
    if mime == "application/pdf":
        pdf.inspect_pdf(data)
        return Accepted("pdf", mime, "pdf", size, _sha256(data))
    if mime in TEXT_MIMES:
        _inspect_text(data)
        return Accepted("text", "text/plain", "txt", size, _sha256(data))
    raise EvidenceRejected(_refusal_for(mime, filename))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _is_windows_executable(data: bytes) -> bool:
    if not data.startswith(b"MZ") or len(data) < 0x40:
        return False
    header_at = int.from_bytes(data[0x3C:0x40], "little")
    return data[header_at : header_at + 4] == b"PE\x00\x00"


def _refuse_known_dangerous_signatures(data: bytes, filename: str) -> None:
    if _is_windows_executable(data) or data.startswith(_EXECUTABLE_PREFIXES):
        raise EvidenceRejected(errors.WRONG_TYPE)
    if data.startswith(_OLE_PREFIX):
        raise EvidenceRejected(errors.OFFICE_DOCUMENT)
    is_tar = data[257:262] == b"ustar"
    is_bzip2 = data.startswith(b"BZh") and data[4:10] == b"1AY&SY"
    if data.startswith(_ARCHIVE_PREFIXES) or is_tar or is_bzip2:
        # Word, Excel and OpenDocument files are zips too; tell those people what to do.
        if filename.lower().endswith(_OFFICE_EXTENSIONS):
            raise EvidenceRejected(errors.OFFICE_DOCUMENT)
        mime = magic.from_buffer(data, mime=True)
        if mime.lower().startswith(_OFFICE_MIME_PREFIXES):
            raise EvidenceRejected(errors.OFFICE_DOCUMENT)
        raise EvidenceRejected(errors.ARCHIVE)


def _refusal_for(mime: str, filename: str) -> str:
    lowered = mime.lower()
    if lowered == "image/svg+xml":
        return errors.SVG
    if lowered in _WEB_MIMES:
        return errors.WEB_PAGE
    if lowered in _ARCHIVE_MIMES:
        return errors.ARCHIVE
    if lowered in ("image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence"):
        return errors.HEIC
    if lowered.startswith(_OFFICE_MIME_PREFIXES) or filename.lower().endswith(_OFFICE_EXTENSIONS):
        return errors.OFFICE_DOCUMENT
    return errors.WRONG_TYPE


def _inspect_image(data: bytes, mime: str) -> tuple[int, int]:
    image_format = images.PILLOW_FORMATS[mime]
    structure = images.check_structure(data, image_format)
    # Anything after the image's end marker is invisible in a viewer but may be a web page,
    # a zip or a PDF to other software: the classic polyglot.
    if containers.hostile_content(data[structure.end :]):
        raise EvidenceRejected(errors.HIDDEN_CONTENT)
    for start, stop in structure.metadata:
        if containers.hostile_content(data[start:stop], metadata=True):
            raise EvidenceRejected(errors.HIDDEN_CONTENT)
    if not structure.complete:
        raise EvidenceRejected(errors.DAMAGED)
    images.check_decodes(data, image_format, structure)
    return structure.width, structure.height


def _inspect_text(data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EvidenceRejected(errors.TEXT_ENCODING) from exc
    if "\x00" in text:
        raise EvidenceRejected(errors.TEXT_ENCODING)
    lowered = data.lower()
    if _TEXT_MARKUP.search(lowered) or _SCRIPT_URL in lowered:
        raise EvidenceRejected(errors.WEB_PAGE)
