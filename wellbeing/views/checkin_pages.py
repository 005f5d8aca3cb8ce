"""Check-ins and the crisis guidance, for the referral's champions (the champion chokepoint:
a 404 for anyone else, exactly like a missing referral)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from harmsportal.refusals import form_problem
from harmsportal.templatetags.govuk_time import govuk_date
from wellbeing.forms.checkin import CheckInForm, CrisisAcknowledgeForm
from wellbeing.models import CRISIS_SCORE
from wellbeing.selectors import current_plan, get_referral_for_champion, urgent_routes_of
from wellbeing.services.checkins import (
    checkin_crisis_acknowledge,
    checkin_record,
    urgent_oh_route,
)
from wellbeing.services.plans import CHECKIN_STATES
from wellbeing.services.reads import referral_view_record

RECENT_CHECKINS = 5


@login_required
@require_http_methods(["GET", "POST"])
@transaction.atomic  # the read is recorded in the transaction that shows it
def checkin(request: HttpRequest, pk: UUID) -> HttpResponse:
    referral = get_referral_for_champion(request.user, pk)
    form = CheckInForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            recorded = checkin_record(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as error:
            form_problem(form, error)
        else:
            if recorded.is_crisis:
                return redirect("wellbeing:crisis", pk=referral.public_id)
            referral.refresh_from_db(fields=["next_checkin_at"])
            due = govuk_date(referral.next_checkin_at)
            messages.success(request, f"Check-in recorded. The next one is due on {due}.")
            return redirect("wellbeing:referral", pk=referral.public_id)
    referral_view_record(actor=request.user, referral=referral)
    context = {
        "referral": referral,
        "form": form,
        "plan": current_plan(referral) if referral.champion_may_see_shared else None,
        "recent": referral.checkins.select_related("by")[:RECENT_CHECKINS],
        "can_record": referral.state in CHECKIN_STATES,
        # "was due" for a day gone by, "is due" for today or a day still to come.
        "due_passed": referral.next_checkin_at is not None
        and timezone.localdate(referral.next_checkin_at) < timezone.localdate(),
    }
    return render(request, "wellbeing/checkin.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@transaction.atomic
def crisis(request: HttpRequest, pk: UUID) -> HttpResponse:
    referral = get_referral_for_champion(request.user, pk)
    form = CrisisAcknowledgeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            acted = checkin_crisis_acknowledge(
                actor=request.user, referral=referral, **form.cleaned_data
            )
        except ValidationError as error:
            form_problem(form, error)
        else:
            if acted:
                messages.success(request, "Thank you. The referral is no longer marked in crisis.")
            else:
                messages.info(request, "A champion had already recorded acting on this crisis.")
            return redirect("wellbeing:referral", pk=referral.public_id)
    referral_view_record(actor=request.user, referral=referral)
    latest = referral.checkins.filter(Q(score=CRISIS_SCORE) | Q(in_crisis=True)).first()
    context = {
        "referral": referral,
        "form": form,
        "crisis_checkin": latest,
        "urgent_oh_route": urgent_oh_route(),
        "urgent_routes": list(urgent_routes_of(referral.force)),
    }
    return render(request, "wellbeing/crisis.html", context)
