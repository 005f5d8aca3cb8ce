"""The reporter journey: start, one question per page, evidence, check answers, submit.

Every POST saves the draft, so the back link and "save and come back later" never lose an
answer. The pages and their order come from the step registry in reports/steps.py.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from reports.answer_rows import answer_rows
from reports.models import Report, ReportStatus
from reports.selectors import get_report_for_user, reports_of_reporter
from reports.services.drafting import report_answers_save, report_draft_delete, report_start
from reports.services.errors import NoForceError, ReportIncompleteError
from reports.services.evidence import report_evidence_add, report_evidence_remove, report_link_add
from reports.services.sending import report_submit
from reports.step_urls import resume_url, step_url, url_after, url_before
from reports.steps import EVIDENCE, Step, get_step, missing_steps, steps_for
from reports.views.evidence_form import evidence_form_handle

SAVE_AND_EXIT = "save_exit"


def _draft_for(request: HttpRequest, pk: UUID) -> Report:
    """The reporter's own draft; 404 for anyone else's report, draft or not."""
    return get_report_for_user(request.user, pk, as_reporter=True)


def _gone_draft_is_404(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A draft that goes between `_draft_for` reading it and the service locking it (draft
    retention erased it, or the reporter deleted it in another tab) is the same 404 as one
    that never existed: the services raise Report.DoesNotExist from the lock, not a 500."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Report.DoesNotExist:
            raise Http404("No such report") from None

    return wrapped


def _saved_for_later(request: HttpRequest) -> HttpResponse:
    messages.success(request, "Your answers have been saved. You can come back to them here.")
    return redirect("reports:list")


@login_required
def start(request: HttpRequest) -> HttpResponse:
    problem = ""
    if request.method == "POST":
        try:
            report = report_start(actor=request.user)
        except NoForceError as error:
            problem = error.message
        else:
            return redirect(step_url(report, steps_for(report)[0]))
    drafts = reports_of_reporter(request.user).filter(status=ReportStatus.DRAFT)
    return render(request, "reports/start.html", {"drafts": drafts, "problem": problem})


@login_required
@_gone_draft_is_404
def step(request: HttpRequest, pk: UUID, slug: str) -> HttpResponse:
    report = _draft_for(request, pk)
    if not report.is_draft:
        return redirect("reports:detail", pk=report.public_id)
    current = get_step(slug)
    if current is None:
        raise Http404("No such question")
    if not current.applies(report):
        return redirect(resume_url(report))
    change = request.GET.get("change") == "1"
    if current.form_class is None:
        return _evidence_step(request, report, current, change)
    form = current.form_class(request.POST or None, report=report)
    if request.method == "POST" and form.is_valid():
        report_answers_save(actor=request.user, report=report, answers=form.answers())
        if request.POST.get("action") == SAVE_AND_EXIT:
            return _saved_for_later(request)
        if current.slug == "role" and report.related_to_role is False:
            return redirect("reports:not_connected", pk=report.public_id)
        return redirect(url_after(report, current, change=change))
    context = {
        "report": report,
        "form": form,
        "step": current,
        "back_url": url_before(report, current, change=change),
    }
    return render(request, "reports/step.html", context)


def _evidence_step(
    request: HttpRequest, report: Report, current: Step, change: bool
) -> HttpResponse:
    form = evidence_form_handle(
        request, report, add_file=report_evidence_add, add_link=report_link_add
    )
    action = request.POST.get("action", "")
    if request.method == "POST" and not form.errors:
        if action == SAVE_AND_EXIT:
            return _saved_for_later(request)
        if action == "continue":
            return redirect(url_after(report, current, change=change))
        return redirect(request.get_full_path())
    context = {
        "report": report,
        "form": form,
        "step": current,
        "evidence": report.evidence.all(),
        "back_url": url_before(report, current, change=change),
    }
    return render(request, "reports/evidence.html", context)


@login_required
@require_POST
@_gone_draft_is_404
def evidence_remove(request: HttpRequest, pk: UUID, evidence_pk: UUID) -> HttpResponse:
    report = _draft_for(request, pk)
    if not report.is_draft:
        return redirect("reports:detail", pk=report.public_id)
    evidence = report.evidence.filter(public_id=evidence_pk).first()
    if evidence is None:
        raise Http404("No such evidence")
    report_evidence_remove(actor=request.user, report=report, evidence=evidence)
    messages.success(request, f"{evidence} has been removed.")
    return redirect(step_url(report, get_step(EVIDENCE)))


@login_required
def not_connected(request: HttpRequest, pk: UUID) -> HttpResponse:
    report = _draft_for(request, pk)
    if not report.is_draft:
        return redirect("reports:detail", pk=report.public_id)
    role_step = get_step("role")
    return render(
        request,
        "reports/not_connected.html",
        {
            "report": report,
            "change_url": step_url(report, role_step),
            "back_url": step_url(report, role_step),
        },
    )


def _check_context(report: Report, *, problems: list[str] | None = None) -> dict:
    missing = missing_steps(report)
    missing_links = [{"url": step_url(report, step), "label": step.label} for step in missing]
    first_problem_href = missing_links[0]["url"] if missing_links else "#not-connected"
    return {
        "report": report,
        "rows": answer_rows(report),
        "missing": missing_links,
        "not_connected": report.related_to_role is False,
        "problems": [{"text": text, "href": first_problem_href} for text in problems or []],
        "back_url": step_url(report, steps_for(report)[-1]),
    }


@login_required
def check(request: HttpRequest, pk: UUID) -> HttpResponse:
    report = _draft_for(request, pk)
    if not report.is_draft:
        return redirect("reports:detail", pk=report.public_id)
    return render(request, "reports/check.html", _check_context(report))


@login_required
@require_POST
@_gone_draft_is_404
def submit(request: HttpRequest, pk: UUID) -> HttpResponse:
    report = _draft_for(request, pk)
    try:
        report = report_submit(actor=request.user, report=report)
    except ReportIncompleteError as error:
        context = _check_context(report, problems=error.messages)
        return render(request, "reports/check.html", context)
    return redirect("reports:done", pk=report.public_id)


@login_required
def done(request: HttpRequest, pk: UUID) -> HttpResponse:
    report = _draft_for(request, pk)
    if report.is_draft:
        return redirect("reports:check", pk=report.public_id)
    return render(request, "reports/done.html", {"report": report})


@login_required
@_gone_draft_is_404
def draft_delete(request: HttpRequest, pk: UUID) -> HttpResponse:
    report = _draft_for(request, pk)
    if not report.is_draft:
        return redirect("reports:detail", pk=report.public_id)
    if request.method == "POST":
        report_draft_delete(actor=request.user, report=report)
        messages.success(request, "Your draft report has been deleted.")
        return redirect("reports:list")
    return render(
        request,
        "reports/draft_delete.html",
        {"report": report, "back_url": reverse("reports:list")},
    )
