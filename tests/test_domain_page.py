"""The Domain page in both modes: figures equal cl_metrics', no small counts, links reopen the view."""
from __future__ import annotations


import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cl_metrics import charts, views
from cl_metrics.disclosure import protect
from cl_metrics.domains import domain
from cl_metrics.indicators import by_id, compute, for_domain
from tests.conftest import APP



@pytest.fixture()
def app(small_store, monkeypatch):
    monkeypatch.setenv("CL_STORE", small_store)
    return AppTest.from_file(APP, default_timeout=60)


def open_domain(at: AppTest, mode: str) -> AppTest:
    at.run()
    at.switch_page("pages/domain.py").run()
    at.radio(key="mode").set_value(mode).run()
    assert not at.exception, at.exception
    return at


def check_page_matches_cl_metrics(at: AppTest) -> None:
    """Cards, both charts' summaries and tables equal what cl_metrics computes for the same choices."""
    ctx = at.session_state["_context"]
    cur, domain_id = ctx.cursor(), at.selectbox(key="domain").value
    indicator, dimension = by_id(at.selectbox(key="indicator").value), at.selectbox(key="dimension").value
    label = compute.DIMENSIONS[dimension][1]
    figures = views.indicator_figures(cur, ctx.year, ctx.mode, ctx.threshold, for_domain(domain_id))
    assert [m.value for m in at.metric] == list(figures["display"])
    trend = compute.trend(cur, [indicator], mode=ctx.mode, threshold=ctx.threshold)
    groups = compute.breakdown(cur, [indicator], dimension, ctx.year, mode=ctx.mode, threshold=ctx.threshold)
    text = [m.value for m in at.markdown]
    assert charts.trend_summary(trend, indicator.title) in text
    assert charts.breakdown_summary(groups, indicator.title, label) in text
    shown_trend, shown_groups = (d.value.reset_index(drop=True) for d in at.dataframe)
    pd.testing.assert_frame_equal(shown_trend, views.figure_table(
        trend, {"collection_year": "Year ending 31 March"}, ctx.mode), check_dtype=False)
    pd.testing.assert_frame_equal(shown_groups, views.figure_table(groups, {"group": label}, ctx.mode),
                                  check_dtype=False)
    assert at.title[0].value == domain(domain_id).name


@pytest.mark.parametrize("mode", ["workshop", "analyst"])
def test_domain_page_shows_cl_metrics_figures(app, mode):
    at = open_domain(app, mode)
    check_page_matches_cl_metrics(at)
    for domain_id, indicator_id, dimension in [("financial_preparedness", "fin_money_confident", "adviser_team"),
                                               ("wellbeing", "wb_swemwbs_mean", "ethnic_group")]:
        at.selectbox(key="domain").set_value(domain_id).run()
        at.selectbox(key="indicator").set_value(indicator_id).run()
        at.selectbox(key="dimension").set_value(dimension).run()
        assert not at.exception, at.exception
        check_page_matches_cl_metrics(at)


def test_workshop_mode_shows_rounded_figures_and_no_counts(app):
    at = open_domain(app, "workshop")
    at.selectbox(key="dimension").set_value("adviser_team").run()
    assert all(list(d.value.columns)[-1:] == ["Figure"] and len(d.value.columns) == 2 for d in at.dataframe)
    assert all("." not in m.value for m in at.metric if m.value.endswith("%"))
    assert "Young people counted" not in at.dataframe[0].value.columns


def test_analyst_mode_shows_exact_counts_even_small_ones(app):
    at = open_domain(app, "analyst")
    at.selectbox(key="dimension").set_value("ethnic_group").run()  # has small groups in a county
    counts = pd.concat([d.value[["Young people counted", "Out of"]] for d in at.dataframe]).stack().dropna()
    assert counts.astype(int).between(1, 4).any(), "a county's ethnic groups hold some of 1 to 4 young people"
    assert (at.dataframe[1].value["Hidden because"] == "").all()


def test_switching_domain_keeps_a_valid_indicator(app):
    at = open_domain(app, "workshop")
    at.selectbox(key="indicator").set_value("kit_adviser_contacts_mean").run()
    at.selectbox(key="domain").set_value("physical_health").run()
    assert not at.exception
    assert by_id(at.selectbox(key="indicator").value).domain == "physical_health"


def test_link_reopens_the_same_view(app):
    app.query_params.update({"domain": "Financial preparedness", "indicator": "Confident managing money",
                             "dimension": "Ethnic group", "themes": "Struggling with money"})
    at = open_domain(app, "workshop")
    assert at.title[0].value == "Financial preparedness"
    assert at.selectbox(key="indicator").value == "fin_money_confident"
    assert at.selectbox(key="dimension").value == "ethnic_group"
    assert at.button_group(key="themes").value == ["money_struggle"]
    check_page_matches_cl_metrics(at)
    words = [c.value for c in at.caption if c.value.startswith("Financial preparedness · ")]
    assert words and set(words) == {"Financial preparedness · Struggling with money"}


def test_chart_summaries():
    def figures(values, extra=None):
        frame = pd.DataFrame({"unit": "percent", "numerator": [v[0] for v in values],
                              "denominator": [v[1] for v in values], **(extra or {})})
        return protect(frame, ["unit"] if "group" in frame else None)
    trend = figures([(40, 100), (45, 90), (60, 100)], {"collection_year": [2023, 2024, 2025]})
    assert charts.trend_summary(trend, "In touch") == "In touch rose from 40% in 2023 to 60% in 2025."
    one_year = figures([(2, 3), (30, 60)], {"collection_year": [2024, 2025]})
    assert charts.trend_summary(one_year, "In touch") == "In touch: 50% in 2025."
    groups = figures([(50, 100), (30, 100), (3, 4), (20, 40)], {"group": ["A", "B", "C", "D"]})
    assert charts.breakdown_summary(groups, "In touch", "Team") == (
        "In touch by team: highest A (50%), lowest B (30%). 2 group(s) hidden to protect small numbers.")
    single = figures([(50, 100), (3, 4), (2, 6)], {"group": ["A", "B", "C"]})
    assert charts.breakdown_summary(single, "In touch", "Team") == (
        "In touch by team: only A can be shown (50%). 2 group(s) hidden to protect small numbers.")
