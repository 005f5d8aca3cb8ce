"""Compliance for training admins, teams for line managers, aggregate figures for leads,
oversight and analysts, a module's review, and certificate checks.

Every read of people's training records (the overdue list, a team, a certificate check) and
every export is written to the access log in the transaction that shows it.
"""

from __future__ import annotations

import datetime
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from harmsportal.disclosure import Withheld, WithheldTotal, disclosure_k
from harmsportal.pagination import requested_page
from harmsportal.people.access import role_required
from harmsportal.people.models import Force, Role
from training.compliance import (
    EXPIRING_DAYS,
    STATUS_LABELS,
    ComplianceRow,
    compliance_export_record,
    compliance_rows,
    overdue_list_read_record,
    overdue_work,
    team_members,
    team_read_record,
)
from training.exports import (
    ComplianceResource,
    OverdueResource,
    TeamResource,
    export_format,
    export_response,
    streamed_export,
    team_export_rows,
)
from training.figures import FIGURES_ROLES, disclosed_figures, figures_forces_for
from training.forms.compliance import (
    ALL_FORCES,
    ComplianceFilterForm,
    FiguresFilterForm,
    VerifyForm,
)
from training.review import (
    certificate_check_record,
    certificate_for_trainer,
    review_comments,
    review_force_ids,
    version_reviews,
)
from training.selectors import (
    chosen_trainer_force,
    get_module_for_trainer,
    is_family_account,
    modules_for_trainer,
    team_profiles,
    trainer_forces,
)

OVERDUE_PAGE_SIZE = 50
COMMENTS_PAGE_SIZE = 25
STATUS_TAGS = {
    "completed": "govuk-tag--green",
    "expiring": "govuk-tag--yellow",
    "expired": "govuk-tag--orange",
    "overdue": "govuk-tag--red",
    "to_do": "govuk-tag--blue",
}
# A total withheld because it would let a withheld figure be worked out (not itself small).
NOT_SHOWN = "Not shown"


def _paged(request: HttpRequest, items, size: int) -> dict:
    page = Paginator(items, size).get_page(requested_page(request))
    return {
        "page": page,
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=1),
    }


def figure_text(figure) -> str:
    if isinstance(figure, WithheldTotal):
        return NOT_SHOWN
    return f"<{figure.k}" if isinstance(figure, Withheld) else f"{figure:,}"


def percent_text(figure) -> str:
    return NOT_SHOWN if isinstance(figure, Withheld) else f"{figure}%"


def _row_text(row: ComplianceRow) -> dict[str, str]:
    """A row's figures as the page prints them ("<5", "Not shown", "1,204", "75%")."""
    return {
        "audience": row.audience_label,
        "module": row.module_title,
        "assigned": figure_text(row.assigned),
        "completed": figure_text(row.completed),
        "percent": percent_text(row.percent_complete),
        "overdue": figure_text(row.overdue),
        "expiring": figure_text(row.expiring),
    }


# --- training admins -----------------------------------------------------------------------------


def _compliance_scope(request: HttpRequest) -> tuple[Force, ComplianceFilterForm]:
    force = chosen_trainer_force(request.user, request.GET.get("force"))
    modules = (
        modules_for_trainer(request.user)
        .filter(Q(owner_force__isnull=True) | Q(owner_force=force))
        .order_by("title")
    )
    form = ComplianceFilterForm(request.GET or None, modules=list(modules))
    return force, form


@role_required(Role.TRAINING_ADMIN)
@require_GET
@transaction.atomic  # the overdue list's read is recorded in the transaction that shows it
def compliance(request: HttpRequest) -> HttpResponse:
    force, form = _compliance_scope(request)
    audience, module = form.chosen()
    rows = compliance_rows(force, audience=audience, module=module)
    overdue = _paged(
        request, overdue_work(force, audience=audience, module=module), OVERDUE_PAGE_SIZE
    )
    today = timezone.localdate()
    overdue["rows"] = [
        {
            "name": work.person.full_name,
            "email": work.person.email,
            "module": work.module.title,
            "audience": work.get_audience_display(),
            "due_on": work.due_on,
            "days": (today - work.due_on).days,
        }
        for work in overdue["page"]
    ]
    if overdue["rows"]:
        overdue_list_read_record(
            actor=request.user,
            force=force,
            shown=len(overdue["rows"]),
            page=overdue["page"].number,
        )
    context = {
        "force": force,
        "forces": list(trainer_forces(request.user).order_by("name")),
        "form": form,
        "audience": audience or "",
        "module": module.slug if module else "",
        "rows": [_row_text(row) for row in rows],
        "overdue": overdue,
        "expiring_days": EXPIRING_DAYS,
    }
    return render(request, "training/compliance.html", context)


@role_required(Role.TRAINING_ADMIN)
@require_GET
@transaction.atomic  # the export is recorded in the transaction that makes it
def compliance_export(request: HttpRequest) -> HttpResponse:
    """The compliance table, or with `?list=overdue` the overdue list (names)."""
    name = export_format(request)
    force, form = _compliance_scope(request)
    audience, module = form.chosen()
    day = f"{timezone.localdate():%Y-%m-%d}"
    if request.GET.get("list") == "overdue":
        # Grows with the force: counted, recorded, then written a row at a time.
        overdue = overdue_work(force, audience=audience, module=module)
        compliance_export_record(
            actor=request.user,
            force=force,
            export_format=name,
            rows=overdue.count(),
            what="overdue",
        )
        return streamed_export(
            OverdueResource(),
            overdue.iterator(chunk_size=2000),
            name=name,
            filename=f"training-overdue-{force.slug}-{day}",
        )
    rows = compliance_rows(force, audience=audience, module=module)
    compliance_export_record(actor=request.user, force=force, export_format=name, rows=len(rows))
    return export_response(
        ComplianceResource(), rows, name=name, filename=f"training-compliance-{force.slug}-{day}"
    )


