"""DfE's definitions, each as a known answer on hand-built rows (issue 13, item 5): suitability
without G/H/R, in touch at 22-25, one OC3 row per young person by a stated rule, staying put at
18, 19 and 20, NEET by reason, and training or employment before the apprenticeship split.

Each definition has a collection year of its own, so its rows are its indicators' only population.
"""
from __future__ import annotations

import pytest

from cl_metrics.indicators import builtin
from cl_metrics.indicators.compute import raw
from tests.conftest import build_store

SUITABILITY, IN_TOUCH_22_25, STAYING_PUT, NEET = 2021, 2023, 2024, 2025


def oc3(child: str, dob: str, in_touch: str, activ: str | None, accom: str | None, year: int) -> dict:
    return {"CHILD": child, "DOB": dob, "IN_TOUCH": in_touch, "ACTIV": activ, "ACCOM": accom, "collection_year": year}


ROWS = {
    "oc3": [
        # suitability, aged 20 in 2020-21: G, H and R leave the total; 0 (no information) stays in it
        oc3("S1", "2000-06-01", "YES", "F5", "U1", SUITABILITY),   # suitable
        oc3("S2", "2000-06-01", "YES", "F5", "D1", SUITABILITY),   # suitable
        oc3("S3", "2000-06-01", "YES", "F5", "S2", SUITABILITY),   # not suitable
        oc3("S4", "2000-06-01", "YES", "F5", "G1", SUITABILITY),   # gone abroad: out
        oc3("S5", "2000-06-01", "YES", "F5", "H2", SUITABILITY),   # deported: out
        oc3("S6", "2000-06-01", "NO", "0", "R1", SUITABILITY),     # residence not known: out
        oc3("S7", "2000-06-01", "NO", "0", "0", SUITABILITY),      # no information: in the total
        oc3("S8", "2000-06-01", "DIED", "0", "0", SUITABILITY),    # died: out of everything
        # in touch at 22-25 in 2022-23 (ages 22, 25, 23, 24, 26)
        oc3("T1", "2000-06-01", "YES", "F5", "U1", IN_TOUCH_22_25),
        oc3("T2", "1997-06-01", "NO", "0", "0", IN_TOUCH_22_25),
        oc3("T3", "1999-06-01", "REFU", "0", "0", IN_TOUCH_22_25),
        oc3("T4", "1998-06-01", "RHOM", "0", "0", IN_TOUCH_22_25),   # returned home: out
        oc3("T5", "1996-06-01", "YES", "F5", "U1", IN_TOUCH_22_25),  # 26: not OC3's age
        # staying put in 2023-24: P18 18, P19 and P19B 19, P20 and P20B 20
        oc3("P18", "2005-06-01", "YES", "F2", "Z1", STAYING_PUT),
        oc3("P19", "2004-06-01", "YES", "F5", "Z2", STAYING_PUT),
        oc3("P19B", "2004-06-01", "YES", "F5", "U1", STAYING_PUT),  # left foster care at 18, not staying put
        oc3("P20", "2003-06-01", "YES", "F5", "Z1", STAYING_PUT),
        oc3("P20B", "2003-06-01", "YES", "F5", "Z1", STAYING_PUT),  # did not leave foster care at 18: not eligible
        # NEET by reason in 2024-25, aged 20; and one young person recorded twice (D1, D2)
        oc3("N1", "2004-06-01", "YES", "G4", "U1", NEET),   # illness or disability
        oc3("N2", "2004-06-01", "YES", "G6", "U1", NEET),   # pregnancy or parenting
        oc3("N3", "2004-06-01", "YES", "G5", "U1", NEET),   # other
        oc3("N4", "2004-06-01", "YES", "G5", "U1", NEET),   # other
        oc3("N5", "2004-06-01", "YES", "F5", "U1", NEET),   # in EET
        oc3("D1", "2004-06-01", "NO", "0", "0", NEET),      # two rows: the more complete one (YES, G4) counts
        oc3("D1", "2004-06-01", "YES", "G4", "U1", NEET),
        oc3("D2", "2004-06-01", "YES", "F5", "U1", NEET),   # two equally complete rows: the later one counts
        oc3("D2", "2004-06-01", "NO", "G5", "U2", NEET),
        # before the apprenticeship split, training or employment was F3/P3 (2020-21)
        oc3("E1", "2000-06-01", "YES", "F3", "U1", SUITABILITY),
    ],
    # foster placements (U1-U6) ending on the 18th birthday make a young person eligible to stay put
    "header": [{"CHILD": c, "SEX": "1", "DOB": dob, "ETHNIC": "WBRI", "collection_year": STAYING_PUT}
               for c, dob in [("P18", "2005-06-01"), ("P19", "2004-06-01"), ("P19B", "2004-06-01"),
                              ("P20", "2003-06-01"), ("P20B", "2003-06-01")]],
    "episodes": [{"CHILD": c, "DECOM": "2015-01-01", "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": place, "DEC": dec,
                  "REC": "E17", "collection_year": year}
                 for c, place, dec, year in [("P18", "U1", "2023-06-01", 2024), ("P19", "U3", "2022-06-01", 2023),
                                             ("P19B", "U1", "2022-06-01", 2023), ("P20", "U4", "2021-06-01", 2022),
                                             ("P20B", "K2", "2021-06-01", 2022)]],
}

