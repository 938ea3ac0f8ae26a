"""The importer: real 903 CSVs and local templates, good, bad and hostile files.

Every test asserts exact counts loaded, flagged and refused, and the reasons. A value that breaks
its year's spec loads and is flagged; only rows with no id, unreadable bytes or the wrong number
of fields are refused. Stores are new files in tmp_path; the pseudonymisation key comes from the
environment (monkeypatched). The issue-13 reproducers are in test_ingest_safety.py.
"""
from __future__ import annotations

import hashlib
import hmac
import tracemalloc
from pathlib import Path

import duckdb
import pytest

from cl_metrics import store
from cl_metrics.ingest import (ImportRefused, PseudonymKeyError, import_files, import_history, import_uploaded,
                               rejected_rows, rejection_summary, template_path)
from cl_metrics.ingest import cli, pseudonym
from cl_metrics.ingest.pseudonym import Pseudonymiser
from cl_metrics.ingest.templates import README, docs_markdown
from cl_metrics.spec import spec

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "data" / "examples"
TEST_KEY = "test-key-not-secret-0123456789"
OC3 = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM"


# ---------------------------------------------------------------- helpers and fixtures
def pid(child: str) -> str:
    """The pseudonym the importer gives `child` under the test key."""
    return Pseudonymiser(TEST_KEY.encode()).child(child)


def write(folder: Path, name: str, content: str | bytes) -> Path:
    """A file with exactly these bytes (str is written as UTF-8, line ends untouched)."""
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def snapshot(con: duckdb.DuckDBPyConnection) -> dict:
    """Everything an import could change, to compare before and after."""
    tables = [*spec().tables, "import_batch", "rejected_row", "store_info", "flag"]
    return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}


def flags(con, kind: str = "field") -> list[tuple]:
    """(line, field, rule) of every flag on values, in line order; or (CHILD, rule) of the rules' flags."""
    if kind == "field":
        return con.execute("SELECT line, field, rule_id FROM flag WHERE kind = 'field' ORDER BY line, field").fetchall()
    return con.execute("SELECT CHILD, rule_id FROM flag WHERE kind = 'record' ORDER BY rule_id, CHILD").fetchall()


def details(con) -> list[str]:
    return [d for (d,) in con.execute("SELECT detail FROM flag WHERE kind = 'field' ORDER BY line, field").fetchall()]


def rejects(con, file_name: str | None = None) -> list[tuple]:
    """(line, field, reason) of every refusal, in line order."""
    return con.execute("SELECT line, field, reason FROM rejected_row WHERE ? IS NULL OR file_name = ? "
                       "ORDER BY line, field NULLS FIRST", [file_name, file_name]).fetchall()


def count(con, table: str) -> int:
    return con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv(pseudonym.KEY_ENV, TEST_KEY)
    monkeypatch.setattr(pseudonym, "SECRETS_PATHS", [])


@pytest.fixture
def con(tmp_path):
    con = store.connect(tmp_path / "s.duckdb", create=True)
    yield con
    con.close()


def one(con, tmp_path, name, content, **kw):
    """Import one file; return its FileReport."""
    report = import_files(con, [write(tmp_path, name, content)], **kw)
    assert len(report.files) == 1
    return report.files[0]


# ---------------------------------------------------------------- shipped files
def test_example_903_files_load(con):
    report = import_files(con, sorted(EXAMPLES.glob("*.csv")))
    assert [(f.table, f.collection_year, f.rows_loaded, f.rows_rejected) for f in report.files] == [
        ("episodes", 2024, 4, 0), ("header", 2024, 4, 0), ("oc3", 2024, 4, 0)]
    assert count(con, "import_batch") == 3 and count(con, "rejected_row") == 0
    assert store.get_info(con)["source"] == "real"
    assert count(con, "person_year") == 4


def test_templates_match_spec_and_load(con):
    local = spec().local_tables()
    assert {p.stem for p in template_path("young_person").parent.glob("*.csv")} == {t.name for t in local}
    for table in local:
        header = template_path(table.name).read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == table.column_names, table.name
    report = import_files(con, [template_path(t.name) for t in local], year=2024)
    assert {f.table: (f.status, f.rows_loaded, f.rows_rejected) for f in report.files} == {
        t.name: ("loaded", 3, 0) for t in local}
    assert con.execute("SELECT DISTINCT collection_year FROM pa_contact").fetchall() == [(2024,)]


def test_readme_documents_every_table_from_the_spec():
    text = README.read_text(encoding="utf-8")
    assert docs_markdown() in text, "data/README.md is out of date: run python -m cl_metrics.ingest docs"
    for table in spec().tables.values():
        assert f"Header row: `{','.join(table.column_names)}`" in text
    assert "`often or always`" in text and "`F1` Higher education, full-time" in text and "`S2`; `T1`" in text


# ---------------------------------------------------------------- text encoding and layout
def test_bom_crlf_and_surrounding_spaces(con, tmp_path):
    content = "\ufeff CHILD , DOB ,IN_TOUCH,ACTIV, ACCOM \r\n A1 , 14/05/2003 , YES , F5 , U1 \r\n" \
              "A2,02/11/2002,\"NO\",0,0\r\nA3, 01/01/2003,YES,G5, \"S2\"\r\n"
    f = one(con, tmp_path, "oc3_2024.csv", content)
    assert (f.status, f.rows_loaded, f.rows_rejected, f.warnings) == ("loaded", 3, 0, [])
    rows = con.execute("SELECT CHILD, DOB::VARCHAR, IN_TOUCH, ACTIV, ACCOM FROM oc3 ORDER BY DOB").fetchall()
    assert rows == [(pid("A2"), "2002-11-02", "NO", "0", "0"), (pid("A3"), "2003-01-01", "YES", "G5", "S2"),
                    (pid("A1"), "2003-05-14", "YES", "F5", "U1")]


