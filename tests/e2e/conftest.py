"""Browser tests: Playwright drives the system Chromium against pytest-django's live server.

Every page a browser test lands on must pass axe-core (WCAG 2.2 AA and best practice). Use
`visit(page, path)` to navigate and check in one step; after a click or a form submission, call
`assert_accessible(page)` on the page it leads to. The `page` fixture keeps a ledger of every
document the browser loaded and fails the test if any of them was never checked, so a journey
cannot quietly skip a page.

Chromium comes from Debian (`/usr/bin/chromium`), not from `playwright install`: CI has no
internet beyond the package mirrors. Without it these tests skip with the reason below, unless
HARMSPORTAL_E2E=1 (CI sets it), when a missing browser is a failure.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

import pytest
from playwright.sync_api import Browser, Page, Response, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

CHROMIUM = Path("/usr/bin/chromium")
MISSING_CHROMIUM = "Chromium not installed at /usr/bin/chromium (apt-get install chromium)"
E2E_DIR = Path(__file__).resolve().parent
AXE_JS = E2E_DIR / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
LAUNCH_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000

_AXE_RUN = """
async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}
"""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Mark everything under tests/e2e so `-m "not e2e"` gives a quick browserless run.
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    # Remembered so the page fixture does not pile ledger complaints on a test that already
    # failed for its own reason.
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    # A browser test is transactional: its teardown empties every table, and with serialized
    # rollback it does not even re-create content types and sites. The next browser test
    # reloads what the migrations put there, but anything else that follows would find no
    # forces, no taxonomy, no site. So after the last browser test in a row, put it all back,
    # unless nothing follows: after the run's last test the test database is already gone
    # (its teardown destroyed it), and connecting would reach the real database's name.
    result = yield
    if nextitem is not None and E2E_DIR not in nextitem.path.parents:
        _reload_migrated_data(item.config)
    return result


def _reload_migrated_data(config: pytest.Config) -> None:
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with config.stash[blocking_manager_key].unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)


@dataclass
class _Ledger:
    """Which documents a page loaded, and whether axe checked each before it moved on."""

    current: str | None = None
    current_checked: bool = False
    unchecked: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def loaded(self, url: str) -> None:
        if self.current is not None and not self.current_checked:
            self.unchecked.append(self.current)
        self.current = url
        self.current_checked = False


_LEDGERS: WeakKeyDictionary[Page, _Ledger] = WeakKeyDictionary()


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@functools.cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page as it is now and fail listing every violation."""
    page.wait_for_load_state("load")
    # Injected through DevTools, not a <script> tag, so the site's CSP stays enforced in the
    # browser and a page that breaks its own policy still fails the test.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    violations = page.evaluate(_AXE_RUN, AXE_TAGS)
    ledger = _LEDGERS.get(page)
    if ledger is not None:
        ledger.current_checked = True
    if violations:
        lines = [f"axe-core found {len(violations)} violation(s) on {_path_of(page.url)}:"]
        for v in violations:
            lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
            lines.extend(f"      at {target}" for target in v["targets"])
        pytest.fail("\n".join(lines), pytrace=False)


def visit(page: Page, url: str, *, status: int = 200) -> Response:
    """Go to `url` (a path is joined to the live server), expect `status`, check accessibility."""
    response = page.goto(url)
    assert response is not None, f"no response navigating to {url}"
    assert response.status == status, (
        f"{_path_of(page.url)} answered {response.status}, expected {status}"
    )
    assert_accessible(page)
    return response


def wait_for_path(page: Page, path: str) -> None:
    """Wait until the browser has landed on `path`, whatever the query (after a click or redirect)."""
    try:
        page.wait_for_url(lambda url: urlsplit(url).path == path)
    except PlaywrightTimeoutError:
        main = page.locator("main, body").first.inner_text()[:500]
        pytest.fail(f"expected to reach {path}, still on {_path_of(page.url)}:\n{main}")
    page.wait_for_load_state("load")


# Package scope: Playwright and the browser start with the first browser test and stop after
# the last one, leaving nothing behind for the rest of the suite.
@pytest.fixture(scope="package")
def _playwright(django_db_setup, django_db_blocker) -> Iterator:
    from django.db import connections

    if not CHROMIUM.exists():
        if os.environ.get("HARMSPORTAL_E2E") == "1":
            pytest.fail(f"HARMSPORTAL_E2E=1 but {MISSING_CHROMIUM}", pytrace=False)
        pytest.skip(MISSING_CHROMIUM)
    # Playwright's sync API runs an asyncio loop in a helper greenlet of this thread and leaves
    # the thread marked as running it. Django takes that for async code, so, while Playwright
    # runs and only then:
    # - the ORM would refuse to run here (SynchronousOnlyOperation): the guard is lifted, as
    #   the test code never shares a connection with anything async;
    # - asgiref would hand out a second set of connections, without the test database's
    #   serialized contents (serialized rollback would silently restore nothing) and not the
    #   one the live server shares for SQLite: the existing connections are pinned instead.
    with django_db_blocker.unblock():
        existing = {alias: connections[alias] for alias in connections}
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        for alias, connection in existing.items():
            connections[alias] = connection
        try:
            yield playwright
        finally:
            playwright.stop()


@pytest.fixture(scope="package")
def browser(_playwright) -> Iterator[Browser]:
    # launch() gives Chromium a fresh temporary --user-data-dir and deletes it on close, so no
    # profile, cookie or cache survives from one run to the next.
    browser = _playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def live_url(live_server, django_db_serialized_rollback) -> str:
    """The live server's root URL, without a trailing slash.

    Serialized rollback reloads the data migrations' rows (the 48 forces) that a transactional
    test's flush would otherwise leave empty for the next browser test.
    """
    return live_server.url.rstrip("/")


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Browser, live_url: str) -> Iterator[Page]:
    """A new browser context per test: no cookies or storage carried between tests."""
    context = browser.new_context(base_url=live_url, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    ledger = _Ledger()
    _LEDGERS[page] = ledger
    page.on("load", lambda p: ledger.loaded(p.url))
    page.on(
        "console",
        lambda msg: (
            ledger.csp_violations.append(f"{_path_of(page.url)}: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    yield page
    ledger.loaded("")  # closes the ledger: the last document must have been checked too
    context.close()
    if request.node.stash.get(_CALL_FAILED, False):
        return
    problems = []
    if ledger.unchecked:
        problems.append(
            "pages loaded without an accessibility check (call visit() or assert_accessible()):\n"
            + "\n".join(f"  {_path_of(url)}" for url in ledger.unchecked)
        )
    if ledger.csp_violations:
        problems.append(
            "the browser blocked content under the Content Security Policy:\n"
            + "\n".join(f"  {line}" for line in ledger.csp_violations)
        )
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
