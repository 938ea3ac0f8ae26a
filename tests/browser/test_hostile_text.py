"""Untrusted text is text: words from imported files and from the lab that are written as Markdown
images pointing at a local server must never make the browser fetch them, on any page, in either
mode. The local server counts every request it receives; the count must stay at zero."""
from __future__ import annotations

import http.server
import threading

import pytest

import streamlit_page as sp
from tests.conftest import store_with_words
from cl_metrics import lab, session
from cl_metrics.access import Principal, accounts
from cl_metrics.indicators import Indicator
from cl_metrics.ingest import pseudonym

KEY = "browser-test-key-not-secret-0123"
NAME, PASSWORD = "ana", "a long local password"
PAGES = ["", "domain?dimension=adviser_team", "voice", "lab", "workshop", "data_map", "data_quality", "data",
         "sign_in"]


class Trap(http.server.BaseHTTPRequestHandler):
    """Counts every request: a fetched 'image' is text rendered as Markdown."""
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (the standard library's name)
        Trap.requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def trap():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trap)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


@pytest.fixture(scope="module")
def hostile_app(trap, tmp_path_factory):
    payload = f"![x](http://127.0.0.1:{trap}/x.png)"
    folder = tmp_path_factory.mktemp("hostile")
    path = store_with_words(folder, "hostile.duckdb", payload, lambda i: payload, lambda i: f"{payload} {i}", KEY)
    opened = session.open_store(path)
    lab.create(opened, Principal("setup", "manager", "command line"), Indicator.model_validate({
        "id": "hostile_title", "domain": "keeping_in_touch", "status": "candidate", "title": payload,
        "question": f"Is this {payload} shown as text?", "description": payload, "unit": "percent",
        "population": [{"field": "age", "op": "between", "values": [17, 21]}],
        "numerator": [{"field": "IN_TOUCH", "op": "in", "values": ["YES"]}],
        "better": "higher", "voice": "national-return"}), payload)
    opened.connection.close()
    staff = folder / "staff.toml"
    accounts.add(NAME, "analyst", PASSWORD, staff)
    with sp.streamlit_server(path, folder / "streamlit.log", env={accounts.STAFF_ENV: str(staff), pseudonym.KEY_ENV: KEY}) as url:
        yield url, payload


def test_no_page_in_either_mode_fetches_what_a_file_or_the_lab_says(page, hostile_app, trap, artifacts):
    url, payload = hostile_app
    page.goto(f"{url}/sign_in")
    sp.settle(page)
    page.get_by_role("textbox", name="Name").fill(NAME)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    sp.settle(page)
    for mode in ("Workshop", "Analyst"):
        for path in PAGES:
            joiner = "&" if "?" in path else "?"
            page.goto(f"{url}/{path}{joiner}mode={mode}")
            sp.settle(page, extra_ms=600)
            assert sp.exceptions(page) == [], path
            assert page.locator('[data-testid="stMarkdownContainer"] img').count() == 0, path
            assert page.locator(f'a[href*="127.0.0.1:{trap}"]').count() == 0, path  # nor a link to click
        # the lab's preview of the candidate, whose title is the payload
        page.goto(f"{url}/lab?mode={mode}")
        sp.settle(page)
        page.get_by_test_id("stSelectbox").filter(has_text="Start from").click()
        page.get_by_role("option", name="x", exact=False).filter(has_text="127.0.0.1").first.click()
        sp.settle(page, extra_ms=600)
        assert payload in page.locator("body").inner_text().replace("\u2060", "")  # shown as the characters typed
    # a non-903 file whose header is the payload, uploaded on the Data page
    page.goto(f"{url}/data?mode=Analyst")
    sp.settle(page)
    page.locator('input[type="file"]').first.set_input_files(
        files=[{"name": "notes.csv", "mimeType": "text/csv", "buffer": f"{payload},b\n1,2\n".encode()}])
    sp.settle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    sp.settle(page, extra_ms=800)
    assert page.get_by_text("was refused").count() >= 1
    sp.screenshot(page, artifacts, "hostile-text-data-page")
    assert Trap.requests == []