def test_blank_lines_are_skipped_and_line_numbers_stay_physical(con, tmp_path):
    content = f"\n{OC3}\n\nA1,14/05/2003,YES,F5,U1\n,,,,\n   \nA2,14/05/2003,yes,F5,U1\n\n"
    f = one(con, tmp_path, "oc3_2024.csv", content)
    assert (f.rows_loaded, f.rows_rejected, f.blank_lines) == (2, 0, 5)
    assert f.flags == {"oc3_without_header": 2, "code": 1}
    assert "5 blank lines skipped" in f.warnings
    assert flags(con) == [(7, "IN_TOUCH", "code")]
    assert details(con) == ["'yes' is not one of the 2023-24 IN_TOUCH codes (YES, NO, DIED, REFU, NREQ, RHOM); "
                            "codes are exact, did you mean 'YES'?"]
    assert con.execute("SELECT IN_TOUCH FROM oc3 ORDER BY 1").fetchall() == [("YES",), ("yes",)]  # as given


def test_impossible_and_malformed_dates(con, tmp_path):
    content = (f"{OC3}\nA1,31/02/2004,YES,F5,U1\nA2,29/02/2004,YES,F5,U1\nA3,2004-02-30,YES,F5,U1\n"
               "A4,13/31/2004,YES,F5,U1\nA5,1/2/04,YES,F5,U1\nA6,1/2/2004,YES,F5,U1\nA7,2004-02-01,YES,F5,U1\n")
    f = one(con, tmp_path, "oc3_2024.csv", content)
    assert (f.rows_loaded, f.rows_rejected, f.flags["date"]) == (7, 0, 4)
    assert flags(con) == [(2, "DOB", "date"), (4, "DOB", "date"), (5, "DOB", "date"), (6, "DOB", "date")]
    assert details(con) == ["'31/02/2004' is not a real date (day 31, month 2, year 2004)",
                            "'2004-02-30' is not a real date (day 30, month 2, year 2004)",
                            "'13/31/2004' is not a real date (day 13, month 31, year 2004)",
                            "'1/2/04' is not a date in the form DD/MM/YYYY"]
    assert con.execute("SELECT DOB::VARCHAR FROM oc3 ORDER BY 1 NULLS LAST").fetchall() == [  # unknown: NULL
        ("2004-02-01",), ("2004-02-01",), ("2004-02-29",), (None,), (None,), (None,), (None,)]


def test_unknown_codes_are_refused_exactly(con, tmp_path):
    content = (f"{OC3}\nA1,14/05/2003,yes,F5,U1\nA2,14/05/2003,YES,02,U1\nA3,14/05/2003,YES,f1,U1\n"
               "A4,14/05/2003,YES,F3,S1\nA5,14/05/2003,YES,F5,U1\n")
    f = one(con, tmp_path, "oc3_2024.csv", content)
    assert (f.rows_loaded, f.rows_rejected) == (5, 0)
    assert flags(con) == [(2, "IN_TOUCH", "code"), (3, "ACTIV", "code"), (4, "ACTIV", "code"), (5, "ACTIV", "code")]
    got = details(con)
    assert "did you mean 'YES'" in got[0] and "'02' is not one of the 2023-24 ACTIV codes" in got[1]
    assert "did you mean 'F1'" in got[2] and "'F3' is not one of the 2023-24 ACTIV codes" in got[3]
    assert (pid("A4"), "s_x_suitable") in flags(con, "record")  # S1: well-formed, but never suitable
    assert con.execute("SELECT ACTIV, ACCOM FROM oc3 WHERE CHILD = ?", [pid("A4")]).fetchone() == ("F3", "S1")


def test_integer_codes_and_ranges(con, tmp_path):
    content = ("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nA1,02,14/05/2003,WBRI,,,\nA2,2,14/05/2003,WBRI,,1.0,\n"
               "A3,1,14/05/2003,WBRI,,1,\n")
    f = one(con, tmp_path, "header_2024.csv", content)
    assert (f.rows_loaded, f.rows_rejected) == (3, 0)
    assert flags(con) == [(2, "SEX", "code")]  # MOTHER 1.0, a spreadsheet's number, is read as 1
    assert details(con) == ["'02' is not one of the 2023-24 SEX codes (1, 2); codes are exact, did you mean '2'?"]
    assert con.execute("SELECT CHILD, SEX, MOTHER FROM header ORDER BY CHILD").fetchall() == sorted(
        [(pid("A1"), "02", None), (pid("A2"), "2", 1), (pid("A3"), "1", 1)])
    assert flags(con, "record") == [(pid("A3"), "mother_not_female")]


def test_local_values(con, tmp_path):
    content = ("CHILD,response_date,yp_happiness,yp_swemwbs,yp_someone_to_trust\n"
               "A1,01/01/2024,11,20,1\nA2,01/01/2024,5,6,yes\nA3,01/01/2024,5,x,TRUE\nA4,01/01/2024,0,35,maybe\n"
               "A5,01/01/2024,10,7,No\n")
    f = one(con, tmp_path, "wellbeing.csv", content, year=2024)
    assert (f.rows_loaded, f.rows_rejected) == (5, 0)
    assert flags(con) == [(2, "yp_happiness", "range"), (3, "yp_swemwbs", "range"), (4, "yp_swemwbs", "number"),
                          (5, "yp_someone_to_trust", "yes_no")]
    assert details(con) == ["'11' is above the maximum 10", "'6' is below the minimum 7",
                            "'x' is not a whole number",
                            f"'{pid('maybe')}' is not yes/no: use 1 or 0 (true/false and yes/no are accepted too)"]
    stored = {child: values for child, *values in con.execute(
        "SELECT CHILD, yp_happiness, yp_swemwbs, yp_someone_to_trust FROM wellbeing_response").fetchall()}
    assert stored == {pid("A1"): [11, 20, True], pid("A2"): [5, 6, True], pid("A3"): [5, None, True],
                      pid("A4"): [0, 35, None], pid("A5"): [10, 7, False]}  # as given, or unknown


def test_missing_ids_and_required_values(con, tmp_path):
    content = f"{OC3}\n,14/05/2003,YES,F5,U1\n  ,14/05/2003,YES,F5,U1\nA3,,,F5,U1\nA4,14/05/2003,NO,,\n"
    f = one(con, tmp_path, "oc3_2024.csv", content, force=True)  # half its rows have no id: held without force
    assert (f.status, f.rows_loaded, f.rows_rejected) == ("loaded", 2, 2)
    assert rejects(con) == [(2, "CHILD", "no CHILD id: the row cannot be tied to a young person"),
                            (3, "CHILD", "no CHILD id: the row cannot be tied to a young person")]
    assert flags(con) == [(4, "DOB", "required"), (4, "IN_TOUCH", "required")]  # A3 loads, flagged
    assert [r for r in flags(con, "record") if r[1] == "153"] == sorted(  # not all coded or all blank
        [(pid("A3"), "153"), (pid("A4"), "153")])
    assert con.execute("SELECT DOB, IN_TOUCH, ACTIV FROM oc3 WHERE CHILD = ?", [pid("A3")]).fetchone() == (
        None, None, "F5")


