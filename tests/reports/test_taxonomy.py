"""The national harms taxonomy: seeded, versioned, retired rather than deleted, importable."""

from __future__ import annotations

import pytest
import tablib
from django.utils import timezone

from reports.models import HarmCategory, Platform, current_taxonomy_version
from reports.resources import HarmCategoryResource, PlatformResource
from reports.services.sending import report_submit
from tests.reports.factories import DraftReportFactory, SubmittedReportFactory

DESIGN_CATEGORIES = [
    "Abuse and insults",
    "Harassment and unwanted contact",
    "Threats to you or your family",
    "Doxxing or malicious identification",
    "Impersonation and fake accounts",
    "Image-based abuse",
    "Filming, pile-ons and “trial by social media”",
    "Hate",
    "Stalking and tracking",
    "Targeting of family or children",
    "Account compromise, hacking and scams",
    "Disinformation and defamation",
    "Something else",
]


def test_the_design_categories_are_seeded_in_order(db):
    assert list(HarmCategory.objects.current().values_list("name", flat=True)) == (
        DESIGN_CATEGORIES
    )
    assert all(HarmCategory.objects.values_list("description", flat=True))


def test_only_hate_asks_for_a_protected_characteristic(db):
    assert list(
        HarmCategory.objects.filter(asks_characteristic=True).values_list("slug", flat=True)
    ) == ["hate"]


def test_the_platforms_are_seeded(db):
    names = set(Platform.objects.values_list("slug", flat=True))
    assert {"x", "facebook", "instagram", "tiktok", "youtube", "snapchat", "whatsapp"} <= names
    assert {"telegram", "reddit", "forums-websites", "email", "gaming", "dating-apps"} <= names
    assert "other" in names


def test_no_category_names_an_offence(db):
    words = " ".join(HarmCategory.objects.values_list("name", flat=True)).lower()
    for legal in ("act", "section", "offence", "s.", "criminal"):
        assert f" {legal} " not in f" {words} "


def test_a_retired_category_is_hidden_from_the_journey(client, officer):
    HarmCategory.objects.filter(slug="disinformation").update(retired_at=timezone.now())
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    page = client.get(f"/reports/{report.public_id}/step/what/").content.decode()
    assert "Abuse and insults" in page
    assert "Disinformation and defamation" not in page


def test_a_retired_category_cannot_be_chosen_by_posting_its_id(client, officer):
    retired = HarmCategory.objects.get(slug="disinformation")
    retired.retired_at = timezone.now()
    retired.save()
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    response = client.post(
        f"/reports/{report.public_id}/step/what/",
        {"categories": [retired.pk], "action": "continue"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not report.categories.filter(pk=retired.pk).exists()


def test_an_older_report_still_shows_a_category_retired_since(client, officer):
    report = SubmittedReportFactory(reporter=officer, categories=["disinformation"])
    HarmCategory.objects.filter(slug="disinformation").update(retired_at=timezone.now())
    client.force_login(officer)
    page = client.get(f"/reports/{report.public_id}/").content.decode()
    assert "Disinformation and defamation" in page


def test_a_retired_platform_is_hidden_from_the_journey(client, officer):
    Platform.objects.filter(slug="dating-apps").update(retired_at=timezone.now())
    client.force_login(officer)
    report = DraftReportFactory(reporter=officer)
    page = client.get(f"/reports/{report.public_id}/step/where/").content.decode()
    assert "Dating apps" not in page
    assert "TikTok" in page


def test_a_sent_report_records_the_taxonomy_version_it_used(officer):
    HarmCategory.objects.filter(slug="other").update(version=2)
    assert current_taxonomy_version() == 2
    report = report_submit(actor=officer, report=DraftReportFactory(reporter=officer))
    assert report.taxonomy_version == 2


# ---------------------------------------------------------------------------
# Import and export (django-import-export), matched by slug
# ---------------------------------------------------------------------------


def test_categories_round_trip_through_export_and_import(db):
    exported = HarmCategoryResource().export()
    assert exported.headers == [
        "slug",
        "name",
        "description",
        "version",
        "sort_order",
        "retired_at",
        "asks_characteristic",
    ]
    rows = [dict(zip(exported.headers, row, strict=True)) for row in exported]
    before = HarmCategory.objects.count()

    # Version 2: one entry renamed, one retired, one new.
    for row in rows:
        if row["slug"] == "abuse":
            row.update(name="Abuse, insults and slurs", version=2)
        if row["slug"] == "disinformation":
            row.update(retired_at="2026-06-01 00:00:00", version=2)
    rows.append(
        {
            "slug": "ai-generated-content",
            "name": "AI-generated content about you",
            "description": "Fake images, video or audio of you made with AI tools.",
            "version": 2,
            "sort_order": 125,
            "retired_at": "",
            "asks_characteristic": "0",
        }
    )
    dataset = tablib.Dataset(headers=exported.headers)
    for row in rows:
        dataset.append([row[h] for h in exported.headers])

    result = HarmCategoryResource().import_data(dataset, dry_run=False, raise_errors=True)
    assert not result.has_errors()
    assert HarmCategory.objects.count() == before + 1
    assert HarmCategory.objects.get(slug="abuse").name == "Abuse, insults and slurs"
    assert HarmCategory.objects.get(slug="disinformation").is_retired
    assert HarmCategory.objects.get(slug="ai-generated-content").version == 2
    assert HarmCategory.objects.get(slug="hate").asks_characteristic is True
    assert current_taxonomy_version() == 2


def test_reimporting_the_same_export_changes_nothing(db):
    exported = HarmCategoryResource().export()
    result = HarmCategoryResource().import_data(exported, dry_run=False, raise_errors=True)
    assert {row.import_type for row in result.rows} == {"skip"}


@pytest.mark.parametrize("resource", [PlatformResource, HarmCategoryResource])
def test_exports_carry_every_entry_by_slug(db, resource):
    exported = resource().export()
    model = resource._meta.model
    assert sorted(exported["slug"]) == sorted(model.objects.values_list("slug", flat=True))
