"""Data quality: completeness, and the rules' flags on a hand-made store with planted failures,
and the Data quality page in both modes (figures on screen equal cl_metrics', no record list in
workshop mode). Every rule's own known answer is in tests/test_rules.py."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cl_metrics import derived, quality, store
from cl_metrics.rules import rules
from tests.conftest import ANALYST, VIEWER, open_app_page, table_with

YEAR = 2024

# (CHILD, DOB) of the year's header rows; B01 has a header only in 2023 (its OC3 row is orphaned).
HEADER = {2023: [("B01", "2003-05-10"), ("E01", "2007-08-09")],
          2024: [("A01", "2005-06-01"), ("C01", "1999-01-15"), ("D01", "2006-02-02"), ("E01", "2007-08-08"),
                 ("F01", "2004-07-07"), ("G01", "2004-09-09"), ("H01", "2003-10-10"), ("I01", "2004-11-11"),
                 ("J01", "2005-12-12"), ("K01", "2003-04-04"), ("L01", "2006-05-05"), ("M01", "2005-05-05"),
                 ("N01", "1997-06-06"), ("O01", "2002-06-06")]}
# (CHILD, DOB, IN_TOUCH, ACTIV, ACCOM), all in 2024; the comment says what each row plants.
OC3 = [
    ("A01", "2005-06-01", "YES", "F1", "U1"),   # clean, age 18
    ("B01", "2003-05-10", "YES", "F5", "U1"),   # no header row in 2024
    ("D01", "2006-02-03", "YES", "P2", "E1"),   # DOB differs from header and oc2
    ("F01", "2004-07-07", "DIED", None, None),  # died, the other two blank: not all coded or all blank
    ("G01", "2004-09-09", "RHOM", "G5", None),  # returned home with an activity (and one blank)
    ("H01", "2003-10-10", "DIED", None, "0"),   # died, activity blank: not all coded
    ("I01", "2004-11-11", "YES", "0", "U1"),    # in touch, activity 'no information'
    ("J01", "2005-12-12", "YES", "F2", "0"),    # in touch, accommodation 'no information'
    ("K01", "2003-04-04", "NO", "0", "0"),      # clean: not in touch, so '0' is allowed
    ("L01", "2006-05-05", "YES", "F2", "Z1"),   # staying put at 17
    ("M01", "2005-05-05", "YES", "F2", "Z1"),   # clean: staying put at 18
    ("N01", "1997-06-06", "YES", "F5", "U1"),   # aged 26: too old for OC3 (22-25 is fine since 2022-23)
    ("O01", "2002-06-06", "YES", "F5", ""),     # at 21, ACCOM blank: not all coded; blank counts as not filled
]
OC2 = [("D01", "2006-02-02", 2024)]
MISSING = [("E01", "2007-08-09", "M", "2023-06-01", 2024),   # DOB differs from the 2024 header
           ("E01", "2007-08-09", "M", "2022-06-01", 2023)]   # agrees with the 2023 header: clean
# C01 turns 25 on 2024-01-15: one contact before, one on the birthday, two after it.
CONTACTS = [("C01", "2023-12-01"), ("C01", "2024-01-15"), ("C01", "2024-02-01"), ("C01", "2024-03-20"),
            ("A01", "2023-05-01")]
YOUNG_PERSON = [("A01", "relevant", False, False, None, "North", "Ann"),
                ("C01", "former relevant", True, False, None, None, "Bea"),
                ("D01", "eligible", False, True, None, "South", "Cal")]
WELLBEING = [("A01", "2023-09-01", 7), ("D01", "2023-10-01", None)]

EXPECTED = {  # rule -> the CHILD of every flagged record, with repeats; every other rule flags none
    "oc3_without_header": ["B01"],
    "contact_after_25": ["C01", "C01"],
    "dob_differs": ["D01", "E01"],
    "153": ["F01", "G01", "H01", "O01"],
    "344": ["G01"],
    "345": ["I01", "J01"],
    "3001": ["L01"],
    "391": ["N01"],
}


def build_known_store(path: Path) -> Path:
    """A tiny store whose every consistency failure is planted by hand (see EXPECTED)."""
    con = store.connect(path, create=True)
    for year, rows in HEADER.items():
        con.executemany("INSERT INTO header (CHILD, SEX, DOB, ETHNIC, collection_year) VALUES (?, 1, ?, 'WBRI', ?)",
                        [(child, dob, year) for child, dob in rows])
    con.executemany("INSERT INTO oc3 VALUES (?, ?, ?, ?, ?, 2024)", OC3)
    con.executemany("INSERT INTO oc2 (CHILD, DOB, collection_year) VALUES (?, ?, ?)", OC2)
    con.executemany("INSERT INTO missing (CHILD, DOB, MISSING, MIS_START, collection_year) VALUES (?, ?, ?, ?, ?)",
                    MISSING)
    con.executemany("INSERT INTO pa_contact VALUES (?, ?, 'visit', 2024)", CONTACTS)
    con.executemany("INSERT INTO young_person VALUES (?, ?, ?, ?, ?, ?, ?)", YOUNG_PERSON)
    con.executemany("INSERT INTO wellbeing_response (CHILD, response_date, yp_life_satisfaction, collection_year) "
                    "VALUES (?, ?, ?, 2024)", WELLBEING)
    derived.refresh(con)
    con.close()
    return path


@pytest.fixture(scope="module")
def known_store(tmp_path_factory) -> str:
    return str(build_known_store(tmp_path_factory.mktemp("quality") / "known.duckdb"))


@pytest.fixture(scope="module")
def known_con(known_store):
    con = store.connect(known_store)  # same configuration as the app's, so AppTest shares the instance
    yield con
    con.close()


def test_the_rules_flag_exactly_the_planted_failures(known_con):
    found = quality.failures(known_con)
    assert set(found["collection_year"]) == {YEAR} and found["detail"].str.len().gt(0).all()
    flagged = {check: sorted(group["CHILD"]) for check, group in found.groupby("check")}
    assert flagged == EXPECTED


def test_details_say_what_is_wrong(known_con):
    records = quality.failures(known_con).set_index("check")
    assert records.loc["dob_differs"].set_index("CHILD").loc["D01", "detail"] == \
        "2006-02-02 (header, oc2); 2006-02-03 (oc3)"
    after = records.loc["contact_after_25", "detail"].tolist()
    assert after == ["contact on 2024-02-01, 25th birthday 2024-01-15",
                     "contact on 2024-03-20, 25th birthday 2024-01-15"]
    assert records.loc["391", "detail"] == "age 26 in the year; OC3 covers 17 to 25"
    assert records.loc["344", "detail"] == "IN_TOUCH RHOM, ACTIV G5, ACCOM blank"


def test_check_counts_are_exact_and_protected(known_con):
    counts = quality.check_counts(known_con, "workshop").set_index(["check", "collection_year"])
    assert quality.store_years(known_con) == [2023, 2024]
    for check_id, children in EXPECTED.items():
        assert counts.loc[(check_id, YEAR), "display"] == "fewer than 5"
        assert pd.isna(counts.loc[(check_id, YEAR), "failing"])
        assert counts.loc[(check_id, 2023), "display"] == "0"
    exact = quality.check_counts(known_con, "analyst").set_index(["check", "collection_year"])
    assert {c: exact.loc[(c, YEAR), "failing"] for c in EXPECTED} == {c: len(v) for c, v in EXPECTED.items()}
    assert exact.query("check not in @EXPECTED")["failing"].eq(0).all()  # every other rule of the registry
    assert exact.loc[("344", YEAR), "dfe"] == "344" and exact.loc[("code", YEAR), "table"] == "any"


@pytest.mark.parametrize("count, threshold, expected", [
    (0, 5, (0, "0")), (1, 5, (None, "fewer than 5")), (4, 5, (None, "fewer than 5")), (5, 5, (5, "5")),
    (1234, 5, (1235, "1,235")), (7, 10, (None, "fewer than 10"))])
def test_protected_count_hides_one_to_threshold_minus_one(count, threshold, expected):
    assert quality.protected_count(count, threshold) == expected


def test_record_list_is_refused_in_workshop_mode(known_con):
    with pytest.raises(PermissionError):
        quality.failing_records(known_con, VIEWER)
    records = quality.failing_records(known_con, ANALYST)
    assert list(records.columns) == ["CHILD", "collection_year", "check", "detail", "table", "field", "value"]
    assert len(records) == sum(map(len, EXPECTED.values()))
    assert set(records["check"]) == {rules()[c].title for c in EXPECTED}


def test_every_rule_reads_the_same_on_the_page_as_in_the_registry():
    wording = quality.rule_wording().set_index("check")
    assert len(wording) == len(rules())
    assert wording.loc[rules()["344"].title, "what it means"] == rules()["344"].wording
    assert wording.loc[rules()["344"].title, "DfE rule"] == "344"


def test_completeness_counts_blank_strings_as_empty(known_con):
    oc3 = quality.completeness(known_con, ["oc3"], "analyst").set_index("field")
    assert (oc3.loc["ACTIV", "filled"], oc3.loc["ACTIV", "rows"]) == (11, 13)  # F01 and H01 null
    assert (oc3.loc["ACCOM", "filled"], oc3.loc["ACCOM", "display"]) == (10, "76.9%")  # F01, G01 null; O01 ''
    assert oc3.loc["CHILD", "display"] == "100.0%"
    protected = quality.completeness(known_con, ["oc3"], "workshop").set_index("field")
    assert protected.loc["ACCOM", "display"] == "suppressed"  # 3 left blank of 13 discloses 3 records
    assert protected.loc["CHILD", "display"] == "100%"


def test_completeness_per_year_and_for_one_row_each_tables(known_con):
    header = quality.completeness(known_con, ["header"], "analyst")
    upn = header.query("field == 'UPN'").set_index("collection_year")["display"]
    assert upn.to_dict() == {2023: "0.0%", 2024: "0.0%"}
    people = quality.completeness(known_con, ["young_person"], "analyst").set_index("field")
    assert people["collection_year"].isna().all()
    assert people.loc["pa_team", "display"] == "66.7%"
    grid = quality.completeness_grid(people.reset_index())
    assert list(grid.columns) == ["table", "field", "label", quality.ALL_YEARS]


def test_caseload_completeness_measures_over_the_years_young_people(known_con):
    # person_year 2024: the 13 OC3 young people plus C01 (adviser contacts only) = 14.
    own = quality.completeness(known_con, ["wellbeing_response"], "analyst").set_index("field")
    caseload = quality.caseload_completeness(known_con, ["wellbeing_response"], YEAR, "analyst")
    caseload = caseload.set_index("field")
    assert own.loc["yp_life_satisfaction", "display"] == "50.0%"
    assert (caseload.loc["yp_life_satisfaction", "filled"], caseload.loc["yp_life_satisfaction", "rows"]) == (1, 14)
    with pytest.raises(ValueError):
        quality.caseload_completeness(known_con, ["oc3"], YEAR)


# ------------------------------------------------------------------------------------------- page

def shown_text(at: AppTest) -> str:
    cells = [d.value.astype(str).to_numpy().ravel().tolist() for d in at.dataframe]
    return " ".join([m.value for m in at.markdown] + [i.value for i in at.info] + sum(cells, []))


@pytest.mark.parametrize("mode", ["workshop", "analyst"])
def test_page_shows_cl_metrics_counts_on_the_known_store(known_store, monkeypatch, mode):
    at = open_app_page(known_store, monkeypatch, "data_quality.py", mode)
    cur = at.session_state["_context"].cursor()
    expected = quality.check_grid(quality.check_counts(cur, mode))
    pd.testing.assert_frame_equal(table_with(at, "check").reset_index(drop=True), expected, check_dtype=False)
    cells = table_with(at, "check")[["2023", "2024"]].to_numpy().ravel().tolist()
    if mode == "workshop":
        assert cells.count("fewer than 5") == len(EXPECTED) and not any(re.fullmatch(r"[1-4]", c) for c in cells)
    else:  # the analyst checking an import sees exactly how many records fail each check
        assert "fewer than 5" not in cells and sum(int(c) for c in cells) == sum(map(len, EXPECTED.values()))
    ids = {child for children in EXPECTED.values() for child in children}
    listed = [d for d in at.dataframe if "CHILD" in d.value.columns]
    if mode == "workshop":
        assert not listed
        assert not any(child in shown_text(at) for child in ids)
        assert "hides the list of flagged records" in shown_text(at)
    else:
        assert len(listed) == 1 and sorted(listed[0].value["CHILD"]) == sorted(sum(EXPECTED.values(), []))


@pytest.mark.parametrize("mode", ["workshop", "analyst"])
def test_page_figures_equal_cl_metrics_on_a_synthetic_store(small_store, monkeypatch, mode):
    at = open_app_page(small_store, monkeypatch, "data_quality.py", mode)
    cur = at.session_state["_context"].cursor()
    counts = quality.check_counts(cur, mode)
    pd.testing.assert_frame_equal(table_with(at, "check").reset_index(drop=True), quality.check_grid(counts),
                                  check_dtype=False)
    at.selectbox(key="quality_table").set_value("health_record").run()
    expected = quality.completeness_grid(quality.completeness(cur, ["health_record"], mode))
    pd.testing.assert_frame_equal(table_with(at, "label").reset_index(drop=True), expected, check_dtype=False)
    shown = table_with(at, "label").drop(columns=["table", "field", "label"]).to_numpy().ravel()
    assert all(cell.endswith("%") or cell in ("suppressed", "fewer than 5") for cell in shown)
    assert ("." in shown[0]) == (mode == "analyst")
    records = [d for d in at.dataframe if "CHILD" in d.value.columns]
    assert len(records) == (1 if mode == "analyst" else 0)
