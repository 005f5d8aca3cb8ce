"""Telling the reporter's line manager, at the reporter's request: a confirm page and its POST.

Reached only through the case chokepoint (`get_case_for_user`): another force's case is a 404,
like a missing one, and Professional Standards never holds a triage role (404 at the gate).
"""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from harmsportal.people.access import role_required
from harmsportal.people.models import TRIAGE_ROLES
from harmsportal.refusals import form_problem
from harmsportal.templatetags.govuk_time import govuk_date
from training.selectors import line_manager_of
from training.services.notices import line_manager_notice_for
from triage.selectors import get_case_for_user
from triage.services.line_manager import case_line_manager_tell
from triage.views._shared import to_case


@role_required(*TRIAGE_ROLES)
@require_http_methods(["GET", "POST"])
def line_manager_notice(request: HttpRequest, pk: UUID) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    report = case.report
    # No fields: a confirm button, with the GOV.UK error summary for a refusal.
    form = forms.Form(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            sent = case_line_manager_tell(actor=request.user, case=case)
        except ValidationError as error:
            form_problem(form, error)
        else:
            notice = line_manager_notice_for(report.public_id)
            if sent:
                messages.success(
                    request, "The line manager has been told. The reporter can see that they were."
                )
            else:
                messages.info(
                    request, f"The line manager was already told, on {govuk_date(notice.sent_at)}."
                )
            return to_case(case)
    context = {
        "case": case,
        "form": form,
        "notice": line_manager_notice_for(report.public_id),
        "line_manager": line_manager_of(report.reporter, report.force),
    }
    return render(request, "triage/line_manager_notice.html", context)
