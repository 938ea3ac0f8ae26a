"""The importer against other processes: killed mid-batch, and a store locked by another process.

A SIGKILL while a batch is half-written must leave the store exactly as it was (DuckDB rolls back
the uncommitted transaction on the next open), and a locked store must give a clear message.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cl_metrics import store
from cl_metrics.ingest import cli, import_files, pseudonym
from cl_metrics.spec import spec

ROOT = Path(__file__).resolve().parent.parent
TEST_KEY = "test-key-not-secret-0123456789"

# Imports two files in one call, printing progress and slowing down on the second one so the
# test can kill it after the first file's rows are written inside the open transaction.
IMPORTER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, sys.argv[4])
    from cl_metrics import store
    from cl_metrics.ingest import import_files
    db, first, second = sys.argv[1:4]
    con = store.connect(db)
    second_name = second.rsplit("/", 1)[-1]
    def progress(fraction, label):
        print(f"{fraction:.3f} {label}", flush=True)
        if label.startswith(second_name) and "rows read" in label:
            time.sleep(0.3)
    import_files(con, [first, second], chunk_rows=5000, progress=progress)
    print("FINISHED", flush=True)
""")

HOLDER = textwrap.dedent("""
    import sys, time
    import duckdb
    con = duckdb.connect(sys.argv[1])
    print("holding", flush=True)
    time.sleep(60)
""")


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv(pseudonym.KEY_ENV, TEST_KEY)
    monkeypatch.setattr(pseudonym, "SECRETS_PATHS", [])


def snapshot(con) -> dict:
    tables = [*spec().tables, "import_batch", "rejected_row", "store_info", "person_year"]
    return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}


def big_files(folder: Path) -> tuple[Path, Path]:
    """A header file larger than one DuckDB row group (written before commit) and an episodes file."""
    first, second = folder / "header_2024.csv", folder / "episodes_2024.csv"
    with open(first, "w") as fh:
        fh.write("CHILD,SEX,DOB,ETHNIC\n")
        fh.writelines(f"K{i:07d},{1 + i % 2},14/05/2003,WBRI\n" for i in range(130_000))
    with open(second, "w") as fh:
        fh.write("CHILD,DECOM,RNE,LS,CIN,PLACE\n")
        fh.writelines(f"K{i:07d},01/09/2016,S,C2,N1,U1\n" for i in range(60_000))
    return first, second


def test_sigkill_mid_batch_leaves_the_store_as_it_was(tmp_path):
    db = tmp_path / "s.duckdb"
    con = store.connect(db, create=True)
    import_files(con, [ROOT / "data" / "examples" / "ssda903_2023-24_oc3.csv"])
    before = snapshot(con)
    con.close()
    first, second = big_files(tmp_path)
    env = {**os.environ, pseudonym.KEY_ENV: TEST_KEY}
    proc = subprocess.Popen([sys.executable, "-c", IMPORTER, str(db), str(first), str(second), str(ROOT)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    seen = []
    try:
        for line in proc.stdout:
            seen.append(line.strip())
            if line.split(" ", 1)[-1].startswith(second.name) and "rows read" in line:
                proc.send_signal(signal.SIGKILL)
                break
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, (seen, proc.stderr.read())
    assert "FINISHED" not in seen and any(s.endswith("header_2024.csv: 125,000 rows read") for s in seen)

    con = store.connect(db)
    try:
        assert snapshot(con) == before
        assert con.execute("SELECT count(*) FROM header").fetchone()[0] == 0
        # the store is usable and the killed files were never recorded as imported
        report = import_files(con, [first])
        assert (report.files[0].status, report.files[0].rows_loaded) == ("loaded", 130_000)
    finally:
        con.close()


def test_store_locked_by_another_process(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    store.connect(db, create=True).close()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        code = cli.main(["import", str(ROOT / "data" / "examples" / "ssda903_2023-24_oc3.csv"), "--db", str(db)])
        err = capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert code == 2
    assert "is open for writing in another process" in err and "Traceback" not in err
    con = store.connect(db)
    try:
        assert con.execute("SELECT count(*) FROM import_batch").fetchone()[0] == 0
    finally:
        con.close()
