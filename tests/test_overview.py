"""The Overview's cards (change since last year, n of N, filters) and the report it prints, on a
hand-built store where one indicator improves, one worsens and one stays the same."""
from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from html.parser import HTMLParser

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from cl_metrics import change, report, views
from cl_metrics.domains import domains
from cl_metrics.indicators import by_id
from tests.conftest import APP, as_read, build_store, signed_in

IMPROVES, WORSENS, STAYS = "kit_in_touch_19_21", "eet_in_eet_19_21", "acc_suitable_19_21"


def _year(year: int, in_touch: int, in_eet: int) -> list[dict]:
    """Forty young people aged 19-21, all in suitable homes: `in_touch` in touch, `in_eet` in work."""
    return [{"CHILD": f"C{i:02d}", "DOB": "2003-06-01", "IN_TOUCH": "YES" if i < in_touch else "NO",
             "ACTIV": "F4" if i < in_eet else "G6", "ACCOM": "U1", "collection_year": year} for i in range(40)]


@pytest.fixture(scope="module")
def moving_store(tmp_path_factory) -> str:
    """In touch 20 -> 30 of 40 (improves), in EET 30 -> 20 (worsens), suitably housed 40 -> 40 (stays)."""
    path = tmp_path_factory.mktemp("moving") / "moving.duckdb"
    build_store(path, {"oc3": _year(2023, 20, 30) + _year(2024, 30, 20)}).close()
    return str(path)


def overview_page(store: str, monkeypatch, mode: str) -> AppTest:
    monkeypatch.setenv("CL_STORE", store)
    at = signed_in(AppTest.from_file(APP, default_timeout=60)).run()
    at.switch_page("pages/overview.py").run()
    at.radio(key="mode").set_value(mode).run()
    assert not at.exception, at.exception
    return at


def card(at: AppTest, indicator_id: str):
    return next(m for m in at.metric if as_read(m.label) == by_id(indicator_id).title)


@pytest.mark.parametrize(("mode", "before", "after"), [("workshop", "50%", "75%"), ("analyst", "50.0%", "75.0%")])
def test_cards_say_which_way_each_figure_moved(moving_store, monkeypatch, mode, before, after):
    at = overview_page(moving_store, monkeypatch, mode)
    improves, worsens, stays = card(at, IMPROVES), card(at, WORSENS), card(at, STAYS)
    assert (improves.value, improves.delta, worsens.value, worsens.delta, stays.delta) == (
        after, "▲ improved", before, "▼ worse", "► about the same")
    captions = [c.value for c in at.caption]
    assert f"up 25 percentage points since 2023 ({before})" in captions
    assert f"down 25 percentage points since 2023 ({after})" in captions
    assert "no change since 2023 (100%)" in captions or mode == "analyst"
    assert "within 2 percentage points" in " ".join(c.value for c in at.caption)  # the rule is on the page


def test_exact_counts_only_in_analyst_mode(moving_store, monkeypatch):
    at = overview_page(moving_store, monkeypatch, "analyst")
    assert "30 of 40 young people (exact)" in [c.value for c in at.caption]
    at.radio(key="mode").set_value("workshop").run()
    assert not any("(exact)" in c.value for c in at.caption)


def test_a_higher_figure_is_worse_when_lower_is_better():
    assert change.change(30, 20, "percent", "lower") == (1, "worse")
    assert change.change(20, 30, "percent", "lower") == (-1, "improved")
    assert change.change(22, 20, "percent", "higher") == (0, change.SAME)  # within 2 points, either way
    assert change.change(17.9, 20, "percent", "higher") == (-1, "worse")
    assert change.change(6.9, 7.0, "mean", "higher") == (0, change.SAME)
    assert change.change(math.nan, 20, "percent", "higher") == (0, change.NO_COMPARISON)  # hidden this year


def test_a_hidden_figure_has_no_comparison(tmp_path):
    """Three young people in 2024: workshop mode hides them, so there is nothing to compare with 2023."""
    con = build_store(tmp_path / "few.duckdb", {"oc3": _year(2023, 20, 30) + _year(2024, 30, 20)[:3]})
    cards = {row.indicator_id: row for _, t in change.overview(con, 2024, "workshop") for row in t.itertuples()}
    assert cards[IMPROVES].change_word == change.NO_COMPARISON
    assert cards[IMPROVES].change_text.startswith("No comparison with 2023 (fewer than 5 this year)")
    con.close()


