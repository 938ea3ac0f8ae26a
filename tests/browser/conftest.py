"""A real browser against a real server: `streamlit run app.py` on a free port, driven by Debian's chromium.

The session builds the synthetic twin the app starts with (North Yorkshire's), records what the command line says its figures are
(before the server opens the file: DuckDB lets one process write it), starts the server, and
yields its address. Without /usr/bin/chromium the suite skips, except in CI (CI=true), where a
missing browser is a failure: `.ci/run` installs it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from streamlit_page import ROOT, streamlit_server
from synthetic.generate import write_store

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions"]
SEED = 5
LIKE = "North Yorkshire"  # the store the app builds on first start: North Yorkshire's synthetic twin
MODES = ("workshop", "analyst")
RUN_TIMEOUT_MS = 60_000


def _missing_browser() -> str | None:
    """Why the browser suite cannot run here, or None when it can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    try:
        import playwright  # noqa: F401
        import axe_playwright_python  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (pip install -r requirements-dev.txt)"
    return None


@pytest.fixture(scope="session", autouse=True)
def browser_available() -> None:
    reason = _missing_browser()
    if reason and os.environ.get("CI") == "true":
        pytest.fail(f"browser tests must run in CI, but {reason}", pytrace=False)
    if reason:
        pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def browser_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("browser") / "browser.duckdb"
    write_store(path, seed=SEED, like=LIKE)
    return path


@pytest.fixture(scope="session")
def cli_figures(browser_store) -> dict[str, dict[str, dict]]:
    """mode -> indicator id -> the command line's row, read before the server holds the file."""
    figures = {}
    for mode in MODES:
        out = subprocess.run([sys.executable, "-m", "cl_metrics", "indicators", "--db", str(browser_store),
                              "--mode", mode, "--format", "json"], cwd=ROOT, capture_output=True, text=True,
                             check=True, timeout=120).stdout
        figures[mode] = {row["id"]: row for row in json.loads(out)}
    return figures


@pytest.fixture(scope="session")
def app_url(browser_store, cli_figures, tmp_path_factory) -> Iterator[str]:
    """The running app's base address. No visit warms it up: the first test's deep link is the
    server's first visit, as a participant's join link can be after a restart."""
    with streamlit_server(browser_store, tmp_path_factory.mktemp("server") / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser(browser_available):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-GB")
    context.set_default_timeout(RUN_TIMEOUT_MS)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture()
def phone(browser):
    """A phone-sized page (iPhone-like viewport, touch), as a workshop participant holds it."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="en-GB")
    context.set_default_timeout(RUN_TIMEOUT_MS)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
