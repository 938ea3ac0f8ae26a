"""What the browser tests do with Streamlit: start a server, open a page in a mode, wait for it, read it, scan it."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import quote
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pages.common import MODE_LABELS

# Streamlit marks the app element with its script state; stale elements belong to an unfinished run.
SETTLED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app !== null && app.dataset.testConnectionState === 'CONNECTED'
        && app.dataset.testScriptState === 'notRunning'
        && document.querySelector('[data-stale="true"]') === null
        && document.querySelector('[data-testid="stSkeleton"]') === null;
}"""
ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90
MAX_SHOT_HEIGHT = 12_000
BLOCKING = ("serious", "critical")
# Streamlit's own sidebar navigation puts its section headings (st.navigation with sections) as
# <div>s inside the <ul> of links, which axe reports as "list"/"listitem" violations. The app
# cannot change that markup, so those two rules are ignored on elements inside that list only.
STREAMLIT_CHROME = {"list": '[data-testid="stSidebarNavItems"]', "listitem": '[data-testid="stSidebarNavItems"]'}
INSIDE = "([target, within]) => { const e = document.querySelector(target); return !!(e && e.closest(within)); }"


def url(base: str, path: str, mode: str, **query: str) -> str:
    """A page's address with the sidebar's mode radio preset through the URL.

    The radio is bound to the query parameter `mode` by its label (Streamlit binds an option by
    what it shows), so the value is the label, e.g. "Workshop (safe to share)".
    """
    params = {"mode": MODE_LABELS[mode], **query}
    return f"{base}/{path}?" + "&".join(f"{k}={quote(v)}" for k, v in params.items())


def settle(page, extra_ms: int = 400) -> None:
    """Wait until the script run has finished and nothing on screen is stale, then let charts draw."""
    page.wait_for_function(SETTLED)
    page.wait_for_timeout(extra_ms)
    page.wait_for_function(SETTLED)


def visit(page, base: str, path: str, mode: str, **query: str) -> None:
    page.goto(url(base, path, mode, **query))
    settle(page)


def exceptions(page) -> list[str]:
    return page.locator('[data-testid="stException"]').all_inner_texts()


def chosen_mode(page) -> str:
    """The label of the sidebar mode radio's checked option."""
    return page.evaluate("""() => {
        const input = [...document.querySelectorAll('[data-testid="stSidebar"] [role="radiogroup"] input')]
            .find(i => i.checked);
        return input ? input.closest('label').innerText.trim() : '';
    }""")


def metrics(page) -> list[tuple[str, str]]:
    """Every st.metric on the page as (label, value), labels included when visually collapsed."""
    return page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMetric"]')].map(m => [
        (m.querySelector('[data-testid="stMetricLabel"]') || {textContent: ''}).textContent.trim(),
        (m.querySelector('[data-testid="stMetricValue"]') || {textContent: ''}).textContent.trim()])""")


def screenshot(page, folder: Path, name: str) -> Path:
    """The whole page as one image. Streamlit scrolls inside its main element, not the document,
    so the window is made as tall as the content for the shot (capped), then put back."""
    path = folder / f"{name}.png"
    size = page.viewport_size
    tall = page.evaluate("""() => Math.max(...['stMain', 'stSidebarContent'].map(id => {
        const e = document.querySelector(`[data-testid="${id}"]`); return e ? e.scrollHeight : 0; }))""")
    page.set_viewport_size({"width": size["width"], "height": min(max(tall, size["height"]), MAX_SHOT_HEIGHT)})
    settle(page, extra_ms=300)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def accessibility_problems(page) -> list[str]:
    """Serious or critical axe-core violations, one line each with the elements they were found on."""
    from axe_playwright_python.sync_playwright import Axe
    problems = []
    for violation in Axe().run(page).response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        nodes = [n for n in violation["nodes"] if not (
            violation["id"] in STREAMLIT_CHROME and len(n["target"]) == 1
            and page.evaluate(INSIDE, [n["target"][0], STREAMLIT_CHROME[violation["id"]]]))]
        if nodes:
            problems.append(f"{violation['impact']}: {violation['id']} ({violation['help']}) on "
                            + ", ".join(str(n["target"]) for n in nodes[:5]))
    return problems


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_server(store: Path, log: Path, folder: Path | None = None, port: int | None = None,
                     env: dict[str, str] | None = None) -> Iterator[str]:
    """`streamlit run app.py -- --db <store>` on a free local port; yields its base address.

    `folder` is the working directory, where Streamlit looks for `.streamlit/secrets.toml`: the log's
    folder unless a test with sign-in writes its own, so a developer's own secrets and staff
    accounts never change what a test sees; `env` adds environment variables."""
    port = port or free_port()
    folder = folder or log.parent
    (folder / ".streamlit").mkdir(exist_ok=True)  # the project's server settings, as the README runs it
    shutil.copy(ROOT / ".streamlit" / "config.toml", folder / ".streamlit" / "config.toml")
    env = {"CL_STAFF_FILE": str(folder / "no-staff.toml"), **(env or {})}
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--", "--db", str(store)]
    with open(log, "wb") as out:
        server = subprocess.Popen(command, cwd=folder, stdout=out, stderr=subprocess.STDOUT,
                                  env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _healthy(base):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start:\n{log.read_text()[-3000:]}", pytrace=False)
            time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
