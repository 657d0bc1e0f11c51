import os
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

    def on_console(msg):
        # The browser asks for /favicon.ico by itself; the pages link none.
        if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
            errors.append(msg.text)

    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, pg, errors


@pytest.fixture
def page(browser):
    """A browser page; the test fails on any console error or uncaught exception in it."""
    context, pg, errors = _strict_page(browser)
    yield pg
    context.close()
    assert errors == [], f"console errors: {errors}"


@pytest.fixture
def page_without_js(browser):
    """The same, with JavaScript disabled (the plain-form flow)."""
    context, pg, errors = _strict_page(browser, java_script_enabled=False)
    yield pg
    context.close()
    assert errors == [], f"console errors: {errors}"
