"""The queue, claim next and the supervisor's view of breaches and workload."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.views.decorators.http import require_GET, require_POST

from harmsportal.people.access import role_required
from harmsportal.people.models import TRIAGE_ROLES, Role
from harmsportal.refusals import problem
from harmsportal.templatetags.govuk_time import SHORT, govuk_datetime
from triage import selectors
from triage.forms import QueueFilter
from triage.models import CaseStatus, Risk
from triage.services.claiming import case_claim_next
from triage.sla import SlaState
from triage.views._shared import paginate, paginate_capped, to_case

QUEUE_PAGE_SIZE = 20  # as the notifications inbox
# The queue counts its cases up to here (50 pages), then says "more than 1,000": an exact
# count of a 100k-case queue would read the whole table on every load (docs/decisions/0006).
QUEUE_COUNT_LIMIT = 1000
SUPERVISOR_PAGE_SIZE = 25
SORTABLE_COLUMNS = (
    ("reference", "Reference"),
    ("received", "Received"),
    ("priority", "Risk"),
    ("status", "Status"),
    ("assignee", "Assigned to"),
    ("due", "Next due"),
)


STATUS_TAG_CLASSES = {
    CaseStatus.NEW: "",
    CaseStatus.CLAIMED: "govuk-tag--purple",
    CaseStatus.ASSESSED: "govuk-tag--pink",
    CaseStatus.ACTION_UNDER_WAY: "govuk-tag--turquoise",
    CaseStatus.OUTCOME_GIVEN: "govuk-tag--green",
    CaseStatus.CLOSED: "govuk-tag--grey",
}
RISK_TAGS = {
    Risk.IMMEDIATE: ("Immediate", "govuk-tag--red"),
    Risk.HIGH: ("High", "govuk-tag--orange"),
}


@dataclass(frozen=True)
class QueueRow:
    """One queue row worked out in Python, so the template only prints: the queue is a long
    table, and each template lookup and filter costs more than the same work done here."""

    url: str
    reference: str
    received: str
    categories: list[str]
    risk_label: str
    risk_tag_class: str  # "" for a risk shown as plain text
    status_label: str
    status_tag_class: str
    assignee: str
    next_due: str
    sla: SlaState
    unread: bool  # the reporter wrote and the holder (or, unassigned, the team) has not looked
    replied: bool  # the reporter wrote after the outcome and nobody has answered


def _when(moment) -> str:
    return govuk_datetime(moment, SHORT) if moment else "—"


def _queue_rows(cases, *, user, now) -> list[QueueRow]:
    # Reverse once and format: the queue renders up to a page of rows on every request.
    any_id = "00000000-0000-0000-0000-000000000000"
    case_url = reverse("triage:case", args=[any_id]).replace(any_id, "{}")
    statuses, risks = dict(CaseStatus.choices), dict(Risk.choices)
    cases = list(cases)
    categories = selectors.category_names_for(cases)
    rows = []
    for case in cases:
        risk_label, risk_tag_class = RISK_TAGS.get(
            case.risk, (risks.get(case.risk, "Not assessed"), "")
        )
        assignee = "You" if case.assignee_id == user.pk else case.assignee_name or "Unassigned"
        rows.append(
            QueueRow(
                url=case_url.format(case.public_id),
                reference=case.reference,
                received=_when(case.submitted_at),
                categories=categories[case.pk],
                risk_label=risk_label,
                risk_tag_class=risk_tag_class,
                status_label=statuses[case.status],
                status_tag_class=STATUS_TAG_CLASSES[case.status],
                assignee=assignee,
                next_due=_when(case.next_due),
                sla=case.sla_state(now),
                unread=case.unread_since is not None,
                replied=case.reporter_replied_at is not None,
            )
        )
    return rows


@dataclass(frozen=True)
class FilterControl:
    """One filter select, its options worked out once (the category and assignee lists can be
    long, and the queue page is the page triage loads most)."""

    field: object  # the bound form field, for its id, name, label and errors
    options: str  # the <option> elements, escaped


def _filter_controls(filters: QueueFilter) -> list[FilterControl]:
    controls = []
    for field in filters.form.visible_fields():
        if field.name == "q":
            continue  # the search box, a text input of its own
        chosen = "" if field.value() is None else str(field.value())
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (value, " selected" if str(value) == chosen else "", label)
                for value, label in field.field.choices
            ),
        )
        controls.append(FilterControl(field=field, options=options))
    return controls


def _sort_columns(current: str) -> list[dict]:
    columns = []
    for key, label in SORTABLE_COLUMNS:
        if current == key:
            aria_sort, next_sort = "ascending", f"-{key}"
        elif current == f"-{key}":
            aria_sort, next_sort = "descending", key
        else:
            aria_sort, next_sort = "none", key
        action = "sort descending" if next_sort.startswith("-") else "sort ascending"
        columns.append(
            {
                "key": key,
                "label": label,
                "aria_sort": aria_sort,
                "next": next_sort,
                "action": action,
            }
        )
    return columns


# ---------------------------------------------------------------------------
# The queue
# ---------------------------------------------------------------------------


@role_required(*TRIAGE_ROLES)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    filters = QueueFilter(
        request.GET, queryset=selectors.queue_for(request.user), user=request.user, now=now
    )
    context = paginate_capped(request, filters.qs, QUEUE_PAGE_SIZE, limit=QUEUE_COUNT_LIMIT)
    page = context["page"]
    rows = []
    if page.paginator.count:
        rows = selectors.queue_rows(filters.qs)[page.start_index() - 1 : page.end_index()]
    context.update(
        rows=_queue_rows(rows, user=request.user, now=now),
        filters=filters,
        search=filters.form["q"],
        filter_controls=_filter_controls(filters),
        columns=_sort_columns(filters.current_sort),
        now=now,
        forces=selectors.triage_forces_of(request.user),
        is_supervisor=request.user.has_role(Role.TRIAGE_SUPERVISOR),
    )
    return render(request, "triage/queue.html", context)


@role_required(*TRIAGE_ROLES)
@require_POST
def claim_next(request: HttpRequest) -> HttpResponse:
    try:
        case = case_claim_next(actor=request.user)
    except ValidationError as error:
        problem(request, error)
        return redirect("triage:queue")
    if case is None:
        messages.info(request, "There are no unassigned cases in your queue.")
        return redirect("triage:queue")
    messages.success(request, f"You claimed case {case.report.reference}.")
    return to_case(case)


@role_required(Role.TRIAGE_SUPERVISOR)
@require_GET
def supervisor(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    context = paginate(
        request, selectors.breached_cases_for_supervisor(request.user, now), SUPERVISOR_PAGE_SIZE
    )
    context.update(
        now=now,
        workload=selectors.workload_for_supervisor(request.user, now),
        replied_count=selectors.replied_count_for_supervisor(request.user),
    )
    return render(request, "triage/supervisor.html", context)
