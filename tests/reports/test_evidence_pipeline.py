"""The evidence pipeline: what is accepted, what is refused and why, the metadata-free viewing
copy, and encrypted storage with key rotation. Every file is built in tests/reports/hostile_files.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import stat
from pathlib import Path

import magic
import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image, ImageFile

from reports.evidence import (
    Accepted,
    EvidenceRejected,
    check_count,
    delete_stored,
    images,
    inspect_upload,
    make_viewing_copy,
    read_decrypted,
    rotate_file,
    store_encrypted,
)
from tests.reports import hostile_files

WRONG_TYPE = "The selected file must be a JPG, PNG, WebP, GIF, PDF or text file."
DAMAGED = "The selected file appears to be damaged — try saving it again."
TOO_MANY_PIXELS = "The image is too large to process — it must be smaller than 64 megapixels."
HIDDEN = "The selected file contains hidden content"
ARCHIVE = "The selected file is a compressed folder"
WEB_PAGE = "The selected file is a web page or contains web page code"
PDF_ACTIVE = "The selected PDF contains scripts or attached files"


@pytest.fixture(autouse=True)
def private_store(settings, tmp_path) -> Path:
    # A fresh MEDIA_ROOT per test; the development key file would land beside it, in tmp_path.
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


def rejection(data: bytes, filename: str = "") -> str:
    with pytest.raises(EvidenceRejected) as caught:
        inspect_upload(data, filename=filename)
    return caught.value.message


def every_file_under(root: Path) -> list[Path]:
    return [Path(folder) / name for folder, _, names in os.walk(root) for name in names]


# ---------------------------------------------------------------------------
# Accepted files
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("build", "filename", "kind", "mime", "extension"),
    [
        (hostile_files.jpeg, "IMG_0001.JPG", "image", "image/jpeg", "jpg"),
        (hostile_files.png, "screenshot.png", "image", "image/png", "png"),
        (hostile_files.animated_gif, "reaction.gif", "image", "image/gif", "gif"),
        (hostile_files.webp, "pic.webp", "image", "image/webp", "webp"),
        (hostile_files.clean_pdf, "statement.pdf", "pdf", "application/pdf", "pdf"),
        (hostile_files.pdf_with_clean_object_stream, "p.pdf", "pdf", "application/pdf", "pdf"),
        (hostile_files.chat_log, "chat.txt", "text", "text/plain", "txt"),
    ],
)
def test_clean_files_are_accepted_with_the_type_their_content_shows(
    build, filename, kind, mime, extension
):
    data = build()

    accepted = inspect_upload(data, filename=filename)

    assert accepted.kind == kind
    assert accepted.mime == mime
    assert accepted.extension == extension
    assert accepted.size == len(data)
    assert accepted.sha256 == hashlib.sha256(data).hexdigest()


def test_an_accepted_image_reports_its_pixel_size():
    accepted = inspect_upload(hostile_files.png((80, 60)))

    assert (accepted.width, accepted.height) == (80, 60)


def test_a_non_image_has_no_pixel_size():
    accepted = inspect_upload(hostile_files.clean_pdf())

    assert (accepted.width, accepted.height) == (None, None)


def test_the_extension_decides_nothing_a_png_named_jpg_is_a_png():
    accepted = inspect_upload(hostile_files.png(), filename="holiday.jpg")

    assert (accepted.mime, accepted.extension) == ("image/png", "png")


def test_accepted_is_immutable():
    accepted = inspect_upload(hostile_files.png())

    with pytest.raises(AttributeError):
        accepted.sha256 = "0" * 64  # type: ignore[misc]
    assert isinstance(accepted, Accepted)


# ---------------------------------------------------------------------------
# Refused files
# ---------------------------------------------------------------------------
def test_a_png_followed_by_a_web_page_is_refused_as_hidden_content():
    assert rejection(hostile_files.png_html_polyglot(), "cat.png").startswith(HIDDEN)


def test_a_png_signature_followed_by_html_is_refused():
    assert rejection(hostile_files.png_signature_then_html(), "cat.png") == WRONG_TYPE


@pytest.mark.parametrize(
    "build",
    [
        hostile_files.jpeg_with_trailing_script,
        hostile_files.jpeg_zip_polyglot,
        hostile_files.gif_zip_polyglot,
        hostile_files.jpeg_with_script_in_comment,
        hostile_files.pdf_with_trailing_html,
    ],
)
def test_files_that_are_two_things_at_once_are_refused(build):
    assert rejection(build()).startswith(HIDDEN)


def test_an_svg_with_a_script_is_refused():
    assert rejection(hostile_files.svg_with_script(), "logo.png") == (
        "The selected file is an SVG image — save it as a PNG or JPG instead."
    )


def test_a_web_page_renamed_txt_is_refused():
    assert rejection(hostile_files.html_page(), "notes.txt").startswith(WEB_PAGE)


@pytest.mark.parametrize(
    "markup",
    [
        b"<IMG src=x onerror=alert(1)>",
        b"<svg/onload=alert(1)>",
        b"<iframe src=//evil.example>",
        b"tap this: JavaScript:alert(document.cookie)",
    ],
)
def test_text_with_markup_hidden_half_way_down_is_refused(markup):
    data = hostile_files.text_with_embedded_markup(markup)
    assert magic.from_buffer(data, mime=True) == "text/plain"  # libmagic alone would let it in

    assert rejection(data, "chat.txt").startswith(WEB_PAGE)


def test_text_that_is_not_utf8_is_refused_with_advice():
    assert rejection(hostile_files.utf16_text(), "notes.txt") == (
        "The selected text file could not be read — save it as plain text (UTF-8) and try again."
    )


@pytest.mark.parametrize(
    "build",
    [
        hostile_files.windows_executable,
        hostile_files.elf_executable,
        hostile_files.mach_o_executable,
        hostile_files.shell_script,
    ],
)
def test_executables_renamed_as_photos_are_refused(build):
    assert rejection(build(), "photo.jpg") == WRONG_TYPE


@pytest.mark.parametrize(
    "build",
    [
        hostile_files.zip_archive,
        hostile_files.gzip_archive,
        hostile_files.tar_archive,
        hostile_files.seven_zip_header,
        hostile_files.rar_header,
    ],
)
def test_archives_renamed_as_images_are_refused(build):
    assert rejection(build(), "photo.png").startswith(ARCHIVE)


def test_a_zip_named_as_a_word_document_gets_office_advice():
    assert rejection(hostile_files.zip_archive(), "statement.docx") == (
        "The selected file is an office document — save it as a PDF and try again."
    )


def test_an_empty_file_is_refused():
    assert rejection(b"", "photo.jpg") == "The selected file is empty."


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.HARMSPORTAL_EVIDENCE_MAX_BYTES = 1024

    assert rejection(b"x" * 1025, "notes.txt") == "The selected file must be smaller than 1KB."
    assert inspect_upload(b"x" * 1024).size == 1024


def test_the_default_size_limit_is_20mb():
    limit = 20 * 1024 * 1024

    assert rejection(b"x" * (limit + 1)) == "The selected file must be smaller than 20MB."


def test_a_truncated_jpeg_is_refused_as_damaged():
    assert rejection(hostile_files.truncated_jpeg(), "photo.jpg") == DAMAGED


def test_a_png_with_corrupted_pixel_data_is_refused_as_damaged():
    assert rejection(hostile_files.png_with_broken_crc()) == DAMAGED


def test_a_png_whose_pixels_do_not_decode_is_refused_even_with_valid_checksums():
    assert rejection(hostile_files.png_with_corrupt_pixels_and_valid_checksums()) == DAMAGED


def test_a_truncated_pdf_is_refused_as_damaged():
    assert rejection(hostile_files.truncated_pdf()) == DAMAGED


@pytest.mark.parametrize(
    "build",
    [
        hostile_files.pdf_with_javascript,
        hostile_files.pdf_with_bare_js_key,
        hostile_files.pdf_with_launch_action,
        hostile_files.pdf_with_embedded_file,
        hostile_files.pdf_with_escaped_javascript_name,
        hostile_files.pdf_with_javascript_in_object_stream,
        hostile_files.pdf_with_javascript_in_disguised_object_stream,
        hostile_files.pdf_with_javascript_behind_a_fake_stream,
    ],
)
def test_pdfs_that_can_run_something_are_refused(build):
    assert rejection(build()).startswith(PDF_ACTIVE)


def test_an_encrypted_pdf_is_refused_because_it_cannot_be_checked():
    assert rejection(hostile_files.encrypted_pdf()).startswith(
        "The selected PDF is protected or uses a format we cannot check"
    )


def test_a_pdf_with_photo_bytes_that_look_like_pdf_names_is_accepted():
    assert inspect_upload(hostile_files.pdf_with_photo_bytes_that_look_like_names()).kind == "pdf"


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if any image decoder is asked for pixels (or even opens the file)."""

    def refuse(*args, **kwargs):
        raise AssertionError("the image was opened or decoded before the pixel check")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    monkeypatch.setattr(Image, "open", refuse)


