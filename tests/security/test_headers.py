"""The security headers: a nonce CSP with no unsafe-inline, no-store for anyone signed in,
nosniff, frame-deny, a referrer policy, HSTS in production, and evidence as safe attachments.

`header_problems` is the rule for one response. The hostile crawl (tests/security/test_crawl.py)
applies it to every response it gets, from every URL pattern, signed out and as every role, so
"every authenticated page" is every page the resolver has, as everyone. The tests here pin the
rule itself, so that a crawl passing cannot mean a rule that checks nothing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from reports.services.evidence import report_evidence_add
from reports.services.sending import report_submit
from tests.reports import hostile_files
from tests.reports.factories import DraftReportFactory

REFERRER_POLICIES = {
    "same-origin",
    "no-referrer",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
# What a download may be called: letters, digits, dots, dashes and underscores, nothing that
# climbs folders, quotes its way out of the header or starts a new one.
SAFE_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")
UNSAFE_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*")
ROOT = Path(__file__).resolve().parents[2]


# Read with regular expressions rather than an HTML parser: the crawl checks thousands of
# pages, some of megabytes, and a pure-Python parser would cost more than the requests.
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
ATTRIBUTE = re.compile(r"""([a-zA-Z_:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
TAG = re.compile(r"<[a-zA-Z][^<>]*>")
QUOTED = re.compile(r""""[^"]*"|'[^']*'""")
EVENT_HANDLER = re.compile(r"\s(on[a-zA-Z]+)\s*=", re.IGNORECASE)
RUNNABLE = ("text/javascript", "module", "application/javascript")


def _scripts(html: str) -> tuple[list[str | None], list[str], list[str]]:
    """Each inline script's nonce, each external script's src, and each on* attribute."""
    inline, external = [], []
    for tag in SCRIPT_TAG.finditer(html):
        attributes = {
            match.group(1).lower(): next(g for g in match.groups()[1:] if g is not None)
            for match in ATTRIBUTE.finditer(tag.group(1))
        }
        if (attributes.get("type") or "text/javascript").lower() not in RUNNABLE:
            continue  # a data block (JSON), which no browser runs
        if attributes.get("src"):
            external.append(attributes["src"])
        else:
            inline.append(attributes.get("nonce"))
    handlers = [
        match.group(1)
        for tag in TAG.finditer(html)
        if " on" in tag.group(0).lower() or "\ton" in tag.group(0).lower()
        for match in EVENT_HANDLER.finditer(QUOTED.sub("", tag.group(0)))
    ]
    return inline, external, handlers


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def header_problems(response, person) -> list[str]:
    """What is wrong with one response's security headers (an empty list: nothing)."""
    problems = []
    if person is not None and "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"Cache-Control {response.get('Cache-Control')!r} without no-store")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.get("X-Frame-Options") != "DENY":
        problems.append(f"X-Frame-Options {response.get('X-Frame-Options')!r}, not DENY")
    if response.get("Referrer-Policy") not in REFERRER_POLICIES:
        problems.append(f"Referrer-Policy {response.get('Referrer-Policy')!r}")
    csp = response.get("Content-Security-Policy")
    if not csp:
        return [*problems, "no Content-Security-Policy"]
    directives = csp_directives(csp)
    unsafe = [word for words in directives.values() for word in words if word in UNSAFE_SOURCES]
    if unsafe:
        problems.append(f"CSP allows {unsafe}")
    if directives.get("frame-ancestors") != ["'none'"] and "sandbox" not in directives:
        problems.append("CSP without frame-ancestors 'none'")
    disposition = response.get("Content-Disposition")
    if disposition is not None:
        problems += _disposition_problems(disposition)
    if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
        problems += _script_problems(response.content.decode(errors="replace"), directives)
    return problems


def _disposition_problems(disposition: str) -> list[str]:
    match = re.fullmatch(r'attachment; filename="([^"]*)"', disposition)
    if match is None:
        return [f"Content-Disposition {disposition[:120]!r} is not a plain attachment"]
    if not SAFE_FILENAME.match(match.group(1)):
        return [f"unsafe download name {match.group(1)[:120]!r}"]
    return []


def _script_problems(html: str, directives: dict[str, list[str]]) -> list[str]:
    inline, external, handlers = _scripts(html)
    problems = [f"inline event handler {handler}=" for handler in handlers[:3]]
    nonces = {
        word[len("'nonce-") : -1]
        for word in directives.get("script-src", [])
        if word.startswith("'nonce-")
    }
    if inline and len(nonces) != 1:
        problems.append(f"inline scripts, but the CSP's script-src has nonces {nonces}")
    problems += [
        f"an inline script with nonce {nonce!r}, not the header's"
        for nonce in inline
        if nonce not in nonces
    ]
    problems += [
        f"a script from {src!r}, not this site"
        for src in external
        if not src.startswith("/") or src.startswith("//")
    ]
    return problems


# --- the rule, on real pages -------------------------------------------------------------------
def test_a_signed_in_page_passes_and_has_a_fresh_nonce_each_time(client, officer):
    client.force_login(officer)
    first, second = client.get("/"), client.get("/")

    assert first.status_code == 200
    assert header_problems(first, officer) == []
    nonce = re.search(r"'nonce-([^']+)'", first["Content-Security-Policy"]).group(1)
    assert f'nonce="{nonce}"' in first.content.decode()
    assert nonce not in second["Content-Security-Policy"]  # one per response, never reused
    assert first["Cache-Control"].count("no-store") == 1


def test_the_csp_is_strict(client):
    response = client.get("/")

    directives = csp_directives(response["Content-Security-Policy"])
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert directives["script-src"][0] == "'self'"
    assert any(word.startswith("'nonce-") for word in directives["script-src"])
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["style-src"]


def test_a_page_for_nobody_signed_in_may_be_cached_but_is_otherwise_protected(client):
    response = client.get("/accessibility/")

    assert response.status_code == 200
    assert header_problems(response, None) == []
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_rule_catches_each_missing_header(client, officer):
    client.force_login(officer)
    response = client.get("/")
    for header, expected in (
        ("Cache-Control", "without no-store"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "not DENY"),
        ("Referrer-Policy", "Referrer-Policy"),
        ("Content-Security-Policy", "no Content-Security-Policy"),
    ):
        saved = response[header]
        del response[header]
        assert any(expected in problem for problem in header_problems(response, officer)), header
        response[header] = saved
    assert header_problems(response, officer) == []


def test_the_rule_catches_unsafe_inline_a_foreign_nonce_and_inline_handlers(client, officer):
    client.force_login(officer)
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    response["Content-Security-Policy"] = csp.replace("script-src", "script-src 'unsafe-inline'")
    assert any("allows" in problem for problem in header_problems(response, officer))
    response["Content-Security-Policy"] = csp
    response.content = response.content.replace(
        b"</body>", b'<script nonce="guessed">x()</script><a onclick="x()">a</a></body>'
    )
    problems = header_problems(response, officer)
    assert any("not the header's" in problem for problem in problems)
    assert any("inline event handler" in problem for problem in problems)


@pytest.mark.parametrize(
    "disposition",
    [
        'inline; filename="a.png"',
        'attachment; filename="../../etc/passwd"',
        "attachment; filename=\"a.html\"; filename*=UTF-8''evil.html",
        'attachment; filename=".htaccess"',
    ],
)
def test_the_rule_refuses_unsafe_downloads(client, officer, disposition):
    client.force_login(officer)
    response = client.get("/")
    response["Content-Disposition"] = disposition

    assert any(
        "attachment" in p or "download name" in p for p in header_problems(response, officer)
    )


# --- evidence downloads ------------------------------------------------------------------------
HOSTILE_NAMES = [
    '../../../etc/passwd".png',
    "photo.png\"; filename*=UTF-8''evil.html",
    "photo\r\nSet-Cookie: sessionid=stolen.png",
    "\u202egnp.exe",  # right-to-left override: shows as exe.png
    "<script>alert(1)</script>.png",
    "C:\\Windows\\system32\\photo.png",
    "a" * 300 + ".png",
]


@pytest.mark.parametrize("uploaded", HOSTILE_NAMES)
def test_evidence_downloads_are_attachments_with_a_safe_name(client, officer, triager, uploaded):
    draft = DraftReportFactory(reporter=officer)
    evidence = report_evidence_add(
        actor=officer, report=draft, data=hostile_files.png(), filename=uploaded
    )
    report = report_submit(actor=officer, report=draft)
    routes = {
        officer: f"/reports/{report.public_id}/evidence/{evidence.public_id}/",
        triager: f"/triage/cases/{report.case.public_id}/evidence/{evidence.public_id}/",
    }
    for person, path in routes.items():
        client.force_login(person)
        for copy in ("", "?copy=original"):
            response = client.get(path + copy)

            assert response.status_code == 200
            assert header_problems(response, person) == []
            disposition = response["Content-Disposition"]
            assert disposition.startswith("attachment;")
            name = re.search(r'filename="([^"]+)"', disposition).group(1)
            assert SAFE_FILENAME.match(name), name
            assert name.startswith(report.reference)


# --- production settings -----------------------------------------------------------------------
def _production_settings() -> dict:
    """The settings as production starts them: DEBUG off, none of the tests' relaxations."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "HARMSPORTAL_", "DEBUG"))
    }
    env["DJANGO_SECRET_KEY"] = "production-like-secret-key-0123456789-abcdefghijklmnopqrstuv"
    env["DJANGO_ALLOWED_HOSTS"] = "portal.example.police.uk"
    names = [
        "DEBUG",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "SECURE_REFERRER_POLICY",
        "X_FRAME_OPTIONS",
    ]
    code = (
        "import json, harmsportal.settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_settings_send_hsts_and_secure_cookies():
    production = _production_settings()

    assert production["DEBUG"] is False
    assert production["SECURE_HSTS_SECONDS"] >= 31536000  # a year
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert production["SECURE_REFERRER_POLICY"] in REFERRER_POLICIES
    assert production["X_FRAME_OPTIONS"] == "DENY"


def test_hsts_is_sent_over_https_with_the_production_values(db):
    production = _production_settings()
    with override_settings(
        SECURE_HSTS_SECONDS=production["SECURE_HSTS_SECONDS"],
        SECURE_HSTS_INCLUDE_SUBDOMAINS=production["SECURE_HSTS_INCLUDE_SUBDOMAINS"],
        SECURE_HSTS_PRELOAD=production["SECURE_HSTS_PRELOAD"],
        SECURE_SSL_REDIRECT=True,
    ):
        client = Client()  # SecurityMiddleware reads its settings when it is built
        plain = client.get("/accessibility/")
        secure = client.get("/accessibility/", secure=True)

    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    hsts = secure["Strict-Transport-Security"]
    assert f"max-age={production['SECURE_HSTS_SECONDS']}" in hsts
    assert "includeSubDomains" in hsts
