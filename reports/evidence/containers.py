"""Walk the container structure of JPEG, PNG, GIF and WebP files without decoding pixels.

Pillow decodes images; this module answers the questions Pillow does not: where does the image
really end (so anything glued on after it can be inspected), did the file reach its end marker
(truncation), how large is every frame (decompression bombs, checked before any decoder
allocates memory), and which bytes are free-form metadata (where a script could hide).

Every walker is defensive: it never reads past the buffer and never trusts a length it has not
bounds-checked. A malformed structure is reported as `complete=False`, never as an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Markup that turns a file into something a browser or an interpreter would run. Searched in
# bytes glued on after an image's end marker, where none of it has any business being.
_TRAILING_MARKERS = (
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<svg",
    b"<?xml",
    b"<!doctype",
    b"<iframe",
    b"<object",
    b"<embed",
    b"<?php",
    b"javascript:",
)
# Inside metadata (EXIF, XMP, comments) XML is normal, so only outright script is searched for.
_METADATA_MARKERS = (b"<script", b"<html", b"<body", b"<iframe", b"<?php", b"javascript:")
# Other file formats hiding behind an image. A zip needs both its local header and its central
# directory, so random bytes in a camera's trailing data almost never look like one.
_ZIP_LOCAL = b"PK\x03\x04"
_ZIP_DIRECTORY = b"PK\x05\x06"
_OTHER_FORMATS = (b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"%PDF-")

_JPEG_SOF = frozenset(
    {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
)
# In entropy-coded data 0xFF is followed by 0x00 (a stuffed byte) or a restart marker; any other
# follower is the next real marker. Searching with a compiled pattern keeps the scan in C.
_JPEG_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7]")


@dataclass(frozen=True)
class Structure:
    width: int
    height: int
    # Offset just past the image's own end marker; bytes from here on are "trailing".
    end: int
    # True when the walk reached the format's end marker without a structural error.
    complete: bool
    # The largest canvas any decoder would allocate for this file (frames included).
    max_pixels: int
    # (start, stop) spans of free-form metadata: comments, EXIF, XMP, text chunks.
    metadata: tuple[tuple[int, int], ...] = ()


def hostile_content(chunk: bytes, *, metadata: bool = False) -> bool:
    """True if `chunk` carries markup or another file format that must not ride along."""
    if not chunk:
        return False
    lowered = chunk.lower()
    markers = _METADATA_MARKERS if metadata else _TRAILING_MARKERS
    if any(marker in lowered for marker in markers):
        return True
    if metadata:
        return False
    if _ZIP_LOCAL in chunk and _ZIP_DIRECTORY in chunk:
        return True
    return any(signature in chunk for signature in _OTHER_FORMATS)


def walk(data: bytes, image_format: str) -> Structure:
    """Walk `data` as `image_format` ("JPEG", "PNG", "GIF" or "WEBP")."""
    walker = {"JPEG": _walk_jpeg, "PNG": _walk_png, "GIF": _walk_gif, "WEBP": _walk_webp}
    return walker[image_format](data)


def _broken(at: int, width: int = 0, height: int = 0, largest: int = 0) -> Structure:
    return Structure(width, height, at, False, max(largest, width * height))


def _u16be(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 2], "big")


def _u32be(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 4], "big")


def _u16le(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 2], "little")


def _u24le(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 3], "little")


def _u32le(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 4], "little")


def _walk_jpeg(data: bytes) -> Structure:
    n = len(data)
    if not data.startswith(b"\xff\xd8"):
        return _broken(0)
    width = height = largest = 0
    metadata: list[tuple[int, int]] = []
    pos = 2
    while pos + 1 < n:
        if data[pos] != 0xFF:
            return _broken(pos, width, height, largest)
        # Any number of 0xFF fill bytes may precede a marker.
        while pos + 1 < n and data[pos + 1] == 0xFF:
            pos += 1
        if pos + 1 >= n:
            break
        marker = data[pos + 1]
        if marker == 0xD9:  # end of image
            end = pos + 2
            return Structure(width, height, end, width > 0 and height > 0, largest, tuple(metadata))
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers with no length field
            pos += 2
            continue
        if pos + 4 > n:
            break
        length = _u16be(data, pos + 2)
        body, stop = pos + 4, pos + 2 + length
        if length < 2 or stop > n:
            return _broken(pos, width, height, largest)
        if marker in _JPEG_SOF:
            if length < 8:
                return _broken(pos, width, height, largest)
            height, width = _u16be(data, body + 1), _u16be(data, body + 3)
            largest = max(largest, width * height)
        elif 0xE0 <= marker <= 0xEF or marker == 0xFE:  # APPn (EXIF, XMP, ICC) and comments
            metadata.append((body, stop))
        pos = stop
        if marker == 0xDA:  # start of scan: entropy-coded data runs to the next real marker
            found = _JPEG_NEXT_MARKER.search(data, pos)
            if found is None:
                return _broken(n, width, height, largest)
            pos = found.start()
    return _broken(n, width, height, largest)


def _walk_png(data: bytes) -> Structure:
    n = len(data)
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _broken(0)
    width = height = largest = 0
    metadata: list[tuple[int, int]] = []
    pos = 8
    first = True
    while pos + 12 <= n:
        length = _u32be(data, pos)
        kind = data[pos + 4 : pos + 8]
        body, stop = pos + 8, pos + 12 + length
        if length > 0x7FFFFFFF or stop > n or not kind.isalpha():
            return _broken(pos, width, height, largest)
        if first:
            if kind != b"IHDR" or length != 13:
                return _broken(pos)
            width, height = _u32be(data, body), _u32be(data, body + 4)
            largest = width * height
            first = False
        elif kind == b"fcTL" and length >= 20:  # an APNG frame
            largest = max(largest, _u32be(data, body + 4) * _u32be(data, body + 8))
        elif kind in (b"tEXt", b"zTXt", b"iTXt", b"eXIf"):
            metadata.append((body, body + length))
        pos = stop
        if kind == b"IEND":
            return Structure(width, height, pos, True, largest, tuple(metadata))
    return _broken(pos, width, height, largest)


def _skip_sub_blocks(data: bytes, pos: int) -> int:
    """Return the offset after a GIF sub-block chain, or -1 if it runs off the end."""
    n = len(data)
    while pos < n:
        size = data[pos]
        pos += 1
        if size == 0:
            return pos
        pos += size
    return -1


def _walk_gif(data: bytes) -> Structure:
    n = len(data)
    if data[:6] not in (b"GIF87a", b"GIF89a") or n < 13:
        return _broken(0)
    width, height = _u16le(data, 6), _u16le(data, 8)
    flags = data[10]
    pos = 13
    if flags & 0x80:  # global colour table
        pos += 3 * (2 ** ((flags & 0x07) + 1))
    # Pillow grows its canvas to fit frames that overhang the logical screen.
    canvas_w, canvas_h = width, height
    largest = width * height
    metadata: list[tuple[int, int]] = []
    while pos < n:
        block = data[pos]
        if block == 0x3B:  # trailer
            largest = max(largest, canvas_w * canvas_h)
            return Structure(width, height, pos + 1, True, largest, tuple(metadata))
        if block == 0x21:  # extension
            if pos + 2 > n:
                break
            label = data[pos + 1]
            start = pos + 2
            pos = _skip_sub_blocks(data, start)
            if pos < 0:
                break
            if label in (0xFE, 0xFF):  # comment and application extensions
                metadata.append((start, pos))
        elif block == 0x2C:  # image descriptor
            if pos + 11 > n:
                break
            left, top = _u16le(data, pos + 1), _u16le(data, pos + 3)
            frame_w, frame_h = _u16le(data, pos + 5), _u16le(data, pos + 7)
            canvas_w, canvas_h = max(canvas_w, left + frame_w), max(canvas_h, top + frame_h)
            largest = max(largest, frame_w * frame_h, canvas_w * canvas_h)
            frame_flags = data[pos + 9]
            pos += 10
            if frame_flags & 0x80:  # local colour table
                pos += 3 * (2 ** ((frame_flags & 0x07) + 1))
            pos = _skip_sub_blocks(data, pos + 1)  # +1: the LZW minimum code size
            if pos < 0:
                break
        else:
            return _broken(pos, width, height, largest)
    return _broken(n, width, height, largest)


def _walk_webp(data: bytes) -> Structure:
    n = len(data)
    if n < 20 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return _broken(0)
    end = 8 + _u32le(data, 4)
    if end > n:
        return _broken(n)
    width = height = largest = 0
    metadata: list[tuple[int, int]] = []
    pos = 12
    while pos + 8 <= end:
        kind = data[pos : pos + 4]
        length = _u32le(data, pos + 4)
        body, stop = pos + 8, pos + 8 + length
        if stop > end:
            return _broken(pos, width, height, largest)
        if kind == b"VP8X" and length >= 10:
            width, height = 1 + _u24le(data, body + 4), 1 + _u24le(data, body + 7)
        elif kind == b"VP8 " and length >= 10 and data[body + 3 : body + 6] == b"\x9d\x01\x2a":
            frame = (_u16le(data, body + 6) & 0x3FFF, _u16le(data, body + 8) & 0x3FFF)
            width, height = (width, height) if width else frame
            largest = max(largest, frame[0] * frame[1])
        elif kind == b"VP8L" and length >= 5 and data[body] == 0x2F:
            bits = _u32le(data, body + 1)
            frame = ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
            width, height = (width, height) if width else frame
            largest = max(largest, frame[0] * frame[1])
        elif kind == b"ANMF" and length >= 16:
            frame_w, frame_h = 1 + _u24le(data, body + 6), 1 + _u24le(data, body + 9)
            largest = max(largest, frame_w * frame_h)
        elif kind in (b"EXIF", b"XMP "):
            metadata.append((body, stop))
        pos = stop + (length & 1)  # chunks are padded to an even length
    largest = max(largest, width * height)
    complete = width > 0 and height > 0
    return Structure(width, height, end, complete, largest, tuple(metadata))