def test_oc3_consistency_rules_flag_and_load(con, tmp_path):
    """Every row loads; the registry's rules flag the breaches (each rule's own example: test_rules.py)."""
    content = (f"{OC3}\nA1,14/05/2003,DIED,F5,\nA2,14/05/2003,RHOM,0,U1\nA3,14/05/2003,YES,0,U1\n"
               "A4,14/05/2003,YES,F5,0\nA5,01/06/2006,YES,F2,Z1\nA6,01/06/2005,YES,F2,Z1\nA7,14/05/2003,DIED,0,0\n"
               "A8,14/05/2003,NO,0,0\n")
    f = one(con, tmp_path, "oc3_2024.csv", content)
    assert (f.rows_loaded, f.rows_rejected, f.flags) == (8, 0, {
        "oc3_without_header": 8, "344": 2, "345": 2, "153": 1, "3001": 1})
    rules = [r for r in flags(con, "record") if r[1] != "oc3_without_header"]
    assert sorted(rules) == sorted([(pid("A1"), "153"), (pid("A5"), "3001"), (pid("A1"), "344"), (pid("A2"), "344"),
                                    (pid("A3"), "345"), (pid("A4"), "345")])
    assert count(con, "oc3") == 8  # A7 (died, ACTIV and ACCOM 0) is what DfE accepts: loaded, not flagged


def test_duplicate_rows_load_and_are_flagged(con, tmp_path):
    content = (f"{OC3}\nA1,14/05/2003,YES,F5,U1\nA2,14/05/2003,YES,F5,U1\nA1,14/05/2003,YES,F5,U1\n"
               " A1 ,14/05/2003, YES,F5,U1\nA1,14/05/2003,YES,F5,U2\nA1,2003-05-14,YES,F5,U1\n")
    f = one(con, tmp_path, "oc3_2024.csv", content)
    assert (f.rows_loaded, f.rows_rejected) == (6, 0) and count(con, "oc3") == 6
    assert [r for r in flags(con, "record") if r[1] != "oc3_without_header"] == [
        (pid("A1"), "exact_duplicate"), (pid("A1"), "oc3_duplicate")]
    detail = con.execute("SELECT detail FROM flag WHERE rule_id = 'oc3_duplicate'").fetchone()[0]
    assert detail == "5 rows (IN_TOUCH/ACTIV/ACCOM): YES/F5/U1; YES/F5/U1; YES/F5/U1; YES/F5/U2; YES/F5/U1"
    assert con.execute("SELECT count(*) FROM person_year WHERE CHILD = ?", [pid("A1")]).fetchone()[0] == 1


def test_young_person_holds_one_row_per_child(con, tmp_path):
    content = ("CHILD,category,disability\nA1,relevant,0\nA2,eligible,1\nA1,qualifying,0\nA2,eligible,1\n")
    f = one(con, tmp_path, "yp.csv", content, force=True)
    assert (f.table, f.collection_year, f.rows_loaded, f.rows_rejected) == ("young_person", None, 2, 2)
    assert rejects(con) == [(4, "CHILD", "another row for the same CHILD is on line 2 (young_person holds "
                                         "one row per young person)"),
                            (5, "CHILD", "another row for the same CHILD is on line 3 (young_person holds "
                                         "one row per young person)")]
    # a later file changing a young person's row is held back; with --replace it replaces theirs, keeps the others
    later = "CHILD,category\nA1,former relevant\nA3,eligible\n"
    held = one(con, tmp_path, "yp2.csv", later)
    assert (held.status, held.rows_added, held.rows_changed) == ("held", 1, 1) and count(con, "young_person") == 2
    g = one(con, tmp_path, "yp3.csv", later, replace=True)  # the file has no disability column: A1's would be lost
    assert (g.status, g.lost) == ("held", {"disability": 1}) and "--replace --force" in g.reason
    g = one(con, tmp_path, "yp3.csv", later, replace=True, force=True)
    assert (g.status, g.rows_loaded, g.rows_added, g.rows_replaced) == ("loaded", 2, 1, 1)
    assert con.execute("SELECT CHILD, category FROM young_person ORDER BY category").fetchall() == sorted(
        [(pid("A2"), "eligible"), (pid("A3"), "eligible"), (pid("A1"), "former relevant")], key=lambda r: r[1])


def test_header_only_file_loads_nothing_and_says_so(con, tmp_path):
    f = one(con, tmp_path, "missing_2024.csv", "CHILD,DOB,MISSING,MIS_START,MIS_END\r\n")
    assert (f.status, f.table, f.rows_loaded, f.rows_rejected) == ("unchanged", "missing", 0, 0)
    assert f.warnings == ["the file has a header row but no data rows"]
    assert count(con, "import_batch") == 0


def test_wrong_number_of_fields(con, tmp_path):
    f = one(con, tmp_path, "oc3_2024.csv", f"{OC3}\nA1,14/05/2003,YES,F5\nA2,14/05/2003,YES,F5,U1,Jane Smith\n"
                                            "A3,14/05/2003,YES,F5,U1\n", force=True)
    assert (f.rows_loaded, f.rows_rejected) == (1, 2)
    assert rejects(con) == [(2, None, "has 4 fields; the header has 5"), (3, None, "has 6 fields; the header has 5")]
    raw = con.execute("SELECT raw FROM rejected_row ORDER BY line").fetchall()
    assert raw == [(f"{pid('A1')},14/05/2003,YES,F5",),
                   (f"{pid('A2')},14/05/2003,YES,F5,U1  [+1 field beyond the header, not kept]",)]


# ---------------------------------------------------------------- columns
def test_reordered_columns(con, tmp_path):
    f = one(con, tmp_path, "oc3_2024.csv", "accom,IN_TOUCH,DOB,ACTIV,CHILD\nU1,YES,14/05/2003,F5,A1\n")
    assert (f.table, f.rows_loaded, f.rows_rejected, f.warnings) == ("oc3", 1, 0, [])
    assert con.execute("SELECT CHILD, IN_TOUCH, ACTIV, ACCOM FROM oc3").fetchall() == [(pid("A1"), "YES", "F5", "U1")]


