"""Why an upload was refused, in words the reporter can act on.

Messages follow the GOV.UK file upload pattern: they start "The selected file …", say what to
do next where there is something to do, and never blame the person.
"""

from __future__ import annotations

WRONG_TYPE = "The selected file must be a JPG, PNG, WebP, GIF, PDF or text file."
EMPTY = "The selected file is empty."
DAMAGED = "The selected file appears to be damaged — try saving it again."
ARCHIVE = (
    "The selected file is a compressed folder — open it and add the files inside one at a time."
)
WEB_PAGE = (
    "The selected file is a web page or contains web page code — save it as a PDF, "
    "or take a screenshot instead."
)
SVG = "The selected file is an SVG image — save it as a PNG or JPG instead."
HIDDEN_CONTENT = (
    "The selected file contains hidden content that cannot be accepted — take a new "
    "screenshot or save it again as a JPG, PNG or PDF."
)
PDF_ACTIVE_CONTENT = (
    "The selected PDF contains scripts or attached files — print it to a new PDF and try again."
)
PDF_UNCHECKABLE = (
    "The selected PDF is protected or uses a format we cannot check — print it to a new PDF "
    "and try again."
)
TEXT_ENCODING = (
    "The selected text file could not be read — save it as plain text (UTF-8) and try again."
)
HEIC = (
    "The selected file is a HEIC photo — save it as a JPG, or set your phone's camera to "
    "'Most compatible' and take it again."
)
OFFICE_DOCUMENT = "The selected file is an office document — save it as a PDF and try again."
# The file was fine; our disk or storage failed (full, read-only, gone). GOV.UK's wording for
# an upload that did not work, with nothing that blames the file or the person.
NOT_STORED = "The selected file could not be uploaded — try again."


class EvidenceRejected(Exception):  # noqa: N818 - the name is the agreed interface
    """An upload the portal will not keep; `message` is safe to show to the reporter."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EvidenceNotStored(Exception):  # noqa: N818 - reads as what happened, like EvidenceRejected
    """The file passed every check but could not be written to the evidence store.

    Nothing of it is kept (no file, no row); `message` is safe to show to the reporter.
    """

    def __init__(self, message: str = NOT_STORED) -> None:
        super().__init__(message)
        self.message = message


def too_big(max_bytes: int) -> str:
    return f"The selected file must be smaller than {human_size(max_bytes)}."


def too_many_pixels(max_pixels: int) -> str:
    return (
        "The image is too large to process — it must be smaller than "
        f"{max_pixels / 1_000_000:g} megapixels."
    )


def too_many_files(max_files: int) -> str:
    return f"You can add up to {max_files} files."


def human_size(size: int) -> str:
    """20971520 -> "20MB": the binary units people see in their file manager, without decimals
    when the limit is a whole number."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:g}{unit}" if value == int(value) else f"{value:.1f}{unit}"
    return f"{size} bytes"
