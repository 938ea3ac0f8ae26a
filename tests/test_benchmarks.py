"""DfE's published figures as bundled data: read right, never 0 for a marker, beside every indicator
that has a published counterpart, on the command line and on the Overview and Domain pages.

Expected figures are read here from the bundled CSV with the csv module, not through cl_metrics."""
from __future__ import annotations

import csv
import json
import statistics
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cl_metrics import benchmarks, change, store, views
from cl_metrics.__main__ import main as cli
from cl_metrics.benchmarks import bundle
from cl_metrics.indicators import DeclarationError, builtin, compute, load_declarations
from synthetic.generate import write_store
from tests.conftest import APP, as_read
from tests.test_indicators import declaration

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "dfe-published"
YEAR = 2025
NORTH_YORKSHIRE, HAMPSHIRE = "815", "850"


def bundled() -> dict[tuple[str, str, str, str], str]:
    """(year, area_code, age, measure) -> percent as printed, straight from the file."""
    with open(benchmarks.FIGURES_FILE, newline="") as fh:
        return {(r["year"], r["area_code"], r["age"], r["measure"]): r["percent"] for r in csv.DictReader(fh)}


def neighbour_codes(code: str) -> list[str]:
    with open(benchmarks.NEIGHBOURS_FILE, newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["la_code"] == code]
    return [r["neighbour_code"] for r in sorted(rows, key=lambda r: int(r["rank"]))]


def test_the_bundle_holds_dfe_figures_the_domain_notes_quote():
    figures = bundled()
    assert [figures[(y, NORTH_YORKSHIRE, "19-21", "neet")] for y in ("2023", "2024", "2025")] == ["28", "34", "36"]
    assert [figures[(y, benchmarks.ENGLAND, "19-21", "suitable")] for y in ("2021", "2022", "2023", "2024", "2025")] \
        == ["88", "88", "88", "88", "89"]
    assert benchmarks.published("total", "19-21", 2025, NORTH_YORKSHIRE).count == "194"


@pytest.mark.skipif(not SHARED.exists(), reason="DfE's original files are not beside the project")
def test_the_bundle_is_dfe_files_converted_nothing_changed(tmp_path):
    assert bundle.main([str(SHARED), "--out", str(tmp_path)]) == 0
    for name in (benchmarks.FIGURES_FILE.name, benchmarks.AREAS_FILE.name, benchmarks.NEIGHBOURS_FILE.name):
        assert (tmp_path / name).read_text() == (benchmarks.BENCHMARK_DIR / name).read_text(), name


@pytest.mark.parametrize("marker, words", [("c", "suppressed"), ("z", "not applicable"), ("k", "under 0.5%"),
                                           ("x", "not available")])
def test_a_marker_is_words_never_zero(marker, words):
    figure = benchmarks.Published(marker, marker)
    assert figure.value is None and figure.text() == words and figure.count_text() == words
    # North Yorkshire's 2025 higher education figure for 19-21 year olds was suppressed
    assert bundled()[("2025", NORTH_YORKSHIRE, "19-21", "higher_education")] == "c"
    assert benchmarks.published("higher_education", "19-21", 2025, NORTH_YORKSHIRE).text() == "suppressed"


@pytest.mark.parametrize("query", ["North Yorkshire", "north yorkshire", "815", "E06000065"])
def test_an_authority_by_name_or_either_code(query):
    assert benchmarks.authority(query).code == NORTH_YORKSHIRE


def test_an_unknown_authority_gets_the_closest_names():
    with pytest.raises(LookupError, match="Did you mean Hampshire"):
        benchmarks.authority("Hampshir")


