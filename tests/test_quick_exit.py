"""Acceptance 5, without JavaScript: "Exit this page" ends the session before leaving.

The button is a plain link to the portal's exit route. Following it signs the person out,
sends them to the neutral site and asks the browser to clear what it stored, so going Back to a
report page finds no session and lands on sign-in. The browser test is tests/e2e.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests.reports.factories import SubmittedReportFactory

pytestmark = pytest.mark.django_db

NEUTRAL = "https://www.bbc.co.uk/weather"


def _exit_href(html: str) -> str:
    button = re.search(r'<a href="([^"]+)"[^>]*govuk-exit-this-page__button', html)
    assert button is not None, "no Exit this page button on the page"
    return button.group(1)


def test_the_exit_button_is_a_plain_link_to_the_portals_exit_route(client, officer):
    client.force_login(officer)

    html = client.get(reverse("reports:start")).content.decode()

    assert _exit_href(html) == reverse("exit") == "/exit/"


def test_following_the_exit_link_signs_out_and_back_to_the_report_lands_on_sign_in(client, officer):
    report = SubmittedReportFactory(reporter=officer)
    report_url = reverse("reports:detail", args=[report.public_id])
    client.force_login(officer)
    page = client.get(report_url)
    assert page.status_code == 200
    assert report.reference in page.content.decode()
    assert "no-store" in page["Cache-Control"]  # the browser keeps no copy to show again

    left = client.get(_exit_href(page.content.decode()))

    assert left.status_code == 302
    assert left["Location"] == NEUTRAL
    assert left["Clear-Site-Data"] == '"cache", "storage"'
    assert "no-store" in left["Cache-Control"]
    assert not Session.objects.exists()
    back = client.get(report_url)
    assert back.status_code == 302
    assert back["Location"].startswith(reverse("account_login") + "?next=")
    signed_out = client.get(reverse("home")).content.decode()
    assert "Sign in" in signed_out
    assert report.reference not in signed_out


def test_exit_works_as_a_form_post_even_without_a_csrf_token(officer):
    # A stale or missing token must never keep someone on the page they are fleeing.
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)

    left = client.post(reverse("exit"))

    assert left.status_code == 302
    assert left["Location"] == NEUTRAL
    assert client.get(reverse("reports:list")).status_code == 302
    assert not Session.objects.exists()


def test_exit_goes_to_the_configured_neutral_site(client, settings):
    settings.HARMSPORTAL_EXIT_URL = "https://www.example.org/news"

    left = client.get(reverse("exit"))

    assert left.status_code == 302
    assert left["Location"] == "https://www.example.org/news"


def test_the_privacy_notice_and_start_page_say_what_exit_does_and_does_not_clear(client, officer):
    privacy = client.get(reverse("privacy")).content.decode()
    client.force_login(officer)
    start = client.get(reverse("reports:start")).content.decode()

    for html in (privacy, start):
        assert "signs you out" in html
        assert "does not delete your browser history" in html
        assert "private or incognito window" in html
