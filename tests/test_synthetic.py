"""The synthetic store: reproducible, calibrated to DfE's national figures, DfE-shaped."""
from __future__ import annotations

import hashlib

import duckdb
import pytest

from cl_metrics import store
from cl_metrics.spec import spec
from synthetic.__main__ import main as synthetic_main
from synthetic.generate import generate_tables, write_store

DFE_COLUMNS = {
    "header": ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
    "episodes": ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                 "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"],
    "oc2": ["CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS",
            "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED",
            "INTERVENTION_OFFERED"],
    "oc3": ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"],
    "missing": ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
}


def fingerprint(tables) -> dict[str, str]:
    return {name: hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()
            for name, frame in tables.items()}


def test_same_seed_same_contents_other_seed_other_contents():
    first = fingerprint(generate_tables(400, seed=3))
    again = fingerprint(generate_tables(400, seed=3))
    other = fingerprint(generate_tables(400, seed=4))
    assert first == again
    changed = {name for name in first if first[name] != other[name]}
    assert changed >= {"header", "oc3", "episodes", "wellbeing_response", "voice_note"}


def test_written_store_is_reproducible(tmp_path):
    def table_hashes(path):
        con = duckdb.connect(str(path), read_only=True)
        rows = {t: con.execute(f"SELECT md5(string_agg(CAST(x AS VARCHAR), '|' ORDER BY CAST(x AS VARCHAR))) "
                               f"FROM {t} x").fetchone()[0] for t in ("oc3", "header", "person_year")}
        con.close()
        return rows
    write_store(tmp_path / "a.duckdb", people=300, seed=5)
    write_store(tmp_path / "b.duckdb", people=300, seed=5)
    assert table_hashes(tmp_path / "a.duckdb") == table_hashes(tmp_path / "b.duckdb")


@pytest.fixture(scope="module")
def calibration_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("calibration") / "s.duckdb"
    write_store(path, people=5000, seed=99)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def oc3_share(con, condition: str, ages=(19, 21)) -> float:
    """Share of OC3 rows at the given ages meeting `condition`, DfE's denominator (no DIED, RHOM)."""
    return con.execute(f"""
        SELECT avg(CASE WHEN {condition} THEN 1 ELSE 0 END) FROM oc3
        WHERE IN_TOUCH NOT IN ('DIED', 'RHOM')
          AND collection_year - year(DOB) - (CASE WHEN month(DOB) >= 4 THEN 1 ELSE 0 END) BETWEEN ? AND ?""",
        list(ages)).fetchone()[0]


@pytest.mark.parametrize("condition, national", [
    ("IN_TOUCH = 'YES'", 0.91),
    ("right(ACCOM, 1) = '1'", 0.85),
    ("right(ACCOM, 1) = '2'", 0.06),
    ("ACCOM = '0'", 0.09),
    ("ACTIV IN ('G4', 'G5', 'G6')", 0.38),
    ("ACTIV IN ('F1', 'P1')", 0.07),
])
def test_oc3_calibrated_to_national_figures(calibration_store, condition, national):
    assert oc3_share(calibration_store, condition) == pytest.approx(national, abs=0.02)


def test_staying_put_and_population_mix(calibration_store):
    staying_put = calibration_store.execute(
        "SELECT avg((left(ACCOM, 1) = 'Z')::INT) FROM person_year WHERE age = 18 AND left_foster_care_at_18"
        " AND in_oc3").fetchone()[0]
    assert staying_put == pytest.approx(0.60, abs=0.04)
    male, uasc = calibration_store.execute(
        "SELECT avg((SEX = 1)::INT), avg(uasc::INT) FROM person_year WHERE in_oc3 AND age BETWEEN 19 AND 21"
    ).fetchone()
    assert male == pytest.approx(0.58, abs=0.04)
    assert uasc == pytest.approx(0.25, abs=0.03)


def test_new_domains_correlate_with_established_ones(calibration_store):
    """Breakdowns give a workshop something to discuss: NEET with lower life satisfaction, etc."""
    q = calibration_store.execute
    low_ls = q("SELECT ACTIV IN ('G4','G5','G6') AS neet, avg((yp_life_satisfaction <= 4)::INT) "
               "FROM person_year WHERE in_oc3 AND yp_life_satisfaction IS NOT NULL GROUP BY 1").fetchall()
    by_neet = dict(low_ls)
    assert by_neet[True] > by_neet[False] + 0.05
    arrears = dict(q("SELECT accom_suitability, avg(rent_arrears::INT) FROM person_year "
                     "WHERE accom_suitability IN ('suitable', 'not suitable') GROUP BY 1").fetchall())
    assert arrears["not suitable"] > arrears["suitable"] + 0.1
    trust = q("SELECT corr(pa_contacts, yp_someone_to_trust::INT) FROM person_year").fetchone()[0]
    assert trust > 0.1


