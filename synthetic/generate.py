"""Build a complete synthetic store: people, the 903 tables, the local tables, voice notes.

A twin (`like`, an authority's name or code) reproduces that authority's published OC3 counts at its
own size; otherwise the store follows England's published proportions at the size asked for. Every
step is vectorised and seeded from one generator, so the same seed and settings give the same
table contents. Tables reach DuckDB as pandas frames through Arrow, in one transaction.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from cl_metrics import benchmarks, derived, store
from cl_metrics.store import DEFAULT_PEOPLE, DEFAULT_SEED
from cl_metrics.spec import spec
from synthetic import targets as published
from synthetic.calibration import target
from synthetic.errors import add_errors
from synthetic.local import attach_oc3, make_contacts, make_local
from synthetic.national import in_care_years, make_episodes, make_missing, make_oc2, make_reviews
from synthetic.oc3 import make_oc3
from synthetic.people import Window, make_caseload, make_people
from synthetic.sampling import add_years, as_days, year_bounds
from synthetic.voice import make_voice_notes

DEFAULT_LAST_YEAR = 2025
DEFAULT_LIKE = "North Yorkshire"  # the store the app builds on first start: a twin of the research's site
YEARS = 5
ERRORS = 1  # the deliberate mistakes' own random stream, beside the records' (see synthetic/errors.py)

Progress = Callable[[float, str], None]


def _quiet(fraction: float, label: str) -> None:
    """The default progress reporter: says nothing."""


def targets_for(people: int, last_year: int, like: str | None = None) -> published.Targets:
    """What the store reproduces: the authority `like` names (its own counts and size), else England's
    proportions for `people` young people."""
    years = list(Window(last_year - YEARS + 1, last_year).years)
    if like is not None:
        return published.twin(benchmarks.authority(like).code, years, target("spare_share"))
    return published.england(people, years, target("spare_share"))


def generate_tables(people: int, seed: int, last_year: int = DEFAULT_LAST_YEAR, progress: Progress = _quiet,
                    like: str | None = None, clean: bool = False) -> dict[str, pd.DataFrame]:
    """Every table of the store as DataFrames keyed by table name, `pid` replaced by CHILD, with the
    declared share of deliberate mistakes unless `clean`."""
    rng = np.random.default_rng(seed)
    window = Window(last_year - YEARS + 1, last_year)
    progress(0.02, "young people")
    goals = targets_for(people, last_year, like)
    persons = make_people(rng, goals, window, seed)
    caseload = make_caseload(rng, persons, goals, window)
    progress(0.15, "care histories")
    in_care = in_care_years(persons, window)
    tables = {
        "oc3": make_oc3(rng, persons, caseload, goals, window),
        "episodes": make_episodes(rng, persons, window),
        "oc2": make_oc2(rng, persons, in_care),
        "missing": make_missing(rng, persons, in_care),
        "reviews": make_reviews(rng, in_care),
    }
    progress(0.40, "leaving-care records")
    rows = attach_oc3(caseload, tables["oc3"])
    tables["pa_contact"] = make_contacts(rng, persons, rows)
    tables.update(make_local(rng, persons, rows))
    progress(0.60, "young people's words")
    tables["voice_note"] = make_voice_notes(rng, rows)
    tables["header"], tables["uasc"] = _header_and_uasc(persons, caseload, in_care)
    tables["young_person"] = _young_person(persons, window)
    for name, frame in tables.items():
        _identify(name, frame, persons)
    if not clean:
        add_errors(np.random.default_rng([seed, ERRORS]), tables)
    return {name: _in_spec_order(name, frame) for name, frame in tables.items()}


def _header_and_uasc(persons: pd.DataFrame, caseload: pd.DataFrame, in_care: pd.DataFrame):
    """A header row for everyone in any table that year (looked after or a care leaver).

    Nothing is dated after the year's 31 March: a child born later, or leaving UASC status
    later, is not yet known to that year's return.
    """
    years = pd.concat([caseload[["pid", "collection_year"]], in_care[["pid", "collection_year"]]])
    years = years.drop_duplicates().sort_values(["collection_year", "pid"], ignore_index=True)
    p = persons.set_index("pid").loc[years["pid"]].reset_index()
    _, year_end = year_bounds(years["collection_year"].to_numpy())
    mc_dob = as_days(p["mc_dob"])
    is_mother = ~np.isnat(mc_dob) & (mc_dob <= year_end)
    header = pd.DataFrame({
        "pid": years["pid"], "collection_year": years["collection_year"], "SEX": p["SEX"],
        "ETHNIC": p["ETHNIC"], "UPN": p["UPN"],
        "MOTHER": pd.array(np.where(p["SEX"] == 2, is_mother.astype(int), pd.NA), dtype="Int64"),
        "MC_DOB": np.where(is_mother, mc_dob, np.datetime64("NaT")),
    })
    uasc_rows = p["uasc"].to_numpy()
    uasc = header.loc[uasc_rows, ["pid", "collection_year", "SEX"]].copy()
    duc = add_years(as_days(p.loc[uasc_rows, "DOB"]), 18)
    uasc["DUC"] = np.where(duc <= year_end[uasc_rows], duc, np.datetime64("NaT"))
    return header, uasc


def _young_person(persons: pd.DataFrame, window: Window) -> pd.DataFrame:
    """One row each: the care-leaver category at the end of the window, team and adviser."""
    year_end = np.datetime64(f"{window.last_year}-03-31")
    left = persons["date_left_care"].to_numpy().astype("datetime64[D]")
    eighteen = add_years(as_days(persons["DOB"]), 18)
    category = np.select(
        [persons["qualifying"].to_numpy(), left > year_end, eighteen > year_end],
        ["qualifying", "eligible", "relevant"], "former relevant")
    return pd.DataFrame({
        "pid": persons["pid"], "category": category, "disability": persons["disability"],
        "uasc": persons["uasc"], "date_left_care": np.where(left <= year_end, left, np.datetime64("NaT")),
        "pa_team": persons["pa_team"], "pa_name": persons["pa_name"],
    })


def _identify(name: str, frame: pd.DataFrame, persons: pd.DataFrame) -> None:
    """Give a generated table (in place) CHILD, and DOB where the return has it, from the internal person number."""
    pid = frame["pid"].to_numpy()
    frame["CHILD"] = persons["CHILD"].to_numpy()[pid]
    if "DOB" in spec().table(name).column_names:
        frame["DOB"] = persons["DOB"].to_numpy()[pid]


def _in_spec_order(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The table's columns as the spec orders them; the internal person number and helper columns left out."""
    table = spec().table(name)
    return frame[table.column_names + (["collection_year"] if table.annual else [])]


