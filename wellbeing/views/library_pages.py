"""The champions' directory and the signposting library: every signed-in account reads them;
champions keep their own listing and publish or withdraw their force's resources."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from harmsportal.people.access import role_required
from harmsportal.people.models import Force, Role
from harmsportal.refusals import form_problem, problem
from wellbeing.forms.directory import ChooseForceForm, ListingForm, ResourceForm
from wellbeing.models import ChampionListing, Resource
from wellbeing.selectors import (
    champion_force_ids,
    champion_forces,
    directory_for,
    get_resource_for_publisher,
    get_resource_for_user,
    resources_for,
)
from wellbeing.services import directory as offering


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


# ---------------------------------------------------------------------------
# The champions' directory
# ---------------------------------------------------------------------------


@login_required
@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    listings = directory_for(request.user).order_by("force__name", "display_name")
    context = {
        "listings": listings,
        "is_champion": request.user.has_role(Role.CHAMPION),
    }
    return render(request, "wellbeing/directory.html", context)


def _listing_force(request: HttpRequest) -> Force | None:
    """The force named by ?force=<slug> among the champion's own; their only force without it;
    None when they must choose. Any other force is a 404."""
    forces = champion_forces(request.user)
    slug = request.GET.get("force")
    if slug is None:
        return forces[0] if len(forces) == 1 else None
    for force in forces:
        if force.slug == slug:
            return force
    raise Http404


@role_required(Role.CHAMPION)
@require_http_methods(["GET", "POST"])
def listing_edit(request: HttpRequest) -> HttpResponse:
    force = _listing_force(request)
    if force is None:
        choose = ChooseForceForm(forces=champion_forces(request.user))
        return render(request, "wellbeing/choose_force.html", {"form": choose, "next": "listing"})
    listing = ChampionListing.objects.filter(force=force, user=request.user).first()
    initial = {"display_name": request.user.get_full_name(), "listed": True}
    if listing is not None:
        initial = {
            name: getattr(listing, name)
            for name in ("display_name", "role_title", "how_to_reach", "listed")
        }
    form = ListingForm(_posted(request), initial=initial)
    if form.is_bound and form.is_valid():
        try:
            offering.listing_save(actor=request.user, force=force, **form.cleaned_data)
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(request, f"Your entry in {force.name}'s directory has been saved.")
            return redirect("wellbeing:directory")
    context = {"form": form, "force": force, "listing": listing}
    return render(request, "wellbeing/listing_form.html", context)


# ---------------------------------------------------------------------------
# The signposting library
# ---------------------------------------------------------------------------


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    resources = list(resources_for(request.user))
    groups = [
        {"kind": kind, "label": label, "resources": [r for r in resources if r.kind == kind]}
        for kind, label in Resource.Kind.choices
    ]
    context = {"groups": groups, "is_champion": request.user.has_role(Role.CHAMPION)}
    return render(request, "wellbeing/library.html", context)


@login_required
@require_GET
def resource(request: HttpRequest, resource_pk) -> HttpResponse:
    item = get_resource_for_user(request.user, resource_pk)
    may_withdraw = item.force_id is not None and item.force_id in champion_force_ids(request.user)
    return render(
        request, "wellbeing/resource.html", {"resource": item, "may_withdraw": may_withdraw}
    )


@role_required(Role.CHAMPION)
@require_http_methods(["GET", "POST"])
def resource_new(request: HttpRequest) -> HttpResponse:
    form = ResourceForm(_posted(request), forces=champion_forces(request.user))
    if form.is_bound and form.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if name != "force"}
        try:
            item = offering.resource_publish(
                actor=request.user, force=form.publishing_force(), **fields
            )
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(request, f"{item.title} is now in the library.")
            return redirect("wellbeing:resource", resource_pk=item.public_id)
    return render(request, "wellbeing/resource_form.html", {"form": form})


@role_required(Role.CHAMPION)
@require_POST
def resource_withdraw(request: HttpRequest, resource_pk) -> HttpResponse:
    item = get_resource_for_publisher(request.user, resource_pk)
    try:
        withdrawn = offering.resource_withdraw(actor=request.user, resource=item)
    except ValidationError as error:
        problem(request, error)
        return redirect("wellbeing:library")
    if withdrawn:
        messages.success(request, f"{item.title} has been withdrawn from the library.")
    else:
        messages.info(request, f"{item.title} had already been withdrawn.")
    return redirect("wellbeing:library")
