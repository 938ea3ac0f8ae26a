"""The Data page: which store is open, uploads and their report, refusals, templates, regenerating.

Every test uses a store file of its own (the app caches one connection per path in this process).
Uploads go through AppTest's file_uploader; `admin.upload` is also tested directly.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from cl_metrics import lab, session, store
from cl_metrics import workshop as ws
from cl_metrics.ingest import admin, import_files, pseudonym
from cl_metrics.ingest.report import ImportRefused
from cl_metrics.indicators import builtin
from cl_metrics.spec import spec
from synthetic.generate import regenerate, write_store
from tests.conftest import ANALYST, FACILITATOR, MANAGER, as_read, signed_in

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
EXAMPLES = sorted((ROOT / "data" / "examples").glob("*.csv"))
TEST_KEY = "test-key-not-secret-0123456789"
OC3 = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM"
PSEUDO_A7 = pseudonym.Pseudonymiser(TEST_KEY.encode()).child("A7")
# Three good rows, two flagged (an unknown code, an impossible date) and two refused (a missing id,
# the wrong number of fields): 2 of 7 refused is over the 5% a file may have without --force.
MIXED_OC3 = (f"{OC3}\nA1,14/05/2003,YES,F5,U1\nA2,02/11/2002,NO,0,0\nA3,01/01/2003,YES,G5,S2\n"
             "A4,14/05/2003,yes,F5,U1\nA5,31/02/2004,YES,F5,U1\n,14/05/2003,YES,F5,U1\nA7,14/05/2003,YES\n")


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv(pseudonym.KEY_ENV, TEST_KEY)
    monkeypatch.setattr(pseudonym, "SECRETS_PATHS", [])


@pytest.fixture()
def synthetic_store(tmp_path) -> Path:
    return write_store(tmp_path / "synthetic.duckdb", people=300, seed=1)


@pytest.fixture()
def real_store(tmp_path) -> Path:
    """A store of real data: the example files and a file with three refused rows."""
    path = tmp_path / "real.duckdb"
    con = store.connect(path, create=True)
    mixed = tmp_path / "oc3_2022-23.csv"
    mixed.write_text(MIXED_OC3)
    import_files(con, [*EXAMPLES, mixed], force=True)
    con.close()
    return path


def data_page(path: Path, monkeypatch, mode: str | None = None) -> AppTest:
    """The Data page as a signed-in analyst sees it (in `mode`, else the store's default mode)."""
    monkeypatch.setenv(store.STORE_ENV, str(path))
    at = signed_in(AppTest.from_file(APP, default_timeout=60)).run()
    at.switch_page("pages/data.py").run()
    if mode:
        at.radio(key="mode").set_value(mode).run()
    assert not at.exception, at.exception
    return at


def frame(at: AppTest, column: str):
    """The dataframe on screen that has this column."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def texts(elements) -> str:
    return "\n".join(as_read(e.value) for e in elements)


def upload(at: AppTest, files: list[tuple[str, bytes]], replace: bool = False) -> AppTest:
    at.file_uploader[0].set_value([(name, data, "text/csv") for name, data in files])
    if replace:
        at.checkbox(key="data_replace").check()
    at.run()
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    return at


def examples() -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in EXAMPLES]


def test_uploading_real_files_replaces_the_synthetic_data_and_the_app_says_so(synthetic_store, monkeypatch):
    at = data_page(synthetic_store, monkeypatch)
    synthetic = "**Synthetic data: made-up young people, calibrated to England's published figures (seed 1)**"
    assert synthetic in texts(at.markdown) and synthetic in texts(at.sidebar.markdown)
    at = upload(at, examples(), replace=True)
    report = frame(at, "Rows loaded")
    assert report[["File", "Table", "Year", "Result", "Rows loaded", "Rows refused"]].values.tolist() == [
        ["ssda903_2023-24_episodes.csv", "episodes", 2024, "loaded", 4, 0],
        ["ssda903_2023-24_header.csv", "header", 2024, "loaded", 4, 0],
        ["ssda903_2023-24_oc3.csv", "oc3", 2024, "loaded", 4, 0]]
    assert "3 of 3 files loaded: 12 rows, 0 rows refused" in texts(at.info)
    assert "The synthetic data was removed" in texts(at.warning)
    assert "ssda903_2023-24_oc3.csv: 4 rows loaded into care leavers aged 17 to 25 for 2023-24" in texts(at.success)
    # the sidebar and the page now say the store holds real data, and its figures are the imported ones
    assert "**Real data (pseudonymised)**" in texts(at.sidebar.markdown)
    assert "**Real data (pseudonymised)**: personal information about young people" in texts(at.markdown)
    summary = at.session_state["_context"].summary
    assert (summary.source, summary.young_people, summary.years, summary.seed) == ("real", 4, (2024,), None)
    history = frame(at, "Imported")
    assert sorted(history["File"]) == [n for n, _ in examples()] and list(history["Rows loaded"]) == [4, 4, 4]
    assert at.file_uploader[0].value == []  # a fresh uploader: the same files are not imported twice by accident


def test_a_synthetic_store_is_not_mixed_with_real_files_without_the_box(synthetic_store, monkeypatch):
    at = upload(data_page(synthetic_store, monkeypatch), examples())
    assert "holds synthetic data; real files are not mixed into it" in texts(at.error)
    assert not any("Rows loaded" in d.value.columns for d in at.dataframe)
    assert at.session_state["_context"].summary.source == "synthetic"


def test_a_bad_file_shows_why_and_a_held_file_waits_for_confirmation(tmp_path, monkeypatch):
    store.connect(tmp_path / "empty.duckdb", create=True).close()
    at = data_page(tmp_path / "empty.duckdb", monkeypatch, mode="analyst")
    at = upload(at, [("notes; \"final\".csv", b"name,age\nJo,19\n"), ("oc3_2023-24.csv", MIXED_OC3.encode())])
    report = frame(at, "Rows loaded").set_index("File")
    assert report.loc["notes; \"final\".csv", ["Result", "Rows loaded", "Rows refused"]].tolist() == [
        "refused whole", 0, 0]
    assert report.loc["notes; \"final\".csv", "Notes"].startswith("Not an SSDA903 or template file")
    assert report.loc["oc3_2023-24.csv", ["Table", "Year", "Result", "Rows loaded", "Rows refused"]].tolist() == [
        "oc3", 2024, "held back", 5, 2]
    errors = texts(at.error)
    assert "was refused, so nothing in it was loaded. Not an SSDA903 or template file" in errors
    assert "oc3: CHILD,DOB,IN_TOUCH,ACTIV,ACCOM" in errors  # it names the headers it expected (as plain text)
    assert "was held back and nothing in it was written" in texts(at.warning) and "29%" in texts(at.warning)
    # the confirm step: nothing happens until a box is ticked and the button pressed
    assert at.button(key="data_import_confirmed").disabled
    at.checkbox(key="data_confirm_force").check().run()
    at.button(key="data_import_confirmed").click().run()
    assert not at.exception, at.exception
    report = frame(at, "Rows loaded").set_index("File")
    assert report.loc["oc3_2023-24.csv", ["Result", "Rows loaded", "Flags", "Rows refused", "Rows added"]].tolist() == [
        "loaded", 5, 7, 2, 5]
    assert "2 rows were refused and kept below with their reasons" in texts(at.warning)
    refused = frame(at, "Reason")
    assert list(refused["Field"].fillna("")) == ["CHILD", ""] and list(refused["Line"]) == [7, 8]
    assert not at.session_state["data_pending"]  # done: no confirm step left over


def test_without_a_key_the_page_says_where_to_put_one(synthetic_store, monkeypatch):
    monkeypatch.delenv(pseudonym.KEY_ENV)
    at = data_page(synthetic_store, monkeypatch)
    assert "No pseudonymisation key" in texts(at.error) and "CL_PSEUDONYM_KEY" in texts(at.error)
    at.file_uploader[0].set_value([(n, d, "text/csv") for n, d in examples()])
    at.run()
    assert at.button(key="data_import").disabled


def test_workshop_mode_counts_refusals_but_never_shows_a_refused_row(real_store, monkeypatch):
    at = data_page(real_store, monkeypatch)
    assert at.radio(key="mode").value == "workshop"  # a real store opens in workshop mode
    summary = frame(at, "Problems")
    assert summary.to_dict("records") == [{"File": "oc3_2022-23.csv", "Field": f, "Problems": "fewer than 5",
                                           "Rows refused": "fewer than 5"} for f in ("(whole row)", "CHILD")]
    assert not any("Reason" in d.value.columns for d in at.dataframe)
    assert "hides the refused rows themselves" in texts(at.info)
    assert len(at.file_uploader) == 0 and "Importing is done in analyst mode" in texts(at.info)
    assert "A1" not in repr([d.value for d in at.dataframe])
    # analyst mode: exact counts, and the rows with their reasons, ids pseudonymised
    at.radio(key="mode").set_value("analyst").run()
    assert not at.exception
    con = at.session_state["_context"].cursor()
    assert frame(at, "Problems").equals(admin.refusals_table(con, "analyst", 5))
    assert list(frame(at, "Problems")["Rows refused"]) == [1, 1]
    raw = frame(at, "Reason").set_index("Line")
    assert raw.loc[8, "Reason"] == "has 3 fields; the header has 5"
    assert raw.loc[8, "Row as in the file (ids pseudonymised)"] == f"{PSEUDO_A7},14/05/2003,YES"


def test_regenerating_a_synthetic_store_changes_its_seed(synthetic_store, monkeypatch):
    at = data_page(synthetic_store, monkeypatch)
    at.number_input(key="regenerate_people").set_value(200)
    at.number_input(key="regenerate_seed").set_value(7)
    at.button(key="FormSubmitter:regenerate-Regenerate").click().run()
    assert not at.exception, at.exception
    assert "published figures (seed 7)**" in texts(at.markdown) and "(seed 7)" in texts(at.sidebar.markdown)
    assert store.get_info(at.session_state["_context"].cursor())["people"] == "200"
    assert at.number_input(key="regenerate_seed").value == 7


def test_regenerating_keeps_the_lab_and_workshops_and_never_breaks_a_reader(synthetic_store):
    opened = session.open_store(synthetic_store)
    try:
        candidate = builtin()[0].model_copy(update={"id": "kept_candidate", "status": "candidate"})
        lab.create(opened, MANAGER, candidate, "Analyst")
        room = ws.create_workshop(opened, FACILITATOR, "Room", builtin()[:1])
        ws.submit(opened, room.id, "p1", room.indicator_ids[0], matters=4)
        reader = opened.cursor()
        reader.execute("BEGIN TRANSACTION")  # a session in the middle of reading, as the records change
        before = reader.execute("SELECT count(*) FROM oc3").fetchone()[0]
        admin.regenerate_synthetic(opened, ANALYST, 200, 7, regenerate)
        assert reader.execute("SELECT count(*) FROM oc3").fetchone()[0] == before  # its snapshot, not an error
        reader.execute("COMMIT")
        after = opened.cursor()
        assert store.get_info(after)["seed"] == "7" and after.execute("SELECT count(*) FROM oc3").fetchone()[0] != before
        assert [c.id for c in lab.saved(after)] == [candidate.id]
        assert ws.results(after, ANALYST, room, {}, "analyst").summary.at[0, "Answers"] == "1"
        fresh = write_store(synthetic_store.with_name("fresh.duckdb"), people=200, seed=7)  # in place equals built afresh
        with duckdb.connect(str(fresh), read_only=True) as built:
            for table in ("header", "oc3", "young_person"):
                query = f"SELECT * FROM {table} ORDER BY ALL"
                assert after.execute(query).fetchall() == built.execute(query).fetchall(), table
    finally:
        opened.connection.close()


def test_a_real_store_is_never_offered_regeneration(real_store, monkeypatch):
    at = data_page(real_store, monkeypatch, mode="analyst")
    assert [n.key for n in at.main.number_input] == ["data_year"] and not at.main.get("form")
    assert not any(b.label == "Regenerate" for b in at.button)
    opened = session.open_store(real_store)
    try:
        with pytest.raises(admin.ImportRefused, match="holds real data"):
            admin.regenerate_synthetic(opened, ANALYST, 200, 7, regenerate)
        assert store.get_info(opened.cursor())["source"] == "real"  # still open, unchanged
    finally:
        opened.connection.close()


def test_templates_are_offered_for_every_local_table(synthetic_store, monkeypatch):
    at = data_page(synthetic_store, monkeypatch, mode="workshop")
    buttons = {b.label for b in at.get("download_button")}
    assert {t.title for t in spec().local_tables()} <= buttons
    assert admin.templates()[0].data.decode().splitlines()[0] == ",".join(spec().local_tables()[0].column_names)


def test_upload_turns_a_missing_key_or_a_refused_store_into_a_message(synthetic_store, monkeypatch):
    opened = session.open_store(synthetic_store)
    try:
        with opened.exclusive() as cur:
            assert admin.upload(cur, ANALYST, []).error == "Choose one or more CSV or XML files to import."
            assert "holds synthetic data" in admin.upload(cur, ANALYST, examples()).error
            monkeypatch.delenv(pseudonym.KEY_ENV)
            assert "CL_PSEUDONYM_KEY" in admin.upload(cur, ANALYST, examples(), replace_synthetic=True).error
            assert store.get_info(cur)["source"] == "synthetic"  # nothing changed
            monkeypatch.setenv(pseudonym.KEY_ENV, TEST_KEY)
            outcome = admin.upload(cur, ANALYST, examples(), year=2023, replace_synthetic=True)
    finally:
        opened.connection.close()
    assert outcome.replaced_synthetic and outcome.report.rows_loaded == 12
    kinds = [kind for kind, _ in admin.report_messages(outcome)]
    assert kinds == ["info", "warning", "warning", "warning", "warning"]  # each file: year differs from its name
    assert "the file name suggests 2024 but --year 2023 was used" in as_read(admin.report_messages(outcome)[2][1])


def test_an_analyst_says_whose_records_a_real_store_holds(real_store, monkeypatch):
    """Then its figures sit beside that authority's region and statistical neighbours; it is logged."""
    at = data_page(real_store, monkeypatch, "analyst")
    at.selectbox(key="data_authority").set_value("850").run()
    at.button(key="data_authority_save").click().run()
    assert not at.exception, at.exception
    ctx = at.session_state["_context"]
    assert ctx.summary.authority == "850"
    assert "**Real data (pseudonymised): Hampshire**" in texts(at.sidebar.markdown)
    assert ("set the store's authority", "850") in ctx.cursor().execute(
        "SELECT event, detail FROM access_log").fetchall()


def test_a_twin_keeps_the_authority_it_copies(tmp_path):
    path = write_store(tmp_path / "twin.duckdb", seed=1, like="Rutland")
    con = store.connect(path)
    with pytest.raises(ImportRefused, match="copies the authority it was built like"):
        admin.set_authority(con, ANALYST, "850")
    assert store.get_info(con)["authority"] == "857"
    con.close()
