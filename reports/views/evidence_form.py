"""The evidence form's POST, shared by the draft's evidence step and adding to a sent report.

Each field is handled on its own, so a bad link never loses a good file; every refusal
becomes a GOV.UK error on its field, and every file passes the same pipeline.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from reports.evidence import EvidenceNotStored, EvidenceRejected
from reports.evidence.errors import NOT_STORED, too_big
from reports.forms import EvidenceForm
from reports.models import Evidence, Report

AddFile = Callable[..., Evidence]  # (actor=, report=, data=, filename=)
AddLink = Callable[..., Evidence]  # (actor=, report=, url=)


def evidence_form_handle(
    request: HttpRequest, report: Report, *, add_file: AddFile, add_link: AddLink
) -> EvidenceForm:
    """Bind the form (on every POST, even an empty one) and add what it carries.

    Returns the form; it has errors when anything was refused or missing.
    """
    form = EvidenceForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method != "POST":
        return form
    action = request.POST.get("action", "")
    form.is_valid()
    upload, link = form.cleaned_data.get("file"), form.cleaned_data.get("link_url")
    if getattr(request, "upload_too_large", False):
        # harmsportal.uploads skipped it before it reached disk: say why it is missing.
        form.add_error("file", too_big(settings.HARMSPORTAL_EVIDENCE_MAX_BYTES))
    elif getattr(request, "upload_not_stored", False):
        # harmsportal.uploads could not spool it to disk (full or missing): nothing was kept.
        form.add_error("file", NOT_STORED)
    elif action == "upload" and not upload and "file" not in form.errors:
        form.add_error("file", "Select a file to upload.")
    if action == "add_link" and not link and "link_url" not in form.errors:
        form.add_error("link_url", "Enter a link.")
    if upload:
        try:
            # One byte past the limit at most: the pipeline refuses anything that long, and a
            # huge upload is never held in memory whole.
            data = upload.read(settings.HARMSPORTAL_EVIDENCE_MAX_BYTES + 1)
            kept = add_file(actor=request.user, report=report, data=data, filename=upload.name)
        except (EvidenceRejected, EvidenceNotStored) as refused:
            form.add_error("file", refused.message)
        except ValidationError as error:
            form.add_error("file", error.messages[0])
        else:
            messages.success(request, f"{kept.original_filename} has been added.")
    if link:
        try:
            add_link(actor=request.user, report=report, url=link)
        except ValidationError as error:
            form.add_error("link_url", error.messages[0])
        else:
            messages.success(request, "Your link has been added.")
    return form
