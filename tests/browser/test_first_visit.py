"""The first visit to a freshly started server may be a deep link: a participant's join link
(`/workshop?code=...`) after the server restarts. It must still run app.py (store, sidebar,
navigation): Streamlit first takes the `pages/` folder for an old-style multipage app and runs
the page file alone, which `pages.common.current` corrects."""
from __future__ import annotations

import streamlit_page as sp


def test_deep_link_as_first_visit_runs_the_app(browser_store, cli_figures, page, tmp_path):
    with sp.streamlit_server(browser_store, tmp_path / "streamlit.log") as url:
        sp.visit(page, url, "workshop", "workshop")
        assert sp.exceptions(page) == []
        assert page.locator("h1").first.inner_text() == "Workshop"
        assert sp.chosen_mode(page) == sp.MODE_LABELS["workshop"]
        assert page.get_by_test_id("stSidebarNav").get_by_role("link", name="Data quality").count() == 1
