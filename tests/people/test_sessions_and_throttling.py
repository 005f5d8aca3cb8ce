"""Staff sessions time out when idle; login throttling can't lock an officer out for good."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from tests.factories import PASSWORD

LOGIN = "/accounts/login/"
START = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def _login(client, email: str, password: str = PASSWORD, ip: str = "203.0.113.10"):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=ip)


def test_staff_session_ends_after_30_idle_minutes(client, triager):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(triager)
        assert client.get("/triage/").status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get("/triage/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_staff_idle_timeout_slides_with_activity(client, triager):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(triager)
        for _ in range(4):  # active for two hours in 29-minute steps
            clock.shift(timedelta(minutes=29))
            assert client.get("/triage/").status_code == 200


def test_reporter_session_is_not_cut_at_30_minutes(client, officer):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(officer)
        client.get("/")
        clock.shift(timedelta(minutes=45))
        response = client.get("/")
    assert response.status_code == 200
    assert response.wsgi_request.user == officer


def test_repeated_wrong_passwords_lock_only_that_account_and_address(client, officer):
    for _ in range(5):
        _login(client, officer.email, "wrong-password-123", ip="198.51.100.66")

    from_attacker = _login(client, officer.email, ip="198.51.100.66")
    assert from_attacker.status_code == 429
    assert "Too many" in from_attacker.content.decode()

    client.cookies.clear()
    from_officer = _login(client, officer.email, ip="203.0.113.10")
    assert from_officer.status_code == 302
    assert from_officer.wsgi_request.user == officer


def test_lockout_ends_after_the_cool_off(client, officer):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            _login(client, officer.email, "wrong-password-123")
        assert _login(client, officer.email).status_code == 429
        clock.shift(timedelta(minutes=16))
        response = _login(client, officer.email)
    assert response.status_code == 302


def test_wrong_password_shows_a_clear_error_and_keeps_the_email(client, officer):
    response = _login(client, officer.email, "wrong-password-123")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert officer.email in response.content.decode()