def test_new_store_has_dfe_tables_columns_and_collection_year(tmp_path):
    con = store.connect(tmp_path / "new.duckdb", create=True)
    for table, columns in DFE_COLUMNS.items():
        described = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        assert described == columns + ["collection_year"]
    types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                             "WHERE table_name = 'oc3'").fetchall())
    assert types["DOB"] == "DATE" and types["collection_year"] == "INTEGER"
    local = {t.name for t in spec().local_tables()}
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert local | {"import_batch", "rejected_row", "candidate_indicator", "workshop"} <= tables


def test_foreign_and_old_files_give_a_clear_message(tmp_path):
    foreign = tmp_path / "foreign.duckdb"
    duckdb.connect(str(foreign)).execute("CREATE TABLE t (x INT)").close()
    with pytest.raises(store.StoreError, match="not a care-leaver store"):
        store.connect(foreign)
    old = tmp_path / "old.duckdb"
    store.connect(old, create=True).execute("UPDATE schema_version SET version = 0").close()
    with pytest.raises(store.StoreError, match="schema version 0"):
        store.connect(old)
    text = tmp_path / "notes.duckdb"
    text.write_text("not a database")
    with pytest.raises(store.StoreError):
        store.connect(text)


def test_a_version_2_store_is_upgraded_in_place_keeping_its_workshops(tmp_path):
    path = tmp_path / "v2.duckdb"
    con = store.connect(path, create=True)  # made as version 2 made it: no per-workshop threshold
    con.execute("ALTER TABLE workshop DROP COLUMN threshold")
    con.execute("DROP TABLE access_log")  # version 4's
    con.execute("ALTER TABLE indicator_feedback DROP COLUMN approved")  # version 6's
    # ... and as before version 4: no flags, one batch per content, sex as a number
    con.execute("DROP TABLE flag")
    con.execute("DROP TABLE import_batch")
    con.execute("CREATE TABLE import_batch (batch_id VARCHAR PRIMARY KEY, content_hash VARCHAR NOT NULL UNIQUE, "
                "file_name VARCHAR NOT NULL, table_name VARCHAR, collection_year INTEGER, rows_loaded INTEGER NOT NULL, "
                "rows_rejected INTEGER NOT NULL, imported_at TIMESTAMP NOT NULL)")
    con.execute("INSERT INTO import_batch VALUES ('b1', 'h1', 'oc3_2024.csv', 'oc3', 2024, 2, 0, now())")
    for table in ("header", "uasc"):
        con.execute(f"ALTER TABLE {table} ALTER SEX TYPE INTEGER")
    con.execute("INSERT INTO header (CHILD, SEX, DOB, ETHNIC, collection_year) VALUES ('A1', 2, '2003-05-14', 'WBRI', 2024)")
    con.execute("INSERT INTO oc3 VALUES ('A1', '2003-05-14', 'DIED', 'F1', 'U1', 2024)")
    con.execute("UPDATE schema_version SET version = 2")
    con.execute("DELETE FROM store_info")  # version 2 stamped no records
    con.execute("INSERT INTO workshop VALUES ('w1', 'ABCDE', 'Old room', ['kit_in_touch_19_21'], now(), false)")
    con.close()
    with pytest.raises(store.StoreError, match="open it once in the app"):
        store.connect(path, read_only=True)
    con = store.connect(path)
    assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == store.SCHEMA_VERSION
    assert con.execute("SELECT name, threshold FROM workshop").fetchall() == [("Old room", 5)]
    assert store.records_stamp(con) is not None  # figures can be kept straight away
    assert con.execute("SELECT count(*) FROM access_log").fetchone() == (0,)  # and it logs who does what
    assert con.execute("SELECT batch_id, rows_loaded, rows_added FROM import_batch").fetchall() == [("b1", 2, 0)]
    assert con.execute("SELECT SEX FROM header").fetchall() == [("2",)]  # sex kept, as text
    assert con.execute("SELECT sex_group FROM person_year").fetchall() == [("Female",)]  # rebuilt on upgrade
    assert con.execute("SELECT rule_id FROM flag").fetchall() == [("344",)]  # the rules' flags computed
    con.close()
    store.connect(path, read_only=True).close()  # upgraded once, readable by everyone after


def test_cli_writes_a_store_with_a_progress_bar(tmp_path, capsys):
    out = tmp_path / "cli.duckdb"
    assert synthetic_main(["--people", "200", "--seed", "1", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "100%" in captured.err and "200 young people" in captured.out
    con = store.connect(out, read_only=True)
    assert store.summary(con, out).source == "synthetic"
    assert con.execute("SELECT count(*) FROM young_person").fetchone()[0] == 200
