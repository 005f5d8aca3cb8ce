"""The digital-footprint self-check: tailored advice, and only the fact of completion kept.

For everyone signed in, family accounts included. Each person reaches only their own saved
answers (training.selectors.saved_footprint_check).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from harmsportal.refusals import form_problem
from training.forms.footprint import FootprintForm
from training.markdown import render_markdown
from training.selectors import footprint_checks_of, saved_footprint_check
from training.services.footprint import (
    footprint_advice,
    footprint_answer_rows,
    footprint_answers_delete,
    footprint_check_record,
)


def _advice_context(answers: dict[str, str]) -> dict:
    advice = footprint_advice(answers)
    return {
        "to_do": [(item, render_markdown(item.body)) for item in advice.to_do],
        "doing": advice.doing,
    }


@login_required
@require_http_methods(["GET", "POST"])
def footprint(request: HttpRequest) -> HttpResponse:
    saved = saved_footprint_check(request.user)
    if request.method == "POST":
        form = FootprintForm(request.POST)
    elif saved is not None:  # come back to saved answers: start from them, still saving
        form = FootprintForm(initial={**saved.saved_answers, "save_answers": True})
    else:
        form = FootprintForm()
    if form.is_bound and form.is_valid():
        try:
            check = footprint_check_record(
                actor=request.user,
                answers=form.answers(),
                save_answers=form.cleaned_data["save_answers"],
            )
        except ValidationError as error:
            form_problem(form, error)
        else:
            # The advice is this POST's response, not a redirect: unless the person chose to
            # save them, their answers are kept nowhere to show on a later page.
            context = {"check": check, **_advice_context(form.answers())}
            return render(request, "training/footprint_advice.html", context)
    return render(request, "training/footprint.html", {"form": form, "saved": saved})


# Deleting saved answers cannot be undone, so it takes two steps: "Delete my saved answers"
# opens ?delete=confirm, whose "Yes, delete my saved answers" posts confirm=yes.
CONFIRM_DELETE = "confirm"


@login_required
@require_http_methods(["GET", "POST"])
def saved(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":  # not confirmed: ask first
            return redirect(f"{reverse('training:footprint_saved')}?delete={CONFIRM_DELETE}")
        if footprint_answers_delete(actor=request.user):
            messages.success(
                request,
                "Your saved answers have been deleted. We still know that you completed the "
                "check, and nothing else.",
            )
        return redirect("training:footprint_saved")
    check = saved_footprint_check(request.user)
    if check is not None and request.GET.get("delete") == CONFIRM_DELETE:
        return render(request, "training/footprint_delete.html", {"check": check})
    context = {
        "check": check,
        "last": footprint_checks_of(request.user).first(),
        "rows": footprint_answer_rows(check.saved_answers) if check else [],
        **(_advice_context(check.saved_answers) if check else {}),
    }
    return render(request, "training/footprint_saved.html", context)
