"""Moving a case: a supervisor transfers it to another force; someone steps aside from it."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from harmsportal.people.access import role_required
from harmsportal.people.models import TRIAGE_ROLES, Role
from harmsportal.refusals import form_problem
from triage.forms import StepAsideForm, TransferForm
from triage.selectors import get_case_for_supervisor, get_case_for_user
from triage.services.moving import case_step_aside, case_transfer


@role_required(Role.TRIAGE_SUPERVISOR)
@require_http_methods(["GET", "POST"])
def transfer(request: HttpRequest, pk: UUID) -> HttpResponse:
    case = get_case_for_supervisor(request.user, pk)
    form = TransferForm(request.POST if request.method == "POST" else None, case=case)
    if form.is_bound and form.is_valid():
        to_force = form.cleaned_data["to_force"]
        try:
            case_transfer(
                actor=request.user, case=case, to_force=to_force, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(
                request,
                f"Case {case.report.reference} is now in {to_force.name}'s queue. Their "
                "supervisors have been told.",
            )
            # The case has left this force's queue: its page is no longer ours to show.
            return redirect("triage:queue")
    return render(request, "triage/transfer.html", {"case": case, "form": form})


@role_required(*TRIAGE_ROLES)
@require_http_methods(["GET", "POST"])
def step_aside(request: HttpRequest, pk: UUID) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    form = StepAsideForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            case_step_aside(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(
                request,
                f"You have stepped aside from case {case.report.reference}. It has left your "
                "queue and will not be assigned to you again.",
            )
            # Knowing the person, they no longer read the case: its page is a 404 for them now.
            return redirect("triage:queue")
    return render(request, "triage/step_aside.html", {"case": case, "form": form})