def _insert(con, tables: dict[str, pd.DataFrame], seed: int, last_year: int, like: str | None, clean: bool,
            progress: Progress) -> None:
    """Insert generated tables (inside the caller's transaction) and say what they are: a twin
    records the authority it copies, a store without deliberate mistakes that it is clean."""
    for i, (name, frame) in enumerate(tables.items()):
        con.register("incoming", frame)
        con.execute(f'INSERT INTO {name} BY NAME SELECT * FROM incoming')  # name from our spec
        con.unregister("incoming")
        progress(0.70 + 0.2 * (i + 1) / len(tables), f"writing {name}")
    con.execute("DELETE FROM store_info WHERE key = 'authority'")
    store.set_info(con, source="synthetic", seed=seed, people=len(tables["young_person"]), last_year=last_year,
                   clean=clean, **({"authority": benchmarks.authority(like).code} if like else {}))


def write_store(path: str | os.PathLike, people: int = DEFAULT_PEOPLE, seed: int = DEFAULT_SEED,
                last_year: int = DEFAULT_LAST_YEAR, progress: Progress = _quiet, like: str | None = None,
                clean: bool = False) -> Path:
    """Generate and write a new store at `path` (replacing any file there), atomically; `like` makes
    it a twin of that authority (its size, not `people`); `clean` leaves out the deliberate mistakes.

    The store is written beside the target and renamed into place, so an interrupted run never
    leaves a half-built store where the app would open it.
    """
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    for stale in (partial, Path(f"{partial}.wal")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    tables = generate_tables(people, seed, last_year, progress, like, clean)
    progress(0.70, "writing the store")
    con = store.connect(partial, create=True)
    try:
        with store.transaction(con):
            _insert(con, tables, seed, last_year, like, clean, progress)
        progress(0.92, "indexing for indicators")
        derived.refresh(con)
        store.set_info(con, generated_seconds=round(time.perf_counter() - started, 1))
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(partial, path)
    progress(1.0, "done")
    return path


def regenerate(con, people: int, seed: int, last_year: int = DEFAULT_LAST_YEAR, progress: Progress = _quiet,
               like: str | None = None, clean: bool = False) -> None:
    """Replace an open store's records with newly generated ones, in one transaction.

    The app's own tables (lab candidates, workshops and their answers) are kept, and the file stays
    open: other sessions read the old records until the commit and the new ones after it.
    """
    tables = generate_tables(people, seed, last_year, progress, like, clean)
    progress(0.70, "replacing the records")
    with store.transaction(con):
        store.clear_records(con)
        _insert(con, tables, seed, last_year, like, clean, progress)
        progress(0.92, "indexing for indicators")
        derived.rebuild(con)
    progress(1.0, "done")
