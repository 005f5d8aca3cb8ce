"""An upload handler that refuses oversized files before they are written anywhere."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

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