# --- line managers -------------------------------------------------------------------------------


def _team_of(request: HttpRequest):
    # Family accounts have no team and see nothing internal: the page is not there for them.
    if is_family_account(request.user):
        raise Http404
    return team_members(team_profiles(request.user))


@login_required
@require_GET
@transaction.atomic  # the read is recorded in the transaction that shows it
def team(request: HttpRequest) -> HttpResponse:
    members = _team_of(request)
    if members:
        team_read_record(actor=request.user, members=len(members))
    soon = timezone.localdate() + datetime.timedelta(days=EXPIRING_DAYS)
    rows = [
        {
            "member": member,
            "work": [
                {
                    "item": work,
                    "status": STATUS_LABELS[work.status],
                    "tag": STATUS_TAGS[work.status],
                }
                for work in member.work
            ],
            # The summary at the top of the page: what is late, and what is due within 30 days.
            "overdue": sum(work.status in ("overdue", "expired") for work in member.work),
            "due_soon": sum(
                work.status == "expiring" or (work.status == "to_do" and work.due_on <= soon)
                for work in member.work
            ),
        }
        for member in members
    ]
    return render(request, "training/team.html", {"members": rows})


@login_required
@require_GET
@transaction.atomic  # the export is recorded in the transaction that makes it
def team_export(request: HttpRequest) -> HttpResponse:
    name = export_format(request)
    members = _team_of(request)
    team_read_record(actor=request.user, members=len(members), export_format=name)
    return export_response(
        TeamResource(),
        team_export_rows(members),
        name=name,
        filename=f"training-team-{timezone.localdate():%Y-%m-%d}",
    )


# --- leads, oversight and analysts: aggregates only -------------------------------------------


def _figures_force(request: HttpRequest, form: FiguresFilterForm, forces, all_forces: bool):
    """The force asked for (None: all forces, for an analyst). Another force than a lead's or
    oversight's own is a 404, exactly like a force that does not exist."""
    slug = request.GET.get("force") or ""
    if not all_forces:
        if not slug:
            return forces[0]
        chosen = next((force for force in forces if force.slug == slug), None)
        if chosen is None:
            raise Http404
        return chosen
    if not form.is_bound or not form.is_valid() or form.cleaned_data["force"] in ("", ALL_FORCES):
        return None
    return next(force for force in forces if force.slug == form.cleaned_data["force"])


@role_required(*FIGURES_ROLES)
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    scope = figures_forces_for(request.user)
    all_forces = scope is None
    forces = list(Force.objects.order_by("name")) if all_forces else scope
    if not forces:
        raise Http404
    form = FiguresFilterForm(request.GET or None, forces=forces, all_forces=all_forces)
    force = _figures_force(request, form, forces, all_forces)
    audience = None
    if form.is_bound and form.is_valid():
        audience = form.cleaned_data["audience"] or None
    rows = disclosed_figures(None if force is None else [force.pk], audience=audience)
    context = {
        "form": form,
        "force": force,
        "show_force": all_forces or len(forces) > 1,
        "audience": audience or "",
        "rows": [_row_text(row) for row in rows],
        "k": disclosure_k(),
        "expiring_days": EXPIRING_DAYS,
    }
    return render(request, "training/figures.html", context)


# --- a module's review ------------------------------------------------------------------------------


def _chosen_version(request: HttpRequest, reviews):
    """The version asked for by `?version=<public id>`; else the published one, else the newest.
    A version that is not this module's is a 404."""
    asked = request.GET.get("version")
    if asked:
        try:
            wanted = UUID(asked)
        except ValueError:
            raise Http404 from None
        for review in reviews:
            if review.version.public_id == wanted:
                return review
        raise Http404
    published = [r for r in reviews if r.version.status == "published"]
    return (published or reviews or [None])[0]


@role_required(Role.TRAINING_ADMIN, Role.PLATFORM_ADMIN)
@require_GET
def review(request: HttpRequest, pk) -> HttpResponse:
    module = get_module_for_trainer(request.user, pk)
    force_ids = review_force_ids(request.user, module)
    reviews = version_reviews(module, force_ids)
    chosen = _chosen_version(request, reviews)
    comments = None
    if chosen is not None:
        comments = _paged(request, review_comments(chosen.version, force_ids), COMMENTS_PAGE_SIZE)
    context = {
        "module": module,
        "reviews": reviews,
        "chosen": chosen,
        "comments": comments,
        "all_forces": force_ids is None,
        "own_forces": None if force_ids is None else list(trainer_forces(request.user)),
    }
    return render(request, "training/review.html", context)


# --- certificate checks -------------------------------------------------------------------------


@role_required(Role.TRAINING_ADMIN)
@require_GET
@transaction.atomic  # each check is recorded in the transaction that answers it
def verify(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.GET if "code" in request.GET else None)
    checked = False
    completion = None
    if form.is_bound and form.is_valid():
        code = form.cleaned_data["code"]
        completion = certificate_for_trainer(request.user, code)
        certificate_check_record(actor=request.user, code=code, completion=completion)
        checked = True
    context = {
        "form": form,
        "checked": checked,
        "completion": completion,
        "expired": completion is not None and completion.has_expired,
    }
    return render(request, "training/verify.html", context)
