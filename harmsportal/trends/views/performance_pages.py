"""A force's performance for its PCC, and the printable accountability pack.

Both open on the last complete financial-year quarter: a PCC's performance meeting reviews the
quarter just ended (the pack covers one quarter only). The performance page also takes any
month, quarter, financial year or calendar year, the current one marked "so far".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from harmsportal.disclosure import disclosure_k
from harmsportal.people.access import role_required
from harmsportal.people.models import AGGREGATE_ROLES
from harmsportal.trends.accountability import MONTH_MEASURES, accountability_report, when
from harmsportal.trends.figures import data_as_at, first_month
from harmsportal.trends.performance import MIN_GROUP_FORCES, period_word
from harmsportal.trends.periods import (
    KIND_LABELS,
    QUARTER,
    PeriodError,
    add_months,
    month_start,
    parse_period,
    period_choices,
    quarter_of,
)
from harmsportal.trends.selectors import get_force_for_user

if TYPE_CHECKING:
    from datetime import date

    from django.http import HttpRequest, HttpResponse

    from harmsportal.people.models import Force
    from harmsportal.trends.periods import Period

NOT_A_QUARTER = (
    "The accountability pack covers one financial-year quarter: choose a quarter, such as "
    "{slug} for {when}"
)
# A refused value is put back in the select, marked, so the person sees what was asked for:
# only this much of it, and only printable characters.
KEPT_LENGTH = 40


def last_complete_quarter(today: date) -> Period:
    """The financial-year quarter before the one `today` is in."""
    return quarter_of(add_months(quarter_of(today).start, -1))


def _chosen_period(request: HttpRequest, *, today: date, quarters_only: bool):
    """(period, error message): the period asked for, or the last complete quarter."""
    value = request.GET.get("period", "").strip()
    default = last_complete_quarter(today)
    if not value:
        return default, None
    try:
        period = parse_period(value, today=today)
    except PeriodError as error:
        return None, str(error)
    if quarters_only and period.kind != QUARTER:
        return None, NOT_A_QUARTER.format(slug=default.slug, when=when(default))
    return period, None


def _refused(value: str, error: str) -> dict:
    """The select's group for a refused value, chosen, so the page shows what was asked."""
    kept = "".join(c for c in value if c.isprintable())[:KEPT_LENGTH]
    why = "not a quarter" if error.startswith(NOT_A_QUARTER[:30]) else "not recognised"
    option = {"slug": kept, "label": f"{kept} ({why})", "selected": True}
    return {"label": "What you asked for", "options": [option]}


def _period_groups(today: date, chosen: Period | None, *, quarters_only: bool) -> list[dict]:
    """The period select's options, grouped by kind, the chosen one selected."""
    choices = period_choices(today, first_month=first_month())
    if chosen is not None and chosen.slug not in {p.slug for p in choices}:
        choices.append(chosen)  # an older period typed into the address: keep it selectable
    groups: dict[str, list[dict]] = {}
    for period in choices:
        if quarters_only and period.kind != QUARTER:
            continue
        so_far = " (so far)" if period.end > month_start(today) else ""
        groups.setdefault(period.kind, []).append(
            {
                "slug": period.slug,
                "label": period.label + so_far,
                "selected": chosen is not None and period.slug == chosen.slug,
            }
        )
    return [{"label": KIND_LABELS[kind], "options": options} for kind, options in groups.items()]


def _render(request: HttpRequest, force: Force, template: str, *, quarters_only: bool):
    today = timezone.localdate()
    period, error = _chosen_period(request, today=today, quarters_only=quarters_only)
    as_at = data_as_at()
    groups = _period_groups(today, period, quarters_only=quarters_only)
    if error:
        groups.insert(0, _refused(request.GET.get("period", "").strip(), error))
    context = {
        "force": force,
        "period": period,
        "error": error,
        "period_groups": groups,
        "default_period": last_complete_quarter(today),
        "default_when": when(last_complete_quarter(today)),
        "data_as_at": as_at,
        "today": today,
        "month_measures": MONTH_MEASURES,
        "k": disclosure_k(),
        "min_group_forces": MIN_GROUP_FORCES,
        "report": None,
    }
    if period is not None and as_at is not None:
        context["report"] = accountability_report(force, period, today=today)
        context["period_word"] = period_word(period)
    return render(request, template, context, status=400 if error else 200)


@role_required(*AGGREGATE_ROLES)
@require_GET
def performance(request: HttpRequest, force: str) -> HttpResponse:
    found = get_force_for_user(request.user, force)
    return _render(request, found, "trends/performance.html", quarters_only=False)


@role_required(*AGGREGATE_ROLES)
@require_GET
def pack(request: HttpRequest, force: str) -> HttpResponse:
    found = get_force_for_user(request.user, force)
    return _render(request, found, "trends/pack.html", quarters_only=True)