def test_extra_columns_ignored_with_warning_and_not_kept(con, tmp_path):
    content = f"NAME,{OC3},NOTES\nJane Smith,A1,14/05/2003,YES,F5,U1,fine\nJohn Smith,A2,14/05/2003,yes,F5,U1,x\n"
    f = one(con, tmp_path, "oc3_2024.csv", content)
    assert (f.rows_loaded, f.rows_rejected, f.flags["code"]) == (2, 0, 1)
    assert f.warnings == ["columns not in the oc3 spec were ignored: NAME, NOTES"]
    assert con.execute("SELECT value FROM flag WHERE kind = 'field'").fetchall() == [("yes",)]
    assert "Smith" not in repr(snapshot(con))


def test_missing_optional_columns_load_as_null(con, tmp_path):
    f = one(con, tmp_path, "oc3_2024.csv", "CHILD,DOB,IN_TOUCH\nA1,14/05/2003,NO\n")
    assert (f.rows_loaded, f.rows_rejected) == (1, 0)
    assert f.warnings == ["optional columns not in the file were loaded as empty: ACTIV, ACCOM"]
    assert con.execute("SELECT IN_TOUCH, ACTIV, ACCOM FROM oc3").fetchall() == [("NO", None, None)]


def test_missing_required_column_refuses_the_file(con, tmp_path):
    before = snapshot(con)
    f = one(con, tmp_path, "oc3_2024.csv", "CHILD,DOB,ACTIV,ACCOM\nA1,14/05/2003,F5,U1\n")
    assert (f.status, f.table, f.rows_loaded) == ("refused", None, 0)
    assert f.reason == ("This looks like a oc3 file but it has no IN_TOUCH column (required). "
                        "Expected header: CHILD,DOB,IN_TOUCH,ACTIV,ACCOM")
    assert snapshot(con) == before


def test_repeated_column_refuses_the_file(con, tmp_path):
    f = one(con, tmp_path, "oc3_2024.csv", "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM,child\nA1,14/05/2003,NO,,,\n")
    assert f.status == "refused" and "more than once: CHILD, child" in f.reason


# ---------------------------------------------------------------- whole files refused, store unchanged
@pytest.mark.parametrize("name, content, expect", [
    ("oc3_2024.csv", "", "The file is empty"),
    ("oc3_2024.csv", "\ufeff\r\n\r\n   \n", "The file is empty"),
    ("notes_2024.csv", "name,comment\nJane,hello\n", "Not an SSDA903 or template file: the header row is 'name,comment'"),
    ("oc3_2024.csv", "CHILD;DOB;IN_TOUCH;ACTIV;ACCOM\nA1;14/05/2003;YES;F5;U1\n", "separated by semicolons, not commas"),
    ("oc3_2024.csv", "CHILD\tDOB\tIN_TOUCH\tACTIV\tACCOM\nA1\t14/05/2003\tYES\tF5\tU1\n", "separated by tabs"),
    ("oc3_2024.csv", "CHILD,DOB\nA1,14/05/2003\n", "Not an SSDA903 or template file"),
    ("oc3_2024.csv", "\ufeffCHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n".encode("utf-16"), "saved as UTF-16"),
    ("oc3_2024.csv", b"CHILD,DOB,IN_TOUCH,ACTIV,ACC\xd3M\nA1,14/05/2003,NO,,\n", "The header row is not UTF-8 text"),
    ("oc3_2024.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8"),
    ("oc3.csv", f"{OC3}\nA1,14/05/2003,NO,,\n", "No collection year"),
    ("oc3_2023_2025.csv", f"{OC3}\nA1,14/05/2003,NO,,\n", "several years (2023, 2025)"),
    ("oc3_2024.csv", f"{OC3}\n,31/02/2004,YES,F5,U1\nA2,14/05/2003,yes,F5\n",
     "None of its 2 rows could be placed, so nothing was changed"),
])
def test_refused_whole_leaves_store_unchanged(con, tmp_path, name, content, expect):
    import_files(con, sorted(EXAMPLES.glob("*.csv")))
    before = snapshot(con)
    f = one(con, tmp_path, name, content)
    assert f.status == "refused" and (f.rows_loaded, f.rows_rejected) == (0, 0)
    assert expect in f.reason
    assert snapshot(con) == before


def test_unrecognised_file_message_names_expected_headers(con, tmp_path):
    f = one(con, tmp_path, "x_2024.csv", "a,b\n1,2\n")
    for table in spec().tables.values():
        assert f"{table.name}: {','.join(table.column_names)}" in f.reason


def test_a_single_path_is_accepted(con):
    report = import_files(con, EXAMPLES / "ssda903_2023-24_oc3.csv")
    assert [(f.table, f.rows_loaded) for f in report.files] == [("oc3", 4)]


def test_missing_path_and_folder(con, tmp_path):
    report = import_files(con, [tmp_path / "nope.csv", tmp_path])
    assert [f.status for f in report.files] == ["refused", "refused"]
    assert "does not exist" in report.files[0].reason and "is a folder" in report.files[1].reason
    assert count(con, "import_batch") == 0


# ---------------------------------------------------------------- bytes that are not UTF-8
def test_non_utf8_bytes_refuse_only_their_row(con, tmp_path):
    content = (f"{OC3}\r\n".encode() + b"A1,14/05/2003,YES,F5,U1\r\nA\xe92,14/05/2003,YES,F5,U1\r\n"
               b"A3,14/05/2003,YES,F5,U1\xff\r\n" + "A4,14/05/2003,NO,,\r\n".encode())
    f = one(con, tmp_path, "oc3_2024.csv", content, force=True)
    assert (f.status, f.rows_loaded, f.rows_rejected) == ("loaded", 2, 2)
    assert rejects(con) == [
        (3, None, "byte 0xE9 at line 3, position 2 is not UTF-8 text (save the file as 'CSV UTF-8')"),
        (4, None, "byte 0xFF at line 4, position 24 is not UTF-8 text (save the file as 'CSV UTF-8')")]


