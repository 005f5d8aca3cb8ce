"""The champion's queue, a referral as the champion works it, and the forms that move it.

The queue is a staff route (`@role_required`: 403 without the champion role, 404 for
Professional Standards). Every referral route is an object route: signed in, then the champion
chokepoint `get_referral_for_champion`, a 404 alike for a missing referral and one the user may
not see, whoever they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from harmsportal.people.access import role_required
from harmsportal.people.models import Role
from harmsportal.refusals import form_problem, problem
from harmsportal.templatetags.govuk_time import SHORT, govuk_datetime
from triage.views._shared import paginate_capped
from wellbeing.forms.champion import (
    AssignForm,
    ChooseServiceForm,
    CloseForm,
    MessageForm,
    QueueFilterForm,
    ReopenForm,
    StepAsideForm,
)
from wellbeing.models import (
    SCORE_CHOICES,
    Referral,
    ReferralMessage,
    ReferralState,
    SupportType,
)
from wellbeing.selectors import (
    active_services_for,
    champions_of,
    current_plan,
    get_referral_for_champion,
    referrals_for_champion,
    urgent_routes_of,
)
from wellbeing.services.messages import referral_message_send, referral_messages_mark_read
from wellbeing.services.moves import (
    referral_assign,
    referral_close,
    referral_reopen,
    referral_service_choose,
    referral_step_aside,
    referral_support_start,
)
from wellbeing.services.reads import referral_view_record

QUEUE_PAGE_SIZE = 20
# Counted up to here, then "more than 1,000", as the triage queue (docs/decisions/0006).
QUEUE_COUNT_LIMIT = 1000
CRISIS_GUIDANCE = "wellbeing/_crisis_guidance.html"
SCORES = dict(SCORE_CHOICES)

STATE_TAG_CLASSES = {
    ReferralState.OFFERED: "govuk-tag--grey",
    ReferralState.DECLINED: "govuk-tag--grey",
    ReferralState.ACCEPTED: "govuk-tag--yellow",
    ReferralState.ASSIGNED: "govuk-tag--blue",
    ReferralState.IN_SUPPORT: "govuk-tag--green",
    ReferralState.CLOSED: "govuk-tag--grey",
}


# As the champion reads them: an accepted referral is one waiting for its champion.
STATE_LABELS = dict(ReferralState.choices) | {ReferralState.ACCEPTED: "Waiting for a champion"}


def to_referral(referral: Referral) -> HttpResponse:
    return redirect("wellbeing:referral", pk=referral.public_id)


def _posted(request: HttpRequest) -> dict | None:
    return request.POST if request.method == "POST" else None


# ---------------------------------------------------------------------------
# The queue
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """One queue row worked out here, so the template only prints (and never the person's
    name without their consent)."""

    url: str
    reference: str
    name: str  # "" unless the person consented to their name being seen
    support_type: str
    state_label: str
    state_tag_class: str
    champion: str
    next_checkin: str
    overdue: bool
    crisis: bool
    needs_attention: bool
    unread: bool  # the person wrote and nobody holding it has read it yet


def _queue_rows(referrals, *, user, now) -> list[QueueRow]:
    any_id = "00000000-0000-0000-0000-000000000000"
    referral_url = reverse("wellbeing:referral", args=[any_id]).replace(any_id, "{}")
    states, types = STATE_LABELS, dict(SupportType.choices)
    rows = []
    for referral in referrals:
        if referral.champion_id is None:
            champion = "Nobody yet"
        elif referral.champion_id == user.pk:
            champion = "You"
        else:
            champion = referral.champion.get_full_name()
        rows.append(
            QueueRow(
                url=referral_url.format(referral.public_id),
                reference=referral.reference,
                name=referral.person.get_full_name() if referral.champion_may_see_name else "",
                support_type=types[referral.support_type],
                state_label=states[referral.state],
                state_tag_class=STATE_TAG_CLASSES[referral.state],
                champion=champion,
                next_checkin=govuk_datetime(referral.next_checkin_at, SHORT)
                if referral.next_checkin_at and referral.is_open
                else "—",
                overdue=referral.checkin_overdue(now),
                crisis=referral.in_crisis_since is not None,
                needs_attention=referral.needs_attention,
                unread=referral.unread,
            )
        )
    return rows


@role_required(Role.CHAMPION)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    filters = QueueFilterForm(request.GET, user=request.user, now=now)
    referrals = filters.filter(referrals_for_champion(request.user))
    context = paginate_capped(request, referrals, QUEUE_PAGE_SIZE, limit=QUEUE_COUNT_LIMIT)
    page = context["page"]
    listed = []
    if page.paginator.count:
        # The page's ids first, sorted on the referral's own columns without any join (a force
        # holds tens of thousands); then only those rows with their people.
        ids = list(
            referrals.values_list("pk", flat=True)[page.start_index() - 1 : page.end_index()]
        )
        unread = ReferralMessage.objects.filter(
            referral=OuterRef("pk"), from_person=True, read_at__isnull=True
        )
        listed = (
            referrals.filter(pk__in=ids)
            .select_related("person", "champion")
            .annotate(unread=Exists(unread))
        )
    context.update(filters=filters, rows=_queue_rows(listed, user=request.user, now=now))
    return render(request, "wellbeing/queue.html", context)


# ---------------------------------------------------------------------------
# One referral
# ---------------------------------------------------------------------------


def _crisis_guidance() -> str | None:
    """The crisis guidance partial, once its owner has written it."""
    try:
        get_template(CRISIS_GUIDANCE)
    except TemplateDoesNotExist:
        return None
    return CRISIS_GUIDANCE


def _referral_page(request: HttpRequest, referral: Referral, **forms) -> HttpResponse:
    """The referral page, with any bound form that came back with errors. Every showing is a
    read in the access log, in the transaction that shows it."""
    referral_view_record(actor=request.user, referral=referral)
    shared = referral.champion_may_see_shared
    # What the person shared (plan, messages) is not even read once they withdraw consent.
    messages_ = list(referral.messages.select_related("author")) if shared else []
    referral_messages_mark_read(actor=request.user, referral=referral)
    context = {
        "referral": referral,
        "now": timezone.now(),
        "may_see_name": referral.champion_may_see_name,
        "may_see_shared": shared,
        # Read only with the scope that allows it; evidence is never read for this page.
        "description": referral.case.report.description
        if referral.champion_may_see_description
        else None,
        "plan": current_plan(referral) if shared else None,
        "checkins": [
            (checkin, SCORES[checkin.score]) for checkin in referral.checkins.select_related("by")
        ],
        "thread": messages_,
        "history": list(referral.events.select_related("by")),
        "is_holder": referral.champion_id == request.user.pk,
        "crisis_guidance": _crisis_guidance() if referral.in_crisis_since else None,
        "urgent_oh_route": settings.HARMSPORTAL_URGENT_OH_ROUTE,
        "urgent_routes": urgent_routes_of(referral.force) if referral.in_crisis_since else None,
        "assign_form": forms.get("assign_form")
        or AssignForm(
            champions=champions_of(referral.force, referral=referral),
            initial={"champion": referral.champion_id},
        ),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
        "message_form": forms.get("message_form") or MessageForm(),
    }
    return render(request, "wellbeing/referral.html", context)


@login_required
@require_GET
@transaction.atomic  # the read is recorded in the same transaction that shows it
def referral(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _referral_page(request, get_referral_for_champion(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
@transaction.atomic  # the read is recorded in the transaction that shows it
def assign(request: HttpRequest, pk: UUID) -> HttpResponse:
    referral = get_referral_for_champion(request.user, pk)
    form = AssignForm(
        _posted(request),
        champions=champions_of(referral.force, referral=referral),
        initial={"champion": referral.champion_id or request.user.pk},
    )
    if form.is_bound and form.is_valid():
        champion = form.cleaned_data["champion"]
        try:
            changed = referral_assign(actor=request.user, referral=referral, champion=champion)
        except ValidationError as error:
            form_problem(form, error)
        else:
            who = "you" if champion.pk == request.user.pk else champion.get_full_name()
            if changed:
                messages.success(request, f"Referral {referral.reference} is assigned to {who}.")
            else:
                messages.info(request, f"The referral is already assigned to {who}.")
            return to_referral(referral)
    referral_view_record(actor=request.user, referral=referral)  # the page shows the referral
    return render(request, "wellbeing/assign.html", {"referral": referral, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
@transaction.atomic  # the read is recorded in the transaction that shows it
def choose_service(request: HttpRequest, pk: UUID) -> HttpResponse:
    referral = get_referral_for_champion(request.user, pk)
    form = ChooseServiceForm(
        _posted(request),
        services=active_services_for(referral),
        initial={"service": referral.service_id},
    )
    if form.is_bound and form.is_valid():
        service = form.cleaned_data["service"]
        try:
            changed = referral_service_choose(
                actor=request.user, referral=referral, service=service
            )
        except ValidationError as error:
            form_problem(form, error)
        else:
            if changed:
                messages.success(request, f"The referral is with {service.name}.")
            else:
                messages.info(request, f"The referral was already with {service.name}.")
            return to_referral(referral)
    referral_view_record(actor=request.user, referral=referral)  # the page shows the referral
    return render(request, "wellbeing/choose_service.html", {"referral": referral, "form": form})


@login_required
@require_POST
def start_support(request: HttpRequest, pk: UUID) -> HttpResponse:
    referral = get_referral_for_champion(request.user, pk)
    try:
        changed = referral_support_start(actor=request.user, referral=referral)
    except ValidationError as error:
        problem(request, error)
    else:
        if changed:
            messages.success(request, "Support has started. The wait for this referral ends now.")
        else:
            messages.info(request, "Support had already started.")
    return to_referral(referral)


@login_required
@require_http_methods(["GET", "POST"])
@transaction.atomic  # the read is recorded in the transaction that shows it
def step_aside(request: HttpRequest, pk: UUID) -> HttpResponse:
    referral = get_referral_for_champion(request.user, pk)
    form = StepAsideForm(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            referral_step_aside(
                actor=request.user, referral=referral, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(
                request,
                f"You have stepped aside from referral {referral.reference}. "
                "Another champion will support the person.",
            )
            return redirect("wellbeing:home")
    referral_view_record(actor=request.user, referral=referral)  # the page shows the referral
    return render(request, "wellbeing/step_aside.html", {"referral": referral, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
@transaction.atomic  # the read is recorded in the transaction that shows it
def close(request: HttpRequest, pk: UUID) -> HttpResponse:
    referral = get_referral_for_champion(request.user, pk)
    form = CloseForm(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            changed = referral_close(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as error:
            form_problem(form, error)
        else:
            if changed:
                messages.success(request, "The referral is closed. The person has been told.")
            else:
                messages.info(request, "The referral was already closed.")
            return to_referral(referral)
    referral_view_record(actor=request.user, referral=referral)  # the page shows the referral
    return render(request, "wellbeing/close.html", {"referral": referral, "form": form})


@login_required
@require_POST
@transaction.atomic  # a form with errors shows the referral again: a recorded read
def reopen(request: HttpRequest, pk: UUID) -> HttpResponse:
    referral = get_referral_for_champion(request.user, pk)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            changed = referral_reopen(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as error:
            problem(request, error)
        else:
            if changed:
                messages.success(request, "The referral is open again. The person has been told.")
            else:
                messages.info(request, "The referral is already open.")
        return to_referral(referral)
    return _referral_page(request, referral, reopen_form=form)


@login_required
@require_POST
@transaction.atomic  # a form with errors shows the referral again: a recorded read
def message(request: HttpRequest, pk: UUID) -> HttpResponse:
    referral = get_referral_for_champion(request.user, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            referral_message_send(
                actor=request.user, referral=referral, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(request, "Message sent. The person has been told there is one.")
            return to_referral(referral)
    return _referral_page(request, referral, message_form=form)
