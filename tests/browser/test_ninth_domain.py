"""A ninth domain, declared in a copy of the configuration only, in a real browser: the Overview lays it
out in a third row, the Data page offers its template, on a desktop and at phone width."""
from __future__ import annotations

import os

import pytest

import streamlit_page as sp
from cl_metrics import config
from tests.test_new_domain import configured_store, forget


@pytest.fixture()
def ninth_domain_url(tmp_path, monkeypatch):
    store_path = configured_store(tmp_path, monkeypatch, with_indicators=True)
    with sp.streamlit_server(store_path, tmp_path / "streamlit.log",
                             env={config.CONFIG_ENV: os.environ[config.CONFIG_ENV]}) as url:
        yield url
    forget(monkeypatch)


@pytest.mark.parametrize("viewer", ["page", "phone"])
def test_overview_and_data_page_show_the_ninth_domain(request, ninth_domain_url, artifacts, viewer):
    browser_page = request.getfixturevalue(viewer)
    sp.visit(browser_page, ninth_domain_url, "", "workshop")
    sp.screenshot(browser_page, artifacts, f"ninth-domain-overview-{viewer}")
    assert sp.exceptions(browser_page) == []
    assert browser_page.locator("h3").all_inner_texts()[-1] == "Digital inclusion"
    browser_page.locator("h3", has_text="Digital inclusion").scroll_into_view_if_needed()  # past a full shot's cap
    browser_page.screenshot(path=str(artifacts / f"ninth-domain-overview-{viewer}-ninth.png"))
    assert ("Has a device of their own", "75%") in map(tuple, sp.metrics(browser_page))
    assert sp.accessibility_problems(browser_page) == []
    sp.visit(browser_page, ninth_domain_url, "data", "workshop")
    sp.screenshot(browser_page, artifacts, f"ninth-domain-data-{viewer}")
    assert sp.exceptions(browser_page) == []
    assert browser_page.get_by_role("button", name="Digital inclusion").count() == 1
