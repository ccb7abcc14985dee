"""Browser tests: Playwright drives Debian's Chromium against Django's live server, axe-core on every page."""

import os
import re

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.axe import axe_violations, format_violations

# pytest-playwright runs an event loop in the test thread; pytest-django's live server and ORM
# calls from the test are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PARCOURS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris"}


class AxeWatch:
    """Counts the documents a test loads; each must be checked by axe before the next one loads."""

    def __init__(self, page: Page):
        self.page = page
        self.loaded = 0
        self.checked = 0
        self.unchecked_urls: list[str] = []
        self.last_url = ""
        self.failures: list[str] = []
        page.on("load", self._on_load)

    def _on_load(self, page: Page) -> None:
        if self.loaded > self.checked:
            self.unchecked_urls.append(self.last_url)
        self.loaded += 1
        self.last_url = page.url

    def check(self) -> None:
        # A page can be visible before its load event: wait for it, so that this document's load is
        # counted before it is marked checked (axe's own round trips flush the event first).
        self.page.wait_for_load_state("load")
        violations = axe_violations(self.page)
        if violations:
            self.failures.append(format_violations(self.page.url, violations))
        self.checked = self.loaded


@pytest.fixture
def axe_watch(page: Page) -> AxeWatch:
    return AxeWatch(page)


@pytest.fixture
def page(page: Page, live_server, transactional_db, settings):
    """A page on the live server; console errors (a CSP refusal, a JS error) fail the test."""
    # Links in emails point to the live server, as they point to the public address in production.
    settings.PARCOURS_BASE_URL = live_server.url
    page.set_default_timeout(15_000)
    errors: list[str] = []

    def on_console(message) -> None:
        # An error page's own status (a 404 the test asked for) is not a fault of the page.
        if message.type == "error" and message.location.get("url") != page.url:
            errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.live_server_url = live_server.url
    yield page
    assert not errors, "Browser console errors:\n" + "\n".join(errors)


@pytest.fixture
def axe(page: Page, axe_watch: AxeWatch):
    """Call `axe()` after each page a journey reaches; the last page is checked at teardown anyway."""
    yield axe_watch.check
    if axe_watch.loaded > axe_watch.checked:
        axe_watch.check()
    assert not axe_watch.unchecked_urls, "Pages left without an axe check: " + ", ".join(axe_watch.unchecked_urls)
    assert not axe_watch.failures, "\n\n".join(axe_watch.failures)


def tick(page: Page, label: str) -> None:
    """Tick a DSFR checkbox the way a person does: by clicking its label (the input is drawn over)."""
    page.locator("label", has_text=label).first.click()


def wait_for_captcha(page: Page) -> None:
    """ALTCHA solves itself on load in tests: wait until its hidden answer is filled in."""
    # A locator, not wait_for_function: the CSP (no 'unsafe-eval') refuses evaluated strings.
    expect(page.locator("altcha-widget input[name=captcha]")).to_have_value(re.compile(".+"))


@pytest.fixture
def clock(time_machine):
    """The server's clock (the live server runs in this process), moved to fresh TOTP windows on demand."""
    from datetime import UTC, datetime

    time_machine.move_to(datetime.now(tz=UTC), tick=True)
    return time_machine
