"""The support plan: one page, two doors. The champion's reaches the referral through the
champion chokepoint, the person's through their own; each is a 404 for anyone else, exactly
like a missing referral. Both show the plan, a form to change it and every earlier version."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from harmsportal.refusals import form_problem
from wellbeing.forms.plan import SupportPlanForm
from wellbeing.models import DEFAULT_CHECKIN_DAYS, Referral, ReferralState
from wellbeing.selectors import get_referral_for_champion, get_referral_for_person
from wellbeing.services.plans import PLAN_FIELDS, support_plan_update
from wellbeing.services.reads import referral_view_record

NOT_EDITABLE = (ReferralState.OFFERED, ReferralState.DECLINED, ReferralState.CLOSED)


@login_required
@require_http_methods(["GET", "POST"])
@transaction.atomic  # the champion's read is recorded in the transaction that shows it
def champion_plan(request: HttpRequest, pk: UUID) -> HttpResponse:
    referral = get_referral_for_champion(request.user, pk)
    referral_view_record(actor=request.user, referral=referral)
    return _plan_page(request, referral, side="champion")


@login_required
@require_http_methods(["GET", "POST"])
def person_plan(request: HttpRequest, pk: UUID) -> HttpResponse:
    referral = get_referral_for_person(request.user, pk)
    return _plan_page(request, referral, side="person")


def _plan_page(request: HttpRequest, referral: Referral, *, side: str) -> HttpResponse:
    versions = list(referral.plans.select_related("by"))  # newest first
    current = versions[0] if versions else None
    form = SupportPlanForm(
        request.POST if request.method == "POST" else None, initial=_initial(current), side=side
    )
    if form.is_bound and form.is_valid():
        try:
            saved = support_plan_update(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as error:
            form_problem(form, error)
        else:
            if saved is None:
                messages.info(request, "Nothing changed, so the plan is as it was.")
            else:
                messages.success(request, "The support plan is saved. Earlier versions are kept.")
            return redirect(request.path)
    context = {
        "referral": referral,
        "side": side,
        "form": form,
        "plan": current,
        "history": _history(versions),
        "editable": referral.state not in NOT_EDITABLE,
        "may_read": side == "person" or referral.champion_may_see_shared,
    }
    return render(request, "wellbeing/plan.html", context)


def _initial(plan) -> dict:
    if plan is None:
        return {"contact_how": "portal", "checkin_every_days": DEFAULT_CHECKIN_DAYS}
    return {name: getattr(plan, name) for name in PLAN_FIELDS}


def _history(versions: list) -> list[dict]:
    """Each version, newest first, with what it changed from the one before it."""
    rows = []
    for index, plan in enumerate(versions):
        earlier = versions[index + 1] if index + 1 < len(versions) else None
        changed = [
            label
            for name, label in PLAN_FIELDS.items()
            if earlier is None or getattr(earlier, name) != getattr(plan, name)
        ]
        rows.append({"plan": plan, "changed": changed, "first": earlier is None})
    return rows
