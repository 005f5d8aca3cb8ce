"""The training admin (training/admin.py): platform admins only; only drafts are edited;
publishing goes through version_publish; a person's completions and feedback are read only."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.training.factories import (
    CompletionFactory,
    DraftVersionFactory,
    FeedbackFactory,
    ForceModuleFactory,
    ModuleFactory,
    TrainingProfileFactory,
)
from training.models import Completion, Feedback, Module, VersionStatus
from training.services import authoring

pytestmark = pytest.mark.django_db


def admin_url(model: str, obj=None, page: str = "") -> str:
    base = f"/admin/training/{model}/"
    return f"{base}{obj.pk}/{page}" if obj is not None else f"{base}{page}"


@pytest.fixture
def rows(officer):
    module = ModuleFactory(version__quiz=1)
    completion = CompletionFactory(person=officer, module=module)
    return {
        "module": module,
        "version": module.published_version(),
        "question": module.published_version().questions.get(),
        "completion": completion,
        "feedback": FeedbackFactory(completion=completion),
        "profile": TrainingProfileFactory(),
    }


@pytest.mark.parametrize(
    ("model", "key"),
    [
        ("module", "module"),
        ("moduleversion", "version"),
        ("question", "question"),
        ("audiencerule", None),
        ("trainingprofile", "profile"),
        ("completion", "completion"),
        ("feedback", "feedback"),
    ],
)
def test_a_platform_admin_opens_every_training_admin_page(client, platform_admin, rows, model, key):
    client.force_login(platform_admin)

    assert client.get(admin_url(model)).status_code == 200
    if key is not None:
        assert client.get(admin_url(model, rows[key], "change/")).status_code == 200


@pytest.mark.parametrize("who", ["trainer", "officer"])
def test_nobody_else_reaches_the_training_admin(client, persona, who):
    client.force_login(persona(who))

    assert client.get(admin_url("module")).status_code == 403


def test_completions_and_feedback_are_read_only(client, platform_admin, rows):
    client.force_login(platform_admin)
    completion, feedback = rows["completion"], rows["feedback"]

    page = client.get(admin_url("completion", completion, "change/")).content.decode()
    assert 'name="_save"' not in page
    assert client.post(admin_url("completion", completion, "change/"), {}).status_code == 403
    assert (
        client.post(admin_url("completion", completion, "delete/"), {"post": "yes"}).status_code
        == 403
    )
    assert (
        client.post(admin_url("feedback", feedback, "delete/"), {"post": "yes"}).status_code == 403
    )
    assert client.get(admin_url("completion", page="add/")).status_code == 403
    assert Completion.objects.filter(pk=completion.pk).exists()
    assert Feedback.objects.filter(pk=feedback.pk).exists()


def test_a_published_version_cannot_be_edited_in_the_admin(client, platform_admin, rows):
    version = rows["version"]
    client.force_login(platform_admin)

    page = client.get(admin_url("moduleversion", version, "change/")).content.decode()
    assert 'name="_save"' not in page
    response = client.post(
        admin_url("moduleversion", version, "change/"), {"estimated_minutes": "99"}
    )
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.estimated_minutes != 99


def test_a_module_added_in_the_admin_starts_with_a_draft(client, platform_admin):
    client.force_login(platform_admin)
    review = timezone.localdate() + datetime.timedelta(days=300)

    response = client.post(
        admin_url("module", page="add/"),
        {
            "title": "From the admin",
            "slug": "from-the-admin",
            "summary": "Added by a platform admin.",
            "audiences": '["leadership"]',
            "review_due": review.isoformat(),
            "refresh_months": "",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    module = Module.objects.get(slug="from-the-admin")
    assert module.is_national
    assert module.created_by == platform_admin
    assert module.versions.get().status == VersionStatus.DRAFT


def publish_action(client, version, action="publish"):
    return client.post(
        admin_url("moduleversion"),
        {"action": action, "_selected_action": [str(version.pk)]},
        follow=True,
    )


def test_the_admin_publishes_a_national_draft_through_version_publish(
    client, platform_admin, monkeypatch
):
    calls = []
    monkeypatch.setattr(
        authoring.assigning, "recompletion_assign", lambda *, version: calls.append(version.pk)
    )
    module = ModuleFactory()
    v1 = module.published_version()
    v2 = DraftVersionFactory(module=module)
    client.force_login(platform_admin)

    response = publish_action(client, v2, "publish_requiring_recompletion")

    assert "is published" in response.content.decode()
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (VersionStatus.RETIRED, VersionStatus.PUBLISHED)
    assert v2.published_by == platform_admin
    assert calls == [v2.pk]


def test_the_admin_does_not_publish_a_forces_module_or_an_unfinished_draft(client, platform_admin):
    force_draft = DraftVersionFactory(module=ForceModuleFactory())
    empty = DraftVersionFactory(module=ModuleFactory(), sections=0)
    client.force_login(platform_admin)

    refused = publish_action(client, force_draft).content.decode()
    unfinished = publish_action(client, empty).content.decode()

    assert "training administrators can change it" in refused
    assert "Write at least one section before publishing." in unfinished
    force_draft.refresh_from_db()
    empty.refresh_from_db()
    assert force_draft.status == empty.status == VersionStatus.DRAFT
