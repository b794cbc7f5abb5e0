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


# axe-core, vendored from the npm registry (tests/browser/vendor/axe-core/README.md says
# which version and why), injected by Playwright into the page under test.
AXE_SCRIPT = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# The WCAG 2.2 AA rule set: every A and AA rule of WCAG 2.0, 2.1 and 2.2.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("critical", "serious")


def axe_violations(tab, *, impacts=BLOCKING, within: str | None = None) -> list[dict]:
    """Runs axe-core's WCAG 2.2 AA rules on the page as it is now and returns the violations
    of the given impacts (critical and serious unless told), each with its rule id, impact,
    help text and the CSS targets of the offending nodes; `within`, a CSS selector, audits
    that part of the page alone."""
    if not tab.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, not a <script> tag: the page's CSP
        # (script-src 'self') stays as strict as users have it.
        tab.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    results = tab.evaluate(
        """([within, tags]) => axe.run(within || document, {
            runOnly: {type: 'tag', values: tags},
            resultTypes: ['violations'],
        })""",
        [within, WCAG_22_AA],
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [" ".join(map(str, node["target"])) for node in v["nodes"]],
            "summary": v["nodes"][0].get("failureSummary", "") if v["nodes"] else "",
        }
        for v in results["violations"]
        if v["impact"] in impacts
    ]


def describe_violations(where: str, violations: list[dict]) -> str:
    """One readable block per violation: the page, the rule, its impact and the nodes."""
    lines = []
    for v in violations:
        targets = "; ".join(v["targets"][:8])
        more = f" (+{len(v['targets']) - 8} more)" if len(v["targets"]) > 8 else ""
        lines.append(f"{where}: {v['id']} ({v['impact']}) {v['help']} → {targets}{more}")
    return "\n".join(lines)


@pytest.fixture
def axe():
    """axe(page) → the critical and serious WCAG 2.2 AA violations of the page as it is."""
    return axe_violations
