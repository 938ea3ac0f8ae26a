"""Every page in a real browser, in both modes: it runs without an exception, shows its title and the
mode asked for in the URL, passes an axe-core scan (no serious or critical violation), and is
saved as a full-page screenshot in tests/artifacts/ for a person to look at. The Overview's
figures are the command line's figures."""
from __future__ import annotations

import pytest

import streamlit_page as sp
from cl_metrics.domains import domains
from cl_metrics.indicators import builtin
from pages.common import MODE_LABELS

# url path -> words its title always holds (the domain page opens on the first domain). The
# Overview is the default page, so Streamlit serves it at the root: "/overview" is "Page not found".
PAGES = {
    "": "the eight domains",
    "domain": domains()[0].name,
    "voice": "What young people say",
    "lab": "Indicator lab",
    "workshop": "Workshop",
    "data_map": "Data map",
    "data_quality": "Data quality",
    "data": "Import and store",
}


@pytest.mark.parametrize("mode", list(MODE_LABELS))
@pytest.mark.parametrize("path", list(PAGES), ids=lambda p: p or "overview")
def test_page_runs_reads_and_passes_accessibility_scan(page, app_url, artifacts, path, mode):
    sp.visit(page, app_url, path, mode)
    sp.screenshot(page, artifacts, f"{path or 'overview'}-{mode}")
    assert sp.exceptions(page) == []
    assert PAGES[path] in page.locator("h1").first.inner_text()
    assert sp.chosen_mode(page) == MODE_LABELS[mode]
    assert sp.accessibility_problems(page) == []


@pytest.mark.parametrize("mode", list(MODE_LABELS))
def test_overview_shows_the_eight_domains_with_the_command_lines_figures(page, app_url, cli_figures, mode):
    sp.visit(page, app_url, "", mode)
    headings = page.locator("h3").all_inner_texts()
    assert [d.name for d in domains()] == [h for h in headings if h in {d.name for d in domains()}]
    expected = sorted((ind.title, cli_figures[mode][ind.id]["display"]) for ind in builtin())
    assert sorted(map(tuple, sp.metrics(page))) == expected


def test_sidebar_navigation_opens_each_page_and_keeps_the_mode(page, app_url):
    sp.visit(page, app_url, "", "workshop")
    for link, path in [("Data map", "data_map"), ("Indicator lab", "lab"), ("Voice", "voice")]:
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=link, exact=True).click()
        page.wait_for_url(f"**/{path}*")
        sp.settle(page)
        assert PAGES[path] in page.locator("h1").first.inner_text()
        assert sp.chosen_mode(page) == MODE_LABELS["workshop"]
        assert sp.exceptions(page) == []
