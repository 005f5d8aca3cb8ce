"""Platform admins look after national library resources and services; referrals are not
in the admin at all."""

from __future__ import annotations

import pytest

from wellbeing.models import Resource

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/admin/wellbeing/resource/",
        "/admin/wellbeing/resource/add/",
        "/admin/wellbeing/supportservice/",
        "/admin/wellbeing/championlisting/",
    ],
)
def test_platform_admin_reaches_the_wellbeing_admin(client, platform_admin, path):
    client.force_login(platform_admin)
    assert client.get(path).status_code == 200


def test_referrals_are_not_in_the_admin(client, platform_admin):
    client.force_login(platform_admin)
    assert client.get("/admin/wellbeing/referral/").status_code == 404
    assert "referral" not in client.get("/admin/").content.decode().lower()


def test_a_national_resource_added_in_the_admin_must_link_over_https(client, platform_admin):
    client.force_login(platform_admin)
    data = {
        "kind": "helpline",
        "title": "A helpline",
        "summary": "Someone to talk to.",
        "url": "http://example.org/",
        "for_families": "on",
        "published_at_0": "2026-11-29",
        "published_at_1": "10:00:00",
    }
    response = client.post("/admin/wellbeing/resource/add/", data)
    assert response.status_code == 200
    assert "Enter a link that starts with https://" in response.content.decode()
    assert not Resource.objects.exists()

    data["url"] = "https://example.org/"
    assert client.post("/admin/wellbeing/resource/add/", data).status_code == 302
    resource = Resource.objects.get()
    assert resource.force is None
    assert resource.published_by == platform_admin
