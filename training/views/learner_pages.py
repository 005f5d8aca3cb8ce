"""The learner: their modules, reading a module, its quiz, completing it, feedback and the certificate.

Every signed-in account may use these pages. A module is reached only through
`get_module_for_learner` (family accounts: family modules only; everyone else: national modules
and their own force's), and a completion only through `get_completion_for_learner` (their own):
anything else is a 404, exactly like a page that does not exist.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from harmsportal.refusals import form_problem, problem
from training.forms.learner import FeedbackForm, QuizForm
from training.markdown import render_markdown
from training.models import (
    Assignment,
    Completion,
    Module,
    ModuleVersion,
    Progress,
    Section,
    VersionStatus,
    has_expired,
)
from training.selectors import (
    completions_of,
    force_note_for,
    get_completion_for_learner,
    get_module_for_learner,
    is_family_account,
    is_trainer_of,
    latest_attempt,
    learner_force,
    may_publish_national,
    modules_for_learner,
    open_assignments_of,
    progress_by_version,
    progress_of,
    published_version,
    team_profiles,
    trainer_force_ids,
)
from training.services.learning import (
    feedback_give,
    progress_advance,
    progress_complete,
    progress_start,
    quiz_submit,
    section_orders,
)

# A completion this close to its expiry is "expires soon" (the first expiry reminder's lead).
EXPIRES_SOON_DAYS = 30
# A page number is a few digits; anything else (2**63, "+-1", "-1") is page 1.
_PAGE = re.compile(r"[0-9]{1,4}")
# A line-manager notice links to the module with ?from=notice: the overview then points the
# manager to the part about notices, found by this in its heading.
FROM_NOTICE = "notice"
NOTICE_PART = "line-manager notice"


# --- the learner's modules, each with a status -----------------------------------------------
@dataclass
class ModuleRow:
    module: Module
    version: ModuleVersion
    status: str  # not_started, in_progress, overdue, completed, expires_soon, expired
    assignment: Assignment | None
    latest: Completion | None
    resume_page: int | None  # the page to resume at, when they have started
    assigned: bool  # open work, or a completion that closed some

    @property
    def is_due(self) -> bool:
        """Open work, or a completion that runs out soon (or has) with no open work yet."""
        return self.assignment is not None or self.status in ("expires_soon", "expired")

    @property
    def due_on(self) -> datetime.date:
        """When it is due: the work's due date, or the day the completion runs out."""
        if self.assignment is not None:
            return self.assignment.due_on
        return self.latest.expires_on if self.latest else datetime.date.max

    @property
    def needs_doing(self) -> bool:
        return self.status in ("not_started", "in_progress", "overdue", "expired", "expires_soon")

    def order(self) -> tuple:
        # Open work by due date (overdue first), then what has run out or is about to, then done.
        if self.assignment is not None:
            return (0, self.assignment.due_on, self.module.title)
        if self.status in ("expired", "expires_soon"):
            return (1, self.latest.expires_on, self.module.title)
        return (2, datetime.date.max, self.module.title)


def _status(
    assignment: Assignment | None, latest: Completion | None, progress: Progress | None, today
) -> str:
    if assignment is not None:
        if assignment.due_on < today:
            return "overdue"
        return "in_progress" if progress is not None else "not_started"
    if latest is not None and latest.expires_on is not None:
        if has_expired(latest.expires_on, today):
            return "expired"
        if latest.expires_on <= today + datetime.timedelta(days=EXPIRES_SOON_DAYS):
            return "expires_soon"
    if latest is not None:
        return "completed"
    return "in_progress" if progress is not None else "not_started"


def _resume_page(progress: Progress | None, orders: list[int]) -> int | None:
    if progress is None:
        return None
    reached = [i for i, order in enumerate(orders, start=1) if order <= progress.current_section]
    return reached[-1] if reached else 1


