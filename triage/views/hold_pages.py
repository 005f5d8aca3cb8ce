"""Legal hold: a triage supervisor keeps a case from retention's erasure, or lets it go."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from harmsportal.people.access import role_required
from harmsportal.people.models import Role
from harmsportal.refusals import form_problem
from triage.forms import LegalHoldForm
from triage.models import Case
from triage.selectors import get_case_for_supervisor
from triage.services.legal_hold import case_legal_hold_lift, case_legal_hold_place


@role_required(Role.TRIAGE_SUPERVISOR)
@require_http_methods(["GET", "POST"])
def legal_hold(request: HttpRequest, pk: UUID) -> HttpResponse:
    # A supervisor elsewhere who triages this force gets a 404: the hold (its reason, who
    # placed it) is not theirs to read or change.
    case = get_case_for_supervisor(request.user, pk)
    lifting = case.on_legal_hold
    form = LegalHoldForm(request.POST if request.method == "POST" else None, lifting=lifting)
    if form.is_bound and form.is_valid():
        change = case_legal_hold_lift if lifting else case_legal_hold_place
        try:
            change(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form_problem(form, error)
        except Case.DoesNotExist:
            # Retention erased the case between this page's read and the hold's lock.
            raise Http404("No such case") from None
        else:
            done = "lifted" if lifting else "placed"
            after = " Its retention period runs again." if lifting else ""
            messages.success(request, f"Legal hold {done} on case {case.report.reference}.{after}")
            return redirect("triage:case", case.public_id)
    context = {
        "case": case,
        "form": form,
        "notice_days": settings.HARMSPORTAL_RETENTION_NOTICE_DAYS,
    }
    return render(request, "triage/legal_hold.html", context)
