"""One case: its page, the forms that work it, and its evidence files."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from harmsportal.people.access import role_required
from harmsportal.people.models import TRIAGE_ROLES, Role
from reports import journey
from triage import forms, selectors, services
from triage.models import Case
from triage.views._shared import problem, to_case


@role_required(*TRIAGE_ROLES)
@require_GET
@transaction.atomic  # the read is recorded in the same transaction that shows it
def case_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk)
    services.case_view_record(actor=request.user, case=case)
    report = case.report
    context = {
        "case": case,
        "report": report,
        "now": timezone.now(),
        "sla_state": case.sla_state(),
        "clocks": case.clocks(),
        "categories": list(case.categories.all()),
        "rows": journey.answer_rows(report),
        "files": [item for item in report.evidence.all() if not item.is_link],
        "links": [item for item in report.evidence.all() if item.is_link],
        "thread": list(report.messages.select_related("author")),
        "notes": list(case.notes.select_related("author")),
        "actions": list(case.actions.select_related("by")),
        "is_assignee": case.assignee_id == request.user.pk,
        "is_supervisor": selectors.is_supervisor_of(request.user, case.force),
    }
    return render(request, "triage/case.html", context)


def _case_post(
    request: HttpRequest, pk: UUID, act: Callable[[Case], object], done: str
) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk)
    try:
        act(case)
    except ValidationError as error:
        problem(request, error)
    else:
        messages.success(request, done)
    return to_case(case)


@role_required(*TRIAGE_ROLES)
@require_POST
def claim(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _case_post(
        request,
        pk,
        lambda case: services.case_claim(actor=request.user, case=case),
        "You claimed this case.",
    )


@role_required(*TRIAGE_ROLES)
@require_POST
def unclaim(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _case_post(
        request,
        pk,
        lambda case: services.case_unclaim(actor=request.user, case=case),
        "The case is back in the queue for anyone to claim.",
    )


@role_required(*TRIAGE_ROLES)
@require_POST
def close(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _case_post(
        request,
        pk,
        lambda case: services.case_close(actor=request.user, case=case),
        "The case is closed.",
    )


def _form_page(
    request: HttpRequest,
    pk: UUID,
    *,
    form_class: type,
    template: str,
    act: Callable[[Case, dict], object],
    done: str,
    form_kwargs: Callable[[Case], dict] | None = None,
    initial: Callable[[Case], dict] | None = None,
) -> HttpResponse:
    """A page holding one form about one case: show it, or act on it and go back to the case."""
    case = selectors.get_case_for_user(request.user, pk)
    extra = form_kwargs(case) if form_kwargs else {}
    if request.method == "POST":
        form = form_class(request.POST, **extra)
        if form.is_valid():
            try:
                act(case, form.cleaned_data)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, done)
                return to_case(case)
    else:
        form = form_class(initial=initial(case) if initial else None, **extra)
    return render(request, template, {"case": case, "form": form})


@role_required(*TRIAGE_ROLES)
@require_http_methods(["GET", "POST"])
def assess(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _form_page(
        request,
        pk,
        form_class=forms.AssessmentForm,
        template="triage/assess.html",
        form_kwargs=lambda case: {"case": case},
        initial=lambda case: {
            "risk": case.risk,
            "categories": list(case.categories.all()),
            "recording_decision": case.recording_decision,
            "offence_crosswalk": case.offence_crosswalk,
            "crime_reference": case.crime_reference,
        },
        act=lambda case, data: services.case_assess(actor=request.user, case=case, **data),
        done="Assessment saved.",
    )


@role_required(*TRIAGE_ROLES)
@require_http_methods(["GET", "POST"])
def record_action(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _form_page(
        request,
        pk,
        form_class=forms.ActionForm,
        template="triage/action.html",
        act=lambda case, data: services.case_action_record(actor=request.user, case=case, **data),
        done="Action recorded.",
    )


@role_required(*TRIAGE_ROLES)
@require_http_methods(["GET", "POST"])
def add_note(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _form_page(
        request,
        pk,
        form_class=forms.NoteForm,
        template="triage/note.html",
        act=lambda case, data: services.case_note_add(actor=request.user, case=case, **data),
        done="Internal note added. The reporter cannot see it.",
    )


@role_required(*TRIAGE_ROLES)
@require_http_methods(["GET", "POST"])
def send_message(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _form_page(
        request,
        pk,
        form_class=forms.MessageForm,
        template="triage/message.html",
        act=lambda case, data: services.case_message_send(actor=request.user, case=case, **data),
        done="Message sent to the reporter.",
    )


@role_required(*TRIAGE_ROLES)
@require_http_methods(["GET", "POST"])
def give_outcome(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _form_page(
        request,
        pk,
        form_class=forms.OutcomeForm,
        template="triage/outcome.html",
        act=lambda case, data: services.case_outcome_give(actor=request.user, case=case, **data),
        done="Outcome sent. The reporter has been told there is an update.",
    )


@role_required(*TRIAGE_ROLES)
@require_http_methods(["GET", "POST"])
def reopen(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _form_page(
        request,
        pk,
        form_class=forms.ReopenForm,
        template="triage/reopen.html",
        act=lambda case, data: services.case_reopen(actor=request.user, case=case, **data),
        done="Case reopened. It is assigned to you.",
    )


@role_required(Role.TRIAGE_SUPERVISOR)
@require_http_methods(["GET", "POST"])
def reassign(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _form_page(
        request,
        pk,
        form_class=forms.ReassignForm,
        template="triage/reassign.html",
        form_kwargs=lambda case: {"people": selectors.triagers_of(case.force)},
        initial=lambda case: {"assignee": case.assignee_id},
        act=lambda case, data: services.case_reassign(actor=request.user, case=case, **data),
        done="Case reassigned.",
    )


@role_required(*TRIAGE_ROLES)
@require_GET
def evidence(request: HttpRequest, pk: UUID, evidence_pk: UUID) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk)
    item = selectors.get_case_evidence(case, evidence_pk)
    file = services.case_evidence_read(
        actor=request.user, case=case, evidence=item, original=request.GET.get("copy") == "original"
    )
    response = HttpResponse(file.data, content_type=file.mime)
    response["Content-Disposition"] = content_disposition_header(True, file.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
