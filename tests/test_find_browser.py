"""scripts/find_browser.py: which Chromium `make test` drives, or what to install.

Each case runs the script as `make test` does, with PATH, CHROMIUM and Playwright's browser
cache (PLAYWRIGHT_BROWSERS_PATH) pointed at temporary folders.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "find_browser.py"


@pytest.fixture
def folders(tmp_path):
    bin_dir, cache = tmp_path / "bin", tmp_path / "ms-playwright"
    bin_dir.mkdir()
    cache.mkdir()
    return bin_dir, cache


def run(folders, **env):
    bin_dir, cache = folders
    environ = {k: v for k, v in os.environ.items() if k != "CHROMIUM"}
    environ.update(PATH=str(bin_dir), PLAYWRIGHT_BROWSERS_PATH=str(cache), **env)
    return subprocess.run(
        [sys.executable, SCRIPT], env=environ, capture_output=True, text=True, timeout=60
    )


def executable(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_without_a_browser_it_says_what_to_install_in_one_command(folders):
    found = run(folders)
    assert found.returncode == 1 and found.stdout == ""
    assert "none was found" in found.stderr
    assert "sudo apt-get install chromium" in found.stderr
    assert ".venv/bin/playwright install --with-deps chromium" in found.stderr
    assert "make test SKIP_BROWSER=1" in found.stderr


@pytest.mark.parametrize("command", ["chromium", "chromium-browser"])
def test_a_chromium_on_path_is_found(folders, command):
    chromium = executable(folders[0] / command)
    found = run(folders)
    assert found.returncode == 0, found.stderr
    assert found.stdout == f"Browser tests drive {chromium}\n"


def test_the_chromium_variable_comes_first(folders, tmp_path):
    executable(folders[0] / "chromium")
    chrome = executable(tmp_path / "opt" / "chrome")
    found = run(folders, CHROMIUM=str(chrome))
    assert found.stdout == f"Browser tests drive {chrome}\n"


def test_a_chromium_variable_naming_nothing_is_refused(folders, tmp_path):
    executable(folders[0] / "chromium")
    found = run(folders, CHROMIUM=str(tmp_path / "no-such-chrome"))
    assert found.returncode == 1
    assert f"CHROMIUM={tmp_path / 'no-such-chrome'} is not an executable file." in found.stderr


def test_playwrights_own_chromium_is_used_when_installed(folders):
    cache = folders[1]
    # Where `playwright install chromium` puts it for this Playwright version.
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "from playwright.sync_api import sync_playwright\n"
            "with sync_playwright() as p: print(p.chromium.executable_path)",
        ],
        env={**os.environ, "PLAYWRIGHT_BROWSERS_PATH": str(cache)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where.startswith(str(cache))
    chrome = executable(Path(where))
    found = run(folders)
    assert found.returncode == 0, found.stderr
    assert found.stdout == f"Browser tests drive {chrome}\n"
