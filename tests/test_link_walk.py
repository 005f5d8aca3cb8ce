"""No URL in the portal carries a sequential integer id (issue 7, acceptance 12).

The demo is seeded as `make run` seeds it (seed_demo with a demo password). Then, for every
demo account, the walk signs in through the real sign-in form, starts at `/`, and follows
every same-site link (`href`) and the action of every GET form, breadth first, up to a bound.
Every URL it finds, followed or not (POST form actions too), must carry no bare integer in a
path segment or query value: reports, cases, evidence, family links and notifications are
named by opaque uuids, so no URL tells anyone how many of them exist. Every page visited must
answer 200 or 302: a link the portal shows someone never leads to an error.

It only reads: it never submits a form, and never follows the quick exit or sign-out (they end
the session the walk needs). A page such as a notification that is marked read when opened is
followed: that is a read, and everything is rolled back after the module.

The platform admin is walked too, but into Django's admin only as far as its index. The
admin's own pages (`/admin/<app>/<model>/<pk>/change/`) are Django's: they name rows by primary
key, an integer for most models (Case and FamilyLink among them, whose portal URLs use their
uuid), and admin filters put years and flags in query values. They are left out of the check,
knowingly: only platform admins (break-glass, every page audited) ever see them, and they can
read every row anyway. Giving those models uuid admin URLs needs ModelAdmin changes, not a test.
"""

from __future__ import annotations

import io
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import Resolver404, resolve

from harmsportal.people.demo import ACCOUNTS
from tests.conftest import load_reference_data

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "link-walk-demo-password"
ORIGIN = "http://testserver"
# Enough to reach every kind of page each role is offered (each page shape is visited at most
# PER_SHAPE times), small enough to keep the walk of all thirteen accounts under a minute.
PAGES_PER_ACCOUNT = 100
PER_SHAPE = 2
# Never followed: they end the session (quick exit, sign-out), or are files, not pages.
NOT_FOLLOWED = ("/exit/", "/accounts/logout/", "/static/")
# Django's admin: its index is walked; what it links to is Django's, not checked (see above).
ADMIN_INDEX = "/admin/"
# Integers that are not ids: the page number of a paginated list (a module's parts too), and
# a trends period that is a calendar year (?period=2026).
INTEGER_QUERY_KEYS = {"page", "period"}
# Training pages (issue 9) each account must find by following links, so their links are
# checked too: the learner's module, parts and certificate, the family's modules and the
# self-check, a line manager's team, a trainer's administration, the lead's figures.
TRAINING_PAGES = {
    "officer": {"home", "module", "learn", "certificate", "footprint"},
    "family": {"home", "module", "learn", "footprint"},
    "supervisor": {"team", "team_export"},
    "trainer": {"manage", "compliance", "rules", "rule_edit", "assign", "roster", "review"},
    "lead": {"figures", "team"},
    "admin": {"manage", "module_edit", "version_edit", "review"},
}
# Trends pages (issue 10) each account must find by following links from its home page.
TRENDS_PAGES = {
    "lead": {"home", "force", "performance", "pack", "api_tokens", "api_token_revoke"},
    "oversight": {"home", "force", "performance", "pack", "api_tokens"},
    "analyst": {"home", "national", "non_crime", "force", "performance", "pack", "api_tokens"},
}


@dataclass
class _GetForm:
    """A GET form: the URL it submits to and the fields it would send."""

    action: str
    fixed: list[tuple[str, str]] = field(default_factory=list)  # text, hidden: as they stand
    choices: dict[str, list[str]] = field(default_factory=dict)  # select, radio, checkbox
    chosen: dict[str, str] = field(default_factory=dict)  # what is selected now

    def urls(self) -> list[str]:
        """What submitting it sends: as it stands, and with each choice of each field in turn.

        A choice's value lands in the URL the moment someone filters by it, so each is checked.
        """

        def url(pairs: list[tuple[str, str]]) -> str:
            query = urlencode([(name, value) for name, value in pairs if value != ""])
            return f"{self.action.split('?')[0]}?{query}" if query else self.action.split("?")[0]

        default = self.fixed + list(self.chosen.items())
        urls = [url(default)]
        for name, values in self.choices.items():
            others = [(key, value) for key, value in default if key != name]
            urls += [url([*others, (name, value)]) for value in values]
        return urls


class _Links(HTMLParser):
    """Each `<a href>` and `<form action>` of a page, with the method it would be used with, and
    the URLs each GET form would submit (tests/test_link_walk.py checks those too)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self.get_forms: list[_GetForm] = []
        self._form: _GetForm | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a" and values.get("href"):
            self.found.append(("get", values["href"]))
        elif tag == "form":
            method = (values.get("method") or "get").lower()
            self.found.append((method, values.get("action", "")))
            if method == "get":
                self._form = _GetForm(action=values.get("action", ""))
                self.get_forms.append(self._form)
        elif self._form is not None:
            self._field(tag, values)

    def _field(self, tag: str, values: dict[str, str]) -> None:
        form, name = self._form, values.get("name", "")
        if tag == "select" and name:
            self._select = name
            form.choices[name] = []
        elif tag == "option" and self._select:
            form.choices[self._select].append(values.get("value", ""))
            if "selected" in values or self._select not in form.chosen:
                form.chosen[self._select] = values.get("value", "")
        elif tag == "input" and name:
            kind = values.get("type", "text").lower()
            if kind in {"radio", "checkbox"}:
                form.choices.setdefault(name, []).append(values.get("value", "on"))
                if "checked" in values:
                    form.chosen[name] = values.get("value", "on")
            elif kind not in {"submit", "button", "image", "reset", "file"}:
                form.fixed.append((name, values.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


def _same_site(base: str, href: str) -> str | None:
    """`href` as a path and query on this site, or None for another site, mailto: or #."""
    if href.startswith("#"):
        return None
    absolute = urljoin(ORIGIN + base, href)
    parts = urlsplit(absolute)
    if parts.scheme not in {"http", "https"} or f"{parts.scheme}://{parts.netloc}" != ORIGIN:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def integer_ids(url: str) -> list[str]:
    """Every bare integer in `url`'s path segments and query values that is not a page number."""
    parts = urlsplit(url)
    if parts.path.startswith(ADMIN_INDEX) and parts.path != ADMIN_INDEX:
        return []  # Django's admin pages (module docstring)
    found = [segment for segment in parts.path.split("/") if segment.isdigit()]
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if value.isdigit() and key not in INTEGER_QUERY_KEYS:
            found.append(f"{key}={value}")
    return found


