"""Authoring: force modules by their training admins, national ones by platform admins, force notes.

Every module is reached through the selectors' chokepoints: `get_module_for_editor` and
`get_version_for_editor` for changing content (a force's trainer gets 404 on a national module
or another force's), `get_module_for_trainer` for a force's note on a national module.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from harmsportal.people.access import role_required
from harmsportal.people.models import Force, Role
from harmsportal.refusals import form_problem, problem
from harmsportal.templatetags.govuk_time import govuk_date
from training.forms.authoring import (
    NATIONAL,
    ForceNoteForm,
    ModuleForm,
    PublishForm,
    owner_choices,
)
from training.forms.versions import (
    QuestionForm,
    QuestionFormSet,
    SectionFormSet,
    VersionForm,
    error_links,
)
from training.markdown import render_markdown
from training.models import Module, ModuleVersion, VersionStatus
from training.selectors import (
    chosen_trainer_force,
    force_note_for,
    get_module_for_editor,
    get_module_for_trainer,
    get_version_for_editor,
    is_trainer_of,
    may_edit_module,
    may_publish_national,
    modules_for_trainer,
    trainer_force_ids,
    trainer_forces,
)
from training.services import assigning, authoring

TRAINING_STAFF = (Role.TRAINING_ADMIN, Role.PLATFORM_ADMIN)
STATUS_TAGS = {
    VersionStatus.DRAFT: "govuk-tag--grey",
    VersionStatus.PUBLISHED: "govuk-tag--green",
    VersionStatus.RETIRED: "govuk-tag--orange",
}


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _trainer_force(request: HttpRequest) -> Force | None:
    """The force a trainer works on (`?force=<slug>` when they train in several); None for a
    platform admin who trains in no force (they look after national modules only)."""
    if not trainer_force_ids(request.user):
        return None
    return chosen_trainer_force(request.user, request.GET.get("force"))


def _refused(form, error: ValidationError) -> None:
    """A service's refusal on the form: on the field it names, if the form has it."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields else None
            for message in ValidationError(errors).messages:
                form.add_error(target, message)
        return
    form_problem(form, error)


# --- the list -----------------------------------------------------------------------------


@role_required(*TRAINING_STAFF)
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    user = request.user
    force = _trainer_force(request)
    modules = modules_for_trainer(user)
    if force is not None:
        modules = modules.filter(Q(owner_force__isnull=True) | Q(owner_force=force))
    modules = (
        modules.select_related("owner_force")
        .prefetch_related(Prefetch("versions", queryset=ModuleVersion.objects.order_by("-number")))
        .annotate(
            # This force's own note on a national module (none without a force).
            force_note_count=Count("force_notes", filter=Q(force_notes__force=force))
        )
        .order_by(F("owner_force").asc(nulls_first=True), "title")
    )
    today = timezone.localdate()
    rows = [_row(user, module, force, today) for module in modules]
    forces = list(trainer_forces(user))
    context = {
        "rows": rows,
        "force": force,
        "other_forces": [f for f in forces if force is None or f.pk != force.pk],
        "force_query": f"?force={force.slug}" if force is not None and len(forces) > 1 else "",
        "may_add": force is not None or may_publish_national(user),
        "national_only": force is None,
    }
    return render(request, "training/manage.html", context)


def _row(user, module: Module, force: Force | None, today) -> dict:
    versions = list(module.versions.all())  # newest first (prefetched)
    current = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
    current = current or (versions[0] if versions else None)
    return {
        "module": module,
        "owner": "National" if module.is_national else module.owner_force.name,
        "version": current,
        "status_tag": STATUS_TAGS.get(current.status, "") if current else "",
        "has_draft": any(v.status == VersionStatus.DRAFT for v in versions),
        "review_overdue": module.review_due < today,
        "may_edit": may_edit_module(user, module),
        "may_note": module.is_national and force is not None,
        "has_note": module.is_national and force is not None and module.force_note_count > 0,
    }


# --- modules ------------------------------------------------------------------------------


@role_required(*TRAINING_STAFF)
@require_http_methods(["GET", "POST"])
def module_new(request: HttpRequest) -> HttpResponse:
    force = _trainer_force(request)
    owners = owner_choices([force] if force else [], national=may_publish_national(request.user))
    if not owners:
        raise Http404
    form = ModuleForm(_posted(request), owners=owners)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        owner = None if form.chosen_owner() == NATIONAL else force
        try:
            module = authoring.module_create(
                actor=request.user,
                force=owner,
                title=data["title"],
                slug=data["slug"],
                summary=data["summary"],
                audiences=data["audiences"],
                review_due=data["review_due"],
                refresh_months=data["refresh_months"],
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, f"{module.title} has been added. Now write version 1.")
            return redirect("training:version_edit", pk=authoring.draft_of(module).public_id)
    context = {"form": form, "errors": error_links(form), "force": force}
    return render(request, "training/module_form.html", context)