def test_comparison_is_the_file_s_england_region_neighbours_and_rank():
    figures = bundled()
    year, age, measure = str(YEAR), "19-21", "neet"
    near = [figures[(year, code, age, measure)] for code in neighbour_codes(NORTH_YORKSHIRE)]
    shown = [float(v) for v in near if v.isdigit()]
    authorities = {a.code for a in benchmarks.authorities()}
    others = [float(v) for (y, code, a, m), v in figures.items()
              if (y, a, m) == (year, age, measure) and code in authorities and code != NORTH_YORKSHIRE and v.isdigit()]
    c = benchmarks.comparison(measure, age, YEAR, NORTH_YORKSHIRE, HAMPSHIRE, own=33, better="lower")
    assert c.england.percent == figures[(year, benchmarks.ENGLAND, age, measure)]
    assert (c.region.name, c.region_figure.percent) == ("Yorkshire and The Humber", figures[(year, "E12000003", age, measure)])
    assert [a.code for a, _ in c.neighbours] == neighbour_codes(NORTH_YORKSHIRE) and len(c.neighbours) == 10
    assert c.neighbours_mean == round(statistics.mean(shown), 1) and c.neighbours_range == (min(shown), max(shown))
    assert c.chosen_figure.percent == figures[(year, HAMPSHIRE, age, measure)]
    assert (c.rank, c.ranked_of) == (1 + sum(v < 33 for v in others), len(others) + 1)
    assert c.quartile == -(-4 * c.rank // c.ranked_of)


def test_indicators_name_published_measures_as_data_and_unknown_ones_are_refused():
    linked = {ind.id: (ind.published.measure, ind.published.age) for ind in builtin() if ind.published}
    assert linked["eet_neet_19_21"] == ("neet", "19-21") and linked["acc_suitable_17_18"] == ("suitable", "17-18")
    assert len(linked) == 10
    with pytest.raises(DeclarationError, match="unknown published share 'neets'"):
        load_declarations([declaration(published={"measure": "neets", "age": "19-21"})], "x.toml")
    with pytest.raises(DeclarationError, match="not '22-25'"):
        load_declarations([declaration(published={"measure": "neet", "age": "22-25"})], "x.toml")
    # a candidate saved before comparisons were data still loads, its typed-in national value dropped
    assert load_declarations([declaration(national=None)], "old.toml")[0].published is None


@pytest.fixture(scope="module")
def north_yorkshire_store(tmp_path_factory) -> Path:
    """A small England-calibrated store recorded as North Yorkshire's."""
    path = write_store(tmp_path_factory.mktemp("benchmarks") / "ny.duckdb", people=600, seed=2)
    con = store.connect(path)
    store.set_info(con, authority=NORTH_YORKSHIRE)
    con.close()
    return path


def test_cli_prints_the_comparators_blank_where_none_is_published(north_yorkshire_store, capsys):
    assert cli(["indicators", "--db", str(north_yorkshire_store), "--format", "json", "--compare", "Hampshire"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    figures = bundled()
    neet = rows["eet_neet_19_21"]
    assert (neet["england"], neet["region"], neet["compare_850"]) == tuple(
        float(figures[(str(YEAR), code, "19-21", "neet")]) for code in (benchmarks.ENGLAND, "E12000003", HAMPSHIRE))
    near = [float(v) for c in neighbour_codes(NORTH_YORKSHIRE) if (v := figures[(str(YEAR), c, "19-21", "neet")]).isdigit()]
    assert neet["neighbours_mean"] == round(statistics.mean(near), 1)
    in_touch = rows["kit_in_touch_19_21"]  # DfE's bundled files have no in-touch figures
    assert (in_touch["england"], in_touch["region"], in_touch["neighbours_mean"], in_touch["compare_850"]) == \
        (None, None, None, None)


def test_cli_refuses_an_unknown_authority(north_yorkshire_store, capsys):
    with pytest.raises(SystemExit):
        cli(["indicators", "--db", str(north_yorkshire_store), "--compare", "Atlantis"])
    assert "No English authority" in capsys.readouterr().err


def open_page(path: Path, monkeypatch, page: str) -> AppTest:
    monkeypatch.setenv("CL_STORE", str(path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(f"pages/{page}").run()
    assert not at.exception, at.exception
    return at


def expected_line(measure: str, age: str, figures: dict) -> list[str]:
    """What a card's comparator line must say, worked out from the file."""
    near = [float(v) for c in neighbour_codes(NORTH_YORKSHIRE) if (v := figures[(str(YEAR), c, age, measure)]).isdigit()]
    return [f"England {figures[(str(YEAR), benchmarks.ENGLAND, age, measure)]}%",
            f"Yorkshire and The Humber {figures[(str(YEAR), 'E12000003', age, measure)]}%",
            f"statistical neighbours {round(statistics.mean(near), 1):g}% ({min(near):g}-{max(near):g}%)"]


def test_overview_cards_show_the_published_figures_and_a_chosen_authority(north_yorkshire_store, monkeypatch):
    at = open_page(north_yorkshire_store, monkeypatch, "overview.py")
    figures = bundled()
    captions = [as_read(c.value) for c in at.caption]
    for ind in (i for i in builtin() if i.published):
        line = next(c for c in captions if c.startswith("England") and all(
            part in c for part in expected_line(ind.published.measure, ind.published.age, figures)))
        assert line.endswith(f"({YEAR})"), ind.id
    assert any(c.startswith("Bright Spots care leavers 26% (2017-19)") for c in captions)
    at.button(key="compare_850").click().run()  # Hampshire, one click away
    assert at.selectbox(key="compare").value == HAMPSHIRE and "850" in str(at.query_params["compare"])  # in the link
    captions = [as_read(c.value) for c in at.caption]
    assert any(f"Hampshire {figures[(str(YEAR), HAMPSHIRE, '19-21', 'neet')]}%" in c for c in captions)


def test_domain_page_lists_every_neighbour_and_draws_england_on_the_trend(north_yorkshire_store, monkeypatch):
    at = open_page(north_yorkshire_store, monkeypatch, "domain.py")
    at.selectbox(key="domain").set_value("eet").run()
    at.selectbox(key="indicator").set_value("eet_higher_education_19_21").run()
    at.button(key="compare_850").click().run()
    beside = next(d.value for d in at.dataframe if "Compared with" in d.value.columns)
    figures = bundled()
    names = {a.code: a.label for a in benchmarks.authorities()}
    expected = [figures[(str(YEAR), code, "19-21", "higher_education")]
                for code in [benchmarks.ENGLAND, "E12000003", *neighbour_codes(NORTH_YORKSHIRE), HAMPSHIRE]]
    words = {"c": "suppressed", "z": "not applicable", "k": "under 0.5%", "x": "not available"}
    assert list(beside["Published figure"]) == [words.get(v, f"{v}%") for v in expected]
    assert list(beside["Compared with"])[2:12] == [names[c] for c in neighbour_codes(NORTH_YORKSHIRE)]
    ctx = at.session_state["_context"]
    published = views.published_trend(next(i for i in builtin() if i.id == "eet_higher_education_19_21"),
                                       ctx.summary.years, ctx.summary.authority)
    summary = [as_read(m.value) for m in at.markdown if "Published for" in m.value]
    assert summary and f"England {figures[(str(YEAR), benchmarks.ENGLAND, '19-21', 'higher_education')]}%" in summary[0]
    assert set(published["series"]) == {"England", views.NEIGHBOURS_SERIES}


def test_a_filtered_figure_is_not_ranked_among_whole_authorities(north_yorkshire_store):
    """DfE's figures count every care leaver of an age; one adviser team's figure beside them keeps
    England, the region and the neighbours but gets no rank or quartile."""
    con = store.connect(north_yorkshire_store)  # as the pages' open store is, in this process
    year = max(compute.years(con))
    whole = views.indicator_figures(con, year).set_index("indicator_id")
    team = change.filter_options(con)["adviser_team"][0]
    some = views.indicator_figures(con, year, scope=change.scope({"adviser_team": team})).set_index("indicator_id")
    con.close()
    assert whole.loc["eet_neet_19_21", "rank"] > 0 and "authorities" in whole.loc["eet_neet_19_21", "comparators"]
    assert pd.isna(some.loc["eet_neet_19_21", "rank"]) and "authorities" not in some.loc["eet_neet_19_21", "comparators"]
    assert some.loc["eet_neet_19_21", "england"] == whole.loc["eet_neet_19_21", "england"]
