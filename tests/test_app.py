"""AppTest of the app's spine: the Overview shows every declared domain with figures, no exception."""
from __future__ import annotations


import pytest
from streamlit.testing.v1 import AppTest

from cl_metrics import views
from cl_metrics.domains import domains
from tests.conftest import APP, as_read, build_store, signed_in



@pytest.fixture()
def app(small_store, monkeypatch):
    monkeypatch.setenv("CL_STORE", small_store)
    at = AppTest.from_file(APP, default_timeout=60)
    return at


def test_overview_shows_eight_domains_with_figures(app):
    at = app.run()
    at.radio(key="mode").set_value("workshop").run()
    assert not at.exception, at.exception
    headings = [h.value for h in at.subheader]
    assert headings == [d.name for d in domains()]
    text = " ".join(m.value for m in at.markdown)
    assert text.count("■ Established") >= 4 and text.count("◆ Prototype") >= 4
    year = max(int(y) for y in at.selectbox(key="year").options)
    expected = views.indicator_figures(at.session_state["_context"].cursor(), year)
    shown = [m.value for m in at.metric]
    assert shown == list(expected["display"])
    assert sum(v.endswith("%") for v in shown) > 25


def test_synthetic_store_opens_in_analyst_mode_with_one_decimal(app):
    at = app.run()
    assert at.radio(key="mode").value == "analyst"
    assert any("." in m.value and m.value.endswith("%") for m in at.metric)
    at.radio(key="mode").set_value("workshop").run()
    assert not at.exception
    assert all("." not in m.value for m in at.metric if m.value.endswith("%"))


def test_first_start_builds_the_default_store(tmp_path, monkeypatch):
    from cl_metrics import store
    default = tmp_path / "data" / "care_leavers.duckdb"
    monkeypatch.setattr(store, "DEFAULT_STORE", default)
    monkeypatch.delenv("CL_STORE", raising=False)
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    assert default.exists()
    assert len(at.subheader) == len(domains()) and len(at.metric) > 30
    # the default store is North Yorkshire's synthetic twin, and says so on the page and in the sidebar
    twin = "Synthetic data: made-up young people, modelled on North Yorkshire's published figures"
    assert twin in as_read(" ".join(m.value for m in at.sidebar.markdown))
    assert twin in as_read(" ".join(c.value for c in at.caption))
    assert at.session_state["_context"].summary.authority == "815"
    for _ in range(2):  # the progress box is gone once the store is ready, and never comes back
        assert not [e for e in at.expander if "First start" in str(e.label)] and not at.status
        at.run()


def test_sidebar_hides_a_small_number_of_young_people_in_workshop_mode(tmp_path, monkeypatch):
    people = [{"CHILD": c, "DOB": "2004-06-01", "IN_TOUCH": "YES", "ACTIV": "F5", "ACCOM": "U1",
               "collection_year": 2024} for c in "ABC"]
    build_store(tmp_path / "three.duckdb", {"oc3": people}).close()
    monkeypatch.setenv("CL_STORE", str(tmp_path / "three.duckdb"))
    at = signed_in(AppTest.from_file(APP, default_timeout=60)).run()
    for mode, shown in (("analyst", "3 young people"), ("workshop", "fewer than 5 young people")):
        at.radio(key="mode").set_value(mode).run()
        assert not at.exception
        assert shown in " ".join(m.value for m in at.sidebar.markdown)