@role_required(*TRAINING_STAFF)
@require_http_methods(["GET", "POST"])
def module_edit(request: HttpRequest, pk) -> HttpResponse:
    module = get_module_for_editor(request.user, pk)
    initial = {
        "title": module.title,
        "summary": module.summary,
        "audiences": module.audiences,
        "review_due": module.review_due,
        "refresh_months": module.refresh_months,
    }
    form = ModuleForm(_posted(request), module=module, initial=initial)
    if form.is_bound and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in initial}
        try:
            module = authoring.module_update(actor=request.user, module=module, **fields)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, f"The settings of {module.title} have been saved.")
            return redirect("training:module_edit", pk=module.public_id)
    versions = list(module.versions.select_related("published_by").order_by("-number"))
    context = {
        "module": module,
        "form": form,
        "errors": error_links(form),
        "versions": [(v, STATUS_TAGS[v.status]) for v in versions],
        "draft": next((v for v in versions if v.status == VersionStatus.DRAFT), None),
        "published": next((v for v in versions if v.status == VersionStatus.PUBLISHED), None),
        "review_overdue": module.review_due < timezone.localdate(),
        "next_steps": _next_steps_query(request.user, module),
    }
    return render(request, "training/module_edit.html", context)


def _next_steps_query(user, module: Module) -> str:
    """The query for the links from a force module to its force's audience rules and assigning
    by hand, the module chosen (empty for a national module: each force chooses)."""
    if module.is_national or not is_trainer_of(user, module.owner_force_id):
        return ""
    query = f"?module={module.slug}"
    if len(trainer_force_ids(user)) > 1:
        query += f"&force={module.owner_force.slug}"
    return query


@role_required(*TRAINING_STAFF)
@require_POST
def version_new(request: HttpRequest, pk) -> HttpResponse:
    module = get_module_for_editor(request.user, pk)
    try:
        version = authoring.version_new(actor=request.user, module=module)
    except ValidationError as error:
        problem(request, error)
        return redirect("training:module_edit", pk=module.public_id)
    messages.success(request, f"Version {version.number} is a new draft, copied from the last.")
    return redirect("training:version_edit", pk=version.public_id)


@role_required(*TRAINING_STAFF)
@require_http_methods(["GET", "POST"])
def module_retire(request: HttpRequest, pk) -> HttpResponse:
    module = get_module_for_editor(request.user, pk)
    if request.method == "POST":
        try:
            retired = authoring.module_retire(actor=request.user, module=module)
        except ValidationError as error:
            problem(request, error)
        else:
            if retired:
                messages.success(request, f"{module.title} has been retired.")
            else:
                messages.info(request, f"{module.title} has no published version to retire.")
        return redirect("training:module_edit", pk=module.public_id)
    context = {"module": module, "published": module.published_version()}
    return render(request, "training/module_retire.html", context)


@role_required(*TRAINING_STAFF)
@require_http_methods(["GET", "POST"])
def force_note(request: HttpRequest, pk) -> HttpResponse:
    module = get_module_for_trainer(request.user, pk)
    if not module.is_national:
        raise Http404  # a force's own module says what it needs in its content
    force = chosen_trainer_force(request.user, request.GET.get("force"))
    note = force_note_for(module, force)
    form = ForceNoteForm(
        _posted(request), initial={"body": note.body if note else ""}, has_note=note is not None
    )
    removing = request.method == "POST" and "remove" in request.POST
    if removing or (form.is_bound and form.is_valid()):
        body = "" if removing else form.cleaned_data["body"]
        try:
            saved = authoring.force_note_save(
                actor=request.user, module=module, force=force, body=body
            )
        except ValidationError as error:
            form_problem(form, error)
        else:
            done = "saved" if saved is not None else "removed"
            messages.success(request, f"{force.name}'s note on {module.title} has been {done}.")
            return redirect(reverse("training:manage") + _force_query(request, force))
    context = {
        "module": module,
        "force": force,
        "note": note,
        "form": form,
        "preview": render_markdown(note.body) if note is not None else None,
    }
    return render(request, "training/force_note.html", context)


def _force_query(request: HttpRequest, force: Force) -> str:
    return f"?force={force.slug}" if request.GET.get("force") else ""


# --- versions -----------------------------------------------------------------------------


def _rendered_sections(sections) -> list[dict]:
    return [{"heading": s.heading, "html": render_markdown(s.body)} for s in sections]


def _previewed_questions(drafts) -> list[dict]:
    """The quiz as entered (not yet saved), with its right answers, for the preview."""
    return [
        {
            "text": draft.text,
            "answers": [
                {"text": text, "is_correct": i == draft.correct}
                for i, text in enumerate(draft.answers)
            ],
            "explanation": render_markdown(draft.explanation),
        }
        for draft in drafts
    ]


