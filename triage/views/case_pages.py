"""One case: its page, the forms that work it, and its evidence files.

Each view: parse → access (role, then the case chokepoint) → service → page. Every case is
fetched through `get_case_for_user`, which answers 404 alike for another force's case and for
one that does not exist.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from harmsportal.people.access import role_required
from harmsportal.people.models import TRIAGE_ROLES, Role
from harmsportal.refusals import form_problem, problem
from reports.answer_rows import answer_rows
from reports.downloads import attachment_response, evidence_file_read, requested_copy
from training.selectors import line_manager_of
from training.services.notices import line_manager_notice_for
from triage.forms import (
    ActionForm,
    AssessmentForm,
    MessageForm,
    NoteForm,
    OutcomeForm,
    ReassignForm,
    ReopenForm,
)
from triage.selectors import (
    assignable_triagers_for,
    case_history,
    declared_conflicts_of,
    get_case_evidence,
    get_case_for_supervisor,
    get_case_for_user,
    is_supervisor_of,
    role_in_force,
)
from triage.services.claiming import case_claim, case_reassign, case_unclaim
from triage.services.reads import case_view_record
from triage.services.working import (
    case_action_record,
    case_assess,
    case_close,
    case_message_send,
    case_note_add,
    case_outcome_give,
    case_reopen,
)
from triage.views._shared import to_case


@role_required(*TRIAGE_ROLES)
@require_GET
@transaction.atomic  # the read is recorded in the same transaction that shows it
def case_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    unread_since = case.unread_since  # before this read clears it for the holder
    case_view_record(actor=request.user, case=case)
    report = case.report
    conflicts = list(declared_conflicts_of(case))
    context = {
        "case": case,
        "report": report,
        "now": timezone.now(),
        "sla_state": case.sla_state(),
        "clocks": case.clocks(),
        "categories": list(case.categories.all()),
        "rows": answer_rows(report),
        "files": [item for item in report.evidence.all() if not item.is_link],
        "links": [item for item in report.evidence.all() if item.is_link],
        "thread": list(report.messages.select_related("author")),
        "notes": list(case.notes.select_related("author")),
        "actions": list(case.actions.select_related("by")),
        "history": case_history(case),
        "unread_since": unread_since,
        "conflicts": conflicts,
        "stepped_aside": any(conflict.user_id == request.user.pk for conflict in conflicts),
        "is_assignee": case.assignee_id == request.user.pk,
        "is_supervisor": is_supervisor_of(request.user, case.force),
        **_line_manager_context(report),
    }
    return render(request, "triage/case.html", context)


def _line_manager_context(report) -> dict:
    """Whether the reporter asked that their line manager be told, and whether they were."""
    notice = line_manager_notice_for(report.public_id)
    known = report.line_manager_consent and notice is None
    return {
        "line_manager_notice": notice,
        "line_manager_known": known and line_manager_of(report.reporter, report.force) is not None,
    }


# ---------------------------------------------------------------------------
# Buttons: claim, hand back, close
# ---------------------------------------------------------------------------


@role_required(*TRIAGE_ROLES)
@require_POST
def claim(request: HttpRequest, pk: UUID) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    try:
        case_claim(actor=request.user, case=case)
    except ValidationError as error:
        problem(request, error)
    else:
        messages.success(request, "You claimed this case.")
    return to_case(case)


@role_required(*TRIAGE_ROLES)
@require_POST
def unclaim(request: HttpRequest, pk: UUID) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    try:
        case_unclaim(actor=request.user, case=case)
    except ValidationError as error:
        problem(request, error)
    else:
        messages.success(request, "The case is back in the queue for anyone to claim.")
    return to_case(case)


@role_required(*TRIAGE_ROLES)
@require_POST
def close(request: HttpRequest, pk: UUID) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    try:
        case_close(actor=request.user, case=case)
    except ValidationError as error:
        problem(request, error)
    else:
        messages.success(request, "The case is closed.")
    return to_case(case)


# ---------------------------------------------------------------------------
# Form pages: show the form, or act on it and go back to the case
# ---------------------------------------------------------------------------


def _posted(request: HttpRequest) -> dict | None:
    return request.POST if request.method == "POST" else None


@role_required(*TRIAGE_ROLES)
@require_http_methods(["GET", "POST"])
def assess(request: HttpRequest, pk: UUID) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    initial = {
        "risk": case.risk,
        "categories": list(case.categories.all()),
        "recording_decision": case.recording_decision,
        "offence_crosswalk": case.offence_crosswalk,
        "crime_reference": case.crime_reference,
    }
    form = AssessmentForm(_posted(request), case=case, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            case_assess(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(request, "Assessment saved.")
            return to_case(case)
    return render(request, "triage/assess.html", {"case": case, "form": form})


@role_required(*TRIAGE_ROLES)
@require_http_methods(["GET", "POST"])
def record_action(request: HttpRequest, pk: UUID) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    form = ActionForm(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            case_action_record(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(request, "Action recorded.")
            return to_case(case)
    return render(request, "triage/action.html", {"case": case, "form": form})


@role_required(*TRIAGE_ROLES)
@require_http_methods(["GET", "POST"])
def add_note(request: HttpRequest, pk: UUID) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    form = NoteForm(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            case_note_add(actor=request.user, case=case, body=form.cleaned_data["body"])
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(request, "Internal note added. The reporter cannot see it.")
            return to_case(case)
    return render(request, "triage/note.html", {"case": case, "form": form})


@role_required(*TRIAGE_ROLES)
@require_http_methods(["GET", "POST"])
def send_message(request: HttpRequest, pk: UUID) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    form = MessageForm(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            case_message_send(actor=request.user, case=case, body=form.cleaned_data["body"])
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(request, "Message sent to the reporter.")
            return to_case(case)
    return render(request, "triage/message.html", {"case": case, "form": form})


@role_required(*TRIAGE_ROLES)
@require_http_methods(["GET", "POST"])
def give_outcome(request: HttpRequest, pk: UUID) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    form = OutcomeForm(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            case_outcome_give(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(
                request, "Outcome sent. The reporter has been told there is an update."
            )
            return to_case(case)
    return render(request, "triage/outcome.html", {"case": case, "form": form})


@role_required(*TRIAGE_ROLES)
@require_http_methods(["GET", "POST"])
def reopen(request: HttpRequest, pk: UUID) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    form = ReopenForm(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            case_reopen(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(request, "Case reopened. It is assigned to you.")
            return to_case(case)
    return render(request, "triage/reopen.html", {"case": case, "form": form})


@role_required(Role.TRIAGE_SUPERVISOR)
@require_http_methods(["GET", "POST"])
def reassign(request: HttpRequest, pk: UUID) -> HttpResponse:
    case = get_case_for_supervisor(request.user, pk)
    form = ReassignForm(
        _posted(request),
        people=assignable_triagers_for(case),
        initial={"assignee": case.assignee_id},
    )
    if form.is_bound and form.is_valid():
        try:
            assignee = form.cleaned_data["assignee"]
            changed = case_reassign(actor=request.user, case=case, assignee=assignee)
        except ValidationError as error:
            form_problem(form, error)
        else:
            if changed:
                messages.success(request, f"Case reassigned to {assignee.get_full_name()}.")
            else:
                messages.info(request, f"{assignee.get_full_name()} already holds this case.")
            return to_case(case)
    return render(request, "triage/reassign.html", {"case": case, "form": form})


# ---------------------------------------------------------------------------
# Evidence
# ---------------------------------------------------------------------------


@role_required(*TRIAGE_ROLES)
@require_GET
def evidence(request: HttpRequest, pk: UUID, evidence_pk: UUID) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    item = get_case_evidence(case, evidence_pk)
    file = evidence_file_read(
        actor=request.user,
        evidence=item,
        force=case.force,
        role=role_in_force(request.user, case.force),
        copy=requested_copy(request.GET.get("copy")),
        reason=f"Triage case {case.pk}",
    )
    return attachment_response(file)