def test_a_30000_by_30000_png_bomb_is_refused_before_decoding(no_decoding):
    bomb = hostile_files.png_bomb(30_000, 30_000)
    assert len(bomb) < 1024 * 1024  # small on disk: that is what makes it a bomb

    assert rejection(bomb, "small.png") == TOO_MANY_PIXELS


@pytest.mark.parametrize(
    "build",
    [
        lambda: hostile_files.jpeg_claiming_size(9_000, 9_000),
        hostile_files.gif_with_huge_frame,
        hostile_files.webp_with_huge_canvas,
    ],
    ids=["jpeg-frame-header", "gif-frame-larger-than-screen", "webp-extended-canvas"],
)
def test_other_decompression_bombs_are_refused_before_decoding(build, no_decoding):
    assert rejection(build()) == TOO_MANY_PIXELS


def test_the_pixel_limit_follows_the_setting(settings):
    settings.HARMSPORTAL_EVIDENCE_MAX_PIXELS = 4_000

    assert inspect_upload(hostile_files.png((80, 50))).width == 80
    assert rejection(hostile_files.png((80, 51))) == (
        "The image is too large to process — it must be smaller than 0.004 megapixels."
    )


def test_the_viewing_copy_also_refuses_a_bomb(no_decoding):
    with pytest.raises(EvidenceRejected) as caught:
        make_viewing_copy(hostile_files.png_bomb(30_000, 30_000))

    assert caught.value.message == TOO_MANY_PIXELS


