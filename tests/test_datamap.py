"""The data map: its declaration is checked against the spec, what a store holds and how complete
it is are known answers on hand-made and imported stores, and the page shows cl_metrics' figures."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from cl_metrics import datamap, store
from cl_metrics.domains import domain_ids
from cl_metrics.ingest import import_files, pseudonym
from cl_metrics.spec import spec
from tests.conftest import open_app_page, table_with
from tests.test_ingest import EXAMPLES, TEST_KEY
from tests.test_quality import build_known_store

PAGE_COLUMNS = ["domain_name", "item", "case_record", "local_dashboard", "national_return", "voice_label",
                "held_in_store", "held", "completeness_display", "measured_over", "known_from"]


@pytest.fixture(scope="module")
def known_store(tmp_path_factory) -> str:
    return str(build_known_store(tmp_path_factory.mktemp("datamap") / "known.duckdb"))


@pytest.fixture(scope="module")
def known_con(known_store):
    con = store.connect(known_store)
    yield con
    con.close()


def test_every_held_item_names_a_real_table_column():
    tables = spec().tables
    held = [i for i in datamap.items() if i.held]
    assert len(held) > 50
    for item in held:
        table, _, column = item.held.partition(".")
        assert column in tables[table].column_names, item.item
    for item in (i for i in datamap.items() if i.national_return):
        table, _, column = item.national_return.partition(".")
        assert tables[table].source == "ssda903" and column in tables[table].column_names, item.item


def test_map_covers_every_domain_and_shows_the_known_gaps():
    by_item = {i.item: i for i in datamap.items()}
    assert {i.domain for i in datamap.items()} == {datamap.CHARACTERISTICS, *domain_ids()}
    for gap in ("Immunisations after leaving care", "Benefit sanction detail (date, length, reason)",
                "I trust my leaving-care worker", "Pathway plan: identity"):
        assert by_item[gap].held == "", gap
    assert by_item["Junior ISA handed over"].held == "finance_record.junior_isa_handed_over"
    assert by_item["I know how to get health help"].voice == "self-reported"
    oc3 = {i.national_return for i in datamap.items() if i.national_return.startswith("oc3.")}
    oc2 = {i.national_return for i in datamap.items() if i.national_return.startswith("oc2.")}
    assert oc3 == {"oc3.IN_TOUCH", "oc3.ACTIV", "oc3.ACCOM"}
    assert {"oc2.HEALTH_CHECK", "oc2.TEETH_CHECK", "oc2.IMMUNISATIONS", "oc2.SDQ_SCORE", "oc2.CONVICTED",
            "oc2.SUBSTANCE_MISUSE"} <= oc2


BASE_ITEM = 'domain = "wellbeing"\nitem = "Bad one"\nvoice = "worker-recorded"\nknown_from = "test"\n'


@pytest.mark.parametrize("extra, message", [
    ('held = "health_record.no_such_column"', "has no column 'no_such_column'"),
    ('held = "no_table.x"', "names no table"),
    ('national_return = "health_record.gp_registered"\nheld = "health_record.gp_registered"',
     "names no national return table"),
    ('national_return = "oc2.SDQ_SCORE"', "name it in `held`"),
    ('held = "wellbeing_response.yp_lonely"', "is 'self-reported' in the spec"),
    ('colour = "red"', "Extra inputs are not permitted"),
])
def test_a_bad_declaration_is_refused_naming_the_item(tmp_path, extra, message):
    path = tmp_path / "map.toml"
    good = '[[item]]\ndomain = "eet"\nitem = "Fine"\nvoice = "self-reported"\nknown_from = "test"\n'
    path.write_text(f"{good}\n[[item]]\n{BASE_ITEM}{extra}\n")
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        datamap.load(path)
    assert "item 2 (Bad one)" in str(caught.value)


def test_unknown_domain_is_refused(tmp_path):
    path = tmp_path / "map.toml"
    path.write_text("[[item]]\n" + BASE_ITEM.replace("wellbeing", "happiness"))
    with pytest.raises(ValueError, match="unknown domain 'happiness'"):
        datamap.load(path)


def test_completeness_known_answers(known_con):
    table = datamap.data_map(known_con, 2024, "analyst").set_index("item")
    assert table.loc["Sex", ["completeness_display", "measured_over"]].tolist() == ["100.0%", "rows of header in 2024"]
    main_activity = "Main activity: education, employment, training or not (EET / NEET, higher education)"
    assert table.loc[main_activity, "completeness_display"] == "84.6%"          # 11 of 13 OC3 rows
    assert table.loc["Allocated team", ["completeness_display", "measured_over"]].tolist() == \
        ["66.7%", "rows of young_person"]                                        # 2 of 3, one row each
    life = "How satisfied are you with your life nowadays? (ONS, 0-10)"
    assert table.loc[life, ["completeness_display", "measured_over"]].tolist() == \
        ["7.1%", "young people supported in 2024"]                               # 1 of 14 on the caseload
    assert table.loc["Junior ISA handed over", "completeness_display"] == "0.0%"
    assert table.loc["Immunisations after leaving care", ["held_in_store", "completeness_display"]].tolist() == \
        ["no", "not held"]
    assert table.loc[main_activity, "completeness"] == pytest.approx(100 * 11 / 13)


def test_completeness_is_protected_in_workshop_mode(known_con):
    table = datamap.data_map(known_con, 2024, "workshop").set_index("item")
    assert table.loc["Sex", "completeness_display"] == "100%"
    main_activity = "Main activity: education, employment, training or not (EET / NEET, higher education)"
    assert table.loc[main_activity, "completeness_display"] == "suppressed"       # 2 blank of 13
    assert table.loc["How satisfied are you with your life nowadays? (ONS, 0-10)", "completeness_display"] == \
        "fewer than 5"
    assert table["completeness"].isna().sum() == (table["completeness_display"].isin(
        ["suppressed", "fewer than 5", "not held"])).sum()


# Items of the known store's tables that have a value in 2024, per domain: 17 of the 80 items.
KNOWN_STORE_HELD = {"characteristics": 5, "keeping_in_touch": 5, "accommodation": 2, "eet": 1,
                    "pathway_planning": 2, "physical_health": 0, "wellbeing": 1, "safe_risk_taking": 1,
                    "financial_preparedness": 0}


def test_coverage_counts_what_the_store_holds_per_domain(known_con):
    table = datamap.data_map(known_con, 2024)
    coverage = datamap.coverage(table).set_index("domain")
    declared = pd.Series([i.domain for i in datamap.items()]).value_counts()
    assert coverage["items_known"].to_dict() == declared.to_dict()
    assert coverage["items_held"].to_dict() == KNOWN_STORE_HELD
    assert coverage.loc["eet", "held_of_known"] == "1 of 3"
    assert list(coverage.index) == list(datamap.group_names())
    line = datamap.coverage_summary(coverage.reset_index())
    assert f"holds 17 of the {declared.sum()} items" in line and "Physical health" in line
    spec_dict = datamap.coverage_chart(coverage.reset_index()).to_dict()
    assert spec_dict["layer"][0]["encoding"]["color"]["scale"]["range"] == ["#0072B2", "#E69F00"]


def test_held_means_a_value_in_the_store_whatever_the_mode(known_con):
    analyst = datamap.data_map(known_con, 2024, "analyst").set_index("item")
    workshop = datamap.data_map(known_con, 2024, "workshop").set_index("item")
    # declared in the map, never filled in: where it would be held is kept, but it is not held
    assert analyst.loc["Junior ISA handed over", ["held", "held_in_store", "completeness_display"]].tolist() == \
        ["finance_record.junior_isa_handed_over", "no", "0.0%"]
    # one answer in 2024: a suppressed figure in workshop mode, still held
    life = "How satisfied are you with your life nowadays? (ONS, 0-10)"
    assert workshop.loc[life, ["held_in_store", "completeness_display"]].tolist() == ["yes", "fewer than 5"]
    assert workshop["held_in_store"].equals(analyst["held_in_store"])
    # 2023 has only header and missing rows; young_person has one row each, whatever the year
    in_2023 = datamap.data_map(known_con, 2023)
    assert set(in_2023.loc[in_2023["held_in_store"] == "yes", "held"]) == {
        "header.SEX", "header.ETHNIC", "header.DOB", "missing.MISSING", "young_person.uasc",
        "young_person.disability", "young_person.pa_team", "young_person.pa_name", "young_person.category"}


def test_the_synthetic_store_holds_every_item_it_has_a_home_for(small_con):
    declared = sum(bool(i.held) for i in datamap.items())
    assert (declared, len(datamap.items())) == (66, 80)
    for (year,) in small_con.execute("SELECT DISTINCT collection_year FROM person_year").fetchall():
        table = datamap.data_map(small_con, year)
        assert table["held_in_store"].eq("yes").sum() == declared, year


def test_a_store_with_one_imported_file_holds_only_its_fields(tmp_path, monkeypatch):
    monkeypatch.setenv(pseudonym.KEY_ENV, TEST_KEY)
    monkeypatch.setattr(pseudonym, "SECRETS_PATHS", [])
    con = store.connect(tmp_path / "oc3_only.duckdb", create=True)
    import_files(con, [EXAMPLES / "ssda903_2023-24_oc3.csv"])
    table = datamap.data_map(con, 2024)
    con.close()
    held = table[table["held_in_store"] == "yes"]
    assert set(held["held"]) == {"oc3.IN_TOUCH", "oc3.ACTIV", "oc3.ACCOM"} and len(held) == 5
    assert table.set_index("item").loc["Sex", ["held", "held_in_store"]].tolist() == ["header.SEX", "no"]
    assert "holds 5 of the 80 items" in datamap.coverage_summary(datamap.coverage(table))


# ------------------------------------------------------------------------------------------- page

@pytest.mark.parametrize("mode", ["workshop", "analyst"])
def test_page_shows_cl_metrics_figures(small_store, monkeypatch, mode):
    at = open_app_page(small_store, monkeypatch, "data_map.py", mode)
    ctx = at.session_state["_context"]
    expected = datamap.data_map(ctx.cursor(), ctx.year, mode, ctx.threshold)
    pd.testing.assert_frame_equal(table_with(at, "item"), expected[PAGE_COLUMNS], check_dtype=False)
    coverage = datamap.coverage(expected)
    pd.testing.assert_frame_equal(table_with(at, "held_of_known"), coverage[["domain_name", "held_of_known"]])
    assert datamap.coverage_summary(coverage) in [m.value for m in at.markdown]
    assert len(at.get("vega_lite_chart")) == 1
    shown = table_with(at, "item")["completeness_display"]
    assert all(re.fullmatch(r"\d+(\.\d)?%|suppressed|fewer than 5|not held", s) for s in shown)
    assert any("." in s for s in shown) == (mode == "analyst")


def test_page_filters_by_domain_and_gaps(small_store, monkeypatch):
    at = open_app_page(small_store, monkeypatch, "data_map.py", "workshop")
    at.selectbox(key="map_domain").set_value("financial_preparedness").run()
    assert set(table_with(at, "item")["domain_name"]) == {"Financial preparedness"}
    at.toggle(key="map_gaps").set_value(True).run()
    gaps = table_with(at, "item")
    assert set(gaps["held_in_store"]) == {"no"}
    assert "Benefit sanction detail (date, length, reason)" in set(gaps["item"])


def test_workshop_page_shows_no_small_count_on_the_known_store(known_store, monkeypatch):
    at = open_app_page(known_store, monkeypatch, "data_map.py", "workshop")
    cells = " ".join(" ".join(d.value.astype(str).to_numpy().ravel()) for d in at.dataframe)
    assert "fewer than 5" in cells  # 1 of 14 answered the wellbeing survey
    assert not any(re.fullmatch(r"[1-4]", c) for d in at.dataframe for c in d.value.astype(str).to_numpy().ravel())
