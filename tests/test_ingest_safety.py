"""Issue 13's reproducers: each case found by trying real-format and hostile 903 files, as it holds
now, with exact counts loaded, flagged, refused and replaced; and a code valid in one collection
year, flagged in another."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cl_metrics import store
from cl_metrics.ingest import cli, import_files, pseudonym, rejected_rows
from cl_metrics.ingest.admin import refused_rows
from tests.conftest import ANALYST
from cl_metrics.ingest.pseudonym import Pseudonymiser

ROOT = Path(__file__).resolve().parent.parent
TEST_KEY = "test-key-not-secret-0123456789"
OTHER_KEY = "another-key-not-secret-987654321"
OC3 = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM"
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"


def pid(child: str, key: str = TEST_KEY) -> str:
    return Pseudonymiser(key.encode()).child(child)


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv(pseudonym.KEY_ENV, TEST_KEY)
    monkeypatch.setattr(pseudonym, "SECRETS_PATHS", [])


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "store.duckdb"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def run(*args) -> int:
    return cli.main(["import", *map(str, args), "--quiet"])


def count(db: Path, sql: str, params=()) -> int:
    con = store.connect(db, read_only=True)
    try:
        return con.execute(sql, params).fetchone()[0]
    finally:
        con.close()


# ------------------------------------------------------------------ a published set of fake files
def fake_return(folder: Path) -> tuple[Path, Path]:
    """54 OC3 rows like the published fake set's, with a header row each: 24 clean, 15 died or returned
    home with an activity or accommodation coded, 12 with F3/P3, 2 with ACCOM 01/02, 1 died with 0/0."""
    oc3 = [f"C{i:02d},14/05/2003,YES,F2,U1" for i in range(24)]
    oc3 += [f"D{i},14/05/2003,DIED,F2,U1" for i in range(8)] + [f"R{i},14/05/2003,RHOM,G5,B1" for i in range(7)]
    oc3 += [f"F{i},14/05/2003,YES,F3,U1" for i in range(6)] + [f"P{i},14/05/2003,YES,P3,D1" for i in range(6)]
    oc3 += ["A1,14/05/2003,YES,F2,01", "A2,14/05/2003,NO,0,02", "Z1,14/05/2003,DIED,0,0"]
    children = [row.split(",")[0] for row in oc3]
    header = [f"{c},2,14/05/2003,WBRI,UN1,{'1.0' if c == 'C00' else ''},{'01/02/2022' if c == 'C00' else ''}"
              for c in children]
    return (write(folder, "header.csv", HEADER + "\n" + "\n".join(header) + "\n"),
            write(folder, "oc3.csv", OC3 + "\n" + "\n".join(oc3) + "\n"))


@pytest.mark.parametrize("year, flags", [
    (2021, {"344": 15, "code": 2}),              # 2020-21: F3/P3 are codes of the year
    (2024, {"344": 15, "code": 14}),             # 2023-24: F3/P3 are not (apprenticeships split in 2021-22)
])
def test_a_published_fake_set_loads_every_row_flagging_what_breaks_its_year(db, tmp_path, year, flags):
    header, oc3 = fake_return(tmp_path)
    con = store.connect(db, create=True)
    try:
        report = import_files(con, [header, oc3], year=year)
        assert [(f.table, f.status, f.rows_loaded, f.rows_rejected) for f in report.files] == [
            ("header", "loaded", 54, 0), ("oc3", "loaded", 54, 0)]
        assert report.files[1].flags == flags  # no rows refused: 29 of 53 were before
        assert report.files[0].flags == {}  # MOTHER 1.0, a spreadsheet's number, is read as 1
        assert con.execute("SELECT MOTHER FROM header WHERE CHILD = ?", [pid("C00")]).fetchone() == (1,)
        assert con.execute("SELECT count(*) FROM flag WHERE CHILD = ?", [pid("Z1")]).fetchone()[0] == 0  # DIED 0/0
        died = con.execute("SELECT count(*) FROM person_year WHERE IN_TOUCH IN ('DIED', 'RHOM')").fetchone()[0]
        assert died == 16  # they still died or went home, and DfE's figures leave them out
        assert con.execute("SELECT count(*) FROM person_year WHERE in_oc3").fetchone()[0] == 54
    finally:
        con.close()


def test_a_code_valid_in_one_year_is_flagged_in_another(db, tmp_path):
    """F3 until 2020-21, F4 from 2021-22; sex 1/2 until 2023-24, M/F from 2024-25."""
    rows = f"{OC3}\nA1,14/05/2003,YES,F3,U1\nA2,14/05/2003,YES,F4,U1\n"
    sexes = f"{HEADER}\nA1,1,14/05/2003,WBRI,UN1,,\nA2,M,14/05/2003,WBRI,UN1,,\n"
    con = store.connect(db, create=True)
    try:
        for year in (2021, 2022, 2024, 2025):
            import_files(con, [write(tmp_path, f"oc3_{year}.csv", rows), write(tmp_path, f"header_{year}.csv", sexes)])
        flagged = con.execute("SELECT collection_year, table_name, field, value FROM flag WHERE rule_id = 'code' "
                              "ORDER BY 1, 2").fetchall()
        assert flagged == [(2021, "header", "SEX", "M"), (2021, "oc3", "ACTIV", "F4"),
                           (2022, "header", "SEX", "M"), (2022, "oc3", "ACTIV", "F3"),
                           (2024, "header", "SEX", "M"), (2024, "oc3", "ACTIV", "F3"),
                           (2025, "header", "SEX", "1"), (2025, "oc3", "ACTIV", "F3")]
        sexes_seen = con.execute("SELECT DISTINCT sex_group FROM person_year").fetchall()
        assert sexes_seen == [("Male",)]  # 1 and M are both male, whichever year
    finally:
        con.close()


# ------------------------------------------------------------------ bad input never deletes stored rows
def header_rows(us_dates: bool = False) -> str:
    """100 header rows; DOB day 1-28 and month 1-12 cycling, written day first or (as in the US) month first."""
    rows = []
    for i in range(100):
        day, month = 1 + i % 28, 1 + i % 12
        dob = f"{month:02d}/{day:02d}/2005" if us_dates else f"{day:02d}/{month:02d}/2005"
        rows.append(f"H{i:03d},{1 + i % 2},{dob},WBRI,UN1,,")
    return HEADER + "\n" + "\n".join(rows) + "\n"


def test_a_file_re_saved_with_us_dates_is_held_back_and_blanks_nothing(db, tmp_path, capsys):
    assert run(write(tmp_path, "header_2024.csv", header_rows()), "--db", db) == 0
    us = write(tmp_path, "header_2024_us.csv", header_rows(us_dates=True))
    capsys.readouterr()
    assert run(us, "--db", db) == 3  # held back: it would change stored rows
    out = capsys.readouterr().out
    # 52 dates have a day over 12 (no such month: unknown), 24 read the same both ways, 24 swap day and month
    assert "HELD BACK, nothing changed. It would change 76 stored header rows for 2023-24" in out
    assert "stored values becoming unknown or flagged: DOB 52" in out and "flagged 52 x date" in out
    assert count(db, "SELECT count(*) FROM header WHERE DOB IS NOT NULL") == 100
    assert run(us, "--db", db, "--replace") == 3  # even replacing, blanking 52 dates needs --force
    assert "Replacing would turn 52 stored values unknown or flagged (DOB 52)" in capsys.readouterr().out
    assert count(db, "SELECT count(*) FROM header WHERE DOB IS NOT NULL") == 100


def test_a_dry_run_reports_the_diff_and_writes_nothing(db, tmp_path, capsys):
    assert run(write(tmp_path, "header_2024.csv", header_rows()), "--db", db) == 0
    before = count(db, "SELECT count(*) FROM import_batch")
    us = write(tmp_path, "header_2024_us.csv", header_rows(us_dates=True))
    capsys.readouterr()
    assert run(us, "--db", db, "--replace", "--force", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "0 added, 76 changed, 0 removed (the store held 100)" in out and "Dry run: nothing was written." in out
    assert "flagged 52 x date: Not a date" in out
    assert count(db, "SELECT count(*) FROM header WHERE DOB IS NOT NULL") == 100
    assert count(db, "SELECT count(*) FROM import_batch") == before and count(db, "SELECT count(*) FROM flag") == 0


def test_a_corrections_file_and_a_header_only_file_remove_nothing(db, tmp_path, capsys):
    assert run(write(tmp_path, "header_2024.csv", header_rows()), "--db", db) == 0
    one_row = write(tmp_path, "header_2024_fix.csv", f"{HEADER}\nH000,2,01/01/2005,WBRI,UN1,,\n")
    assert run(one_row, "--db", db) == 3  # changes H000: held without --replace
    assert run(one_row, "--db", db, "--replace") == 3  # would remove 99 and add none: held without --force
    out = capsys.readouterr().out
    assert "It would change 1 stored header rows" in out and "Replacing would remove 99 stored rows and add 0" in out
    empty = write(tmp_path, "header_2024_empty.csv", f"{HEADER}\n")
    assert run(empty, "--db", db) == 0  # nothing to add, nothing removed
    assert "unchanged" in capsys.readouterr().out
    assert run(empty, "--db", db, "--replace") == 3  # it would remove all 100
    assert count(db, "SELECT count(*) FROM header") == 100
    assert run(empty, "--db", db, "--replace", "--force") == 0  # only when the person insists
    assert count(db, "SELECT count(*) FROM header") == 0


def test_a_file_over_5_percent_refused_is_held_back_unless_forced(db, tmp_path):
    rows = "".join(f"A{i},14/05/2003,NO,0,0\n" for i in range(18)) + ",14/05/2003,NO,0,0\n,x,y\n"
    path = write(tmp_path, "oc3_2024.csv", f"{OC3}\n{rows}")
    assert run(path, "--db", db) == 3  # 2 of 20 refused: 10%
    assert count(db, "SELECT count(*) FROM oc3") == 0
    assert run(path, "--db", db, "--force") == 0
    assert count(db, "SELECT count(*) FROM oc3") == 18 and count(db, "SELECT count(*) FROM rejected_row") == 2


# ------------------------------------------------------------------ years
def test_the_wrong_year_can_be_corrected_and_the_same_bytes_load_for_another_year(db, tmp_path, capsys):
    path = write(tmp_path, "oc3.csv", f"{OC3}\nA1,14/05/2003,NO,0,0\nA2,14/05/2003,YES,F5,U1\n")
    assert run(path, "--db", db, "--year", "2023") == 0  # the wrong year
    capsys.readouterr()
    assert run(path, "--db", db, "--year", "2024") == 0  # the right one: loads, not "already imported"
    out = capsys.readouterr().out
    assert "oc3 2023-24: 2 rows loaded" in out and "2 added" in out
    assert "the same file was imported for 2022-23 too" in out and "--remove oc3:2023" in out
    assert cli.main(["import", "--remove", "oc3:2023", "--db", str(db)]) == 0
    assert "Removed 2 oc3 rows for 2022-23." in capsys.readouterr().out
    assert run(path, "--db", db, "--year", "2025") == 0  # the same bytes for yet another year
    years = store.connect(db, read_only=True)
    try:
        assert years.execute("SELECT collection_year, count(*) FROM oc3 GROUP BY 1 ORDER BY 1").fetchall() == [
            (2024, 2), (2025, 2)]
    finally:
        years.close()


# ------------------------------------------------------------------ keys and ids
def test_another_pseudonymisation_key_is_refused(db, tmp_path, monkeypatch, capsys):
    path = write(tmp_path, "oc3_2024.csv", f"{OC3}\nA1,14/05/2003,NO,0,0\nA2,14/05/2003,NO,0,0\nA3,14/05/2003,NO,0,0\n")
    assert run(path, "--db", db) == 0
    fingerprint = store.get_info(store.connect(db, read_only=True))["pseudonym_key_fingerprint"]
    assert TEST_KEY not in fingerprint and len(fingerprint) == 64
    monkeypatch.setenv(pseudonym.KEY_ENV, OTHER_KEY)
    later = write(tmp_path, "oc3_2025.csv", f"{OC3}\nA1,14/05/2003,NO,0,0\nA2,14/05/2003,NO,0,0\nA4,14/05/2003,NO,0,0\n")
    assert run(later, "--db", db) == 2
    assert "made with another pseudonymisation key" in capsys.readouterr().err
    assert count(db, "SELECT count(DISTINCT CHILD) FROM oc3") == 3  # 3 children are still 3 ids


def test_a_shifted_row_never_stores_or_shows_a_raw_id(db, tmp_path, capsys):
    rows = ("SECRET-ID-1,14/05/2003,YES,F5,U1\n"             # fine
            "Jane,SECRET-ID-2,14/05/2003,YES,F5,U1\n"        # a name before the id: one field too many
            "SECRET-ID-3,YES,F5,U1\n"                        # DOB missing: one field too few
            "F5,SECRET-ID-4,14/05/2003,YES,U1\n")            # the right width, columns swapped
    path = write(tmp_path, "oc3_2024.csv", f"{OC3}\n{rows}")
    assert run(path, "--db", db, "--force") == 0
    out = capsys.readouterr().out
    con = store.connect(db, read_only=True)
    try:
        everything = repr([con.execute(f'SELECT * FROM "{t}"').fetchall() for t in (
            "oc3", "flag", "rejected_row", "import_batch", "person_year")])
        shown = repr(refused_rows(con, ANALYST).to_dict("records")) + repr(rejected_rows(con).to_dict("records"))
        assert con.execute("SELECT count(*) FROM oc3").fetchone()[0] == 2
        assert con.execute("SELECT count(*) FROM rejected_row").fetchone()[0] == 2
        assert con.execute("SELECT field, rule_id FROM flag WHERE kind = 'field' ORDER BY 1").fetchall() == [
            ("ACTIV", "code"), ("DOB", "date"), ("IN_TOUCH", "code")]  # the swapped row: loaded, flagged
    finally:
        con.close()
    for text in (everything, shown, out):
        assert "SECRET" not in text and "Jane" not in text


def test_a_shifted_row_of_the_right_width_keeps_free_text_only_pseudonymised(db, tmp_path):
    episodes = ("CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
                "E1,01/09/2016,S,C2,N1,U1,PR1,,,,YO1 0,YO30 4,SC999999\n"                      # as given
                "01/09/2016,S,C2,N1,U1,PR1,,,,SECRET-ID-6,YO1 0,YO30 4,SC999999\n")          # one column late
    con = store.connect(db, create=True)
    try:
        report = import_files(con, [write(tmp_path, "episodes_2024.csv", episodes)])
        assert (report.files[0].rows_loaded, report.files[0].rows_rejected) == (2, 0)
        rows = con.execute("SELECT REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN FROM episodes "
                           "ORDER BY DECOM NULLS LAST").fetchall()
        assert rows[0] == (None, "YO1 0", "YO30 4", "SC999999")  # a row as given keeps its text
        assert rows[1] == (pid("SECRET-ID-6"), pid("YO1 0"), pid("YO30 4"), pid("SC999999"))  # shifted: nothing raw
        assert "SECRET" not in repr(con.execute("SELECT * FROM episodes").fetchall())
    finally:
        con.close()


def test_impossible_dates_are_flagged(db, tmp_path):
    header = (f"{HEADER}\nB1,1,01/01/2030,WBRI,UN1,,\nB2,1,31/12/2099,WBRI,UN1,,\nB3,1,01/06/2010,WBRI,UN1,,\n"
              "B4,1,01/06/2010,WBRI,UN1,,\n")
    episodes = ("CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
                "B3,01/05/2010,S,C2,N1,U1,PR1,,,,,,\n"            # began before B3 was born
                "B4,01/09/2016,S,C2,N1,U1,PR1,31/08/2016,E17,,,,\n"  # ended before it began
                "B4,01/09/2017,S,C2,N1,U1,PR1,,,,,,\n")
    con = store.connect(db, create=True)
    try:
        import_files(con, [write(tmp_path, "header_2024.csv", header), write(tmp_path, "episodes_2024.csv", episodes)])
        flagged = con.execute("SELECT rule_id, CHILD FROM flag ORDER BY 1, 2").fetchall()
        assert flagged == sorted([("dob_in_future", pid("B1")), ("dob_in_future", pid("B2")),
                                  ("dob_after_episode_start", pid("B3")), ("episode_ends_before_start", pid("B4"))])
    finally:
        con.close()


# ------------------------------------------------------------------ the command line on a half-built store
def test_indicators_on_a_store_whose_import_was_refused_says_so(db, tmp_path):
    assert run(write(tmp_path, "oc3_2024.csv", f"{OC3}\n,14/05/2003,NO,0,0\n"), "--db", db) == 1
    done = subprocess.run([sys.executable, "-m", "cl_metrics", "indicators", "--db", str(db)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "holds no records yet" in done.stderr and "python -m cl_metrics import" in done.stderr


@pytest.mark.parametrize("make", ["missing", "empty file", "folder", "not a store"])
def test_every_command_on_a_broken_store_says_what_is_wrong(tmp_path, make):
    db = tmp_path / "x.duckdb"
    if make == "empty file":
        db.write_bytes(b"")
    elif make == "folder":
        db.mkdir()
    elif make == "not a store":
        import duckdb
        duckdb.connect(str(db)).execute("CREATE TABLE t (x INT)").close()
    for command in (["indicators"], ["import", "--remove", "oc3:2023"]):
        done = subprocess.run([sys.executable, "-m", "cl_metrics", *command, "--db", str(db)], capture_output=True,
                              text=True, cwd=ROOT, env={"PATH": "", "CL_PSEUDONYM_KEY": TEST_KEY})
        assert done.returncode == 2, (command, done.stderr)
        assert "Traceback" not in done.stderr and str(db) in done.stderr
