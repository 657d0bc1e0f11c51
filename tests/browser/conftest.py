import os
import re
from pathlib import Path

import pytest

from scripts.find_browser import BrowserMissing, find_chromium

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
# This machine has no network beyond the package registries: keep Chromium from reaching out.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    try:
        chromium = find_chromium()  # $CHROMIUM, chromium on PATH, or Playwright's own
    except BrowserMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are ordinary synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _strict_page(browser, **options):
    """A page in a new context that records every console error and uncaught exception."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(
        viewport={"width": 1100, "height": 800}, locale="en-US", **options
    )
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    errors = []
    pg.on("console", lambda msg: msg.type == "error" and errors.append(f"{pg.url}: {msg.text}"))
    pg.on("pageerror", lambda exc: errors.append(f"{pg.url}: uncaught {exc}"))
    return context, pg, errors


def _check(errors, request):
    allowed = [p for m in request.node.iter_markers("allow_console_errors") for p in m.args]
    unexpected = [e for e in errors if not any(re.search(p, e) for p in allowed)]
    assert unexpected == [], f"errors in the browser's console: {unexpected}"


@pytest.fixture
def page(browser, request):
    """A fresh page. The test fails on any error in the browser's console (a CSP violation, a
    script error, a failed load) or uncaught script exception, except those it expects with
    `@pytest.mark.allow_console_errors(regex, ...)` (a page answered with 403 or 404 on purpose
    logs "Failed to load resource ... status of 404")."""
    context, pg, errors = _strict_page(browser)
    yield pg
    context.close()
    _check(errors, request)


@pytest.fixture
def page_without_js(browser, request):
    """The same, with JavaScript disabled (the plain-form flow)."""
    context, pg, errors = _strict_page(browser, java_script_enabled=False)
    yield pg
    context.close()
    _check(errors, request)
