"""Roster import: upload, dry-run preview, then apply all or nothing.

The upload page checks the file with a dry run (training.services.roster) and sends the
trainer to its preview: how many people are new, updated or unchanged, the first rows, and
every bad row with its row number. Only a roster without problems has an Apply button. The
preview's form also discards a roster (`action=discard`): its file and the people listed go.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from harmsportal.pagination import requested_page
from harmsportal.people.access import role_required
from harmsportal.people.models import Role, User
from harmsportal.refusals import problem
from harmsportal.templatetags.govuk_time import govuk_datetime
from training.forms.roster import RosterUploadForm
from training.models import Audience, RosterImport
from training.roster_rows import COLUMNS, RowStatus
from training.selectors import (
    chosen_trainer_force,
    get_roster_import_for_trainer,
    roster_imports_for_trainer,
    trainer_force_ids,
)
from training.services.roster import (
    roster_apply,
    roster_discard,
    roster_preview,
    roster_preview_seen,
    roster_too_big_message,
)

RECENT_IMPORTS = 10
# Short words for the kind of worker, as a roster writes them.
KIND_LABELS = {
    User.Kind.OFFICER: "Officer",
    User.Kind.STAFF: "Staff",
    User.Kind.VOLUNTEER: "Volunteer",
}
ERRORS_PER_PAGE = 100
STATUS_LABELS = {
    RowStatus.NEW_ACCOUNT: "New account",
    RowStatus.NEW_PROFILE: "Added to roster",
    RowStatus.UPDATE: "Updated",
    RowStatus.UNCHANGED: "No change",
    RowStatus.ERROR: "Has a problem",
}
STATUS_TAGS = {
    RowStatus.NEW_ACCOUNT: "govuk-tag--green",
    RowStatus.NEW_PROFILE: "govuk-tag--green",
    RowStatus.UPDATE: "govuk-tag--blue",
    RowStatus.UNCHANGED: "govuk-tag--grey",
    RowStatus.ERROR: "govuk-tag--red",
}
ROSTER_TAGS = {
    RosterImport.Status.PREVIEWED: "govuk-tag--blue",
    RosterImport.Status.INVALID: "govuk-tag--red",
    RosterImport.Status.APPLIED: "govuk-tag--green",
    RosterImport.Status.DISCARDED: "govuk-tag--grey",
}


@role_required(Role.TRAINING_ADMIN, Role.PLATFORM_ADMIN)
@require_http_methods(["GET", "POST"])
def roster(request: HttpRequest) -> HttpResponse:
    force = chosen_trainer_force(request.user, request.GET.get("force"))
    form = RosterUploadForm()
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        valid = form.is_valid()
        if getattr(request, "upload_too_large", False):
            # The upload handler skipped it before it was written anywhere: say why it is gone.
            form.errors["file"] = form.error_class([roster_too_big_message()])
            valid = False
        if valid:
            try:
                imported = roster_preview(
                    actor=request.user,
                    force=force,
                    file_name=form.cleaned_data["file"].name,
                    content=form.content,
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("file", message)
            else:
                return redirect("training:roster_preview", pk=imported.public_id)
    context = {
        "force": force,
        "form": form,
        "force_query": _force_query(request.user, force.slug),
        "columns": COLUMNS,
        "audiences": [a.label for a in Audience if a != Audience.FAMILY],
        "recent": roster_imports_for_trainer(request.user, force)[:RECENT_IMPORTS],
        "roster_tags": ROSTER_TAGS,
    }
    return render(request, "training/roster.html", context)


@role_required(Role.TRAINING_ADMIN, Role.PLATFORM_ADMIN)
@require_http_methods(["GET", "POST"])
def preview(request: HttpRequest, pk) -> HttpResponse:
    imported = get_roster_import_for_trainer(request.user, pk)
    if request.method == "POST":
        if request.POST.get("action") == "discard":
            if _discard(request, imported):
                query = _force_query(request.user, imported.force.slug)
                return redirect(reverse("training:roster") + query)
        else:
            _apply(request, imported)
        return redirect("training:roster_preview", pk=imported.public_id)
    roster_preview_seen(actor=request.user, roster=imported)
    summary = imported.summary
    errors = Paginator(summary.get("errors", []), ERRORS_PER_PAGE).get_page(requested_page(request))
    context = {
        "roster": imported,
        "summary": summary,
        "first_rows": [_row_shown(row) for row in summary.get("first_rows", [])],
        "errors": errors,
        "page": errors,
        "page_numbers": errors.paginator.get_elided_page_range(errors.number),
        "may_apply": imported.status == RosterImport.Status.PREVIEWED,
        "applied_before": _moment(summary.get("applied_before")),
        "roster_tag": ROSTER_TAGS.get(imported.status, ""),
        "force_query": _force_query(request.user, imported.force.slug),
    }
    return render(request, "training/roster_preview.html", context)


def _apply(request: HttpRequest, imported: RosterImport) -> None:
    was = imported.status
    try:
        imported = roster_apply(actor=request.user, roster=imported)
    except ValidationError as error:
        problem(request, error)
        return
    if was == RosterImport.Status.APPLIED:
        when = govuk_datetime(imported.applied_at)
        messages.info(request, f"This roster was already applied on {when}. Nothing has changed.")
    elif imported.status == RosterImport.Status.APPLIED:
        messages.success(request, "The roster has been applied.")
    else:
        messages.error(
            request,
            "Something changed since the file was checked, so nothing has been applied. "
            "The rows with problems are listed below.",
        )


def _discard(request: HttpRequest, imported: RosterImport) -> bool:
    try:
        roster_discard(actor=request.user, roster=imported)
    except ValidationError as error:
        problem(request, error)
        return False
    messages.success(
        request,
        f"The roster {imported.file_name} has been discarded. Nothing in it was applied, and "
        "the file is no longer kept.",
    )
    return True


def _row_shown(row: dict) -> dict:
    return {
        **row,
        "kind_label": KIND_LABELS.get(row.get("kind"), ""),
        "audience_labels": [Audience(a).label for a in row.get("audiences", [])],
        "start": dt.date.fromisoformat(row["start_date"]) if row.get("start_date") else None,
        "status_label": STATUS_LABELS.get(row.get("status"), ""),
        "status_tag": STATUS_TAGS.get(row.get("status"), ""),
    }


def _moment(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _force_query(user: User, slug: str) -> str:
    """?force=<slug> for a trainer of several forces, so each link stays in the same force."""
    return f"?force={slug}" if len(trainer_force_ids(user)) > 1 else ""
