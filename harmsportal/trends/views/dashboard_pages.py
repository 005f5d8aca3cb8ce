"""The trends dashboards: a force's trends, and the national views for analysts.

Each page parses its filter (period, harm category and, for someone who sees more than one
force, force), limits the scope to the forces the user may see (`trends.selectors`), and shows
figures only as `trends.figures` publishes them. A bad filter value is a message on the field
and a 400, with no figures; another force's slug is refused exactly like one that does not
exist.
"""

from __future__ import annotations

from itertools import groupby
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from harmsportal.disclosure import disclosure_k
from harmsportal.people.access import role_required
from harmsportal.people.models import AGGREGATE_ROLES, Force, Role
from harmsportal.trends.figures import (
    Scope,
    data_as_at,
    first_month,
    non_crime_figures,
    scope_figures,
    value_labels,
)
from harmsportal.trends.forms import TrendsFilterForm
from harmsportal.trends.selectors import (
    get_force_for_user,
    scope_force_ids,
    sees_every_force,
    trends_forces_for,
)
from harmsportal.trends.views.dashboard_tables import dashboard
from harmsportal.trends.views.national_tables import force_comparison, non_crime_tables

NATIONS = [choice for choice, _ in Force.Nation.choices]


def _filter(request: HttpRequest, forces: list[Force], **options) -> TrendsFilterForm:
    return TrendsFilterForm(
        request.GET,
        today=timezone.localdate(),
        first_month=first_month(),
        forces=forces,
        **options,
    )


def _chosen(form: TrendsFilterForm) -> dict:
    """What the valid filter chose, for the page and its download links."""
    period, category = form.cleaned_data["period"], form.cleaned_data["category"]
    force = form.cleaned_data["force"]
    query = {
        "period": period.slug,
        "category": category or "",
        "force": force.slug if force else "",
    }
    return {
        "period": period,
        "category": category,
        "category_label": value_labels("category").get(category, "") if category else "",
        "download_query": urlencode({name: value for name, value in query.items() if value}),
    }


def _page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    form = context["form"]
    context = {"k": disclosure_k(), **context}
    if "as_at" not in context:
        context["as_at"] = data_as_at()
    # A filter value that cannot be answered: the message on the field, and no figures.
    return render(request, template, context, status=400 if form.errors else 200)


def _by_nation(forces: list[Force]) -> list[tuple[str, list[Force]]]:
    """Territorial forces by nation (England first), then the national and special forces."""

    def group(force: Force) -> str:
        if force.kind == Force.Kind.TERRITORIAL:
            return force.nation
        return "National and special forces"

    order = [*NATIONS, "National and special forces"]
    ranked = sorted(forces, key=lambda force: (order.index(group(force)), force.name))
    return [(name, list(members)) for name, members in groupby(ranked, key=group)]


@role_required(*AGGREGATE_ROLES)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    forces = trends_forces_for(request.user)
    national = sees_every_force(request.user)
    nations = _by_nation(forces) if national else []
    context = {
        "forces": forces,
        "national": national,
        "nations": nations,
        "as_at": data_as_at(),
        "k": disclosure_k(),
    }
    return render(request, "trends/home.html", context)


@role_required(*AGGREGATE_ROLES)
@require_GET
def force(request: HttpRequest, force: str) -> HttpResponse:
    found = get_force_for_user(request.user, force)
    forces = trends_forces_for(request.user)
    form = _filter(request, forces, show_force=len(forces) > 1, force=found)
    context = {"force": found, "form": form}
    if not form.is_valid():
        return _page(request, "trends/force.html", context)
    chosen = form.cleaned_data["force"]
    if chosen is not None and chosen != found:
        # The force select on someone's page who sees several: go to that force's page.
        query = {
            name: request.GET[name] for name in ("period", "category") if request.GET.get(name)
        }
        url = reverse("trends:force", args=[chosen.slug])
        return redirect(f"{url}?{urlencode(query)}" if query else url)
    filters = _chosen(form)
    scope = Scope((found.pk,), filters["period"], filters["category"])
    context |= filters | dashboard(scope, today=timezone.localdate())
    return _page(request, "trends/force.html", context)


@role_required(Role.NATIONAL_ANALYST)
@require_GET
def national(request: HttpRequest) -> HttpResponse:
    forces = trends_forces_for(request.user)
    form = _filter(request, forces, show_force=True, all_forces_label="All forces")
    context = {"form": form}
    if not form.is_valid():
        return _page(request, "trends/national.html", context)
    filters = _chosen(form)
    chosen = form.cleaned_data["force"]
    every = Scope(scope_force_ids(request.user), filters["period"], filters["category"])
    scope = every if chosen is None else Scope((chosen.pk,), every.period, every.category)
    context |= filters | {"chosen": chosen}
    context |= dashboard(scope, today=timezone.localdate())
    if context["as_at"] is not None:
        context["comparison"] = force_comparison(every, forces, known=context)
    return _page(request, "trends/national.html", context)


@role_required(Role.NATIONAL_ANALYST)
@require_GET
def non_crime(request: HttpRequest) -> HttpResponse:
    forces = trends_forces_for(request.user)
    form = _filter(request, forces, show_force=True, all_forces_label="All forces")
    context = {"form": form}
    if not form.is_valid():
        return _page(request, "trends/non_crime.html", context)
    filters = _chosen(form)
    chosen = form.cleaned_data["force"]
    forces_in = scope_force_ids(request.user) if chosen is None else (chosen.pk,)
    scope = Scope(forces_in, filters["period"], filters["category"])
    context |= filters | {"chosen": chosen}
    if data_as_at() is not None:
        figures = non_crime_figures(scope)
        context |= {"figures": figures, **non_crime_tables(figures, scope_figures(scope))}
    return _page(request, "trends/non_crime.html", context)
