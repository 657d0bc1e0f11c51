"""Find the Chromium that the browser tests (tests/browser/) drive through Playwright.

In this order: the CHROMIUM environment variable (a path or a command name), `chromium` or
`chromium-browser` on PATH (Debian's /usr/bin/chromium), then Playwright's own Chromium when
`playwright install chromium` has put it in its cache (~/.cache/ms-playwright, or
PLAYWRIGHT_BROWSERS_PATH). Nothing is ever downloaded.

As a command (`make test` runs it first) it prints the browser found, or what to install and
exits with status 1.
"""

import os
import shutil
import sys

COMMANDS = ("chromium", "chromium-browser")

HOW_TO_INSTALL = """\
The browser tests (tests/browser/) need Chromium, and none was found:
no CHROMIUM variable, no `chromium` or `chromium-browser` on PATH, no Playwright Chromium.
Install one with a single command, then run `make test` again:

    sudo apt-get install chromium                        # Debian (Ubuntu: chromium-browser)
    .venv/bin/playwright install --with-deps chromium    # any Linux: Playwright's own build

or name one you have:             make test CHROMIUM=/path/to/chrome
or leave the browser tests out:   make test SKIP_BROWSER=1"""


class BrowserMissing(Exception):
    """No usable Chromium; the message says what to install."""


def playwright_chromium():
    """Playwright's own Chromium when it is installed, else None."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        path = p.chromium.executable_path
    return path if os.access(path, os.X_OK) else None


def find_chromium():
    """The path of the Chromium to drive; BrowserMissing when there is none."""
    named = os.environ.get("CHROMIUM")
    if named:
        path = shutil.which(named)
        if path is None:
            raise BrowserMissing(f"CHROMIUM={named} is not an executable file.")
        return path
    for command in COMMANDS:
        if path := shutil.which(command):
            return path
    if path := playwright_chromium():
        return path
    raise BrowserMissing(HOW_TO_INSTALL)


def main():
    try:
        print(f"Browser tests drive {find_chromium()}")
    except BrowserMissing as exc:
        sys.exit(str(exc))


if __name__ == "__main__":
    main()
