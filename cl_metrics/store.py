"""The one module that owns the DuckDB store: where it is, its schema, and opening it safely.

Everything else asks this module for a connection. The schema is created in code from the specs
and versioned, so an old or foreign file gives a clear message instead of a traceback.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cl_metrics.spec import TableSpec, spec

SCHEMA_VERSION = 7
RECORDS_STAMP = "person_year_stamp"  # store_info key renewed on every rebuild of person_year
ACCESS_LOG = """CREATE TABLE access_log (
    logged_at TIMESTAMP NOT NULL, who VARCHAR NOT NULL, role VARCHAR NOT NULL, how VARCHAR NOT NULL,
    event VARCHAR NOT NULL, detail VARCHAR)"""
# How a store made by an earlier version becomes this one: version -> statements to reach version + 1.
# Stores hold people's workshop answers and saved candidates, so an upgrade keeps them.
MIGRATIONS = {
    2: ("ALTER TABLE workshop ADD COLUMN threshold INTEGER DEFAULT 5",  # each workshop keeps its own threshold
        # a records stamp (see records_stamp), so figures can be kept without a rebuild first
        f"INSERT OR IGNORE INTO store_info VALUES ('{RECORDS_STAMP}', CAST(uuid() AS VARCHAR))"),
    3: (ACCESS_LOG,),  # who signed in, used analyst mode, imported, viewed records, downloaded
    # ---- version 4 -> 5 (issue 13, ingest): flags by rule; batches per table and year, not per
    # content (the same bytes may load for another year); sex as text (M/F/U from 2024-25).
    4: ("CREATE TABLE flag (kind VARCHAR NOT NULL, rule_id VARCHAR NOT NULL, table_name VARCHAR NOT NULL, "
        "collection_year INTEGER, CHILD VARCHAR, field VARCHAR, value VARCHAR, detail VARCHAR, batch_id VARCHAR, "
        "line INTEGER)",
        "ALTER TABLE import_batch RENAME TO import_batch_v3",
        "CREATE TABLE import_batch (batch_id VARCHAR PRIMARY KEY, content_hash VARCHAR NOT NULL, "
        "file_name VARCHAR NOT NULL, table_name VARCHAR, collection_year INTEGER, rows_loaded INTEGER NOT NULL, "
        "rows_rejected INTEGER NOT NULL, imported_at TIMESTAMP NOT NULL, rows_flagged INTEGER DEFAULT 0, "
        "rows_added INTEGER DEFAULT 0, rows_changed INTEGER DEFAULT 0, rows_removed INTEGER DEFAULT 0)",
        "INSERT INTO import_batch BY NAME SELECT * FROM import_batch_v3",
        "DROP TABLE import_batch_v3",
        "ALTER TABLE header ALTER SEX TYPE VARCHAR",
        "ALTER TABLE uasc ALTER SEX TYPE VARCHAR"),
    # ---- end of version 4 -> 5
    # ---- version 5 -> 6 (issue 14, instruments): SWEMWBS's seven items beside the raw sum already kept
    5: tuple(f"ALTER TABLE wellbeing_response ADD COLUMN yp_swemwbs_{item} INTEGER" for item in range(1, 8)),
    # ---- end of version 5 -> 6
    # ---- version 6 -> 7: comments wait for the facilitator's approval before the room sees them
    6: ("ALTER TABLE indicator_feedback ADD COLUMN approved BOOLEAN DEFAULT false",),
}
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STORE = PROJECT_ROOT / "data" / "care_leavers.duckdb"
# A synthetic store's young people and seed when none is said: the generator's defaults, and what
# regenerating offers for a store that did not record its own.
DEFAULT_PEOPLE, DEFAULT_SEED = 1500, 2024
STORE_ENV = "CL_STORE"

# Tables the app itself writes: lab, workshops, imports. Same file, same versioning.
APP_TABLES = """
CREATE TABLE schema_version (version INTEGER NOT NULL, created_at TIMESTAMP NOT NULL);
CREATE TABLE store_info (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE candidate_indicator (
    id VARCHAR PRIMARY KEY, definition JSON NOT NULL, author VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL, retired BOOLEAN NOT NULL DEFAULT false);
CREATE TABLE workshop (
    id VARCHAR PRIMARY KEY, join_code VARCHAR NOT NULL UNIQUE, name VARCHAR NOT NULL,
    indicator_ids VARCHAR[] NOT NULL, created_at TIMESTAMP NOT NULL, closed BOOLEAN NOT NULL DEFAULT false,
    threshold INTEGER DEFAULT 5);
CREATE SEQUENCE feedback_id;
CREATE TABLE indicator_feedback (
    id BIGINT PRIMARY KEY DEFAULT nextval('feedback_id'), workshop_id VARCHAR NOT NULL,
    participant VARCHAR NOT NULL, indicator_id VARCHAR NOT NULL, matters INTEGER,
    fair VARCHAR, comment VARCHAR, missing VARCHAR, created_at TIMESTAMP NOT NULL, approved BOOLEAN DEFAULT false);
CREATE TABLE indicator_decision (
    workshop_id VARCHAR NOT NULL, indicator_id VARCHAR NOT NULL, decision VARCHAR NOT NULL,
    note VARCHAR, decided_at TIMESTAMP NOT NULL);
CREATE TABLE import_batch (
    batch_id VARCHAR PRIMARY KEY, content_hash VARCHAR NOT NULL, file_name VARCHAR NOT NULL,
    table_name VARCHAR, collection_year INTEGER, rows_loaded INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL, imported_at TIMESTAMP NOT NULL, rows_flagged INTEGER DEFAULT 0,
    rows_added INTEGER DEFAULT 0, rows_changed INTEGER DEFAULT 0, rows_removed INTEGER DEFAULT 0);
CREATE TABLE flag (
    kind VARCHAR NOT NULL, rule_id VARCHAR NOT NULL, table_name VARCHAR NOT NULL, collection_year INTEGER,
    CHILD VARCHAR, field VARCHAR, value VARCHAR, detail VARCHAR, batch_id VARCHAR, line INTEGER);
CREATE TABLE rejected_row (
    batch_id VARCHAR NOT NULL, file_name VARCHAR NOT NULL, line INTEGER, raw VARCHAR,
    field VARCHAR, reason VARCHAR NOT NULL);
""" + ACCESS_LOG + ";"


class StoreError(RuntimeError):
    """A store that cannot be used, with a message a person can act on."""


@dataclass(frozen=True)
class StoreSummary:
    path: str
    source: str  # "synthetic" or "real"
    young_people: int
    years: tuple[int, ...]
    seed: str | None
    authority: str | None = None  # the authority a real store holds, or a synthetic twin copies (3-digit code)


def resolve_path(cli_path: str | os.PathLike | None = None) -> Path:
    """The store to open: a `--db` argument, then $CL_STORE, then the default file."""
    chosen = cli_path or os.environ.get(STORE_ENV) or DEFAULT_STORE
    return Path(chosen).expanduser().resolve()


def table_ddl(table: TableSpec) -> str:
    cols = [f'"{c.name}" {c.type}' for c in table.columns]
    if table.annual:
        cols.append("collection_year INTEGER NOT NULL")
    return f"CREATE TABLE {table.name} ({', '.join(cols)});"


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN, then COMMIT, or ROLLBACK and re-raise if anything inside fails (even a kill signal's
    KeyboardInterrupt): the store never keeps half a change."""
    con.execute("BEGIN")
    try:
        yield con
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table of a new store in one transaction."""
    with transaction(con):
        con.execute(APP_TABLES)
        for table in spec().tables.values():
            con.execute(table_ddl(table))
        con.execute("INSERT INTO schema_version VALUES (?, now())", [SCHEMA_VERSION])


def check_schema(con: duckdb.DuckDBPyConnection, path: Path, read_only: bool = False) -> None:
    """Refuse a file that is not a store or is too new or too old; upgrade an older one in place."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "schema_version" not in tables:
        raise StoreError(
            f"{path} is not a care-leaver store (it has no schema_version table). "
            "Point the app at another file, or build a new store with: python -m synthetic --out PATH")
    version = con.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    if version in MIGRATIONS and version < SCHEMA_VERSION:
        if read_only:
            raise StoreError(f"{path} was made with store schema version {version}; open it once in the app, "
                             f"which upgrades it to version {SCHEMA_VERSION} and keeps everything in it.")
        upgrade(con, version)
        return
    if version != SCHEMA_VERSION:
        raise StoreError(
            f"{path} was made with store schema version {version}; this app reads version "
            f"{SCHEMA_VERSION}. Rebuild it (python -m synthetic --out PATH) or re-import the files.")


def upgrade(con: duckdb.DuckDBPyConnection, version: int) -> None:
    """Bring a store from `version` to SCHEMA_VERSION in one transaction: all steps or none.

    What is derived from the records (person_year, the rules' flags) is rebuilt too, so an
    upgraded store's figures follow this version's definitions."""
    from cl_metrics import derived  # derived builds on this module, so it is imported when needed
    with transaction(con):
        while version < SCHEMA_VERSION:
            for statement in MIGRATIONS[version]:
                con.execute(statement)
            version += 1
        con.execute("INSERT INTO schema_version VALUES (?, now())", [SCHEMA_VERSION])
        derived.rebuild(con)


def connect(path: str | os.PathLike, read_only: bool = False, create: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a store, creating the schema if `create` and the file is new; refuse anything else."""
    path = Path(path)
    is_new = not path.exists()
    if is_new and not create:
        raise StoreError(f"No store at {path}. Build one with: python -m synthetic --out {path}")
    if is_new:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only and not is_new)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise StoreError(
                f"{path} is open for writing in another process (the app or an import). "
                "Close it, or stop the app, and try again.") from exc
        raise StoreError(f"{path} could not be opened: {exc}") from exc
    except duckdb.Error as exc:
        raise StoreError(f"{path} is not a DuckDB file this app can read ({exc}).") from exc
    if is_new:
        create_schema(con)
    else:
        try:
            check_schema(con, path, read_only and not is_new)
        except Exception:
            con.close()
            raise
    return con


def clear_records(con: duckdb.DuckDBPyConnection) -> None:
    """Empty every record table (the 903 and local tables) and their flags, inside the caller's
    transaction; the app's own tables (candidates, workshops, answers, imports) are left as they are."""
    for table in spec().tables:
        con.execute(f'DELETE FROM "{table}"')  # names from our spec
    con.execute("DELETE FROM flag")


def set_info(con: duckdb.DuckDBPyConnection, **values: object) -> None:
    for key, value in values.items():
        con.execute("INSERT OR REPLACE INTO store_info VALUES (?, ?)", [key, None if value is None else str(value)])


def get_info(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM store_info").fetchall())


def records_stamp(con: duckdb.DuckDBPyConnection) -> str | None:
    """A random stamp renewed whenever `person_year` is rebuilt (None on a store built before stamps)."""
    row = con.execute("SELECT value FROM store_info WHERE key = ?", [RECORDS_STAMP]).fetchone()
    return row[0] if row else None


def summary(con: duckdb.DuckDBPyConnection, path: str | os.PathLike) -> StoreSummary:
    """What the sidebar says about the open store."""
    info = get_info(con)
    people, years = 0, ()
    if has_person_year(con):  # the years and young people that indicators read, from any source table
        people = con.execute("SELECT count(DISTINCT CHILD) FROM person_year").fetchone()[0]
        years = tuple(record_years(con))
    return StoreSummary(path=str(path), source=info.get("source", "real"), young_people=people,
                        years=years, seed=info.get("seed"), authority=info.get("authority"))


def record_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The collection years `person_year` holds: what the sidebar offers and indicators are computed for.
    (The rules' flags count over every annual table's years instead: `rules.store_years`.)"""
    return [r[0] for r in con.execute("SELECT DISTINCT collection_year FROM person_year ORDER BY 1").fetchall()]


def has_person_year(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'person_year'").fetchone()[0])
