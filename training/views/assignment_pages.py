"""Audience rules and assigning modules by hand: a force's training admins' pages.

The force is the trainer's own (`?force=<slug>` when they train in several), through
`chosen_trainer_force`: a platform admin who trains in no force gets 404 here, as does anyone
asking for a force they do not train in. A rule is reached only through `get_rule_for_trainer`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from harmsportal.people.access import role_required
from harmsportal.people.models import Force, Role
from harmsportal.refusals import form_problem
from training.forms.assigning import AssignForm, RuleEditForm, RuleForm
from training.models import Assignment, Module, VersionStatus
from training.selectors import (
    chosen_trainer_force,
    get_rule_for_trainer,
    modules_for_trainer,
    rules_for_trainer,
    trainer_forces,
)
from training.services.assigning import assignments_create_by_hand
from training.services.audience_rules import rule_create, rule_update

TRAINING_STAFF = (Role.TRAINING_ADMIN, Role.PLATFORM_ADMIN)


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _force_query(request: HttpRequest, force: Force) -> str:
    """`?force=<slug>` for a trainer of several forces, so every link stays in this force."""
    return f"?force={force.slug}" if trainer_forces(request.user).count() > 1 else ""


def _assignable(user, force: Force) -> QuerySet[Module]:
    """Published modules `force` uses (national or its own) that the trainer may assign."""
    return (
        modules_for_trainer(user)
        .filter(Q(owner_force__isnull=True) | Q(owner_force=force))
        .filter(versions__status=VersionStatus.PUBLISHED)
        .distinct()
        .order_by("title")
    )


def _people_word(count: int) -> str:
    return f"{count:,} {'person' if count == 1 else 'people'}"


# --- audience rules -----------------------------------------------------------------------


@role_required(*TRAINING_STAFF)
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    force = chosen_trainer_force(request.user, request.GET.get("force"))
    modules = _assignable(request.user, force)
    form = RuleForm(_posted(request), modules=modules, initial=_chosen_module(request))
    mismatch = None
    if form.is_bound and form.is_valid() and _asks_first(request, force, form):
        # Not refused: the trainer may mean it. Asked once more, with a warning.
        mismatch = form.audience_mismatch()
        form = RuleForm(form.confirmed_data(), modules=modules)
        form.is_valid()
    elif form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            rule, assigned = rule_create(
                actor=request.user,
                force=force,
                module=data["module"],
                audience=data["audience"],
                within_days=data["within_days"],
            )
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(
                request,
                f"Rule added: {rule.get_audience_display()}, {rule.module.title}. "
                f"{_people_word(assigned)} given the module.",
            )
            return redirect(reverse("training:rules") + _force_query(request, force))
    listed = list(rules_for_trainer(request.user, force).order_by("audience", "module__title"))
    counts = {
        row["rule"]: row
        for row in Assignment.objects.filter(rule__in=listed)
        .values("rule")
        .annotate(assigned=Count("pk"), completed=Count("pk", filter=Q(completion__isnull=False)))
    }
    rows = [
        {
            "rule": rule,
            "assigned": counts.get(rule.pk, {}).get("assigned", 0),
            "completed": counts.get(rule.pk, {}).get("completed", 0),
        }
        for rule in listed
    ]
    context = {
        "force": force,
        "force_query": _force_query(request, force),
        "form": form,
        "rows": rows,
        "mismatch": mismatch,
    }
    return render(request, "training/rules.html", context)


def _asks_first(request: HttpRequest, force: Force, form: RuleForm) -> bool:
    """A new rule for an audience its module is not written for is confirmed first, unless it
    is refused anyway (the force already has that rule)."""
    if form.audience_mismatch() is None:
        return False
    data = form.cleaned_data
    existing = rules_for_trainer(request.user, force).filter(
        module=data["module"], audience=data["audience"]
    )
    return not existing.exists()


def _chosen_module(request: HttpRequest) -> dict:
    """`?module=<slug>` (from a module's page) chooses it in the form; the list decides."""
    slug = request.GET.get("module", "")
    return {"module": slug} if slug else {}


@role_required(*TRAINING_STAFF)
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk) -> HttpResponse:
    rule = get_rule_for_trainer(request.user, pk)
    initial = {"within_days": rule.within_days, "active": "yes" if rule.active else "no"}
    form = RuleEditForm(_posted(request), initial=initial)
    force_query = _force_query(request, rule.force)
    if form.is_bound and form.is_valid():
        try:
            rule, assigned = rule_update(
                actor=request.user,
                rule=rule,
                within_days=form.cleaned_data["within_days"],
                active=form.cleaned_data["active"],
            )
        except ValidationError as error:
            form_problem(form, error)
        else:
            done = "saved" if rule.active else "stopped"
            news = f" {_people_word(assigned)} given the module." if assigned else ""
            messages.success(request, f"Rule {done}: {rule.module.title}.{news}")
            return redirect(reverse("training:rules") + force_query)
    context = {"rule": rule, "form": form, "force": rule.force, "force_query": force_query}
    return render(request, "training/rule_form.html", context)


# --- assigning by hand --------------------------------------------------------------------


@role_required(*TRAINING_STAFF)
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest) -> HttpResponse:
    force = chosen_trainer_force(request.user, request.GET.get("force"))
    form = AssignForm(
        _posted(request),
        force=force,
        modules=_assignable(request.user, force),
        initial=_chosen_module(request),
    )
    force_query = _force_query(request, force)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            handed = assignments_create_by_hand(
                actor=request.user,
                force=force,
                module=data["module"],
                people=data["emails"],
                due_on=data["due_on"],
            )
        except ValidationError as error:
            form_problem(form, error)
        else:
            _say_what_was_done(request, handed, data["module"])
            return redirect(reverse("training:assign") + force_query)
    context = {"force": force, "force_query": force_query, "form": form}
    return render(request, "training/assign.html", context)


def _say_what_was_done(request: HttpRequest, handed, module: Module) -> None:
    if handed.assigned:
        messages.success(
            request,
            f"{module.title} assigned to {_people_word(len(handed.assigned))}. "
            "Each has been told in the portal and by email.",
        )
    if handed.already:
        names = ", ".join(person.email for person in handed.already)
        messages.info(
            request,
            f"Already had {module.title} to do, so their due date is unchanged: {names}.",
        )
