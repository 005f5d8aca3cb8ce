"""The admin is for platform admins, leaks nothing it need not show, and is itself audited."""

from __future__ import annotations

from harmsportal.audit.models import AccessLog
from tests.factories import enrol_totp, make_person


def test_admin_cannot_list_people_by_a_demographic_answer(client, platform_admin, officer):
    officer.sexual_orientation = "gay_lesbian"
    officer.save()
    client.force_login(platform_admin)

    response = client.get("/admin/people/user/?sexual_orientation=gay_lesbian")

    # Django answers a refused lookup as a suspicious request (400), listing nobody.
    assert response.status_code == 400
    assert officer.email not in response.content.decode()


def test_admin_never_shows_a_totp_secret(client, platform_admin, triager):
    secret = enrol_totp(make_person())  # a second person's secret, for a distinct value
    client.force_login(platform_admin)

    listing = client.get("/admin/mfa/authenticator/").content.decode()
    from allauth.mfa.models import Authenticator

    detail_pages = [
        client.get(f"/admin/mfa/authenticator/{pk}/change/").content.decode()
        for pk in Authenticator.objects.values_list("pk", flat=True)
    ]

    assert secret not in listing
    assert all(secret not in page for page in detail_pages)
    assert all('name="data"' not in page for page in detail_pages)


def test_admin_cannot_re_point_a_family_link(client, platform_admin, family_member):
    from harmsportal.people.models import FamilyLink

    link = FamilyLink.objects.get(family_user=family_member)
    client.force_login(platform_admin)
    # Django's admin names rows by primary key (tests/test_link_walk.py says why that is kept).
    response = client.get(f"/admin/people/familylink/{link.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="relationship"' in page  # the change form itself, not a redirect
    assert 'name="member"' not in page
    assert 'name="family_user"' not in page


def test_every_admin_page_a_platform_admin_opens_is_audited(client, platform_admin):
    client.force_login(platform_admin)
    client.get("/admin/people/user/")
    row = AccessLog.objects.get(actor=platform_admin, object_id="/admin/people/user/")
    assert row.action == "admin"
    assert row.actor_role == "platform_admin"
    assert row.reason == "GET /admin/people/user/"


def test_refused_admin_visits_are_not_logged_as_admin_use(client, officer):
    client.force_login(officer)
    assert client.get("/admin/").status_code == 403
    assert not AccessLog.objects.filter(action="admin").exists()