EXPECTED = {  # (indicator, year): (numerator, denominator), worked by hand from the rows above
    ("kit_in_touch_19_21", SUITABILITY): (6, 8),      # S1-S5, E1 of S1-S7, E1 (S8 died)
    ("acc_suitable_19_21", SUITABILITY): (3, 5),      # U1, D1, U1 (S1, S2, E1) of S1, S2, S3, S7, E1
    ("acc_not_suitable_19_21", SUITABILITY): (1, 5),  # S2 (S3) of the same five
    ("eet_in_eet_19_21", SUITABILITY): (6, 8),        # F5 (S1-S5) and F3 (E1) of S1-S7, E1
    ("kit_in_touch_22_25", IN_TOUCH_22_25): (1, 3),   # T1 of T1, T2, T3 (T4 returned home, T5 is 26)
    ("pp_staying_put_18", STAYING_PUT): (1, 1),       # P18
    ("pp_staying_put_19", STAYING_PUT): (1, 2),       # P19 of P19, P19B
    ("pp_staying_put_20", STAYING_PUT): (1, 1),       # P20 (P20B left a K2 placement: not eligible)
    ("eet_neet_19_21", NEET): (6, 7),                 # N1-N4, D1 (G4), D2 (G5) of N1-N5, D1, D2
    ("eet_neet_illness_19_21", NEET): (2, 7),         # N1, D1
    ("eet_neet_parenting_19_21", NEET): (1, 7),       # N2
    ("eet_neet_other_19_21", NEET): (3, 7),           # N3, N4, D2
}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = build_store(tmp_path_factory.mktemp("definitions") / "definitions.duckdb", ROWS)
    yield con
    con.close()


def figures(con, year: int) -> dict[str, tuple[int, int]]:
    found = raw(con, builtin(), years=[year])
    return {r.indicator_id: (r.numerator, r.denominator) for r in found.itertuples()}


def test_one_oc3_row_per_young_person_by_the_stated_rule(con):
    """Most complete first (D1: YES/G4/U1 beats NO/0/0), then the row recorded last (D2: NO/G5/U2)."""
    chosen = dict(con.execute("SELECT CHILD, IN_TOUCH || '/' || ACTIV || '/' || ACCOM FROM person_year "
                              "WHERE CHILD IN ('D1', 'D2')").fetchall())
    assert chosen == {"D1": "YES/G4/U1", "D2": "NO/G5/U2"}
    assert con.execute("SELECT CHILD FROM flag WHERE rule_id = 'oc3_duplicate' ORDER BY 1").fetchall() == [
        ("D1",), ("D2",)]


@pytest.mark.parametrize("year", [SUITABILITY, IN_TOUCH_22_25, STAYING_PUT, NEET])
def test_dfe_definitions_give_the_hand_worked_figures(con, year):
    got = figures(con, year)
    expected = {ind: value for (ind, y), value in EXPECTED.items() if y == year}
    assert {ind: got[ind] for ind in expected} == expected


def test_22_to_25_year_olds_are_not_flagged_for_their_age_since_2022_23(con):
    flagged = con.execute("SELECT CHILD FROM flag WHERE rule_id = '391' ORDER BY 1").fetchall()
    assert flagged == [("T5",)]  # 26; T1-T4 (22 to 25) are valid OC3 rows
