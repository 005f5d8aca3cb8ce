"""The person's own support at /wellbeing/mine/: their referrals, answering an offer, referring
themselves, what is shared, messages with their champion, feedback and reopening.

Every signed-in account may use these pages (Professional Standards and family accounts too).
Each referral is fetched through `get_referral_for_person`, a 404 alike for someone else's
referral and one that does not exist.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from harmsportal.people.selectors import reporting_force_of
from harmsportal.refusals import form_problem, problem
from wellbeing.forms.person import (
    AcceptForm,
    ConsentForm,
    DeclineForm,
    FeedbackForm,
    MessageForm,
    SelfReferForm,
)
from wellbeing.models import OPEN_STATES, Referral, ReferralState
from wellbeing.selectors import current_plan, get_referral_for_person, referrals_of_person
from wellbeing.services._shared import person_url
from wellbeing.services.messages import referral_message_send, referral_messages_mark_read
from wellbeing.services.moves import referral_reopen
from wellbeing.services.offers import (
    referral_accept,
    referral_consent_change,
    referral_consent_withdraw,
    referral_decline,
    referral_feedback,
    referral_self_refer,
)
from wellbeing.views._shared import to_mine


def _posted(request: HttpRequest) -> dict | None:
    return request.POST if request.method == "POST" else None


def _referral_page(request: HttpRequest, referral: Referral, **forms) -> HttpResponse:
    context = {
        "referral": referral,
        "plan": current_plan(referral),
        "thread": list(referral.messages.select_related("author")),
        "message_form": forms.get("message_form") or MessageForm(),
        "feedback_form": forms.get("feedback_form") or FeedbackForm(),
        # Feedback is asked only about support that happened: a champion took it on.
        "had_support": bool(referral.assigned_at or referral.first_support_at),
        "now": timezone.now(),
    }
    return render(request, "wellbeing/mine_referral.html", context)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    referrals = list(referrals_of_person(request.user))
    context = {
        "referrals": referrals,
        "waiting": [r for r in referrals if r.state == ReferralState.OFFERED],
        "can_refer": reporting_force_of(request.user) is not None,
    }
    return render(request, "wellbeing/mine.html", context)


@login_required
@require_GET
def mine_referral(request: HttpRequest, pk: UUID) -> HttpResponse:
    referral = get_referral_for_person(request.user, pk)
    referral_messages_mark_read(actor=request.user, referral=referral)
    return _referral_page(request, referral)


@login_required
@require_http_methods(["GET", "POST"])
def self_refer(request: HttpRequest) -> HttpResponse:
    force = reporting_force_of(request.user)
    form = SelfReferForm(_posted(request))
    existing = None
    if force is not None and form.is_bound and form.is_valid():
        try:
            referral = referral_self_refer(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_problem(form, error)
            existing = _open_referral_for(request.user, form.cleaned_data["support_type"])
        else:
            messages.success(
                request,
                f"Your referral {referral.reference} is with the wellbeing champions of "
                f"{referral.force.name}. A champion will be in touch through this page.",
            )
            return to_mine(referral)
    context = {"form": form, "force": force, "existing": existing}
    return render(request, "wellbeing/self_refer.html", context)


def _open_referral_for(user, support_type: str) -> Referral | None:
    """The person's open referral for this kind of support, which a second self-referral is
    refused for: its error links to it."""
    return (
        referrals_of_person(user).filter(support_type=support_type, state__in=OPEN_STATES).first()
    )


@login_required
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, pk: UUID) -> HttpResponse:
    referral = get_referral_for_person(request.user, pk)
    decision = request.POST.get("decision") if request.method == "POST" else None
    forms = {
        "accept": AcceptForm(
            _posted(request) if decision == "accept" else None,
            from_case=referral.case_id is not None,
            initial={"support_type": referral.support_type},  # what triage offered
        ),
        "decline": DeclineForm(_posted(request) if decision == "decline" else None),
    }
    if request.method == "POST" and _answer(request, referral, decision, forms):
        return to_mine(referral)
    context = {
        "referral": referral,
        "accept_form": forms["accept"],
        "decline_form": forms["decline"],
    }
    return render(request, "wellbeing/respond.html", context)


ANSWERS = {"accept": referral_accept, "decline": referral_decline}
ANSWERED = {
    ("accept", True): (
        "Thank you. Your force's wellbeing champions have been told, and one will be in touch."
    ),
    ("accept", False): "You have already accepted this support.",
    ("decline", True): (
        "You declined the support. That is fine. If you change your mind, you can accept it "
        "here at any time."
    ),
    ("decline", False): "You have already declined this support. You can still accept it here.",
}


def _answer(request: HttpRequest, referral: Referral, decision, forms: dict) -> bool:
    """Act on the accept or decline form posted; False to show the page again with errors."""
    if decision not in ANSWERS:
        messages.error(request, "Choose whether to accept or decline the support.")
        return False
    form = forms[decision]
    if not form.is_valid():
        return False
    try:
        changed = ANSWERS[decision](actor=request.user, referral=referral, **form.cleaned_data)
    except ValidationError as error:
        form_problem(form, error)
        return False
    messages.success(request, ANSWERED[decision, changed])
    return True


@login_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, pk: UUID) -> HttpResponse:
    referral = get_referral_for_person(request.user, pk)
    initial = {
        "scope": referral.consent_scope,
        "share_name": "yes" if referral.consent_name else "no",
    }
    form = ConsentForm(_posted(request), initial=initial, from_case=referral.case_id is not None)
    if form.is_bound and form.is_valid():
        try:
            changed = referral_consent_change(
                actor=request.user, referral=referral, **form.cleaned_data
            )
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(
                request,
                "What your champion can see has changed." if changed else "Nothing changed.",
            )
            return to_mine(referral)
    return render(request, "wellbeing/consent.html", {"referral": referral, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, pk: UUID) -> HttpResponse:
    referral = get_referral_for_person(request.user, pk)
    if request.method == "POST":
        try:
            referral_consent_withdraw(actor=request.user, referral=referral)
        except ValidationError as error:
            problem(request, error)
        else:
            messages.success(
                request,
                "You withdrew your consent. Nothing more is shared and your referral is closed. "
                "You can reopen it at any time.",
            )
        return to_mine(referral)
    return render(request, "wellbeing/withdraw.html", {"referral": referral})


@login_required
@require_POST
def message(request: HttpRequest, pk: UUID) -> HttpResponse:
    referral = get_referral_for_person(request.user, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            referral_message_send(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(request, "Message sent to your champion.")
            return redirect(f"{person_url(referral)}#messages")
    return _referral_page(request, referral, message_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, pk: UUID) -> HttpResponse:
    referral = get_referral_for_person(request.user, pk)
    if request.method == "POST" and request.POST.get("declined") == "yes":
        try:
            referral_feedback(actor=request.user, referral=referral, declined=True)
        except ValidationError as error:
            problem(request, error)
        else:
            messages.success(request, "That is fine: no feedback is needed.")
        return to_mine(referral)
    form = FeedbackForm(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            referral_feedback(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(request, "Thank you. Your feedback is saved.")
            return to_mine(referral)
    return render(request, "wellbeing/feedback.html", {"referral": referral, "form": form})


@login_required
@require_POST
def reopen(request: HttpRequest, pk: UUID) -> HttpResponse:
    referral = get_referral_for_person(request.user, pk)
    try:
        changed = referral_reopen(actor=request.user, referral=referral)
    except ValidationError as error:
        problem(request, error)
    else:
        if changed:
            messages.success(request, "Your referral is open again, and the champions know.")
    return to_mine(referral)
