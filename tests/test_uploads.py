"""Oversized uploads are skipped before any handler stores them; the rest of the form survives."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

SEEN: dict = {}


@csrf_exempt
def _upload_probe(request):
    SEEN.clear()
    SEEN["files"] = list(request.FILES)
    SEEN["note"] = request.POST.get("note")
    SEEN["too_large"] = getattr(request, "upload_too_large", False)
    return HttpResponse("ok")


urlpatterns = [path("upload-probe/", _upload_probe)]


@override_settings(ROOT_URLCONF=__name__, HARMSPORTAL_EVIDENCE_MAX_BYTES=100_000)
def test_an_oversized_file_is_dropped_and_flagged_and_the_other_fields_kept(client, db):
    big = SimpleUploadedFile("big.jpg", b"x" * 300_000)
    client.post("/upload-probe/", {"evidence": big, "note": "what I typed"})
    assert SEEN == {"files": [], "note": "what I typed", "too_large": True}


@override_settings(ROOT_URLCONF=__name__, HARMSPORTAL_EVIDENCE_MAX_BYTES=100_000)
def test_a_file_within_the_limit_passes_through(client, db):
    small = SimpleUploadedFile("small.txt", b"y" * 50_000)
    client.post("/upload-probe/", {"evidence": small, "note": "n"})
    assert SEEN == {"files": ["evidence"], "note": "n", "too_large": False}


def test_the_handler_counts_bytes_when_no_length_was_sent(settings):
    import pytest
    from django.core.files.uploadhandler import SkipFile

    from harmsportal.uploads import SizeCappedUploadHandler

    settings.HARMSPORTAL_EVIDENCE_MAX_BYTES = 10
    handler = SizeCappedUploadHandler()
    handler.handle_raw_input(None, {}, None, b"--b")
    handler.new_file("evidence", "a.txt", "text/plain", None)
    assert handler.receive_data_chunk(b"12345", 0) == b"12345"
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"678901", 5)