def _read_only(request: HttpRequest, version: ModuleVersion) -> HttpResponse:
    questions = [
        {
            "question": question,
            "answers": list(question.answers.all()),
            "explanation": render_markdown(question.explanation),
        }
        for question in version.questions.prefetch_related("answers")
    ]
    context = {
        "version": version,
        "module": version.module,
        "status_tag": STATUS_TAGS[version.status],
        "sections": _rendered_sections(version.sections.all()),
        "questions": questions,
    }
    return render(request, "training/version_edit.html", context)


@role_required(*TRAINING_STAFF)
@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, pk) -> HttpResponse:
    version = get_version_for_editor(request.user, pk)
    if version.status != VersionStatus.DRAFT:
        return _read_only(request, version)
    action = request.POST.get("action", "save")
    if request.method == "POST":
        form = VersionForm(request.POST)
        sections = SectionFormSet(request.POST, prefix="sections")
        questions = QuestionFormSet(request.POST, prefix="questions")
    else:
        form = VersionForm(
            initial={
                "estimated_minutes": version.estimated_minutes,
                "change_summary": version.change_summary,
                "pass_mark": version.pass_mark,
            }
        )
        sections = SectionFormSet(
            prefix="sections",
            initial=[{"heading": s.heading, "body": s.body} for s in version.sections.all()],
        )
        questions = QuestionFormSet(
            prefix="questions",
            initial=[
                QuestionForm.initial_for(q) for q in version.questions.prefetch_related("answers")
            ],
        )
    preview = preview_questions = None
    if request.method == "POST" and _all_valid(form, sections, questions):
        section_drafts = sections.drafts()
        question_drafts = questions.drafts()
        form.check_quiz(question_drafts)
        if not form.errors and action == "preview":
            preview = _rendered_sections(section_drafts)
            preview_questions = _previewed_questions(question_drafts)
        elif not form.errors:
            try:
                authoring.version_save(
                    actor=request.user,
                    version=version,
                    sections=section_drafts,
                    questions=question_drafts,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form_problem(form, error)
            else:
                messages.success(request, f"Version {version.number} has been saved.")
                target = "training:version_publish" if action == "publish" else request.path
                if action == "publish":
                    return redirect(target, pk=version.public_id)
                return redirect(target)
    context = {
        "version": version,
        "module": version.module,
        "form": form,
        "sections": sections,
        "questions": questions,
        "preview": preview,
        "preview_questions": preview_questions,
        "errors": error_links(form, sections, questions),
    }
    return render(request, "training/version_edit.html", context)


def _all_valid(*forms) -> bool:
    valid = [form.is_valid() for form in forms]  # every form checked, so each shows its errors
    return all(valid)


@role_required(*TRAINING_STAFF)
@require_http_methods(["GET", "POST"])
def version_publish(request: HttpRequest, pk) -> HttpResponse:
    version = get_version_for_editor(request.user, pk)
    module = version.module
    if version.status != VersionStatus.DRAFT:
        messages.info(
            request, f"Version {version.number} is {version.get_status_display().lower()}."
        )
        return redirect("training:module_edit", pk=module.public_id)
    previous = authoring.earlier_versions(version).first()
    # Who "must complete it again" would reach now, and by when (shown before choosing).
    people = assigning.recompletion_count(version=version) if previous else 0
    due_on = assigning.recompletion_due_on()
    form = PublishForm(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            version = authoring.version_publish(
                actor=request.user,
                version=version,
                requires_recompletion=form.cleaned_data["requires_recompletion"],
            )
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(request, _published_message(version, module))
            return redirect("training:module_edit", pk=module.public_id)
    context = {
        "version": version,
        "module": module,
        "form": form,
        "problems": authoring.publish_problems(version),
        "previous": previous,
        "people": people,
        "due_on": due_on,
        "recompletion_days": assigning.RECOMPLETION_DUE_DAYS,
    }
    return render(request, "training/version_publish.html", context)


def _published_message(version: ModuleVersion, module: Module) -> str:
    """ "Version 2 is published. 28 people must complete it again by 28 January 2027." """
    if not version.requires_recompletion:
        return f"Version {version.number} of {module.title} is published."
    given = authoring.recompletion_assigned(version)
    due_on = govuk_date(assigning.recompletion_due_on(version.published_at))
    if not given:
        return (
            f"Version {version.number} of {module.title} is published. No one needed to be "
            "given it to complete again."
        )
    who = "1 person" if given == 1 else f"{given:,} people"
    return (
        f"Version {version.number} of {module.title} is published. "
        f"{who} must complete it again by {due_on}."
    )
