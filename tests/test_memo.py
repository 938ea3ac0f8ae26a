"""Kept figures: reused while the records are the same, recomputed as soon as they change."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from cl_metrics import derived, memo, store
from synthetic.generate import write_store


def counting(function):
    """`function` wrapped to count its real calls, then kept by records."""
    calls = []

    def counted(con, *args):
        calls.append(args)
        return function(con, *args)

    return memo.by_records(counted), calls


def people_in(con, year: int) -> pd.DataFrame:
    """Young people in the year's return (OC3)."""
    return con.execute("SELECT count_if(in_oc3) AS people FROM person_year WHERE collection_year = ?", [year]).df()


def test_kept_until_person_year_is_rebuilt(tmp_path):
    path = tmp_path / "store.duckdb"
    write_store(path, people=300, seed=3)
    con = store.connect(path)
    year = max(r[0] for r in con.execute("SELECT DISTINCT collection_year FROM person_year").fetchall())
    kept, calls = counting(people_in)
    first = kept(con, year)
    first.loc[0, "people"] = -1  # a caller changing its copy changes nobody else's
    again = kept(con, year)
    assert len(calls) == 1 and again.loc[0, "people"] == people_in(con, year).loc[0, "people"] > 0
    kept(con, year - 1)
    assert len(calls) == 2, "other arguments are computed, not reused"

    con.execute("DELETE FROM oc3 WHERE collection_year = ? AND CHILD IN "
                "(SELECT CHILD FROM oc3 WHERE collection_year = ? LIMIT 40)", [year, year])
    stamp = store.records_stamp(con)
    derived.refresh(con)
    assert store.records_stamp(con) != stamp
    after = kept(con, year)
    assert len(calls) == 3 and after.loc[0, "people"] == people_in(con, year).loc[0, "people"]
    assert after.loc[0, "people"] != again.loc[0, "people"]
    con.close()


def test_a_store_without_a_stamp_is_computed_every_time(tmp_path):
    path = tmp_path / "store.duckdb"
    write_store(path, people=200, seed=4)
    con = store.connect(path)
    con.execute("DELETE FROM store_info WHERE key = ?", [store.RECORDS_STAMP])  # as built before stamps
    kept, calls = counting(people_in)
    kept(con, 2025)
    kept(con, 2025)
    assert len(calls) == 2
    con.close()


def test_callers_at_once_wait_for_one_computation_and_afresh_keeps_nothing(tmp_path):
    path = tmp_path / "store.duckdb"
    write_store(path, people=200, seed=5)
    con = store.connect(path)
    started = threading.Barrier(8)

    def slow(con_, year):
        time.sleep(0.2)
        return people_in(con_, year)

    kept, calls = counting(slow)

    def caller():
        cursor = con.cursor()
        started.wait()
        return kept(cursor, 2025).loc[0, "people"]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: caller(), range(8)))
    assert len(calls) == 1 and len(set(answers)) == 1
    with memo.afresh():
        kept(con, 2025)
    kept(con, 2025)
    assert len(calls) == 2, "afresh computes, and the kept result is still there afterwards"
    con.close()