def test_up_to_the_file_limit_can_be_added():
    check_count(9, 1)
    check_count(0, 10)


@pytest.mark.parametrize(("existing", "adding"), [(10, 1), (8, 3), (0, 11)])
def test_adding_more_than_the_file_limit_is_refused(existing, adding):
    with pytest.raises(EvidenceRejected) as caught:
        check_count(existing, adding)

    assert caught.value.message == "You can add up to 10 files."


# ---------------------------------------------------------------------------
# The viewing copy
# ---------------------------------------------------------------------------
def test_a_photo_with_gps_is_kept_byte_exact_and_its_viewing_copy_has_no_metadata():
    original = hostile_files.jpeg(gps=True, comment=b"taken at home", xmp=hostile_files.XMP)
    with Image.open(io.BytesIO(original)) as source:  # the test file really carries GPS
        assert source.getexif().get_ifd(hostile_files.GPS_IFD)

    accepted = inspect_upload(original, filename="IMG_0042.JPG")
    copy, mime = make_viewing_copy(original)

    assert accepted.sha256 == hashlib.sha256(original).hexdigest()
    assert mime == "image/jpeg"
    with Image.open(io.BytesIO(copy)) as viewing:
        assert viewing.format == "JPEG"
        assert dict(viewing.getexif()) == {}
        assert not viewing.getexif().get_ifd(hostile_files.GPS_IFD)
        assert "exif" not in viewing.info
        assert "xmp" not in viewing.info
        assert "comment" not in viewing.info
        assert viewing.size == (96, 64)
    assert hostile_files.CAMERA_MAKE.encode() not in copy
    assert b"Leeds" not in copy
    assert b"taken at home" not in copy


def test_the_viewing_copy_is_turned_upright_from_exif_orientation():
    original = hostile_files.jpeg((96, 64), orientation=6)  # stored sideways, shown upright

    copy, _ = make_viewing_copy(original)

    with Image.open(io.BytesIO(copy)) as viewing:
        assert viewing.size == (64, 96)
        assert dict(viewing.getexif()) == {}  # no orientation tag left to rotate it twice