def test_utf8_text_is_kept(con, tmp_path):
    f = one(con, tmp_path, "voice_2024.csv", "CHILD,note_date,domain,theme,speaker,consent,text\n"
            "A1,01/01/2024,wellbeing,x,young person,1,\"Zoë said: \"\"café, ok\"\"\nnext line\"\n")
    assert (f.rows_loaded, f.rows_rejected) == (1, 0)
    assert con.execute("SELECT text FROM voice_note").fetchone()[0] == 'Zoë said: "café, ok"\nnext line'


# ---------------------------------------------------------------- names, years, batches
def test_file_name_with_quotes_and_semicolons(con, tmp_path):
    name = "oc3 \"final\"; 'v2'); DROP TABLE oc3; -- 2024.csv"
    f = one(con, tmp_path, name, f"{OC3}\nA1,14/05/2003,yes,F5,U1\nA2,14/05/2003,YES,F5,U1\n,1,2\n", force=True)
    assert (f.status, f.collection_year, f.year_source, f.rows_loaded, f.rows_rejected) == (
        "loaded", 2024, "file name", 2, 1)
    assert con.execute("SELECT file_name, table_name FROM import_batch").fetchall() == [(name, "oc3")]
    assert con.execute("SELECT DISTINCT file_name FROM rejected_row").fetchall() == [(name,)]
    assert count(con, "oc3") == 2


@pytest.mark.parametrize("name, year, expect", [
    ("SSDA903_2023-24_oc3.csv", None, 2024), ("oc3_2023_2024.csv", None, 2024), ("oc3_202324.csv", None, 2024),
    ("oc3_2024.csv", None, 2024), ("oc3.csv", 2022, 2022), ("oc3_2024.csv", 2023, 2023)])
def test_collection_year(con, tmp_path, name, year, expect):
    f = one(con, tmp_path, name, f"{OC3}\nA1,14/05/2003,NO,,\n", year=year)
    assert (f.status, f.collection_year) == ("loaded", expect)
    assert con.execute("SELECT collection_year FROM oc3").fetchall() == [(expect,)]
    warned = any("the file name suggests 2024 but --year 2023 was used" in w for w in f.warnings)
    assert warned == ((name, year) == ("oc3_2024.csv", 2023))


def test_importing_the_same_content_twice_adds_nothing(con, tmp_path):
    first = import_files(con, sorted(EXAMPLES.glob("*.csv")))
    before = snapshot(con)
    copy = write(tmp_path, "renamed_2024.csv", (EXAMPLES / "ssda903_2023-24_oc3.csv").read_bytes())
    again = import_files(con, [*sorted(EXAMPLES.glob("*.csv")), copy])
    assert [f.status for f in first.files] == ["loaded"] * 3
    assert [f.status for f in again.files] == ["unchanged"] * 4
    assert again.files[3].reason == "the store already holds every row of this file; nothing added"
    assert snapshot(con) == before and count(con, "import_batch") == 3


def test_same_content_twice_in_one_call(con, tmp_path):
    a = write(tmp_path, "a_2024.csv", f"{OC3}\nA1,14/05/2003,NO,,\n")
    b = write(tmp_path, "b_2024.csv", f"{OC3}\nA1,14/05/2003,NO,,\n")
    report = import_files(con, [a, b])
    assert [f.status for f in report.files] == ["loaded", "unchanged"] and count(con, "oc3") == 1


def test_a_newer_file_replaces_only_when_asked_and_parts_add_up(con, tmp_path):
    one(con, tmp_path, "oc3_2023.csv", f"{OC3}\nA1,14/05/2003,NO,0,0\n")
    one(con, tmp_path, "oc3_2024.csv", f"{OC3}\nA1,14/05/2003,NO,0,0\nA2,14/05/2003,NO,0,0\n")
    newer = f"{OC3}\nA1,14/05/2003,YES,F5,U1\nA2,14/05/2003,NO,0,0\nA3,14/05/2003,NO,0,0\n"
    held = one(con, tmp_path, "oc3_2024_v2.csv", newer)
    assert (held.status, held.rows_added, held.rows_changed, held.rows_removed) == ("held", 1, 1, 0)
    assert "would change 1 stored oc3 rows for 2023-24" in held.reason and "--replace" in held.reason
    f = one(con, tmp_path, "oc3_2024_v2.csv", newer, replace=True)
    assert (f.status, f.rows_added, f.rows_changed, f.rows_removed, f.rows_replaced) == ("loaded", 1, 1, 0, 1)
    assert con.execute("SELECT collection_year, IN_TOUCH FROM oc3 ORDER BY 1, 2").fetchall() == [
        (2023, "NO"), (2024, "NO"), (2024, "NO"), (2024, "YES")]
    parts = [write(tmp_path, f"oc3_2024_part{i}.csv", f"{OC3}\nB{i},14/05/2003,NO,0,0\n") for i in (1, 2)]
    report = import_files(con, parts)  # new rows only: no --replace needed, nothing stored is touched
    assert [(f.status, f.rows_added, f.rows_replaced) for f in report.files] == [("loaded", 1, 0), ("loaded", 1, 0)]
    assert con.execute("SELECT count(*) FROM oc3 WHERE collection_year = 2024").fetchone()[0] == 5


def test_import_batch_and_rejected_row_records(con, tmp_path):
    rows = "".join(f"B{i},14/05/2003,NO,0,0\n" for i in range(20))
    data = f"{OC3}\nA1,14/05/2003,yes,F5,U1\n{rows},14/05/2003,YES,F5,U1\n".encode()
    report = import_uploaded(con, "upload_2024.csv", data)  # 1 of 22 rows refused: under 5%
    f = report.files[0]
    digest = hashlib.sha256(data).hexdigest()
    row = con.execute("SELECT batch_id, content_hash, file_name, table_name, collection_year, rows_loaded, "
                      "rows_rejected, rows_added FROM import_batch").fetchone()
    assert row == (f.batch_id, digest, "upload_2024.csv", "oc3", 2024, 21, 1, 21) and f.batch_id.startswith("b")
    frame = rejected_rows(con, f.batch_id)
    assert list(frame.columns) == ["batch_id", "file_name", "line", "field", "reason", "raw"]
    assert frame.iloc[0].to_dict() == {
        "batch_id": f.batch_id, "file_name": "upload_2024.csv", "line": 23, "field": "CHILD",
        "reason": "no CHILD id: the row cannot be tied to a young person", "raw": ",14/05/2003,YES,F5,U1"}
    assert rejection_summary(con).to_dict("records") == [
        {"file_name": "upload_2024.csv", "field": "CHILD", "problems": 1, "rows": 1}]
    assert len(import_history(con)) == 1
    assert report.rows()[0] | {"batch_id": None} == {
        "file": "upload_2024.csv", "status": "loaded", "table": "oc3", "collection_year": 2024, "loaded": 21,
        "flags": 22, "refused": 1, "added": 21, "changed": 0, "removed": 0, "replaced": 0, "lost": "",
        "warnings": "", "reason": None, "batch_id": None}
    assert f.flags == {"oc3_without_header": 21, "code": 1}
    assert ("upload_2024.csv: oc3 2023-24: 21 rows loaded, 22 flags, 1 refused; 21 added, 0 changed, 0 removed "
            "(the store held 0)") in report.text()
    assert "    flagged 1 x code: Not one of the year's codes" in report.text()


