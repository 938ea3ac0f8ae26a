"""Published figures beside the store's own, in a real browser: the Overview's cards and the Domain
page's comparators, the trend's England and neighbours lines, Hampshire one click away, and a
screenshot of each for a person to look at.

Named to run after test_first_visit.py, whose server must be the first to open the shared store."""
from __future__ import annotations

import streamlit_page as sp
from cl_metrics import benchmarks
from cl_metrics.domains import domain
from cl_metrics.indicators import builtin


def test_overview_cards_carry_england_the_region_and_the_neighbours(page, app_url, artifacts):
    sp.visit(page, app_url, "", "workshop")
    sp.screenshot(page, artifacts, "benchmarks-overview-workshop")
    neet = benchmarks.published("neet", "19-21", 2025, benchmarks.ENGLAND).percent
    captions = page.get_by_test_id("stCaptionContainer").all_inner_texts()
    assert any(c.startswith(f"England {neet}%") and "Yorkshire and The Humber" in c and "statistical neighbours" in c
               for c in captions)
    assert any("modelled on North Yorkshire's published figures" in c for c in captions)
    assert sp.exceptions(page) == []


def test_domain_page_draws_england_and_neighbours_and_lists_every_neighbour(page, app_url, artifacts):
    # the selectboxes keep their shown labels in the URL
    neet = next(ind for ind in builtin() if ind.id == "eet_neet_19_21")
    sp.visit(page, app_url, "domain", "analyst", domain=domain("eet").name, indicator=neet.title)
    page.get_by_role("button", name="Hampshire", exact=True).click()
    sp.settle(page)
    page.get_by_text("Every published figure beside").click()
    sp.settle(page)
    sp.screenshot(page, artifacts, "benchmarks-domain-eet-analyst")
    assert sp.exceptions(page) == []
    england = benchmarks.published("neet", "19-21", 2025, benchmarks.ENGLAND).percent
    summary = page.get_by_text("Published for 2025:").first.inner_text()  # the chart's one-line summary
    assert f"England {england}%" in summary and "Statistical neighbours (mean)" in summary
    hampshire = benchmarks.published("neet", "19-21", 2025, "850").percent
    assert any(f"Hampshire {hampshire}%" in c for c in page.get_by_test_id("stCaptionContainer").all_inner_texts())
    assert sp.accessibility_problems(page) == []
