"""Forms for the pages around the questions: evidence, messages and withdrawal."""

from __future__ import annotations

from django import forms
from django.conf import settings

from harmsportal.forms import CharacterCountTextarea


class EvidenceForm(forms.Form):
    """One file and/or one link at a time; the page lists what is already kept."""

    file = forms.FileField(
        label="Upload a file",
        required=False,
        help_text="",
        error_messages={"empty": "The selected file is empty."},
    )
    link_url = forms.URLField(
        label="Add a link",
        required=False,
        max_length=2000,
        assume_scheme="https",
        help_text=(
            "A link to a post, profile or page, copied from your browser's address bar. We "
            "will not open it from here."
        ),
        error_messages={
            "invalid": "Enter a link in the right format, like https://example.com/post/123."
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        max_mb = settings.HARMSPORTAL_EVIDENCE_MAX_BYTES // (1024 * 1024)
        max_files = settings.HARMSPORTAL_EVIDENCE_MAX_FILES
        self.fields["file"].help_text = (
            f"Screenshots, photos, PDFs or text files, up to {max_mb} MB each. You can add up "
            f"to {max_files} files, one at a time."
        )


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Send a message to the team handling your report",
        max_length=5000,
        widget=CharacterCountTextarea(maxlength=5000, rows=5),
        error_messages={
            "required": "Enter a message.",
            "max_length": "Your message must be 5,000 characters or fewer.",
        },
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing your report?",
        help_text="You do not have to tell us. It helps us improve how we handle reports.",
        required=False,
        max_length=1000,
        widget=CharacterCountTextarea(maxlength=1000, rows=4),
        error_messages={"max_length": "Your reason must be 1,000 characters or fewer."},
    )
