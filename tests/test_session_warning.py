"""The staff idle-timeout warning (WCAG 2.2.1) and the keep-alive it calls."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

START = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
EXTEND = "/session/extend/"
LOGIN = "/accounts/login/"


def text_of(response) -> str:
    return response.content.decode()


def dialog_of(html: str) -> str | None:
    match = re.search(r"<dialog\b[^>]*>.*?</dialog>", html, re.S)
    return match.group(0) if match else None


def test_keep_alive_url_is_named():
    assert reverse("session_extend") == EXTEND


@pytest.mark.django_db
def test_staff_pages_render_the_warning_dialog_closed_with_its_timings(client, triager, settings):
    settings.HARMSPORTAL_STAFF_IDLE_SECONDS = 30 * 60
    client.force_login(triager)

    response = client.get(reverse("triage:queue"))

    assert response.status_code == 200
    html = text_of(response)
    dialog = dialog_of(html)
    assert dialog is not None
    opening = re.match(r"<dialog\b[^>]*>", dialog).group(0)
    assert " open" not in opening  # hidden until the script calls showModal()
    assert 'data-timeout-seconds="1800"' in opening
    assert 'data-warning-seconds="120"' in opening
    assert f'data-extend-url="{EXTEND}"' in opening
    assert f'data-sign-in-url="{LOGIN}"' in opening
    assert 'aria-labelledby="timeout-warning-heading"' in opening
    assert ">You will be signed out soon</h2>" in dialog
    assert "2 minutes" in dialog
    assert ">Stay signed in</button>" in dialog
    assert "csrfmiddlewaretoken" in dialog
    assert f'action="{reverse("account_logout")}"' in dialog
    assert "aria-live" in dialog
    # The script is an ES module with this response's nonce; no inline styles.
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    script = re.search(r'<script\b[^>]*src="/static/js/timeout-warning\.mjs"[^>]*>', html)
    assert script is not None
    assert 'type="module"' in script.group(0)
    assert f'nonce="{nonce}"' in script.group(0)
    assert "style=" not in html
    # Said in plain words for everyone, with or without JavaScript.
    assert "you will be signed out after 30 minutes without activity" in html


@pytest.mark.django_db
def test_the_dialog_follows_the_idle_setting(client, triager, settings):
    settings.HARMSPORTAL_STAFF_IDLE_SECONDS = 15 * 60
    client.force_login(triager)

    html = text_of(client.get(reverse("triage:queue")))

    assert 'data-timeout-seconds="900"' in html
    assert "signed out after 15 minutes without activity" in html


@pytest.mark.django_db
def test_reporters_see_no_warning(client, officer):
    client.force_login(officer)

    html = text_of(client.get(reverse("home")))

    assert "<dialog" not in html
    assert "timeout-warning" not in html
    assert "without activity" not in html


@pytest.mark.django_db
def test_anonymous_visitors_see_no_warning(client):
    html = text_of(client.get(reverse("home")))

    assert "<dialog" not in html
    assert "timeout-warning" not in html


@pytest.mark.django_db
def test_extend_answers_204_for_a_signed_in_user(client, officer):
    client.force_login(officer)

    response = client.post(EXTEND)

    assert response.status_code == 204
    assert response.content == b""


@pytest.mark.django_db
def test_extend_slides_the_staff_session(client, triager):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(triager)
        assert client.get("/triage/").status_code == 200
        clock.shift(timedelta(minutes=25))
        assert client.post(EXTEND).status_code == 204
        clock.shift(timedelta(minutes=25))  # 50 minutes since the page, 25 since the extend
        response = client.get("/triage/")
    assert response.status_code == 200
    assert response.wsgi_request.user == triager


@pytest.mark.django_db
def test_extend_after_the_timeout_sends_to_sign_in(client, triager):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(triager)
        assert client.get("/triage/").status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.post(EXTEND)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_extend_sends_anonymous_visitors_to_sign_in(client):
    response = client.post(EXTEND)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_extend_refuses_get(client, triager):
    client.force_login(triager)

    assert client.get(EXTEND).status_code == 405


@pytest.mark.django_db
def test_extend_needs_the_csrf_token(triager):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(triager)

    assert client.post(EXTEND).status_code == 403
