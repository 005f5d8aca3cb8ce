"""Where each step of the journey lives, and where a reporter goes from it: next, back, or
on to "check your answers"."""

from __future__ import annotations

from django.urls import reverse

from reports.models import Report
from reports.steps import Step, missing_steps, next_step, position, previous_step, steps_for


def step_url(report: Report, step: Step, *, change: bool = False) -> str:
    """The step's page; `change=True` for changing an answer from "check your answers"."""
    url = reverse("reports:step", args=[report.public_id, step.slug])
    return f"{url}?change=1" if change else url


def check_url(report: Report) -> str:
    return reverse("reports:check", args=[report.public_id])


def url_after(report: Report, step: Step, *, change: bool) -> str:
    """Where a saved step leads.

    Normally the next step. When changing an answer from "check your answers", straight back
    there — unless the change opened a question not yet answered (such as choosing "hate"),
    which is asked first.
    """
    if change:
        for later in steps_for(report):
            if position(later) > position(step) and not later.answered(report):
                return step_url(report, later, change=True)
        return check_url(report)
    following = next_step(report, step)
    if following is None:
        return check_url(report)
    return step_url(report, following)


def url_before(report: Report, step: Step, *, change: bool) -> str:
    """The back link: the previous step, or the check page when changing an answer."""
    if change:
        return check_url(report)
    previous = previous_step(report, step)
    if previous is None:
        return reverse("reports:start")
    return step_url(report, previous)


def resume_url(report: Report) -> str:
    """Where "continue" takes a returning reporter: the first unanswered step, else the check."""
    missing = missing_steps(report)
    if missing:
        return step_url(report, missing[0])
    return check_url(report)
