"""Triage offers wellbeing support from a case: /wellbeing/offer/<case>/.

Reached only through `triage.selectors.get_case_for_user` (a 404 for a case the user may not
work, alike whether missing or forbidden). Triage sees that an offer exists and whether it was
accepted or declined, nothing more: after acceptance the referral is the person's and their
champion's (wellbeing.selectors.offer_for_case).
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from harmsportal.people.access import role_required
from harmsportal.people.models import TRIAGE_ROLES
from harmsportal.refusals import form_problem
from triage.selectors import get_case_for_user, is_supervisor_of
from wellbeing.forms.offer import OfferForm
from wellbeing.models import Referral, ReferralState
from wellbeing.selectors import offer_for_case
from wellbeing.services.offers import referral_offer


def offer_status(offer: Referral | None) -> str:
    """What triage may know of its offer: none, offered, declined or accepted. Nothing else."""
    if offer is None:
        return "none"
    if offer.state in (ReferralState.OFFERED, ReferralState.DECLINED):
        return offer.state
    if offer.state == ReferralState.CLOSED and offer.consent_given_at is None:
        return "withdrawn"  # closed before anyone accepted it
    return ReferralState.ACCEPTED


@role_required(*TRIAGE_ROLES)
@require_http_methods(["GET", "POST"])
def offer(request: HttpRequest, case_pk: UUID) -> HttpResponse:
    case = get_case_for_user(request.user, case_pk)
    existing = offer_for_case(case)
    if existing is not None and request.method == "POST":
        messages.info(request, "Support has already been offered on this case.")
        return redirect("wellbeing:offer", case_pk=case.public_id)
    form = OfferForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            referral_offer(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(
                request, "Support offered. The reporter has been told to sign in and answer."
            )
            return redirect("wellbeing:offer", case_pk=case.public_id)
    context = {
        "case": case,
        "form": form,
        "status": offer_status(existing),
        "may_offer": case.assignee_id == request.user.pk
        or is_supervisor_of(request.user, case.force),
    }
    return render(request, "wellbeing/offer.html", context)
