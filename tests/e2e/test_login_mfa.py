"""A triage worker signs in for the first time, is made to enrol TOTP, and reaches their work."""

from __future__ import annotations

import re
import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from harmsportal.people.models import Role, User
from tests.e2e.conftest import assert_accessible, visit, wait_for_path
from tests.factories import PASSWORD, make_person


def totp_now(secret: str) -> str:
    """The code an authenticator app would show now, never one about to roll over."""
    period = mfa_settings.TOTP_PERIOD
    if period - (time.time() % period) < 3:
        time.sleep(3)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def test_triager_signs_in_enrols_totp_and_reaches_the_queue(page, settings):
    settings.HARMSPORTAL_REQUIRE_STAFF_MFA = True
    triager = make_person(Role.TRIAGE, kind=User.Kind.STAFF, mfa=False, full_name="Tri Ager")

    visit(page, "/accounts/login/")
    page.locator('input[name="login"]').fill(triager.email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"^sign in$", re.IGNORECASE)).click()

    # A staff role without MFA is sent to enrolment, whatever page was asked for; allauth asks
    # for the password again before any change to how the account is protected.
    wait_for_path(page, "/accounts/reauthenticate/")
    assert_accessible(page)
    password = page.locator('input[name="password"]')
    password.fill(PASSWORD)
    password.press("Enter")

    wait_for_path(page, "/accounts/2fa/totp/activate/")
    assert_accessible(page)
    secret = page.get_by_label("Authenticator secret").input_value().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), f"no TOTP secret shown, got {secret!r}"

    code = page.locator('input[name="code"]')
    code.fill(totp_now(secret))
    code.press("Enter")
    page.wait_for_url(lambda url: "/accounts/2fa/totp/activate/" not in url)
    assert_accessible(page)
    assert Authenticator.objects.filter(user=triager, type=Authenticator.Type.TOTP).exists()

    visit(page, "/")
    heading = page.get_by_role("heading", level=1).first.inner_text().strip()
    assert heading == settings.HARMSPORTAL_SERVICE_NAME
    assert "Hello Tri" in page.locator("main").inner_text()

    visit(page, "/triage/")
    assert page.get_by_role("heading", name="Triage", level=1).is_visible()
    assert "Tri Ager" in page.locator("main").inner_text()
