"""The Overview in a real browser: each card's change since last year on a hand-built store (one figure
improves, one worsens, one stays), the filters kept in the URL, the page at desktop and phone width,
and the printable report: downloaded, opened, its figures checked against cl_metrics, printed to A4.

Named to run after test_first_visit.py, whose server must be the first to open the shared store."""
from __future__ import annotations

import re
from urllib.parse import quote_plus

import duckdb
import pytest

import streamlit_page as sp
from cl_metrics import change
from cl_metrics.indicators import by_id
from tests.conftest import build_store
from tests.test_overview import IMPROVES, STAYS, WORSENS, _year


@pytest.fixture(scope="module")
def moving_app(tmp_path_factory):
    """A server on a hand-built store, with the Overview's cards as cl_metrics makes them (read before
    the server holds the file)."""
    folder = tmp_path_factory.mktemp("moving")
    build_store(folder / "moving.duckdb", {"oc3": _year(2023, 20, 30) + _year(2024, 30, 20)}).close()
    con = duckdb.connect(str(folder / "moving.duckdb"))
    cards = {row.indicator_id: row for _, t in change.overview(con, 2024, "workshop") for row in t.itertuples()}
    con.close()
    with sp.streamlit_server(folder / "moving.duckdb", folder / "streamlit.log") as url:
        yield url, cards


def card_texts(page) -> dict[str, str]:
    """Each card's title (its metric's label) and everything its metric says."""
    return dict(page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMetric"]')].map(m => [
        (m.querySelector('[data-testid="stMetricLabel"]') || {textContent: ''}).textContent.trim(),
        m.innerText])"""))


def body_text(page) -> str:
    return page.locator("body").inner_text().replace("\u2060", "")  # word joiners from cl_metrics.text.plain


def test_cards_show_the_change_with_an_arrow_and_words(page, phone, moving_app, artifacts):
    url, cards = moving_app
    sp.visit(page, url, "", "workshop")
    assert sp.exceptions(page) == []
    shown = card_texts(page)
    for indicator_id, words in ((IMPROVES, "▲ improved: up 25 percentage points since 2023 (50%)"),
                                (WORSENS, "▼ worse: down 25 percentage points since 2023 (75%)"),
                                (STAYS, "► about the same: no change since 2023 (100%)")):
        assert words == cards[indicator_id].change_text
        assert words.split(":")[0] in shown[by_id(indicator_id).title]  # on the figure, the arrow and the word
        assert words.split(": ")[1] in body_text(page)  # under it, by how much
    sp.screenshot(page, artifacts, "overview-changes-desktop")
    assert sp.accessibility_problems(page) == []
    sp.visit(phone, url, "", "workshop")
    sp.screenshot(phone, artifacts, "overview-changes-phone")
    assert "▲ improved" in card_texts(phone)[by_id(IMPROVES).title]


def test_filters_stay_in_the_url(page, app_url, artifacts):
    sp.visit(page, app_url, "", "analyst", age_band="19-21")
    assert sp.exceptions(page) == []
    assert "Counting age band 19-21" in body_text(page)
    page.get_by_role("combobox", name="Personal adviser team").click()
    team = page.get_by_role("option").nth(1)  # the first team after "Every personal adviser team"
    name = team.inner_text()
    team.click()
    sp.settle(page)
    assert "age_band=19-21" in page.url and f"adviser_team={quote_plus(name)}" in page.url
    assert f"Counting age band 19-21, personal adviser team {name}" in body_text(page)
    assert re.search(r"\d[\d,]* of \d[\d,]* young people \(exact\)", body_text(page))
    sp.screenshot(page, artifacts, "overview-filtered-analyst")


def test_the_report_opens_holds_the_pages_figures_and_prints_on_a4(page, moving_app, artifacts, tmp_path):
    url, cards = moving_app
    sp.visit(page, url, "", "workshop")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Printable report").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "overview_2024_report.html"  # safe to share: no OFFICIAL-SENSITIVE in its name
    page.goto(saved.as_uri())
    figures = dict(page.evaluate("""() => [...document.querySelectorAll('tr[data-indicator]')].map(r =>
        [r.dataset.indicator, r.querySelector('td.figure').innerText])"""))
    assert figures == {i: row.display for i, row in cards.items()}
    text = page.locator("body").inner_text()
    assert "▲ improved" in text and "▼ worse" in text and "Safe to share" in text and "OFFICIAL-SENSITIVE" not in text
    assert page.locator("img[src^='data:image/svg+xml']").count() >= 3  # each card with figures has its trend
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.screenshot(path=str(artifacts / "overview-report-page.png"))
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 2
    (artifacts / "overview-report.pdf").write_bytes(pdf)
