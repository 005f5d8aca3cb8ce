"""Capacity (aggregates for champions, leads, oversight and analysts) and the force's support
services (champions)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from harmsportal.disclosure import Withheld, WithheldTotal, disclosure_k
from harmsportal.people.access import role_required
from harmsportal.people.models import Force, Role
from harmsportal.refusals import form_problem
from wellbeing.capacity import (
    CAPACITY_ROLES,
    WAIT_WINDOW_DAYS,
    TypeCapacity,
    capacity_by_type,
    capacity_forces_for,
)
from wellbeing.forms.directory import (
    ALL_FORCES,
    CapacityFilterForm,
    ChooseForceForm,
    SupportServiceForm,
)
from wellbeing.models import SupportService, SupportType
from wellbeing.selectors import (
    champion_forces,
    get_service_for_champion,
    services_of,
    with_open_counts,
)
from wellbeing.services.directory import support_service_save

NO_SERVICE = "No service"
# A total withheld because it would let a withheld figure be worked out (not itself small).
TOTAL_NOT_SHOWN = "Not shown"


@dataclass(frozen=True)
class CapacityRow:
    """One support type, every figure already words: the template only prints."""

    label: str
    open: str
    capacity: str
    target: str
    median_wait: str
    p90_wait: str
    over_target: str
    over_capacity: bool


def count_text(figure) -> str:
    if isinstance(figure, WithheldTotal):
        return TOTAL_NOT_SHOWN
    return f"<{figure.k}" if isinstance(figure, Withheld) else f"{figure:,}"


def wait_text(figure) -> str:
    if figure is None:
        return "No one has started support yet"
    if isinstance(figure, Withheld):
        return f"Not shown: fewer than {figure.k}"
    days = figure.normalize() if figure == figure.to_integral_value() else figure
    return f"{days:f} day" if days == Decimal(1) else f"{days:f} days"


def _target_text(row: TypeCapacity) -> str:
    if not row.has_service:
        return NO_SERVICE
    if row.target_min == row.target_max:
        return f"{row.target_min} days"
    return f"{row.target_min} to {row.target_max} days"


def _capacity_row(row: TypeCapacity) -> CapacityRow:
    return CapacityRow(
        label=row.label,
        open=count_text(row.open),
        capacity=f"{row.capacity:,}" if row.has_service else NO_SERVICE,
        target=_target_text(row),
        median_wait=wait_text(row.median_wait),
        p90_wait=wait_text(row.p90_wait),
        over_target=NO_SERVICE if row.over_target is None else count_text(row.over_target),
        over_capacity=row.over_capacity,
    )


def _chosen_force(form: CapacityFilterForm, forces: list[Force], all_forces: bool):
    """The force asked for; None for all forces. Unasked or wrong: the first choice."""
    slug = form.cleaned_data["force"] if form.is_bound and form.is_valid() else None
    if slug == ALL_FORCES and all_forces:
        return None
    chosen = next((force for force in forces if force.slug == slug), None)
    if chosen is None and not all_forces:
        return forces[0]
    return chosen


def _refuse_another_force(request: HttpRequest, forces: list[Force], all_forces: bool) -> None:
    """Someone with one force has no list to choose from: another force's slug is a 404, as
    another force's object is, not an error about a list they never saw."""
    slug = request.GET.get("force")
    if not all_forces and len(forces) == 1 and slug and slug != forces[0].slug:
        raise Http404


@role_required(*CAPACITY_ROLES)
@require_GET
def capacity(request: HttpRequest) -> HttpResponse:
    scope = capacity_forces_for(request.user)
    all_forces = scope is None
    forces = list(Force.objects.order_by("name")) if all_forces else scope
    _refuse_another_force(request, forces, all_forces)
    form = CapacityFilterForm(request.GET or None, forces=forces, all_forces=all_forces)
    force = _chosen_force(form, forces, all_forces)
    rows = capacity_by_type(None if force is None else [force.pk])
    context = {
        "form": form,
        "force": force,
        "show_filter": all_forces or len(forces) > 1,
        "rows": [_capacity_row(row) for row in rows],
        "k": disclosure_k(),
        "window_days": WAIT_WINDOW_DAYS,
        "is_champion": request.user.has_role(Role.CHAMPION),
    }
    return render(request, "wellbeing/capacity.html", context)


# ---------------------------------------------------------------------------
# Support services
# ---------------------------------------------------------------------------


@role_required(Role.CHAMPION)
@require_GET
def services(request: HttpRequest) -> HttpResponse:
    forces = champion_forces(request.user)
    # Exact open counts, not through `disclose`: this page is for champions only, who work
    # these referrals and see each one, so a small count protects nobody here, and "<5" hid
    # that a service with a capacity under 5 was full. Aggregates for anyone else (the
    # capacity page) still go through `disclose`.
    listed = with_open_counts(
        services_of(force.pk for force in forces)
        .select_related("force")
        .order_by("force__name", "support_type", "name")
    )
    types = dict(SupportType.choices)
    rows = [
        {
            "service": service,
            "type": types[service.support_type],
            "open": f"{service.open_count:,}",
            "load": _load(service.open_count, service.capacity),
        }
        for service in listed
    ]
    return render(request, "wellbeing/services.html", {"rows": rows, "forces": forces})


def _load(open_count: int, capacity: int) -> str:
    """ "over" (more open than places), "full" (every place taken) or ""."""
    if open_count > capacity:
        return "over"
    return "full" if open_count >= capacity else ""


def _force_asked_for(request: HttpRequest) -> Force | None:
    """The champion's force named by ?force=<slug>; their only force without it; None when
    they must choose. A force they do not champion is a 404."""
    forces = champion_forces(request.user)
    slug = request.GET.get("force")
    if slug is None:
        return forces[0] if len(forces) == 1 else None
    for force in forces:
        if force.slug == slug:
            return force
    raise Http404


def _service_page(request, *, form, service: SupportService | None) -> HttpResponse:
    return render(request, "wellbeing/service_form.html", {"form": form, "service": service})


@role_required(Role.CHAMPION)
@require_http_methods(["GET", "POST"])
def service_new(request: HttpRequest) -> HttpResponse:
    force = _force_asked_for(request)
    if force is None:
        choose = ChooseForceForm(forces=champion_forces(request.user))
        return render(request, "wellbeing/choose_force.html", {"form": choose, "next": "service"})
    form = SupportServiceForm(request.POST if request.method == "POST" else None, force=force)
    if form.is_bound and form.is_valid():
        try:
            service = support_service_save(actor=request.user, force=force, **form.cleaned_data)
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(request, f"{service.name} has been added.")
            return redirect("wellbeing:services")
    return _service_page(request, form=form, service=None)


@role_required(Role.CHAMPION)
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, service_pk) -> HttpResponse:
    service = get_service_for_champion(request.user, service_pk)
    initial = {
        name: getattr(service, name)
        for name in ("name", "support_type", "capacity", "target_wait_days", "how_to_refer")
    }
    initial["active"] = service.active
    form = SupportServiceForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        force=service.force,
        service=service,
    )
    if form.is_bound and form.is_valid():
        try:
            support_service_save(
                actor=request.user, force=service.force, service=service, **form.cleaned_data
            )
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['name']} has been saved.")
            return redirect("wellbeing:services")
    return _service_page(request, form=form, service=service)