# ---------------------------------------------------------------- pseudonymisation and real-data marking
def test_ids_are_pseudonymised_everywhere(con, tmp_path):
    header = "CHILD,SEX,DOB,ETHNIC,UPN\nSECRET01,1,14/05/2003,WBRI,A123456789012\nSECRET02,2,14/05/2003,WBRI,UN3\n" \
             "SECRET03,3,14/05/2003,WBRI,B123456789012\n"
    f = one(con, tmp_path, "header_2024.csv", header)
    assert (f.rows_loaded, f.rows_rejected, f.flags) == (3, 0, {"code": 1})  # SEX 3: loaded, flagged
    expected = "P" + hmac.new(TEST_KEY.encode(), b"SECRET01", hashlib.sha256).hexdigest()[:12]
    rows = con.execute("SELECT CHILD, UPN FROM header ORDER BY SEX").fetchall()
    assert rows[0][0] == expected and rows[1] == (pid("SECRET02"), "UN3")
    assert rows[0][1].startswith("U") and len(rows[0][1]) == 13 and "123456789" not in rows[0][1]
    dump = repr(snapshot(con)) + repr(con.execute("SELECT * FROM person_year").fetchall())
    assert "SECRET" not in dump and "A123456789012" not in dump and "B123456789012" not in dump
    assert store.get_info(con)["source"] == "real"


def test_missing_key_is_a_clear_error_and_changes_nothing(con, tmp_path, monkeypatch):
    monkeypatch.delenv(pseudonym.KEY_ENV)
    before = snapshot(con)
    with pytest.raises(PseudonymKeyError, match="CL_PSEUDONYM_KEY.*secrets.toml"):
        import_files(con, sorted(EXAMPLES.glob("*.csv")))
    assert snapshot(con) == before
    monkeypatch.setenv(pseudonym.KEY_ENV, "short")
    with pytest.raises(PseudonymKeyError, match="too short"):
        import_files(con, sorted(EXAMPLES.glob("*.csv")))


def test_key_from_secrets_file(con, tmp_path, monkeypatch):
    monkeypatch.delenv(pseudonym.KEY_ENV)
    secrets = write(tmp_path, "secrets.toml", f'other = 1\npseudonym_key = "{TEST_KEY}"\n')
    monkeypatch.setattr(pseudonym, "SECRETS_PATHS", [tmp_path / "absent.toml", secrets])
    one(con, tmp_path, "oc3_2024.csv", f"{OC3}\nA1,14/05/2003,NO,,\n")
    assert con.execute("SELECT CHILD FROM oc3").fetchone()[0] == pid("A1")


def test_synthetic_store_is_not_mixed_with_real_data(tmp_path):
    from synthetic.generate import write_store
    path = write_store(tmp_path / "syn.duckdb", people=20, seed=1)
    con = store.connect(path)
    try:
        before = snapshot(con)
        with pytest.raises(ImportRefused, match="holds synthetic data"):
            import_files(con, sorted(EXAMPLES.glob("*.csv")))
        assert snapshot(con) == before
        report = import_files(con, sorted(EXAMPLES.glob("*.csv")), replace_synthetic=True)
        assert report.rows_loaded == 12
        assert count(con, "oc3") == 4 and count(con, "young_person") == 0 and count(con, "pa_contact") == 0
        info = store.get_info(con)
        assert info["source"] == "real" and "seed" not in info and "people" not in info
        assert count(con, "person_year") == 4
    finally:
        con.close()