def _rows(user, completions: list[Completion], today) -> list[ModuleRow]:
    published = Prefetch(
        "versions",
        queryset=ModuleVersion.objects.filter(status=VersionStatus.PUBLISHED).prefetch_related(
            Prefetch("sections", queryset=Section.objects.only("version_id", "order"))
        ),
        to_attr="published",
    )
    modules = [m for m in modules_for_learner(user).prefetch_related(published) if m.published]
    versions = {m.pk: m.published[0] for m in modules}
    progress = progress_by_version(user, [v.pk for v in versions.values()])
    assignments = {a.module_id: a for a in open_assignments_of(user).filter(module__in=modules)}
    latest: dict[int, Completion] = {}
    for completion in completions:  # newest first
        latest.setdefault(completion.module_id, completion)
    closed_work = {c.module_id for c in completions if c.assignments.all()}
    rows = []
    for module in modules:
        version = versions[module.pk]
        mine = progress.get(version.pk)
        orders = [s.order for s in version.sections.all()]
        status = _status(assignments.get(module.pk), latest.get(module.pk), mine, today)
        rows.append(
            ModuleRow(
                module, version, status, assignments.get(module.pk), latest.get(module.pk),
                _resume_page(mine, orders),
                module.pk in assignments or module.pk in closed_work,
            )
        )  # fmt: skip
    return sorted(rows, key=ModuleRow.order)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    completions = list(completions_of(user).prefetch_related("assignments"))
    rows = _rows(user, completions, today)
    assigned = [row for row in rows if row.assigned]
    # Due: open work, and a completion that runs out within EXPIRES_SOON_DAYS (or has run out).
    due = sorted((row for row in rows if row.is_due), key=lambda row: row.due_on)
    context = {
        "assigned": assigned,
        "others": [row for row in rows if not row.assigned],
        "due_next": due[0] if due else None,
        "to_do": len(due),
        "completions": completions,
        "family": is_family_account(user),
        "is_line_manager": team_profiles(user).exists(),
        "is_trainer": bool(trainer_force_ids(user)) or may_publish_national(user),
        "today": today,
    }
    return render(request, "training/home.html", context)


