"""Subject access: the signed-in person's own data, as a readable page and as JSON.

Both show exactly `subject_access_data(request.user)`: the page lays it out as GOV.UK
summary lists, the download is the same data as JSON. Each is recorded in the access log.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from harmsportal.templatetags.govuk_time import govuk_date, govuk_datetime
from privacy.services.subject_access import subject_access_data, subject_access_record

# What each part is called on the page, in the order the page shows them.
SECTIONS = {
    "account": "Your account",
    "two_factor_authentication": "Two-factor authentication",
    "family_links": "Family links",
    "reports": "Your reports",
    "wellbeing_referrals": "Your wellbeing support",
    "training": "Your training",
    "notifications": "Your notifications",
}
# Page labels where the JSON key does not read well as it is ("full_name" reads "Full name").
LABELS = {
    "joined_at": "Joined",
    "last_signed_in_at": "Last signed in",
    "active": "Account active",
    "professional_standards": "Works in Professional Standards",
    "about_you": "About you (optional questions)",
    "age_band": "Age",
    "gender_same_as_sex": "Gender the same as sex registered at birth",
    "ethnicity": "Ethnic group",
    "sexual_orientation": "Sexual orientation",
    "email_addresses": "Email addresses",
    "since": "Since",
    "enabled": "Turned on",
    "added_at": "Added",
    "last_used_at": "Last used",
    "you_are": "You are",
    "invited_email": "Email address invited",
    "invited_at": "Invited",
    "accepted_at": "Accepted",
    "ended_at": "Ended",
    "started_at": "Started",
    "sent_at": "Sent",
    "at": "When",
    "outcome_at": "Outcome given",
    "withdrawn_at": "Withdrawn",
    "declined_at": "Declined",
    "closed_at": "Closed",
    "size_bytes": "Size (bytes)",
    "download_path": "Download",
    "from_your_report": "From your report",
    "given_at": "Given",
    "written_at": "Written",
    "check_in_every_days": "Check in every (days)",
    "check_ins": "Check-ins",
    "assigned_at": "Assigned",
    "due_on": "Due",
    "completed_at": "Completed",
    "cancelled_at": "Cancelled",
    "read_every_part_at": "Read every part",
    "quiz_attempts": "Quiz attempts",
    "out_of": "Out of",
    "expires_on": "Runs out on",
    "score_percent": "Score (%)",
    "footprint_checks": "Digital footprint self-checks",
    "saved_answers": "Answers you chose to save",
    "read_at": "Read",
    "emailed_at": "Emailed",
    "what_it_said": "What it said",
}
# The field that names one item of a list, as its card's title; those in DATED_TITLES say when
# too ("You, 3 May 2026 at 2:15pm"), and an item with no name is titled by its date alone.
TITLE_KEYS = (
    "reference",
    "module",
    "file_name",
    "link",
    "kind",
    "relationship",
    "method",
    "force",
    "email",
    "status",
    "from",
)
DATED_TITLES = frozenset({"kind", "status", "from"})
WHEN_KEYS = ("sent_at", "at", "written_at", "completed_at", "added_at")
EMPTY = "None"


def _label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " ").capitalize())


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return govuk_datetime(timezone.localtime(value))
    if isinstance(value, datetime.date):
        return govuk_date(value)
    if value is None or value == "":
        return EMPTY
    return str(value)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def _node(value: Any, level: int) -> dict[str, Any]:
    """The page's layout of one value: text, a list, a summary list, or a list of cards.

    Only data: the template (privacy/_node.html) renders it, escaping every value.
    """
    if isinstance(value, dict):
        # Empty answers are left off the page (the download keeps them, as null or "").
        rows = [
            _row(key, item, value)
            for key, item in value.items()
            if _is_scalar(item) and item not in (None, "")
        ]
        parts = [
            {"heading": _label(key), "id": key.replace("_", "-"), "node": _node(item, level + 1)}
            for key, item in value.items()
            if not _is_scalar(item) and item is not None
        ]
        return {"type": "record", "rows": rows, "parts": parts, "level": min(level, 6)}
    if isinstance(value, list):
        if not value:
            return {"type": "text", "text": EMPTY}
        if all(_is_scalar(item) for item in value):
            return {"type": "bullets", "items": [_text(item) for item in value]}
        if all(isinstance(item, dict) and set(item) == {"question", "answer"} for item in value):
            rows = [{"label": item["question"], "text": _answer(item["answer"])} for item in value]
            return {"type": "record", "rows": rows, "parts": [], "level": min(level, 6)}
        cards = [
            {"title": _card_title(item, number), "node": _node(item, level + 1)}
            for number, item in enumerate(value, start=1)
        ]
        return {"type": "cards", "cards": cards, "level": min(level, 6)}
    return {"type": "text", "text": _text(value)}


def _row(key: str, value: Any, record: dict[str, Any]) -> dict[str, str]:
    if key == "download_path":
        # A link to the person's own file; named, so each link says which file it opens.
        return {"label": _label(key), "href": value, "text": f"Download {record['file_name']}"}
    return {"label": _label(key), "text": _text(value)}


def _answer(answer: Any) -> str:
    return "\n".join(answer) if isinstance(answer, list) else _text(answer)


def _card_title(item: dict[str, Any], number: int) -> str:
    key = next((key for key in TITLE_KEYS if item.get(key)), None)
    when = next((item[key] for key in WHEN_KEYS if item.get(key)), None)
    if key is None:
        return _text(when) if when else f"{number}"
    if key in DATED_TITLES and when:
        return f"{item[key]}, {_text(when)}"
    return str(item[key])


@login_required
@require_GET
@never_cache
def overview(request: HttpRequest) -> HttpResponse:
    data = subject_access_data(request.user)
    subject_access_record(actor=request.user, downloaded=False)
    sections = [
        {"id": key.replace("_", "-"), "title": title, "node": _node(data[key], 3)}
        for key, title in SECTIONS.items()
    ]
    context = {"about": data["about_this_copy"], "sections": sections}
    return render(request, "privacy/subject_access.html", context)


@login_required
@require_GET
@never_cache
def download_json(request: HttpRequest) -> JsonResponse:
    data = subject_access_data(request.user)
    subject_access_record(actor=request.user, downloaded=True)
    response = JsonResponse(data, encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2})
    filename = f"harms-portal-your-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