def test_a_png_keeps_its_transparency_and_loses_its_text_and_exif():
    copy, mime = make_viewing_copy(hostile_files.png(text="Jane Doe, 1 Elm Street"))
    transparent_copy, transparent_mime = make_viewing_copy(hostile_files.transparent_png())

    assert mime == "image/png"
    assert b"Jane Doe" not in copy
    with Image.open(io.BytesIO(copy)) as viewing:
        assert "Author" not in viewing.info
        assert "exif" not in viewing.info
    assert transparent_mime == "image/png"
    with Image.open(io.BytesIO(transparent_copy)) as viewing:
        assert viewing.mode == "RGBA"
        assert viewing.getpixel((0, 0))[3] == 0
        assert viewing.getpixel((20, 20)) == (0, 128, 0, 255)


def test_an_animated_gif_becomes_a_png_of_its_first_frame():
    copy, mime = make_viewing_copy(hostile_files.animated_gif())

    assert mime == "image/png"
    with Image.open(io.BytesIO(copy)) as viewing:
        assert viewing.format == "PNG"
        assert getattr(viewing, "n_frames", 1) == 1
        assert viewing.convert("RGB").getpixel((5, 5)) == (255, 0, 0)


def test_an_opaque_webp_becomes_a_jpeg():
    copy, mime = make_viewing_copy(hostile_files.webp())

    assert mime == "image/jpeg"
    with Image.open(io.BytesIO(copy)) as viewing:
        assert viewing.format == "JPEG"
        assert viewing.size == (64, 48)


def test_a_16_bit_greyscale_png_is_scaled_not_clipped():
    copy, _ = make_viewing_copy(hostile_files.sixteen_bit_grey_png())

    with Image.open(io.BytesIO(copy)) as viewing:
        assert viewing.mode == "L"
        assert viewing.getpixel((0, 0)) == 40000 // 256
        assert viewing.getpixel((15, 0)) == 0


def test_a_large_image_is_scaled_down_for_viewing_keeping_its_shape(monkeypatch):
    monkeypatch.setattr(images, "VIEWING_COPY_MAX_PIXELS", 10_000)

    copy, _ = make_viewing_copy(hostile_files.jpeg((400, 300)))

    with Image.open(io.BytesIO(copy)) as viewing:
        width, height = viewing.size
    assert width * height <= 10_000
    assert (width, height) == (115, 86)


def test_a_viewing_copy_of_something_that_is_not_an_image_is_refused():
    with pytest.raises(EvidenceRejected) as caught:
        make_viewing_copy(hostile_files.clean_pdf())

    assert caught.value.message == WRONG_TYPE


# ---------------------------------------------------------------------------
# Encrypted storage
# ---------------------------------------------------------------------------
def test_stored_evidence_never_appears_in_plaintext_on_disk(private_store):
    canary = b"CANARY-harms-portal-7f3c9a1e"
    text = b"Message from unknown number: " + canary + b"\n"
    inspect_upload(text, filename="chat.txt")

    path = store_encrypted(text)

    files = every_file_under(private_store.parent)
    assert files  # something was written, so the search below means something
    for written in files:
        assert canary not in written.read_bytes(), written
    assert read_decrypted(path) == text


def test_a_stored_original_round_trips_byte_exact():
    original = hostile_files.jpeg(gps=True)

    path = store_encrypted(original)

    assert read_decrypted(path) == original


