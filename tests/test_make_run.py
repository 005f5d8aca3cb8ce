"""Acceptance: `make run` serves /, /healthz and a working login for every demo role.

This runs the real Makefile target (install, migrate, seed_demo, runserver) on a throwaway
SQLite file, then signs in as each demo account over HTTP, as a newcomer would. It also checks
the portal's own 404 page (never Django's technical one, which lists the URL patterns, although
the demo runs with DEBUG on) and that links in the emails it prints use the port it serves on.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from harmsportal.people.demo import ACCOUNTS

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "newcomer-demo-password-1"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"make run exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail(f"make run did not serve within 3 minutes:\n{log.read_text()[-3000:]}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _sign_in(base: str, email: str, jar: http.cookiejar.CookieJar | None = None) -> tuple[int, str]:
    jar = jar if jar is not None else http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    page = opener.open(base + "/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD}
    ).encode()
    request = urllib.request.Request(base + "/accounts/login/", data=body)
    request.add_header("Referer", base + "/accounts/login/")
    try:
        opener.open(request)
        return 200, ""  # the form came back: signing in failed
    except urllib.error.HTTPError as redirect:
        if redirect.code != 302:
            raise
        location = redirect.headers["Location"]
    home = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)).open(
        urllib.parse.urljoin(base, location)
    )
    return 302, home.read().decode()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("make-run")
    port = _free_port()
    log = tmp / "make-run.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "HARMSPORTAL_", "REDIS", "CELERY", "EMAIL"))
    }
    # A newcomer's machine: no services configured, the embedded SQLite file (here a temp one).
    env["DATABASE_URL"] = f"sqlite:///{tmp / 'db.sqlite3'}"
    env["HARMSPORTAL_PRIVATE_STORAGE"] = str(tmp / "private")
    with log.open("w") as out:
        process = subprocess.Popen(
            ["make", "run", f"PORT={port}", f"DEMO_PASSWORD={PASSWORD}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(base, process, log)
        yield base, log
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


def test_make_run_serves_the_home_page_and_health(served):
    base, _ = served
    with urllib.request.urlopen(base + "/") as home:
        assert home.status == 200
        assert "Harms Portal" in home.read().decode()
    with urllib.request.urlopen(base + "/healthz") as health:
        assert health.status == 200


def test_make_run_prints_the_demo_logins(served):
    _, log = served
    printed = log.read_text()
    for account in ACCOUNTS:
        assert account.email in printed
    assert f"Password: {PASSWORD}" in printed


@pytest.mark.parametrize("account", ACCOUNTS, ids=lambda a: a.key)
def test_every_demo_role_can_sign_in(served, account):
    base, _ = served
    status, home = _sign_in(base, account.email)
    assert status == 302, f"{account.email} could not sign in"
    assert "Sign out" in home


def test_make_run_serves_the_portals_own_404_without_url_patterns(served):
    base, _ = served
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(base + "/no-such-page/")

    page = missing.value.read().decode()
    assert missing.value.code == 404
    assert "<title>Page not found " in page
    assert "go to your home page" in page
    assert "URLconf" not in page
    assert "Using the URLconf" not in page
    assert "admin/" not in page


def test_make_run_emails_links_to_the_host_and_port_it_serves(served):
    base, log = served
    jar = http.cookiejar.CookieJar()
    status, _ = _sign_in(base, "officer@demo.harmsportal.test", jar)
    assert status == 302
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/people/family/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "email": "new.relative@example.org",
            "relationship": "sibling",
        }
    ).encode()
    request = urllib.request.Request(base + "/people/family/", data=body)
    request.add_header("Referer", base + "/people/family/")
    opener.open(request)

    # The invitation is printed to the console (the demo's email backend) by the server.
    deadline = time.monotonic() + 10
    while "new.relative@example.org" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    printed = log.read_text()
    assert "To: new.relative@example.org" in printed
    assert f"{base}/people/family/accept/" in printed


def test_make_run_starts_quietly_before_the_logins(served):
    # A newcomer reads the sign-in details first: no warnings, and none of the emails the
    # seeded demo's events would have sent (seed_demo writes them to inboxes only). From the
    # migration on: a first run's `make install` prints pip's own lines before that.
    _, log = served
    before_logins = log.read_text().split("manage.py migrate")[-1].split("Demo accounts")[0]
    assert "WARNING" not in before_logins
    assert "Content-Type:" not in before_logins
    assert len(before_logins.splitlines()) <= 3, before_logins