def test_filters_narrow_the_cards_and_disclosure_applies_after(small_store, monkeypatch):
    at = overview_page(small_store, monkeypatch, "workshop")
    at.selectbox(key="age_band").set_value("19-21").run()
    at.selectbox(key="adviser_team").set_value("North").run()
    assert not at.exception, at.exception
    ctx = at.session_state["_context"]
    filters = {"age_band": "19-21", "adviser_team": "North"}
    expected = [row["display"] for _, t in change.overview(ctx.cursor(), ctx.year, "workshop", 5, None, filters)
                for _, row in t.iterrows()]
    assert [m.value for m in at.metric] == expected
    everyone = [row["display"] for _, t in change.overview(ctx.cursor(), ctx.year, "workshop") for _, row in t.iterrows()]
    assert expected != everyone
    assert any(v.endswith("%") for v in expected) and all(re.fullmatch(r"\d+%|\d+\.\d|no data|fewer than 5|suppressed",
                                                                       v) for v in expected)


class _Cells(HTMLParser):
    """Each report row's indicator id and its figure cell."""

    def __init__(self):
        super().__init__()
        self.figures, self.row, self.in_figure = {}, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-indicator" in attrs:
            self.row = attrs["data-indicator"]
        self.in_figure = tag == "td" and attrs.get("class") == "figure"

    def handle_data(self, data):
        if self.in_figure:
            self.figures[self.row] = data
            self.in_figure = False


def make_report(con, mode: str, title: str = "Overview") -> str:
    about = report.About(title, "moving.duckdb", "Synthetic data", 2024, mode, 5, "all care leavers",
                         datetime(2026, 12, 2, 18, 0, tzinfo=timezone.utc))
    return report.build(change.overview(con, 2024, mode), about)


@pytest.mark.parametrize("mode", ["workshop", "analyst"])
def test_report_figures_are_the_pages_figures(moving_store, mode):
    con = duckdb.connect(moving_store)  # same config as the app's, so one in-process instance is shared
    parsed = _Cells()
    parsed.feed(make_report(con, mode))
    expected = views.shown_figures(con, 2024, mode)
    assert parsed.figures == dict(zip(expected["indicator_id"], expected["display"]))
    assert len(parsed.figures) == len(expected) > 40
    con.close()


def test_report_says_where_it_came_from_and_marks_exact_figures(moving_store):
    con = duckdb.connect(moving_store)  # same config as the app's, so one in-process instance is shared
    safe, exact = make_report(con, "workshop", "<script>alert(1)</script>"), make_report(con, "analyst")
    assert "<script>alert" not in safe and "&lt;script&gt;" in safe
    for text in ("moving.duckdb", "Synthetic data", "Year ending 31 March 2024", "02 December 2026 at 18:00 UTC",
                 "fewer than 5", "within 2 percentage points", "data:image/svg+xml;base64,"):
        assert text in safe
    assert "OFFICIAL-SENSITIVE" not in safe and "of 40 young people" not in safe
    assert exact.count("<p class=\"marking\">OFFICIAL-SENSITIVE") == 2 and "30 of 40 young people" in exact
    assert [d.id for d in domains()] == re.findall(r'<section data-domain="([^"]+)"', safe)
    con.close()


@pytest.mark.parametrize(("linked", "mode"), [("Workshop", "workshop"), ("Analyst", "analyst"),
                                              ("Safe to share", "workshop")])
def test_links_made_before_the_modes_were_renamed_still_choose_the_mode(moving_store, monkeypatch, linked, mode):
    monkeypatch.setenv("CL_STORE", moving_store)
    at = signed_in(AppTest.from_file(APP, default_timeout=60))
    at.query_params["mode"] = linked
    at.run()
    assert not at.exception, at.exception
    assert at.radio(key="mode").value == mode


def test_the_change_in_words_counts_points_right():
    assert change.change_text(41, 40, "41%", "40%", "percent", change.SAME, 0, 2024) == \
        "► about the same: up 1 percentage point since 2024 (40%)"
    assert change.change_text(60.6, 66.7, "60.6%", "66.7%", "percent", "worse", -1, 2024) == \
        "▼ worse: down 6.1 percentage points since 2024 (66.7%)"
    assert change.change_text(7.0, 6.5, "7.0", "6.5", "mean", "improved", 1, 2024) == "▲ improved: up 0.5 since 2024 (6.5)"
