"""The roster upload form: one CSV or XLSX file, within the size limit."""

from __future__ import annotations

from django import forms

from training.services.roster import (
    EMPTY,
    WRONG_TYPE,
    roster_file_format,
    roster_max_bytes,
    roster_too_big_message,
)


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a roster file",
        error_messages={
            "required": "Select a CSV or Excel (.xlsx) file.",
            "empty": EMPTY,
            "invalid": "Select a CSV or Excel (.xlsx) file.",
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        max_mb = roster_max_bytes() // (1024 * 1024)
        self.fields["file"].help_text = f"A CSV (UTF-8) or Excel (.xlsx) file, up to {max_mb} MB."
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx"
        self.content = b""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if roster_file_format(upload.name) is None:
            raise forms.ValidationError(WRONG_TYPE)
        # Read a chunk at a time and stop one byte past the limit: an oversized file is never
        # held in memory whole, and nothing of it is kept.
        limit = roster_max_bytes()
        content = bytearray()
        for chunk in upload.chunks():
            content += chunk
            if len(content) > limit:
                raise forms.ValidationError(roster_too_big_message())
        if not content:
            raise forms.ValidationError(EMPTY)
        self.content = bytes(content)
        return upload
