"""Report factories (one per state) and the answers a reporter gives on each step."""

from __future__ import annotations

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from harmsportal.people.models import FamilyLink
from reports.models import (
    ContactPreference,
    HarmCategory,
    Platform,
    Report,
    ReportStatus,
    Subject,
)
from tests.reports import hostile_files

DESCRIPTION = (
    "An account posted my photo and the street I live on, saying people should visit me "
    "because of an arrest I made. Others shared it and I got messages all evening."
)


class DraftReportFactory(factory.django.DjangoModelFactory):
    """A draft with every question answered: ready for check answers and submit."""

    class Meta:
        model = Report
        skip_postgeneration_save = True

    force = factory.LazyAttribute(lambda report: report.reporter.home_force)
    status = ReportStatus.DRAFT
    subject = Subject.SELF
    is_ongoing = True
    related_to_role = True
    description = DESCRIPTION
    perpetrator_known = "no"
    offline_impacts = factory.LazyFunction(lambda: ["none"])
    impact_level = 3
    wants_support = "yes"
    line_manager_answered = True
    contact_preference = ContactPreference.EMAIL

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create:
            slugs = extracted or ["doxxing"]
            self.categories.set(HarmCategory.objects.filter(slug__in=slugs))

    @factory.post_generation
    def platforms(self, create, extracted, **kwargs):
        if create:
            slugs = extracted or ["x"]
            self.platforms.set(Platform.objects.filter(slug__in=slugs))


class SubmittedReportFactory(DraftReportFactory):
    status = ReportStatus.SUBMITTED
    reference = factory.Sequence(lambda n: f"OH-WYP-2026-{900000 + n:06d}")
    submitted_at = factory.LazyFunction(timezone.now)
    taxonomy_version = 1


def family_report(family_user, *, shared: bool, **fields) -> Report:
    """A submitted report from a family account, about harm they suffered."""
    link = FamilyLink.objects.get(family_user=family_user)
    return SubmittedReportFactory(
        reporter=family_user,
        force=link.force,
        family_link=link,
        shared_with_member=shared,
        line_manager_answered=False,
        **fields,
    )


def image_upload(name: str = "screenshot.jpg") -> SimpleUploadedFile:
    """A JPEG carrying GPS coordinates in its EXIF, as a phone camera would save it."""
    return SimpleUploadedFile(name, hostile_files.jpeg(gps=True), content_type="image/jpeg")


def step_answers(slug: str, report: Report | None = None) -> dict:
    """Valid POST data for one step, as a reporter would fill it in."""
    categories = HarmCategory.objects.current()
    platforms = Platform.objects.current()
    answers = {
        "who": {"subject": "self"},
        "what": {
            "categories": [
                categories.get(slug="doxxing").pk,
                categories.get(slug="threats").pk,
            ]
        },
        "hate": {"hate_characteristics": ["religion"]},
        "where": {"platforms": [platforms.get(slug="x").pk, platforms.get(slug="facebook").pk]},
        "when": {"started_on_0": "3", "started_on_1": "2", "started_on_2": "2026"},
        "role": {"related_to_role": "yes"},
        "description": {"description": DESCRIPTION},
        "perpetrator": {"perpetrator_known": "not_sure", "perpetrator_details": ""},
        "offline": {"offline_impacts": ["home_visited", "property_targeted"]},
        "impact": {"impact_level": "4"},
        "support": {"wants_support": "yes"},
        "line-manager": {"line_manager_consent": "no"},
        "contact": {"contact_preference": "email", "phone": ""},
        "sharing": {"shared_with_member": "yes"},
        "child": {"child_first_name": "Mia", "child_age_band": "10_to_12"},
        "family-member": {"person": "child"},
    }
    if slug == "whose-role" and report is not None:
        link = FamilyLink.objects.get(family_user=report.reporter)
        answers["whose-role"] = {"family_link": str(link.pk)}
    return {**answers[slug], "action": "continue"}