# --- one module ----------------------------------------------------------------------------
@login_required
@require_GET
def module(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    module = get_module_for_learner(user, slug)
    version = published_version(module)
    sections = list(version.sections.all())
    progress = progress_of(user, version)
    force = learner_force(user)
    note = force_note_for(module, force)
    today = timezone.localdate()
    assignment = open_assignments_of(user).filter(module=module).first()
    completions = list(completions_of(user).filter(module=module))  # newest first
    resume_page = _resume_page(progress, [s.order for s in sections])
    notice_page = _notice_page(sections) if request.GET.get("from") == FROM_NOTICE else None
    context = {
        "module": module,
        "version": version,
        "sections": sections,
        "progress": progress,
        "resume_page": resume_page,
        # The parts they may open from the contents: all once completed, else those reached.
        "reach": len(sections) if completions else (resume_page or 0),
        "notice_page": notice_page,
        "notice_section": sections[notice_page - 1] if notice_page else None,
        "renewal": _renewal(completions[0] if completions else None, assignment, today),
        "note_html": render_markdown(note.body) if note else "",
        "force": force,
        "assignment": assignment,
        "completions": completions,
        "question_count": version.questions.count() if version.has_quiz else 0,
        "may_annotate": force is not None and module.is_national and is_trainer_of(user, force),
        "today": today,
    }
    return render(request, "training/module.html", context)


def _renewal(latest: Completion | None, assignment, today) -> Completion | None:
    """Their latest completion, when it runs out soon (or has) and no work is open for it."""
    if latest is None or latest.expires_on is None or assignment is not None:
        return None
    if latest.expires_on > today + datetime.timedelta(days=EXPIRES_SOON_DAYS):
        return None
    return latest


def _notice_page(sections: list[Section]) -> int | None:
    """The part a line-manager notice sends its reader to, found by its heading."""
    return next(
        (i for i, s in enumerate(sections, start=1) if NOTICE_PART in s.heading.lower()), None
    )


def _page(raw: str | None, count: int) -> int:
    """The page asked for, or 1 for anything that is not a page of this module."""
    if raw is None or not _PAGE.fullmatch(raw):
        return 1
    number = int(raw)
    return number if 1 <= number <= count else 1


def _learn_url(module: Module, page: int) -> str:
    return f"{reverse('training:learn', args=[module.slug])}?page={page}"


@login_required
@require_http_methods(["GET", "POST"])
def learn(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    module = get_module_for_learner(user, slug)
    version = published_version(module)
    sections = list(version.sections.all())
    if not sections:
        return redirect("training:module", slug=module.slug)
    completed = completions_of(user).filter(module=module).exists()  # any version
    # Opening a part starts the module. Someone who has completed it reads back without
    # starting again; pressing Continue on the first part starts it again.
    progress = (
        progress_of(user, version) if completed else progress_start(actor=user, module=module)
    )
    furthest = _resume_page(progress, [s.order for s in sections]) or 1
    reach = len(sections) if completed else furthest  # every part once completed
    raw = request.GET.get("page")
    # No page: carry on where they left off.
    asked = furthest if raw is None else _page(raw, len(sections))
    if request.method == "POST":
        return _continue(request, module, version, sections, asked)
    from_notice = request.GET.get("from") == FROM_NOTICE and asked == _notice_page(sections)
    beyond = None
    page = asked
    if asked > reach and not from_notice:
        beyond, page = asked, furthest  # not reached yet: the furthest part, and why
    # Continue moves them on only from a part they reached in order; further on is reading.
    in_order = page <= furthest and (progress is not None or page == 1)
    context = {
        "module": module,
        "version": version,
        "sections": sections,
        "section": sections[page - 1],
        "previous": sections[page - 2] if 1 < page <= reach + 1 else None,
        "body_html": render_markdown(sections[page - 1].body),
        "page": page,
        "count": len(sections),
        "furthest": furthest,
        "reach": reach,
        "beyond": beyond,
        "in_order": in_order,
        "next_page": page + 1 if not in_order and page < reach else None,
        "is_last": page == len(sections),
    }
    return render(request, "training/learn.html", context)


def _continue(request, module: Module, version: ModuleVersion, sections, page: int):
    """ "Continue" on a part: it is read; on to the next part, or after the last, the quiz."""
    try:
        progress_advance(
            actor=request.user, version=version, section_order=sections[page - 1].order
        )
    except ValidationError as error:
        problem(request, error)
        return redirect("training:learn", slug=module.slug)  # where they left off
    if page < len(sections):
        return redirect(_learn_url(module, page + 1))
    if version.has_quiz:
        return redirect("training:quiz", slug=module.slug)
    return redirect(_learn_url(module, page))  # the last part's own button completes it


# --- the quiz and completing -----------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def quiz(request: HttpRequest, slug: str) -> HttpResponse:
    module = get_module_for_learner(request.user, slug)
    version = published_version(module)
    if not version.has_quiz:
        return redirect("training:module", slug=module.slug)
    progress = progress_of(request.user, version)
    if progress is None or progress.read_all_at is None:
        orders = section_orders(version)
        reached = _resume_page(progress, orders)
        words = ["The quiz comes after the last part of the module."]
        if reached:
            words.append(f"You have read up to part {reached} of {len(orders)}.")
        words.append("Read every part, then you can answer the quiz.")
        messages.info(request, " ".join(words))
        return redirect("training:learn", slug=module.slug)
    questions = list(version.questions.prefetch_related("answers"))
    form = QuizForm(request.POST if request.method == "POST" else None, questions=questions)
    if form.is_bound and form.is_valid():
        try:
            quiz_submit(actor=request.user, version=version, answers=form.answers())
        except ValidationError as error:
            form_problem(form, error)
        else:
            return redirect("training:quiz_result", slug=module.slug)
    context = {"module": module, "version": version, "form": form, "total": len(questions)}
    return render(request, "training/quiz.html", context)


@login_required
@require_GET
def quiz_result(request: HttpRequest, slug: str) -> HttpResponse:
    module = get_module_for_learner(request.user, slug)
    version = published_version(module)
    attempt = latest_attempt(request.user, version) if version.has_quiz else None
    if attempt is None:
        return redirect("training:module", slug=module.slug)
    questions = list(version.questions.prefetch_related("answers"))
    context = {
        "module": module,
        "version": version,
        "attempt": attempt,
        "wrong": _wrong_answers(questions, attempt.answers),
        "completion": (
            completions_of(request.user).filter(version=version).first() if attempt.passed else None
        ),
    }
    return render(request, "training/quiz_result.html", context)


def _wrong_answers(questions, chosen: dict[str, int]) -> list[dict]:
    """For each question answered wrongly: what they chose, the right answer and why."""
    wrong = []
    for number, question in enumerate(questions, start=1):
        answers = list(question.answers.all())
        picked = next((a for a in answers if a.pk == chosen.get(str(question.pk))), None)
        if picked is not None and picked.is_correct:
            continue
        wrong.append(
            {
                "number": number,
                "question": question,
                "picked": picked,
                "right": [a for a in answers if a.is_correct],
                "explanation_html": render_markdown(question.explanation),
            }
        )
    return wrong


@login_required
@require_POST
def complete(request: HttpRequest, slug: str) -> HttpResponse:
    module = get_module_for_learner(request.user, slug)
    version = published_version(module)
    try:
        completion = progress_complete(actor=request.user, version=version)
    except ValidationError as error:
        problem(request, error)
        return redirect("training:module", slug=module.slug)
    messages.success(request, f"You have completed {module.title}. Your certificate is ready.")
    return redirect("training:feedback", pk=completion.public_id)


# --- after completing: feedback and the certificate ----------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, pk: UUID) -> HttpResponse:
    completion = get_completion_for_learner(request.user, pk)
    try:
        given = completion.feedback
    except ObjectDoesNotExist:
        given = None
    form = FeedbackForm(request.POST if request.method == "POST" and given is None else None)
    if form.is_bound and form.is_valid():
        try:
            feedback_give(actor=request.user, completion=completion, **form.cleaned_data)
        except ValidationError as error:
            form_problem(form, error)
        else:
            messages.success(request, "Thank you. Your feedback helps make this module better.")
            return redirect("training:home")
    context = {"completion": completion, "given": given, "form": form}
    return render(request, "training/feedback.html", context)


@login_required
@require_GET
def certificate(request: HttpRequest, pk: UUID) -> HttpResponse:
    completion = get_completion_for_learner(request.user, pk)
    return render(request, "training/certificate.html", {"completion": completion})
