"""A triager's own settings: whether a reporter's message also reaches them by email."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from harmsportal.people.access import role_required
from harmsportal.people.models import TRIAGE_ROLES
from triage.forms import NotificationPreferenceForm
from triage.services.preferences import triage_preference_of, triage_preference_set


@role_required(*TRIAGE_ROLES)
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = triage_preference_of(request.user)
    initial = {"email_when_reporter_writes": "yes" if current.email_when_reporter_writes else "no"}
    form = NotificationPreferenceForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if form.is_bound and form.is_valid():
        triage_preference_set(actor=request.user, **form.cleaned_data)
        messages.success(request, "Your choice has been saved.")
        return redirect("triage:preferences")
    return render(request, "triage/preferences.html", {"form": form})
