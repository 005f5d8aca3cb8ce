"""PDF checks: complete, nothing glued on after it, and nothing in it that runs.

This is a filter for the shapes active content takes in real PDFs, not a PDF parser, so it is
built so that a crafted file cannot talk its way past it:

- every byte of the file is searched for the names of active content (`/JavaScript`,
  `/Launch`, `/EmbeddedFile(s)`, `/RichMedia`), also when spelt with `#xx` escapes. A JavaScript
  action cannot exist without `/S /JavaScript`, and no string or comment trick hides a byte
  from a search of every byte;
- every stream that starts like zlib data is inflated (within a budget) and searched the same
  way. That covers object streams (PDF 1.5+), where objects sit compressed, without trusting
  the stream's dictionary, which a crafted string could disguise;
- the object syntax outside streams is also searched for the short `/JS` key, which is too
  short to look for in binary stream data without false alarms;
- encrypted PDFs are refused: their streams cannot be looked into.

Known limit: an object stream written with a PNG predictor can split a name across rows. That
is why PDFs are also only ever served as downloads (attachment, nosniff, a sandbox CSP).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator

from . import containers, errors
from .errors import EvidenceRejected

# The end-of-file marker must be this close to the end (the spec allows a little slack).
_EOF_WINDOW = 1024
# Inflating is capped for the whole file: a zip bomb inside a PDF is refused, not expanded.
_MAX_INFLATED = 256 * 1024 * 1024
_INFLATE_CHUNK = 1024 * 1024
# Enough overlap between inflated chunks that no name is split unseen.
_OVERLAP = 256

_NAME_CHARS = rb"[^\s/<>\[\]()%{}]"
_NAME_END = rb"(?=[\s/<>\[\]()%{}]|$)"
_ACTIVE_LONG = re.compile(rb"/(?:JavaScript|Launch|EmbeddedFiles?|RichMedia)" + _NAME_END)
_ACTIVE_ANY = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia)" + _NAME_END)
_ESCAPED_NAME = re.compile(rb"/(" + _NAME_CHARS + rb"*#[0-9A-Fa-f]{2}" + _NAME_CHARS + rb"*)")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# Names no honest producer spells with #xx escapes: the escape exists to hide them.
_SUSPICIOUS_LONG = frozenset(
    {b"JavaScript", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia", b"ObjStm"}
)
_SUSPICIOUS_ANY = _SUSPICIOUS_LONG | {b"JS", b"OpenAction", b"AA", b"Type", b"S", b"Filter"}
_ENCRYPT = re.compile(rb"/Encrypt" + _NAME_END)
_STREAM = re.compile(rb"(?<!end)stream\r?\n")


def inspect_pdf(data: bytes) -> None:
    """Raise EvidenceRejected unless `data` is a complete PDF with no active content."""
    if not data.startswith(b"%PDF-"):
        raise EvidenceRejected(errors.DAMAGED)
    eof = data.rfind(b"%%EOF")
    if eof < 0 or eof < len(data) - _EOF_WINDOW:
        # Cut short in transit, or something long appended after the PDF ended.
        raise EvidenceRejected(errors.DAMAGED)
    if containers.hostile_content(data[eof + 5 :]):
        raise EvidenceRejected(errors.HIDDEN_CONTENT)
    if _ENCRYPT.search(data):
        raise EvidenceRejected(errors.PDF_UNCHECKABLE)
    _refuse_active(data, short_names=False)
    for text in _object_text(data):
        _refuse_active(text, short_names=True)
    _refuse_active_in_streams(data)


def _refuse_active(chunk: bytes | memoryview, *, short_names: bool) -> None:
    pattern = _ACTIVE_ANY if short_names else _ACTIVE_LONG
    if pattern.search(chunk):
        raise EvidenceRejected(errors.PDF_ACTIVE_CONTENT)
    if b"#" not in chunk:
        return
    suspicious = _SUSPICIOUS_ANY if short_names else _SUSPICIOUS_LONG
    for escaped in _ESCAPED_NAME.findall(chunk):
        name = _HEX_ESCAPE.sub(lambda match: bytes.fromhex(match[1].decode()), escaped)
        if name in suspicious:
            raise EvidenceRejected(errors.PDF_ACTIVE_CONTENT)


def _object_text(data: bytes) -> Iterator[bytes]:
    """The object syntax between streams: dictionaries, names, actions."""
    pos = 0
    while (found := _STREAM.search(data, pos)) is not None:
        yield data[pos : found.start()]
        stop = data.find(b"endstream", found.end())
        if stop < 0:
            raise EvidenceRejected(errors.DAMAGED)
        pos = stop + len(b"endstream")
    yield data[pos:]


def _looks_like_zlib(data: bytes, at: int) -> bool:
    if at + 2 > len(data):
        return False
    method, flags = data[at], data[at + 1]
    return method & 0x0F == 8 and method >> 4 <= 7 and (method * 256 + flags) % 31 == 0


def _refuse_active_in_streams(data: bytes) -> None:
    budget = _MAX_INFLATED
    view = memoryview(data)
    for found in _STREAM.finditer(data):
        if not _looks_like_zlib(data, found.end()):
            continue
        # Not cut at "endstream": compressed bytes can contain that word on purpose. zlib
        # stops by itself where the compressed stream ends. Input goes in a chunk at a time
        # and output comes out a chunk at a time, so memory stays flat even for a bomb.
        inflater = zlib.decompressobj()
        position, pending, carry = found.end(), b"", b""
        while not inflater.eof:
            if not pending:
                if position >= len(data):
                    break
                pending = view[position : position + _INFLATE_CHUNK]
                position += len(pending)
            try:
                inflated = inflater.decompress(pending, _INFLATE_CHUNK)
            except zlib.error:
                break  # not really zlib, or damaged: a reader could not run it either
            pending = inflater.unconsumed_tail
            if not inflated:
                continue
            budget -= len(inflated)
            if budget < 0:
                raise EvidenceRejected(errors.PDF_UNCHECKABLE)
            _refuse_active(carry + inflated, short_names=False)
            carry = inflated[-_OVERLAP:]
