"""Real-browser tests: Playwright driving Debian's Chromium (never `playwright install`).

Run with the rest of the suite, or alone: `pytest -m browser`. Screenshots go to
test-artifacts/ (git-ignored): the ones a test takes on purpose, and one for every failure.
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio loop running in this thread, so Django's
# async-unsafe guard would refuse every ORM call the test makes (fixtures, asserts). The
# test code is plain synchronous code; the live server runs in its own thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make deps-dev)")
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # Keep the outcome on the item so the page fixture can screenshot a failure.
    setattr(item, f"rep_{report.when}", report)
    return report


class ConsoleLog(list):
    """Console messages and uncaught errors of the page, as 'type: text'."""

    def errors(self) -> list[str]:
        # A failed HTTP response shows here without its URL; the page fixture's
        # `failed_responses` says which one it was.
        return [
            m
            for m in self
            if m.startswith(("error:", "pageerror:")) and "Failed to load resource" not in m
        ]


@pytest.fixture
def page(browser, request):
    """A fresh browser context per test, with an English browser locale on purpose: the
    interface must stay Vietnamese unless the user chose English on their profile."""
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.console_log = ConsoleLog()
    tab.on("console", lambda m: tab.console_log.append(f"{m.type}: {m.text}"))
    tab.on("pageerror", lambda e: tab.console_log.append(f"pageerror: {e}"))
    # Every response with a 4xx/5xx status, as 'status path'; Chromium asks for
    # /favicon.ico by itself, which ktgs does not serve.
    tab.failed_responses = []
    tab.on(
        "response",
        lambda r: (
            r.status >= 400
            and not r.url.endswith("/favicon.ico")
            and tab.failed_responses.append(f"{r.status} {r.url}")
        ),
    )
    yield tab
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        tab.screenshot(path=str(ARTIFACTS / f"FAILED-{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def screenshot(page):
    """screenshot("name") saves test-artifacts/name.png of the whole page."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
