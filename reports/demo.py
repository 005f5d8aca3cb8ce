"""Demo reports for `manage.py seed_demo`: a few sent reports, made through the real services.

Each report carries a `demo_key`, so seeding again finds it and creates nothing new. They go
through `report_submit`, so each gets a real reference, an acknowledgement and — once triage
is installed — a case in West Yorkshire's queue. Each is then moved back to the time its
story says it was sent (its own times, timeline and acknowledgement), so the reporter's
"sent on" and triage's "received" agree: triage's demo starts its case from that time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from harmsportal.notifications.models import Notification
from harmsportal.people.models import User
from harmsportal.people.selectors import live_links_as_family
from reports.models import (
    ContactPreference,
    HarmCategory,
    OfflineImpact,
    Platform,
    Report,
    Subject,
)
from reports.services.drafting import report_answers_save
from reports.services.sending import report_submit


@dataclass(frozen=True)
class DemoReport:
    key: str
    account: str
    categories: tuple[str, ...]
    platforms: tuple[str, ...]
    days_ago: int | None  # when it started; None: no start date given, "it is still going on"
    sent_hours_ago: int  # when the report was sent: triage's demo works its case from then
    description: str
    answers: dict[str, Any] = field(default_factory=dict)


DEMO_REPORTS: tuple[DemoReport, ...] = (
    DemoReport(
        key="demo-officer-doxxing",
        account="officer",
        categories=("doxxing", "threats"),
        platforms=("x", "facebook"),
        days_ago=9,
        sent_hours_ago=72,
        description=(
            "After a video of an arrest I made was shared, an account on X posted my name, "
            "my collar number and the name of the street I live on. A local Facebook group "
            "reshared it and several people commented that someone should 'pay me a visit'. "
            "Two days later a car I did not recognise parked outside my house for an hour. "
            "I have reported the posts to both platforms but they are still up."
        ),
        answers={
            "is_ongoing": True,
            "perpetrator_known": "no",
            "offline_impacts": [OfflineImpact.HOME_VISITED],
            "impact_level": 4,
            "wants_support": "yes",
            "line_manager_consent": True,
            "contact_preference": ContactPreference.PHONE,
            "phone": "07700 900 123",
        },
    ),
    DemoReport(
        key="demo-officer-impersonation",
        account="officer",
        categories=("impersonation",),
        platforms=("instagram",),
        days_ago=30,
        sent_hours_ago=20 * 24,
        description=(
            "Someone has set up an Instagram account using my name and a photo of me in "
            "uniform taken from a force news story. It follows people from my area and has "
            "sent messages pretending to be me. Friends have asked me about it."
        ),
        answers={
            "perpetrator_known": "not_sure",
            "perpetrator_details": "It may be linked to a neighbourhood dispute I dealt with.",
            "offline_impacts": [OfflineImpact.NONE],
            "impact_level": 2,
            "wants_support": "not_sure",
            "contact_preference": ContactPreference.EMAIL,
        },
    ),
    DemoReport(
        key="demo-officer-child",
        account="officer",
        categories=("family-targeting",),
        platforms=("facebook",),
        days_ago=4,
        sent_hours_ago=50,
        description=(
            "A parents' group for my son's school shared a post saying his dad is 'the copper "
            "from the video'. It named his class. He has been asked about it at the school gate "
            "and is worried about going in."
        ),
        answers={
            "subject": Subject.CHILD,
            "child_first_name": "Leo",
            "child_age_band": "5_to_9",
            "perpetrator_known": "yes",
            "perpetrator_details": "The post was made by another parent at the school.",
            "offline_impacts": [OfflineImpact.FAMILY_APPROACHED],
            "impact_level": 3,
            "wants_support": "yes",
            "contact_preference": ContactPreference.EMAIL,
        },
    ),
    DemoReport(
        key="demo-family-harassment",
        account="family",
        categories=("harassment", "family-targeting"),
        platforms=("whatsapp",),
        days_ago=21,
        sent_hours_ago=16 * 24,
        description=(
            "I keep getting WhatsApp messages from numbers I don't know asking which shifts "
            "my partner is working and saying they know what car we drive. I have blocked "
            "each number but new ones keep appearing."
        ),
        answers={
            "is_ongoing": True,
            "perpetrator_known": "no",
            "offline_impacts": [OfflineImpact.PROPERTY_TARGETED],
            "impact_level": 4,
            "wants_support": "yes",
            "contact_preference": ContactPreference.PORTAL,
        },
    ),
    DemoReport(
        key="demo-staff-pile-on",
        account="staff",
        categories=("pile-ons", "abuse"),
        platforms=("tiktok",),
        days_ago=6,
        sent_hours_ago=5,
        description=(
            "A member of the public filmed me at the front counter while I explained that I "
            "could not take their report there and then. The clip was posted on TikTok with my "
            "face and name badge visible. It has thousands of views and many insulting comments."
        ),
        answers={
            "perpetrator_known": "yes",
            "perpetrator_details": "The person who filmed it gave their name at the counter.",
            "offline_impacts": [OfflineImpact.APPROACHED],
            "impact_level": 3,
            "wants_support": "no",
            "contact_preference": ContactPreference.EMAIL,
        },
    ),
)


def _base_answers(spec: DemoReport, reporter: User) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "subject": Subject.SELF,
        "categories": HarmCategory.objects.filter(slug__in=spec.categories),
        "platforms": Platform.objects.filter(slug__in=spec.platforms),
        "started_on": (
            timezone.localdate() - timedelta(days=spec.days_ago)
            if spec.days_ago is not None
            else None
        ),
        "related_to_role": True,
        "description": spec.description,
    }
    if reporter.kind == User.Kind.FAMILY:
        link = live_links_as_family(reporter).first()
        answers.update(family_link=link, force=link.force, shared_with_member=True)
    else:
        answers["line_manager_answered"] = True
    return answers | spec.answers


@transaction.atomic
def seed(accounts: dict[str, User]) -> None:
    """Create the demo reports that do not exist yet; skip those whose account is missing."""
    for spec in DEMO_REPORTS:
        reporter = accounts.get(spec.account)
        if reporter is None or Report.objects.filter(demo_key=spec.key).exists():
            continue
        answers = _base_answers(spec, reporter)
        if reporter.kind == User.Kind.FAMILY and answers.get("family_link") is None:
            continue  # a family account with no accepted link has no force to report to
        draft = Report.objects.create(
            reporter=reporter,
            force=answers.get("force") or reporter.home_force,
            demo_key=spec.key,
        )
        report_answers_save(actor=reporter, report=draft, answers=answers)
        report_submit(actor=reporter, report=draft)
        _backdate(Report.objects.get(pk=draft.pk), hours=spec.sent_hours_ago)


def _backdate(report: Report, *, hours: int) -> None:
    """Move a just-sent demo report back `hours` (demo data only): when it was started and
    sent, its timeline, and the acknowledgement that reached the reporter's inbox."""
    sent = report.submitted_at - timedelta(hours=hours)
    started = sent - timedelta(minutes=15)  # about how long the questions take
    Report.objects.filter(pk=report.pk).update(
        created_at=started, updated_at=sent, submitted_at=sent
    )
    report.status_events.update(at=sent)
    Notification.objects.filter(
        user=report.reporter,
        kind=Notification.Kind.ACKNOWLEDGEMENT,
        link_path__contains=str(report.public_id),
    ).update(created_at=sent)