# ---------------------------------------------------------------- command line
def test_cli_reports_and_exit_codes(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    assert cli.main(["import", *map(str, sorted(EXAMPLES.glob("*.csv"))), "--db", str(db), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "ssda903_2023-24_oc3.csv: oc3 2023-24: 4 rows loaded, 0 flags, 0 refused; 4 added" in out
    assert "3 of 3 files loaded" in out
    bad = write(tmp_path, "semi;colon \"x\" 2024.csv", "CHILD;DOB;IN_TOUCH;ACTIV;ACCOM\n")
    good = write(tmp_path, "oc3_2023.csv", f"{OC3}\nA1,14/05/2003,NO,0,0\nA2,14/05/2003,no,0,0\n")
    assert cli.main([str(good), str(bad), "--db", str(db), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "oc3_2023.csv: oc3 2022-23: 2 rows loaded, 3 flags, 0 refused" in out
    assert "semi;colon \"x\" 2024.csv: REFUSED, nothing loaded. The header row is separated by semicolons" in out
    assert "flagged 1 x code: Not one of the year's codes" in out
    changed = write(tmp_path, "oc3_2023-v2.csv", f"{OC3}\nA1,14/05/2003,YES,F5,U1\n")
    assert cli.main([str(changed), "--db", str(db), "--year", "2023", "--quiet"]) == 3  # held back
    assert "HELD BACK, nothing changed" in capsys.readouterr().out
    assert cli.main([str(changed), "--db", str(db), "--year", "2023", "--replace", "--quiet"]) == 3  # removes A2
    assert cli.main([str(changed), "--db", str(db), "--year", "2023", "--replace", "--force", "--quiet"]) == 0
    assert "0 added, 1 changed, 1 removed (the store held 2)" in capsys.readouterr().out


def test_cli_records_whose_files_they_are(tmp_path, capsys):
    db = tmp_path / "ny.duckdb"
    assert cli.main(["import", *map(str, sorted(EXAMPLES.glob("*.csv"))), "--db", str(db), "--quiet",
                     "--authority", "North Yorkshire"]) == 0
    con = store.connect(db, read_only=True)
    assert store.get_info(con)["authority"] == "815"
    con.close()
    with pytest.raises(SystemExit):
        cli.main(["import", str(EXAMPLES / "ssda903_2023-24_oc3.csv"), "--db", str(db), "--authority", "Narnia"])
    assert "No English authority" in capsys.readouterr().err


def test_cli_without_key_exits_2_and_makes_no_store(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(pseudonym.KEY_ENV)
    db = tmp_path / "new.duckdb"
    assert cli.main(["import", str(EXAMPLES / "ssda903_2023-24_oc3.csv"), "--db", str(db)]) == 2
    assert "No pseudonymisation key" in capsys.readouterr().err and not db.exists()


# ---------------------------------------------------------------- a large file, bounded memory
def test_large_file_is_streamed_with_bounded_memory(con, tmp_path):
    rows = 200_000
    path = tmp_path / "oc3_2024.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(OC3 + "\n")
        for i in range(rows):  # every 1000th row has an impossible date
            fh.write(f"C{i:07d},{'31/02/2003' if i % 1000 == 0 else '14/05/2003'},YES,F5,U1\n")
    size = path.stat().st_size
    seen: list[float] = []
    tracemalloc.start()
    try:
        report = import_files(con, [path], chunk_rows=5_000, progress=lambda fraction, label: seen.append(fraction))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    f = report.files[0]
    assert (f.rows_loaded, f.rows_rejected, f.flags["date"]) == (200_000, 0, 200)
    assert count(con, "oc3") == 200_000 and count(con, "flag") == 200_200  # 200 dates, and no header for anyone
    # Python never holds the file: the peak is below the file's own size (rows materialised would be ~20x).
    assert peak < size, (peak, size)
    assert len(seen) >= rows // 5_000 and seen == sorted(seen) and seen[-1] == 1.0


# ---------------------------------------------------------------- indicators from imported files
HAND_HEADER = """CHILD,SEX,DOB,ETHNIC
HW01,1,10/06/2003,WBRI
HW02,2,15/01/2004,BAFR
HW03,1,20/05/2002,WBRI
HW04,2,01/04/2004,MWBC
HW05,1,31/03/2005,AOTH
HW06,1,12/12/2004,WBRI
HW07,2,05/07/2006,WBRI
HW08,1,09/09/2005,WBRI
HW09,2,02/02/2003,WIRI
HW10,1,03/03/2002,WBRI
"""
HAND_OC3 = """CHILD,DOB,IN_TOUCH,ACTIV,ACCOM
HW01,10/06/2003,YES,F1,U1
HW02,15/01/2004,YES,G5,S2
HW03,20/05/2002,NO,0,0
HW04,01/04/2004,YES,F5,D1
HW05,31/03/2005,REFU,0,R2
HW06,12/12/2004,DIED,,
HW07,05/07/2006,YES,F2,C1
HW08,09/09/2005,YES,P2,Z1
HW09,02/02/2003,RHOM,,
HW10,03/03/2002,YES,F5,U1
"""


def test_person_year_matches_hand_worked_answers(con, tmp_path):
    """Ages at the birthday in 2023-24: HW01 20, 02 20, 03 21, 04 19, 05 19, 06 19, 07 17, 08 18, 09 21, 10 22."""
    report = import_files(con, [write(tmp_path, "header_2023-24.csv", HAND_HEADER),
                                write(tmp_path, "oc3_2023-24.csv", HAND_OC3)])
    assert [(f.rows_loaded, f.rows_rejected) for f in report.files] == [(10, 0), (10, 0)]
    ages = dict(con.execute("SELECT CHILD, age FROM person_year WHERE collection_year = 2024").fetchall())
    assert ages == {pid(f"HW{i:02d}"): a for i, a in enumerate([20, 20, 21, 19, 19, 19, 17, 18, 21, 22], 1)}
    q = lambda where: con.execute(  # noqa: E731 - constant test SQL
        f"SELECT count(*) FROM person_year WHERE collection_year = 2024 AND age BETWEEN 19 AND 21 AND {where}"
    ).fetchone()[0]
    assert q("true") == 7                                     # HW01-06, HW09
    denominator = "IN_TOUCH NOT IN ('DIED', 'RHOM')"          # DfE excludes died / returned home
    assert q(denominator) == 5                                # HW01-05
    assert q("IN_TOUCH = 'YES'") == 3                         # HW01, HW02, HW04: 3 of 5 = 60%
    assert q(f"{denominator} AND accom_suitability = 'suitable'") == 2   # U1, D1
    assert q(f"{denominator} AND accom_suitability = 'not suitable'") == 2  # S2, R2
    assert q(f"{denominator} AND accom_suitability = 'no information'") == 1  # HW03
    assert q(f"{denominator} AND ACTIV IN ('G4', 'G5', 'G6')") == 1     # HW02
    assert q(f"{denominator} AND ACTIV IN ('F1', 'P1')") == 1           # HW01
    assert q("sex_group = 'Female'") == 3                     # HW02, HW04, HW09
    assert con.execute("SELECT accom_type FROM person_year WHERE CHILD = ?", [pid("HW08")]).fetchone()[0] == \
        "With former foster carers (staying put)"


def test_builtin_indicators_from_imported_files_match_hand_worked_answers(con, tmp_path):
    """The same 19-21 year olds through the indicator engine: died/returned home left out (5 remain)."""
    from cl_metrics.indicators import builtin
    from cl_metrics.indicators.compute import raw
    import_files(con, [write(tmp_path, "header_2023-24.csv", HAND_HEADER), write(tmp_path, "oc3_2023-24.csv", HAND_OC3)])
    expected = {"kit_in_touch_19_21": (3, 5),              # HW01, HW02, HW04 of HW01-05
                "acc_suitable_19_21": (2, 4),              # U1, D1; HW05 (R2, residence not known) left out
                "acc_not_suitable_19_21": (1, 4),          # S2 (DfE leaves G, H and R out of the total)
                "acc_emergency_or_no_home_19_21": (1, 5),  # S2
                "eet_in_eet_19_21": (2, 5),                # F1, F5
                "eet_neet_19_21": (1, 5),                  # G5
                "eet_higher_education_19_21": (1, 5)}      # F1
    indicators = [i for i in builtin() if i.id in expected]
    figures = raw(con, indicators, years=[2024])
    assert {r.indicator_id: (r.numerator, r.denominator) for r in figures.itertuples()} == expected


# ---------------------------------------------------------------- the rest of the return: ad1 to dolo
# Header rows exactly as DfE's files (and data-to-insight's 903 validator) have them.
NEW_903 = {
    "ad1": ("CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR",
            "A1,01/02/2019,01/03/2022,01/09/2022,1,2,MF,L11\n"
            "A2,01/02/2019,01/03/2022,01/09/2022,0,3,MF,L11\n"
            "A3,01/02/2019,01/03/2022,01/09/2022,0,1,M2,L3\n"
            "A4,01/02/2019,01/03/2022,,0,1,F1,L3\n"),
    "placed_for_adoption": ("CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED",
                            "A1,01/02/2019,01/03/2022,,\nA2,01/02/2019,01/03/2022,01/01/2023,RD4\n"
                            "A3,01/02/2019,01/03/2022,01/01/2023,RD5\n"),
    "previous_permanence": ("CHILD,DOB,PREV_PERM,LA_PERM,DATE_PERM",
                            "A1,01/02/2010,P2,,zz/05/2015\nA2,01/02/2010,Z1,,\nA3,01/02/2010,p1,,01/01/2015\n"),
    "sw_episodes": ("CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON",
                    "A1,01/02/2010,SW123456,01/04/2023,01/10/2023,LEFTRL\nA1,01/02/2010,SW654321,02/10/2023,,\n"
                    "A2,01/02/2010,,01/04/2023,,\nA3,01/02/2010,SW123456,01/04/2023,,QUIT\n"),
    "dolo": ("CHILD,DOB,DOLO_START,DOLO_END", "A1,01/02/2008,01/06/2023,01/09/2023\nA2,01/02/2008,01/06/2023,\n"
                                              "A3,01/02/2008,31/06/2023,\n"),
}


def test_the_rest_of_the_return_is_recognised_and_validated(con, tmp_path):
    paths = [write(tmp_path, f"{name}_2023-24.csv", f"{header}\n{rows}") for name, (header, rows) in NEW_903.items()]
    report = import_files(con, paths)
    assert [(f.table, f.collection_year, f.rows_loaded, f.rows_rejected) for f in report.files] == [
        ("ad1", 2024, 4, 0), ("placed_for_adoption", 2024, 3, 0), ("previous_permanence", 2024, 3, 0),
        ("sw_episodes", 2024, 4, 0), ("dolo", 2024, 3, 0)]
    assert report.files[-1].warnings == [  # the year DfE first collected DoLOs is not in our sources
        "dolo is not part of the 2023-24 return (DfE collects it from 2024-25): check the collection year"]
    got = con.execute("SELECT table_name, line, field, rule_id, detail FROM flag WHERE kind = 'field' "
                      "ORDER BY table_name, line").fetchall()
    assert [(table, line, field, rule) for table, line, field, rule, _ in got] == [
        ("ad1", 3, "NB_ADOPTR", "code"), ("ad1", 4, "SEX_ADOPTR", "code"), ("ad1", 5, "DATE_MATCH", "required"),
        ("dolo", 4, "DOLO_START", "date"), ("placed_for_adoption", 4, "REASON_PLACED_CEASED", "code"),
        ("previous_permanence", 4, "PREV_PERM", "code"), ("sw_episodes", 4, "SW_ID", "required"),
        ("sw_episodes", 5, "SW_REASON", "code")]
    reasons = [detail for *_, detail in got]
    assert reasons[0] == "'3' is not one of the 2023-24 NB_ADOPTR codes (1, 2)"
    assert reasons[1] == "'M2' is not one of the 2023-24 SEX_ADOPTR codes (M1, F1, MM, FF, MF)"
    assert reasons[2] == "required value is missing"
    assert reasons[3] == "'31/06/2023' is not a real date (day 31, month 6, year 2023)"
    assert reasons[5] == ("'p1' is not one of the 2023-24 PREV_PERM codes (P1, P2, P3, P4, Z1); codes are exact, "
                          "did you mean 'P1'?")
    assert reasons[7].startswith(f"'{pid('QUIT')}' is not one of the 2023-24 SW_REASON codes (MANAGE, FCONTA,")
    assert con.execute("SELECT CHILD, FOSTER_CARE, NB_ADOPTR, DATE_MATCH::VARCHAR FROM ad1 ORDER BY CHILD").fetchall() \
        == sorted([(pid("A1"), 1, 2, "2022-09-01"), (pid("A2"), 0, 3, "2022-09-01"), (pid("A3"), 0, 1, "2022-09-01"),
                   (pid("A4"), 0, 1, None)])
    # DfE allows an unknown day or month in DATE_PERM as zz, so it is kept as the text given
    assert con.execute("SELECT PREV_PERM, DATE_PERM FROM previous_permanence ORDER BY 1").fetchall() == [
        ("P2", "zz/05/2015"), ("Z1", None), ("p1", "01/01/2015")]
    assert con.execute("SELECT DOLO_START::VARCHAR, DOLO_END::VARCHAR FROM dolo ORDER BY 1 NULLS LAST").fetchall() == [
        ("2023-06-01", "2023-09-01"), ("2023-06-01", None), (None, None)]


def test_social_worker_ids_are_pseudonymised(con, tmp_path):
    header, rows = NEW_903["sw_episodes"]
    one(con, tmp_path, "sw_episodes_2024.csv", f"{header}\n{rows}")
    expected = "W" + hmac.new(TEST_KEY.encode(), b"SW_ID:SW123456", hashlib.sha256).hexdigest()[:12]
    stored = con.execute("SELECT CHILD, SW_ID FROM sw_episodes ORDER BY SW_DECOM, CHILD").fetchall()
    assert dict(stored)[pid("A3")] == expected and stored[-1] == (pid("A1"), stored[-1][1])
    assert stored[-1][1].startswith("W") and stored[-1][1] != expected and dict(stored)[pid("A2")] is None
    # the flagged row with a bad reason holds its worker's id only as a pseudonym too
    assert con.execute("SELECT value FROM flag WHERE field = 'SW_REASON'").fetchone()[0] == pid("QUIT")
    assert "SW123456" not in repr(snapshot(con)) and "SW654321" not in repr(snapshot(con))
