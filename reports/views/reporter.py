"""A reporter's own reports: the list, one report, messages, withdrawal, sharing and evidence.

Each read of a report or its evidence is recorded in the access log in the same
transaction as the read, so nothing is ever shown without its record.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from harmsportal.audit.models import AccessLog
from reports.answer_rows import answer_rows, evidence_count
from reports.downloads import attachment_response, evidence_file_read, requested_copy
from reports.forms import MessageForm, WithdrawForm
from reports.models import Report
from reports.selectors import (
    get_evidence_for_user,
    get_report_for_user,
    reader_role,
    report_seen_by,
    reports_of_reporter,
    reports_shared_with,
)
from reports.services.conversation import (
    report_access_record,
    report_message_send,
    report_messages_mark_read,
    report_sharing_stop,
)
from reports.services.evidence import report_evidence_add_after_send, report_link_add_after_send
from reports.services.lifecycle import report_withdraw
from reports.step_urls import resume_url
from reports.views.evidence_form import evidence_form_handle
from training.services.notices import line_manager_notice_for


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    own = list(reports_of_reporter(request.user))
    context = {
        "drafts": [(r, resume_url(r)) for r in own if r.is_draft],
        "reports": [r for r in own if not r.is_draft],
        "shared": reports_shared_with(request.user),
    }
    return render(request, "reports/list.html", context)


def _render_detail(request: HttpRequest, report: Report, message_form: MessageForm) -> HttpResponse:
    """The report page. Call inside the transaction that recorded the read."""
    is_reporter = report.reporter_id == request.user.pk
    member = report.linked_member
    context = {
        "report": report,
        "is_reporter": is_reporter,
        # Only the reporter may open the evidence; the member it is shared with sees how much.
        "rows": answer_rows(report, name_evidence=is_reporter),
        "evidence": report.evidence.all() if is_reporter else [],
        "evidence_count": "" if is_reporter else evidence_count(report),
        "timeline": report.status_events.all(),
        "thread": report.messages.select_related("author"),
        "seen_by": report_seen_by(report) if is_reporter else [],
        "message_form": message_form,
        "can_message": is_reporter and report.is_open,
        "can_withdraw": is_reporter and report.is_open,
        "can_add_evidence": is_reporter and report.is_open,
        # The family account's choice about sharing, while the link to that member is live.
        "sharing_member": member if is_reporter and _link_is_live(report) else None,
        # The reporter asked that their line manager be told: whether triage has told them.
        "line_manager_notice": line_manager_notice_for(report.public_id) if is_reporter else None,
    }
    return render(request, "reports/detail.html", context)


def _link_is_live(report: Report) -> bool:
    return report.family_link_id is not None and report.family_link.revoked_at is None


@login_required
def detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    with transaction.atomic():
        report = get_report_for_user(request.user, pk)
        if report.is_draft:
            return redirect(resume_url(report))
        report_access_record(actor=request.user, report=report, action=AccessLog.Action.READ)
        report_messages_mark_read(actor=request.user, report=report)
        return _render_detail(request, report, MessageForm())


@login_required
@require_POST
def message_send(request: HttpRequest, pk: UUID) -> HttpResponse:
    with transaction.atomic():
        report = get_report_for_user(request.user, pk, as_reporter=True)
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                report_message_send(
                    actor=request.user, report=report, body=form.cleaned_data["body"]
                )
            except ValidationError as error:
                form.add_error("body", error.messages[0])
        if form.is_valid():
            messages.success(request, "Your message has been sent.")
            return redirect(reverse("reports:detail", args=[report.public_id]) + "#messages")
        # The page shows the report again with the message kept: that is a read, recorded.
        report_access_record(actor=request.user, report=report, action=AccessLog.Action.READ)
        return _render_detail(request, report, form)


@login_required
def withdraw(request: HttpRequest, pk: UUID) -> HttpResponse:
    report = get_report_for_user(request.user, pk, as_reporter=True)
    if not report.is_open:
        return redirect("reports:detail", pk=report.public_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report_withdraw(actor=request.user, report=report, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            # Triage closed it a moment ago: say so on the report page, never a 500.
            messages.info(request, error.messages[0])
        else:
            messages.success(request, f"Your report {report.reference} has been withdrawn.")
        return redirect("reports:detail", pk=report.public_id)
    back_url = reverse("reports:detail", args=[report.public_id])
    return render(
        request, "reports/withdraw.html", {"report": report, "form": form, "back_url": back_url}
    )


@login_required
def add_evidence(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The reporter adds files or links to their sent report; triage is told (reports.services).

    Their own open reports only: 404 for anyone else's (the linked member's too), and a closed
    or withdrawn report goes back to its page.
    """
    report = get_report_for_user(request.user, pk, as_reporter=True)
    if report.is_draft or not report.is_open:
        return redirect("reports:detail", pk=report.public_id)
    form = evidence_form_handle(
        request,
        report,
        add_file=report_evidence_add_after_send,
        add_link=report_link_add_after_send,
    )
    action = request.POST.get("action", "")
    if request.method == "POST" and not form.errors:
        if action == "done":
            return redirect(reverse("reports:detail", args=[report.public_id]) + "#evidence")
        return redirect("reports:add_evidence", pk=report.public_id)
    context = {
        "report": report,
        "form": form,
        "evidence": report.evidence.all(),
        "back_url": reverse("reports:detail", args=[report.public_id]),
    }
    return render(request, "reports/add_evidence.html", context)


@login_required
@require_POST
def stop_sharing(request: HttpRequest, pk: UUID) -> HttpResponse:
    """A family account stops sharing their report with the member it was shared with."""
    report = get_report_for_user(request.user, pk, as_reporter=True)
    member = report.linked_member
    if report_sharing_stop(actor=request.user, report=report) and member is not None:
        messages.success(
            request,
            f"You have stopped sharing this report with {member.get_short_name()}. "
            "They can no longer see it.",
        )
    return redirect("reports:detail", pk=report.public_id)


@login_required
def evidence_download(request: HttpRequest, pk: UUID, evidence_pk: UUID) -> HttpResponse:
    """The reporter's own file, decrypted on the fly, as a download only (reports.downloads)."""
    report, evidence = get_evidence_for_user(request.user, pk, evidence_pk)
    file = evidence_file_read(
        actor=request.user,
        evidence=evidence,
        force=report.force,
        role=reader_role(request.user, report),
        copy=requested_copy(request.GET.get("copy")),
    )
    return attachment_response(file)
