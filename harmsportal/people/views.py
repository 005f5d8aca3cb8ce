"""People pages: family invitations, their acceptance and ending, the voluntary "About you",
and signing out (allauth's view, which also asks the browser to clear what it holds)."""

from __future__ import annotations

from functools import wraps
from uuid import UUID

from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from harmsportal.people import selectors, services
from harmsportal.people.forms import AboutYouForm, FamilyAccountForm, FamilyInviteForm
from harmsportal.people.models import FamilyLink, User
from harmsportal.people.selectors import InviteLookup, InviteProblem

LOGIN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"
STATUS_TAGS = {
    "Invited": "govuk-tag--blue",
    "Accepted": "govuk-tag--green",
    "Expired": "govuk-tag--grey",
    "Withdrawn": "govuk-tag--red",
    "Ended": "govuk-tag--grey",
}


def _posted(request: HttpRequest):
    # Not `request.POST or None`: an empty POST (nothing answered) must still be a submission.
    return request.POST if request.method == "POST" else None


# --- signing out ----------------------------------------------------------------------------
# Sent with the sign-out response: the browser drops this site's cached pages (back-forward
# cache included), its cookies and its storage, so nothing the person saw stays on a shared
# or seized device. The server has already flushed the session; this is the browser's half.
# "cookies" also drops any cookie set by this same response (checked in Chromium), so allauth's
# "You have signed out" message, carried in a cookie, does not show; the start page then offers
# "Sign in" instead. Kept anyway: a leftover cookie would tell whoever else uses the browser
# that this person had been on the portal.
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


def clear_site_data_on_sign_out(view):
    """Wrap allauth's sign-out view: a POST (the sign-out itself) also sends Clear-Site-Data.

    A GET only shows the "Sign out" page (ACCOUNT_LOGOUT_ON_GET is off), so it clears nothing.
    `wraps` keeps allauth's name and module, so the route is still listed as allauth's own
    (tests/routes.py).
    """

    @wraps(view)
    def sign_out(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.method == "POST":
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response

    return sign_out


logout = clear_site_data_on_sign_out(allauth_views.logout)


# --- the family page: a member's invitations, or a family account's links --------------------
def _require_member(request: HttpRequest) -> None:
    # Only members invite: to a family account, inviting and withdrawing do not exist.
    if not selectors.can_invite_family(request.user):
        raise Http404


def _link_row(link: FamilyLink) -> dict:
    # An accepted link that was later ended is "Ended", not a withdrawn invitation.
    status = "Ended" if link.accepted_at and link.revoked_at else link.status
    return {"link": link, "status": status, "tag": STATUS_TAGS[status]}


@login_required
def family(request: HttpRequest) -> HttpResponse:
    if request.user.kind == User.Kind.FAMILY and request.method == "GET":
        links = selectors.live_links_as_family(request.user)
        return render(request, "people/family_account.html", {"links": links})
    _require_member(request)
    form = FamilyInviteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            link = services.family_link_invite(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The same words whether or not the address has a member account (services).
            messages.success(request, f"We have emailed {link.email} about your invitation.")
            return redirect("people:family")
    links = [_link_row(link) for link in selectors.family_links_for_member(request.user)]
    context = {
        "form": form,
        "links": links,
        "invite_days": settings.HARMSPORTAL_FAMILY_INVITE_DAYS,
        "invites_per_day": settings.HARMSPORTAL_FAMILY_INVITES_PER_DAY,
    }
    return render(request, "people/family.html", context)


@login_required
@require_POST
def family_withdraw(request: HttpRequest, pk: UUID) -> HttpResponse:
    _require_member(request)
    link = selectors.get_family_link_for_member(request.user, pk)
    try:
        services.family_link_revoke(actor=request.user, link=link)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"You have withdrawn the invitation to {link.email}.")
    return redirect("people:family")


@login_required
def family_link_end(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Either side of an accepted link ends it, after a page that says what that means."""
    link = selectors.get_accepted_link_for(request.user, pk)
    if link.revoked_at:
        return redirect("people:family")
    is_member = link.member_id == request.user.pk
    other = link.family_user if is_member else link.member
    if request.method == "POST":
        services.family_link_end(actor=request.user, link=link)
        messages.success(request, f"You have ended your family link with {other.get_full_name()}.")
        return redirect("people:family")
    context = {"link": link, "is_member": is_member, "other": other}
    return render(request, "people/family_link_end.html", context)


# --- accepting an invitation -----------------------------------------------------------------
def family_accept(request: HttpRequest, token: str) -> HttpResponse:
    lookup = selectors.family_invite_lookup(token)
    if lookup.problem:
        return _invite_problem(request, lookup)
    existing = selectors.user_for_email(lookup.link.email)
    if existing is None:
        return _accept_with_new_account(request, lookup.link)
    return _accept_with_existing_account(request, lookup.link, existing)


def _accept_with_new_account(request: HttpRequest, link: FamilyLink) -> HttpResponse:
    context = {"link": link, "first_name": selectors.inviter_first_name(link)}
    if request.user.is_authenticated:
        return render(request, "people/family_accept_existing.html", {**context, "state": "other"})
    form = FamilyAccountForm(_posted(request), email=link.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.family_link_accept(
                link=link,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            if error.code in _PROBLEMS:
                return _invite_problem(request, InviteLookup(link=link, problem=error.code))
            form.add_error(None, error)
        else:
            login(request, user, backend=LOGIN_BACKEND)
            messages.success(request, "Your family account is set up and you are signed in.")
            return redirect("home")
    return render(request, "people/family_accept_new.html", {**context, "form": form})


def _accept_with_existing_account(
    request: HttpRequest, link: FamilyLink, existing: User
) -> HttpResponse:
    context = {"link": link, "first_name": selectors.inviter_first_name(link)}
    if not request.user.is_authenticated:
        state = "sign_in"
    elif request.user.pk != existing.pk:
        state = "other"
    elif existing.kind != User.Kind.FAMILY:
        state = "not_family"
    else:
        state = "confirm"
    if state == "confirm" and request.method == "POST":
        try:
            services.family_link_accept(link=link, actor=request.user)
        except ValidationError as error:
            if error.code in _PROBLEMS:
                return _invite_problem(request, InviteLookup(link=link, problem=error.code))
            context["refusal"] = error.messages[0]
        else:
            messages.success(request, f"Your account is now linked to {context['first_name']}.")
            return redirect("home")
    return render(request, "people/family_accept_existing.html", {**context, "state": state})


_PROBLEMS = {
    InviteProblem.INVALID,
    InviteProblem.EXPIRED,
    InviteProblem.USED,
    InviteProblem.WITHDRAWN,
}


def _invite_problem(request: HttpRequest, lookup: InviteLookup) -> HttpResponse:
    first_name = selectors.inviter_first_name(lookup.link) if lookup.link else ""
    # A link that never was valid is not "gone"; one that expired, was used or withdrawn is.
    status = 200 if lookup.problem == InviteProblem.INVALID else 410
    context = {"problem": lookup.problem, "first_name": first_name}
    return render(request, "people/family_invite_problem.html", context, status=status)


# --- about you -------------------------------------------------------------------------------
@login_required
def about_you(request: HttpRequest) -> HttpResponse:
    form = AboutYouForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_demographics_update(actor=request.user, answers=form.cleaned_data)
        messages.success(
            request, "Thank you. Your answers are saved. You can change them at any time."
        )
        return redirect("people:about_you")
    return render(request, "people/about_you.html", {"form": form})
