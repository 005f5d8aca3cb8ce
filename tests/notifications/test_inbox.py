"""The in-portal inbox: your own notifications only, opened through one access check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from harmsportal.notifications.models import Notification
from tests.notifications.factories import NotificationFactory

INBOX = "/notifications/"

pytestmark = pytest.mark.django_db


def inbox_item(user, **fields) -> Notification:
    fields.setdefault("email_status", Notification.EmailStatus.SENT)
    return NotificationFactory(user=user, to_email=user.email, **fields)


def test_inbox_url_names_resolve():
    notification_id = "8d5c6a8e-7c8b-4e8c-9b1f-0a3c9f1e2d3b"
    assert reverse("notifications:inbox") == INBOX
    assert reverse("notifications:open", args=[notification_id]) == f"{INBOX}{notification_id}/"
    assert reverse("notifications:mark_all_read") == f"{INBOX}read-all/"


def test_inbox_lists_only_my_own_notifications(client, officer, staff_member):
    inbox_item(officer, title="Your report OH-WYP-2026-000123 has an update")
    inbox_item(staff_member, title="Someone else's case was closed")
    client.force_login(officer)

    page = client.get(INBOX).content.decode()

    assert "Your report OH-WYP-2026-000123 has an update" in page
    assert "Someone else" not in page


def test_inbox_shows_read_and_unread_tags_and_a_link_to_open_each(client, officer):
    unread = inbox_item(officer, title="Unread one")
    inbox_item(officer, title="Read one", read_at=timezone.now())
    client.force_login(officer)

    page = client.get(INBOX).content.decode()

    assert '<strong class="govuk-tag govuk-tag--blue">Unread</strong>' in page
    assert '<strong class="govuk-tag govuk-tag--grey">Read</strong>' in page
    assert f'href="/notifications/{unread.pk}/"' in page
    assert "You have 1 unread notification." in page
    assert "Mark all as read" in page


def test_inbox_with_nothing_in_it_says_so(client, officer):
    client.force_login(officer)

    page = client.get(INBOX).content.decode()

    assert "You have no notifications." in page
    assert "Mark all as read" not in page


def test_inbox_is_paginated_newest_first(client, officer):
    now = timezone.now()
    for n in range(25):
        inbox_item(
            officer, title=f"Notification number {n:02d}", created_at=now - timedelta(hours=n)
        )
    client.force_login(officer)

    first = client.get(INBOX).content.decode()
    second = client.get(INBOX, {"page": 2}).content.decode()

    assert "Notification number 00" in first
    assert "Notification number 19" in first
    assert "Notification number 20" not in first
    assert 'rel="next"' in first
    assert "Notification number 20" in second
    assert "Notification number 24" in second
    assert "Notification number 00" not in second


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, officer):
    notification = inbox_item(officer, link_path="/reports/7/")
    client.force_login(officer)

    response = client.post(f"{INBOX}{notification.pk}/")

    assert response.status_code == 302
    assert response["Location"] == "/reports/7/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_twice_keeps_the_time_it_was_first_read(client, officer):
    first_read = timezone.now() - timedelta(days=2)
    notification = inbox_item(officer, read_at=first_read)
    client.force_login(officer)

    response = client.get(f"{INBOX}{notification.pk}/")

    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at == first_read


@pytest.mark.parametrize(
    "link_path",
    ["", "https://phish.example/sign-in", "//phish.example/", "/\\phish.example", "javascript:x"],
)
def test_opening_never_redirects_off_the_portal(client, officer, link_path):
    notification = inbox_item(officer, link_path=link_path)
    client.force_login(officer)

    response = client.get(f"{INBOX}{notification.pk}/")

    assert response.status_code == 302
    assert response["Location"] == INBOX


def test_someone_elses_notification_is_not_found_and_stays_unread(client, officer, staff_member):
    theirs = inbox_item(staff_member, link_path="/reports/9/")
    client.force_login(officer)

    assert client.get(f"{INBOX}{theirs.pk}/").status_code == 404
    assert client.post(f"{INBOX}{theirs.pk}/").status_code == 404

    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_missing_notification_looks_the_same_as_someone_elses(client, officer):
    client.force_login(officer)

    response = client.get(f"{INBOX}8d5c6a8e-7c8b-4e8c-9b1f-0a3c9f1e2d3b/")

    assert response.status_code == 404


def test_invitation_to_an_address_is_in_nobodys_inbox(client, officer):
    invitation = NotificationFactory(
        user=None, to_email=officer.email, kind=Notification.Kind.FAMILY_INVITE
    )
    client.force_login(officer)

    assert client.get(f"{INBOX}{invitation.pk}/").status_code == 404
    assert invitation.title not in client.get(INBOX).content.decode()


def test_mark_all_as_read_marks_only_my_own(client, officer, staff_member):
    mine = [inbox_item(officer), inbox_item(officer)]
    theirs = inbox_item(staff_member)
    client.force_login(officer)

    response = client.post(f"{INBOX}read-all/")

    assert response.status_code == 302
    assert response["Location"] == INBOX
    assert all(Notification.objects.get(pk=n.pk).read_at is not None for n in mine)
    theirs.refresh_from_db()
    assert theirs.read_at is None
    page = client.get(INBOX).content.decode()
    assert "All your notifications are marked as read." in page
    assert "You have read all your notifications." in page


def test_mark_all_as_read_needs_a_post(client, officer):
    unread = inbox_item(officer)
    client.force_login(officer)

    assert client.get(f"{INBOX}read-all/").status_code == 405
    unread.refresh_from_db()
    assert unread.read_at is None


@pytest.mark.parametrize(("method", "route"), [("get", ""), ("get", "open"), ("post", "read-all/")])
def test_anonymous_visitor_is_sent_to_sign_in(client, officer, method, route):
    notification = inbox_item(officer)
    path = f"{INBOX}{notification.pk}/" if route == "open" else f"{INBOX}{route}"

    response = getattr(client, method)(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize(
    "who",
    ["officer", "family_member", "triager", "champion", "force_lead", "psd_officer"],
)
def test_everyone_signed_in_reads_their_own_inbox_and_nobody_elses(client, persona, who, analyst):
    user = persona(who)
    mine = inbox_item(user, title="Mine to read", link_path="/reports/1/")
    not_mine = inbox_item(analyst, title="Not mine")
    client.force_login(user)

    assert client.get(INBOX).status_code == 200
    assert client.get(f"{INBOX}{mine.pk}/")["Location"] == "/reports/1/"
    assert client.get(f"{INBOX}{not_mine.pk}/").status_code == 404