def test_stored_files_are_private_and_named_by_random_fan_out(private_store):
    path = store_encrypted(b"evidence")

    assert path.startswith("evidence/")
    parts = path.split("/")
    assert [len(part) for part in parts[1:3]] == [2, 2]
    assert parts[3].endswith(".bin")
    assert len(parts[3]) == len("0123456789abcdef0123456789abcdef.bin")
    location = private_store / path
    assert stat.S_IMODE(location.stat().st_mode) == 0o600
    for folder in (location.parent, location.parent.parent, private_store / "evidence"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert store_encrypted(b"evidence") != path


def test_delete_removes_the_file_and_is_safe_to_repeat(private_store):
    path = store_encrypted(b"to be erased")

    delete_stored(path)
    delete_stored(path)

    assert not (private_store / path).exists()


def test_rotation_moves_files_to_the_new_key_so_the_old_key_can_go(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.HARMSPORTAL_EVIDENCE_KEYS = [old]
    path = store_encrypted(b"before the key changed")

    settings.HARMSPORTAL_EVIDENCE_KEYS = [new, old]
    assert rotate_file(path) is True
    assert rotate_file(path) is False  # already on the new key: nothing to do

    settings.HARMSPORTAL_EVIDENCE_KEYS = [new]
    assert read_decrypted(path) == b"before the key changed"
    settings.HARMSPORTAL_EVIDENCE_KEYS = [old]
    with pytest.raises(InvalidToken):
        read_decrypted(path)


def test_the_rotate_command_reencrypts_everything_and_can_run_again(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.HARMSPORTAL_EVIDENCE_KEYS = [old]
    paths = [store_encrypted(b"first"), store_encrypted(b"second")]
    settings.HARMSPORTAL_EVIDENCE_KEYS = [new, old]

    first, second = io.StringIO(), io.StringIO()
    call_command("rotate_evidence_keys", stdout=first)
    call_command("rotate_evidence_keys", stdout=second)

    assert "Re-encrypted 2 file(s); 0 already used the current key." in first.getvalue()
    assert "Re-encrypted 0 file(s); 2 already used the current key." in second.getvalue()
    settings.HARMSPORTAL_EVIDENCE_KEYS = [new]
    assert [read_decrypted(path) for path in paths] == [b"first", b"second"]


def test_the_rotate_command_reports_files_no_key_can_open(settings):
    settings.HARMSPORTAL_EVIDENCE_KEYS = [Fernet.generate_key().decode()]
    lost = store_encrypted(b"encrypted with a key that was thrown away")
    settings.HARMSPORTAL_EVIDENCE_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(CommandError, match="1 file"):
        call_command("rotate_evidence_keys", stdout=io.StringIO())

    assert lost  # and the file itself is untouched for a human to deal with


@pytest.mark.parametrize(
    "path",
    [
        "../outside.bin",
        "evidence/../../outside.bin",
        "/etc/passwd",
        "evidence/ab/cd/not-evidence.txt",
        "",
        "evidence\\..\\..\\outside.bin",
    ],
)
def test_paths_outside_the_store_are_refused(path, private_store):
    outside = private_store.parent / "outside.bin"
    outside.write_bytes(b"not yours")

    with pytest.raises(SuspiciousFileOperation):
        read_decrypted(path)
    with pytest.raises(SuspiciousFileOperation):
        delete_stored(path)
    assert outside.exists()


def test_a_symlink_out_of_the_store_is_refused(private_store):
    outside = private_store.parent / "secret.bin"
    outside.write_bytes(b"not yours")
    path = store_encrypted(b"real evidence")
    link = private_store / "evidence" / "link.bin"
    link.symlink_to(outside)

    with pytest.raises(SuspiciousFileOperation):
        read_decrypted("evidence/link.bin")
    with pytest.raises(SuspiciousFileOperation):
        delete_stored("evidence/link.bin")
    assert outside.exists()
    assert read_decrypted(path) == b"real evidence"


def test_production_without_keys_refuses_to_store(settings, private_store):
    settings.HARMSPORTAL_EVIDENCE_KEYS = []
    settings.DEBUG = False
    settings.HARMSPORTAL_DEMO = False

    with pytest.raises(ImproperlyConfigured, match="Set HARMSPORTAL_EVIDENCE_KEYS"):
        store_encrypted(b"evidence")

    assert every_file_under(private_store.parent) == []


def test_a_malformed_key_is_refused_without_echoing_it(settings):
    settings.HARMSPORTAL_EVIDENCE_KEYS = ["not-a-fernet-key-but-maybe-a-real-secret"]

    with pytest.raises(ImproperlyConfigured) as caught:
        store_encrypted(b"evidence")

    assert "not-a-fernet-key" not in str(caught.value)


def test_the_demo_generates_a_private_random_key_once(settings, tmp_path, caplog):
    settings.HARMSPORTAL_EVIDENCE_KEYS = []
    settings.HARMSPORTAL_DEMO = True
    key_file = tmp_path / "evidence-dev.key"

    with caplog.at_level(logging.WARNING, logger="reports.evidence.crypto"):
        first = store_encrypted(b"demo evidence")
    key = key_file.read_bytes()
    second = store_encrypted(b"more demo evidence")

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_bytes() == key  # generated once, then reused
    assert [read_decrypted(first), read_decrypted(second)] == [
        b"demo evidence",
        b"more demo evidence",
    ]
    assert "development" in caplog.text
    # Random, not derived from SECRET_KEY: another installation with the same SECRET_KEY
    # gets a different key.
    settings.MEDIA_ROOT = tmp_path / "elsewhere" / "private"
    store_encrypted(b"other installation")
    assert (tmp_path / "elsewhere" / "evidence-dev.key").read_bytes() != key
