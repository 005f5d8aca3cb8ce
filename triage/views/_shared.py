"""What every triage page shares: the roles that may use them, messages, pagination."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from harmsportal.people.models import Role
from triage.models import Case

TRIAGE_ROLES = (Role.TRIAGE, Role.TRIAGE_SUPERVISOR)


def problem(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def to_case(case: Case) -> HttpResponse:
    return redirect("triage:case", pk=case.pk)


def paginate(request: HttpRequest, items, size: int) -> dict:
    page = Paginator(items, size).get_page(request.GET.get("page"))
    return {
        "page": page,
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=1),
    }
