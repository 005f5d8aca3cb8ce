"""Upload handlers: oversized files refused before they are written anywhere, and a spool to
disk that survives a full disk."""

from __future__ import annotations

import contextlib
import errno
import logging

from django.conf import settings
from django.core.files.uploadhandler import (
    FileUploadHandler,
    SkipFile,
    TemporaryFileUploadHandler,
)

logger = logging.getLogger(__name__)

# Multipart framing and the form's other fields ride in the same request as the file.
FRAMING_ALLOWANCE = 64 * 1024


class SizeCappedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: skip any file larger than the evidence limit.

    Django would otherwise spool the whole upload to a temporary file before any view could
    check its size. A skipped file never reaches the handlers after this one; the rest of the
    form is parsed as usual, and `request.upload_too_large` tells the view to say why the file
    is missing ("The selected file must be smaller than 20MB"), keeping everything else.
    """

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.received = 0
        self.request_length: int | None = None
        self.limit = settings.HARMSPORTAL_EVIDENCE_MAX_BYTES

    def _refuse(self):
        if self.request is not None:
            self.request.upload_too_large = True
        raise SkipFile

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        if (self.request_length or 0) > self.limit + FRAMING_ALLOWANCE:
            self._refuse()

    def handle_raw_input(self, input_data, meta, content_length, boundary, encoding=None):
        self.request_length = content_length

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        # Chunked requests carry no length up front: count as the bytes arrive.
        self.received += len(raw_data)
        if self.received > self.limit:
            self._refuse()
        return raw_data

    def file_complete(self, file_size: int):
        return None  # the next handler builds the file


class SpoolingUploadHandler(TemporaryFileUploadHandler):
    """Last in FILE_UPLOAD_HANDLERS: Django's spool to FILE_UPLOAD_TEMP_DIR for uploads too big
    to hold in memory, except that a full, missing or read-only disk skips the file instead of
    failing the whole request with a 500.

    The half-written temporary file is closed (which deletes it), the rest of the form is
    parsed as usual, and `request.upload_not_stored` tells the view to say the file could not
    be uploaded, keeping everything else (tests/resilience/test_storage_full.py).
    """

    def new_file(self, *args, **kwargs) -> None:
        # A file spooled earlier in this request is the request's now: never close it here.
        self.__dict__.pop("file", None)
        try:
            super().new_file(*args, **kwargs)
        except OSError as error:
            self._give_up(error)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        try:
            self.file.write(raw_data)
            # Flushed chunk by chunk, so a full disk shows here, where the file can still be
            # skipped, and not in file_complete, where it would fail the request.
            self.file.flush()
        except OSError as error:
            self._give_up(error)

    def _give_up(self, error: OSError) -> None:
        logger.error(
            "An upload could not be spooled to disk: %s",
            errno.errorcode.get(error.errno or 0, type(error).__name__),
        )
        if self.request is not None:
            self.request.upload_not_stored = True
        spool = self.__dict__.pop("file", None)  # the parser closes `file` again on a skip
        if spool is not None:
            with contextlib.suppress(OSError):
                spool.close()  # a NamedTemporaryFile: closing unlinks it, even if flush fails
        raise SkipFile
