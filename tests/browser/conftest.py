"""Playwright driving Debian's Chromium against pytest-django's live server.

Every request that is not to the live server is blocked and recorded, so a test can
assert that nothing (fonts, scripts, styles) comes from a CDN.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by
# the tests themselves are plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
# Screenshots go to PAPERFEED_SCREENSHOT_DIR when set (CI keeps that folder as the
# run's artefacts), else to a "screenshots" folder under pytest's temporary directory.
SCREENSHOT_DIR_VARIABLE = "PAPERFEED_SCREENSHOT_DIR"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Chromium not found: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory, pytestconfig) -> Path:
    """Where the browser tests save their screenshots (said at the end of the run)."""
    chosen = os.environ.get(SCREENSHOT_DIR_VARIABLE)
    if chosen:
        folder = Path(chosen)
        folder.mkdir(parents=True, exist_ok=True)
    else:
        folder = tmp_path_factory.mktemp("screenshots", numbered=False)
    pytestconfig.stash[SCREENSHOTS] = folder
    return folder


SCREENSHOTS = pytest.StashKey[Path]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    folder = config.stash.get(SCREENSHOTS, None)
    if folder is not None:
        terminalreporter.write_line(f"browser screenshots: {folder}")


class Session:
    """A browser context that only talks to the live server."""

    def __init__(self, browser, live_server, **context_options):  # type: ignore[no-untyped-def]
        self.base = live_server.url
        self.allowed = urlsplit(self.base).netloc
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(**context_options)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _route(self, route):  # type: ignore[no-untyped-def]
        url = route.request.url
        if urlsplit(url).netloc == self.allowed or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def goto(self, path: str):  # type: ignore[no-untyped-def]
        return self.page.goto(self.base + path, wait_until="load")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def session(browser, live_server):
    opened: list[Session] = []

    def open_session(**options) -> Session:  # type: ignore[no-untyped-def]
        s = Session(browser, live_server, **options)
        opened.append(s)
        return s

    yield open_session
    for s in opened:
        s.close()
    for s in opened:
        assert s.blocked == [], f"requests left the live server: {s.blocked}"
        assert s.errors == [], f"JavaScript errors: {s.errors}"