def _shape(url: str) -> tuple:
    """Which route a URL reaches and which query keys it sets: the walk visits each few times."""
    parts = urlsplit(url)
    try:
        route = resolve(parts.path).route
    except Resolver404:
        route = parts.path
    return route, tuple(sorted({key for key, _ in parse_qsl(parts.query)}))


@dataclass
class Walk:
    visited: dict[str, int] = field(default_factory=dict)  # URL -> status
    seen: dict[str, str] = field(default_factory=dict)  # URL -> the page it was found on
    integer_urls: dict[str, str] = field(default_factory=dict)  # URL -> found on
    complete: bool = False  # every link found was followed within the bound


def walk(client: Client, start: str = "/") -> Walk:
    result = Walk()
    queue = deque([start])
    shapes: Counter = Counter()
    while queue and len(result.visited) < PAGES_PER_ACCOUNT:
        url = queue.popleft()
        if url in result.visited:
            continue
        shape = _shape(url)
        if shapes[shape] >= PER_SHAPE:
            continue
        shapes[shape] += 1
        response = client.get(url)
        result.visited[url] = response.status_code
        if response.status_code == 302:
            found = [("get", response["Location"])]
        elif response.get("Content-Type", "").startswith("text/html"):
            parser = _Links()
            parser.feed(response.content.decode())
            found = parser.found
            for form in parser.get_forms:
                action = form.action or url
                form.action = action
                found += [("get", submitted) for submitted in form.urls()]
        else:
            found = []  # a download
        for method, href in found:
            target = _same_site(url, href)
            if target is None:
                continue
            result.seen.setdefault(target, url)
            if integer_ids(target):
                result.integer_urls.setdefault(target, url)
            if method == "get" and _followed(target):
                queue.append(target)
    result.complete = not queue
    return result


def _followed(url: str) -> bool:
    path = urlsplit(url).path
    if path.startswith(ADMIN_INDEX):
        return path == ADMIN_INDEX
    return not path.startswith(NOT_FOLLOWED)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, seeded once as `make run` seeds it, and rolled back after the module."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            # As `make run`: a demo machine, staff MFA off for the demo only.
            with override_settings(
                HARMSPORTAL_DEMO=True,
                HARMSPORTAL_REQUIRE_STAFF_MFA=False,
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            ):
                load_reference_data()
                call_command("seed_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
                yield Client()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_integer_ids_are_found_in_paths_and_query_values_but_page_numbers_are_not():
    assert integer_ids("/reports/123/") == ["123"]
    assert integer_ids("/triage/?assignee=7&page=2") == ["assignee=7"]
    assert integer_ids("/reports/6c7abe12-8fa2-485c-af4f-e383772b52ba/?page=3") == []
    assert integer_ids("/admin/triage/case/12/change/") == []  # Django's (module docstring)


@pytest.mark.parametrize("account", ACCOUNTS, ids=[account.key for account in ACCOUNTS])
def test_every_link_a_demo_account_is_shown_is_opaque_and_answers(demo, account):
    client = demo
    client.cookies.clear()
    signed_in = client.post("/accounts/login/", {"login": account.email, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302, f"{account.email} could not sign in"

    result = walk(client)

    assert len(result.visited) > 3, f"the walk as {account.key} found almost nothing"
    # A walk cut short would miss links: raise PAGES_PER_ACCOUNT if the portal outgrows it.
    assert result.complete, f"the walk as {account.key} stopped at {PAGES_PER_ACCOUNT} pages"
    broken = {
        f"{url} (linked from {result.seen.get(url, '-')})": status
        for url, status in result.visited.items()
        if status not in {200, 302}
    }
    assert broken == {}, f"as {account.key}: pages that did not answer 200 or 302: {broken}"
    examples = {}
    for url, page in result.integer_urls.items():
        examples.setdefault((_shape(url)[0], *integer_ids(url)[:1]), f"{url} (on {page})")
    assert examples == {}, (
        f"as {account.key}: URLs carrying an integer id: {list(examples.values())}"
    )
    missed = TRAINING_PAGES.get(account.key, set()) - _pages(result.visited, "training")
    assert missed == set(), f"as {account.key}: no link led to the training pages {missed}"
    missed = TRENDS_PAGES.get(account.key, set()) - _pages(result.visited, "trends")
    assert missed == set(), f"as {account.key}: no link led to the trends pages {missed}"


def _pages(urls, namespace: str) -> set[str]:
    names = set()
    for url in urls:
        try:
            match = resolve(urlsplit(url).path)
        except Resolver404:
            continue
        if match.namespace == namespace:
            names.add(match.url_name)
    return names
