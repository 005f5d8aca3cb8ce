"""Pillow work on evidence images: size limits, integrity, and the metadata-free viewing copy.

Order matters for safety. Every entry point first walks the container (containers.walk) and
refuses anything over the pixel limit *before* Pillow is asked to open it, because some
decoders (animated WebP) allocate their whole canvas on open. Pillow's own bomb check is then
kept on as a second line, with its warning promoted to an error.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from PIL import Image, ImageOps

from . import containers, errors
from .errors import EvidenceRejected

# Detected MIME type -> the only Pillow plugin allowed to read it, so a file can never be
# steered into one of Pillow's rarer decoders.
PILLOW_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}

# The viewing copy is for looking at on screen: about 3 megapixels keeps a phone screenshot's
# text readable and a photo clear, and lets a 12-megapixel JPEG be decoded at half scale by
# libjpeg (draft) instead of in full. Anyone who needs full resolution has the original.
VIEWING_COPY_MAX_PIXELS = 3_000_000
VIEWING_COPY_JPEG_QUALITY = 85
# Metadata such as a colour profile is kept only while it is plausibly just a colour profile.
_MAX_ICC_PROFILE_BYTES = 256 * 1024
# Modes a PNG viewing copy can hold as they are; anything else is converted to RGB(A).
_PNG_MODES = frozenset({"1", "L", "LA", "RGB", "RGBA"})
_DEEP_GREY_MODES = frozenset({"I", "I;16", "I;16B", "I;16L"})


def _max_pixels() -> int:
    return settings.HARMSPORTAL_EVIDENCE_MAX_PIXELS


def check_structure(data: bytes, image_format: str) -> containers.Structure:
    """Walk the container and apply the pixel limit. Raises EvidenceRejected."""
    structure = containers.walk(data, image_format)
    if structure.max_pixels > _max_pixels():
        raise EvidenceRejected(errors.too_many_pixels(_max_pixels()))
    return structure


@contextmanager
def _guarded() -> Iterator[None]:
    """Turn every way Pillow can fail on hostile input into a reporter-facing rejection."""
    limit = _max_pixels()
    # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that; with the warning made
    # an error, its limit is exactly ours. The global is put back so other Pillow users in the
    # process keep their own. Both this and catch_warnings are process-wide; under threads
    # they can interleave, which only loses this second line: check_structure and _open
    # enforce the limit themselves.
    previous, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, limit
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except EvidenceRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise EvidenceRejected(errors.too_many_pixels(limit)) from exc
        except MemoryError as exc:
            raise EvidenceRejected(errors.too_many_pixels(limit)) from exc
        except Exception as exc:
            # A decoder fed hostile bytes can raise almost anything (OSError, SyntaxError,
            # ValueError, struct.error, EOFError…); to the reporter every one of them means
            # the same thing.
            raise EvidenceRejected(errors.DAMAGED) from exc
        finally:
            Image.MAX_IMAGE_PIXELS = previous


def _open(data: bytes, image_format: str) -> Image.Image:
    image = Image.open(io.BytesIO(data), formats=[image_format])
    if image.width * image.height > _max_pixels():
        raise EvidenceRejected(errors.too_many_pixels(_max_pixels()))
    return image


def check_decodes(data: bytes, image_format: str, structure: containers.Structure) -> None:
    """Prove the file decodes: Pillow's verify(), then a real decode of the first frame.

    A JPEG is decoded at 1/8 scale: libjpeg still reads and Huffman-decodes every byte of the
    entropy-coded data (so truncation and corruption surface), but skips most of the inverse
    DCT and the full-size buffer. Raises EvidenceRejected.
    """
    with _guarded():
        with _open(data, image_format) as image:
            if image.size != (structure.width, structure.height):
                raise EvidenceRejected(errors.DAMAGED)
            image.verify()
        # verify() leaves the image unusable; Pillow requires a fresh open to decode.
        with _open(data, image_format) as image:
            if image_format == "JPEG":
                image.draft(None, (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()


def _viewing_size(width: int, height: int) -> tuple[int, int]:
    pixels = width * height
    if pixels <= VIEWING_COPY_MAX_PIXELS:
        return width, height
    factor = math.sqrt(VIEWING_COPY_MAX_PIXELS / pixels)
    return max(1, int(width * factor)), max(1, int(height * factor))


def make_viewing_copy(data: bytes) -> tuple[bytes, str]:
    """Re-encode an accepted image for viewing: upright, at most ~3 megapixels, no metadata.

    EXIF (including GPS), XMP, comments and text chunks are all dropped: the copy is built
    from pixels alone. A colour profile is kept so colours stay true. Photos (JPEG, opaque
    WebP) become JPEG; lossless sources (PNG, GIF) and anything with transparency become PNG,
    so text in screenshots stays sharp. An animated image gives its first frame.

    Returns (bytes, mime). Raises EvidenceRejected if `data` is not a supported, intact image
    within the pixel limit — call it only on files inspect_upload accepted as images.
    """
    image_format = _sniff_format(data)
    structure = check_structure(data, image_format)
    with _guarded(), _open(data, image_format) as source:
        target = _viewing_size(structure.width, structure.height)
        if image_format == "JPEG" and target != source.size:
            # Let libjpeg scale by 1/2, 1/4 or 1/8 while decoding; the rest is resampled.
            source.draft(None, target)
        source.load()
        icc_profile = source.info.get("icc_profile")
        upright = ImageOps.exif_transpose(source)
        if upright.size != source.size:  # rotated a quarter turn: the target turns too
            target = (target[1], target[0])
        return _encode(upright, image_format, target, icc_profile)


def _sniff_format(data: bytes) -> str:
    # Signatures, not Image.open: some decoders allocate on open, before the pixel check.
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    raise EvidenceRejected(errors.WRONG_TYPE)


def _encode(
    image: Image.Image, source_format: str, target: tuple[int, int], icc_profile: object
) -> tuple[bytes, str]:
    transparent = image.has_transparency_data
    as_png = source_format in ("PNG", "GIF") or transparent
    if image.mode in _DEEP_GREY_MODES:
        # 16-bit greyscale: scale to 8 bits (a plain convert would clip nearly all to white).
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if as_png:
        if image.mode not in _PNG_MODES:
            image = image.convert("RGBA" if transparent else "RGB")
    elif image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if target != image.size:
        image = image.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    # Every operation above copies `info` forward, and the encoders read some of it (a JPEG
    # COM comment, a PNG's transparency). The copy keeps nothing but pixels.
    image.info = {}
    options: dict[str, object] = {}
    if isinstance(icc_profile, bytes) and len(icc_profile) <= _MAX_ICC_PROFILE_BYTES:
        options["icc_profile"] = icc_profile
    out = io.BytesIO()
    if as_png:
        image.save(out, "PNG", **options)
        return out.getvalue(), "image/png"
    image.save(out, "JPEG", quality=VIEWING_COPY_JPEG_QUALITY, **options)
    return out.getvalue(), "image/jpeg"
