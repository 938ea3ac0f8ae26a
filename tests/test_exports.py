"""Every CSV the app offers, walked: each page in both modes, on a store whose text was written to be
run by a spreadsheet. No cell of any downloaded CSV may start a formula, and analyst files are marked."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from cl_metrics import lab, session, store
from cl_metrics import workshop as ws
from cl_metrics.export import FORMULA_STARTS, MARKING
from cl_metrics.indicators import Indicator, builtin
from tests.conftest import APP, FACILITATOR, MANAGER, signed_in, store_with_words
from tests.test_ingest import TEST_KEY

FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(A1:A2)", "-2+3", "\tTAB"]
PAGES = ["overview", "domain", "voice", "lab", "workshop", "data_map", "data_quality", "data"]


@pytest.fixture(scope="module")
def formula_store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("exports")
    path = store_with_words(folder, "formulas.duckdb", FORMULAS[1], lambda i: FORMULAS[i % 5],
                            lambda i: FORMULAS[(i + 1) % 5], TEST_KEY)
    opened = session.open_store(path)
    candidate = lab.create(opened, MANAGER, Indicator.model_validate({
        "id": "formula_title", "domain": "keeping_in_touch", "status": "candidate", "title": FORMULAS[3],
        "question": "Is the council in touch with you?", "description": FORMULAS[0], "unit": "percent",
        "population": [{"field": "age", "op": "between", "values": [17, 21]}],
        "numerator": [{"field": "IN_TOUCH", "op": "in", "values": ["YES"]}],
        "better": "higher", "voice": "national-return"}), FORMULAS[2])
    room = ws.create_workshop(opened, FACILITATOR, "Formula room", [builtin()[0], candidate])
    for i, formula in enumerate(FORMULAS):
        ws.submit(opened, room.id, f"phone-{i}", builtin()[0].id, matters=3, comment=formula, missing=formula)
    ws.set_approved(opened, FACILITATOR, room.id, list(ws.comments_to_review(opened.cursor(), FACILITATOR, room, {})["id"]))
    opened.connection.close()
    return path


@pytest.fixture()
def downloads(monkeypatch) -> list[tuple[str, bytes]]:
    """Every CSV a page offers for download on a run, as (file name, bytes)."""
    offered, original = [], streamlit.download_button

    def recording(label, data, file_name=None, mime=None, **kwargs):
        if mime == "text/csv":
            offered.append((file_name, data if isinstance(data, bytes) else str(data).encode()))
        return original(label, data, file_name=file_name, mime=mime, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recording)
    return offered


@pytest.mark.parametrize("mode", ["workshop", "analyst"])
def test_every_csv_on_every_page_neutralises_formula_cells(formula_store, monkeypatch, downloads, mode):
    monkeypatch.setenv(store.STORE_ENV, str(formula_store))
    at = signed_in(AppTest.from_file(APP, default_timeout=60)).run()
    at.radio(key="mode").set_value(mode).run()
    for page in PAGES:
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
        if page == "domain":
            at.selectbox(key="dimension").set_value("adviser_team").run()
        if page == "lab":
            at.selectbox(key="lab_start").set_value("saved:formula_title").run()
        assert not at.exception, (page, at.exception)
    names = " ".join(name for name, _ in downloads)
    lab_breakdown = ("formula_title_by",) if mode == "analyst" else ()  # workshop mode shows a candidate no breakdown
    for expected in ("keeping_in_touch_2024_indicators", "by_adviser_team", "voice_safe_home", *lab_breakdown,
                     "_comments", "data_map_coverage", "quality_check_counts", "import_history"):
        assert expected in names, f"the walk did not reach the download {expected}"
    for name, data in downloads:
        text = data.decode()
        if mode == "analyst":
            assert name.startswith("OFFICIAL-SENSITIVE_") and text.startswith(MARKING + "\n"), name
            text = text.split("\n", 1)[1]
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        assert not [c for c in cells if c.startswith(FORMULA_STARTS)], name
    walked = "\n".join(data.decode() for _, data in downloads)
    assert "'=HYPERLINK" in walked and "'+cmd" in walked  # the hostile text was there, made inert
