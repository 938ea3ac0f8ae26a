"""Data quality: how complete each table's fields are, and which records fail consistency checks.

Completeness is % of a table's rows with a field filled in, per collection year (or, for the data
map, % of the year's young people). Each check is one small function registered with `@check`
(like data-to-insight's 903 validator), returning the failing records; pages see only protected
counts, and the record list only in analyst mode. Identifiers in SQL come from the spec registry;
values (a year) are parameters.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from cl_metrics import memo
from cl_metrics.access import Principal, require
from cl_metrics.derived import AGE_IN_YEAR
from cl_metrics.disclosure import DEFAULT_THRESHOLD, Mode, protect, protected_count
from cl_metrics.spec import TableSpec, spec

RECORD_COLUMNS = ["CHILD", "collection_year", "check", "detail"]
ALL_YEARS = "All years"
# Age at the birthday that falls in the collection year (1 April to 31 March), as OC3 defines it.


def _iso(expression: str) -> str:
    return f"strftime(CAST({expression} AS DATE), '%Y-%m-%d')"


# ---------------------------------------------------------------------------------- completeness

def _present(column, alias: str = "") -> str:
    """Whether a field is filled in: a blank string is as empty as a null (real CSVs carry both)."""
    quoted = f'{alias}"{column.name}"'
    return f"nullif(trim({quoted}), '') IS NOT NULL" if column.type == "VARCHAR" else f"{quoted} IS NOT NULL"


def _table_completeness(con: duckdb.DuckDBPyConnection, table: TableSpec) -> pd.DataFrame:
    year = "collection_year" if table.annual else "CAST(NULL AS INTEGER)"
    filled = ", ".join(f'count(*) FILTER (WHERE {_present(c)}) AS "{c.name}"' for c in table.columns)
    wide = con.execute(f"SELECT {year} AS collection_year, count(*) AS denominator, {filled} "
                       f"FROM {table.name} GROUP BY ALL ORDER BY 1").df()
    return _long(wide, table)


def _caseload_completeness(con: duckdb.DuckDBPyConnection, table: TableSpec, year: int) -> pd.DataFrame:
    columns = [c for c in table.columns if c.name != "CHILD"]
    filled = ", ".join(f'count(DISTINCT p.CHILD) FILTER (WHERE {_present(c, "t.")}) AS "{c.name}"' for c in columns)
    wide = con.execute(f"""SELECT p.collection_year, count(DISTINCT p.CHILD) AS denominator, {filled}
                           FROM person_year p LEFT JOIN {table.name} t
                             ON t.CHILD = p.CHILD AND t.collection_year = p.collection_year
                           WHERE p.collection_year = ? GROUP BY ALL""", [year]).df()
    return _long(wide, table)


def _long(wide: pd.DataFrame, table: TableSpec) -> pd.DataFrame:
    """One row per field from one column per field: numerator filled, denominator rows."""
    long = wide.melt(id_vars=["collection_year", "denominator"], var_name="field", value_name="numerator")
    return long.assign(table=table.name, label=long["field"].map({c.name: c.label or c.name for c in table.columns}))


def _protected(frames: list[pd.DataFrame], mode: Mode, threshold: int) -> pd.DataFrame:
    long = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["collection_year", "denominator", "field", "numerator", "table", "label"])
    long = long.assign(unit="percent", collection_year=long["collection_year"].astype("Int64"))
    out = protect(long, threshold=threshold, mode=mode).rename(columns={"numerator": "filled", "denominator": "rows"})
    return out[["table", "field", "label", "collection_year", "rows", "filled", "value", "suppressed", "display"]]


@memo.by_records  # a scan of whole record tables; they change only with a rebuild
def completeness(con: duckdb.DuckDBPyConnection, tables: Sequence[str] | None = None, mode: Mode = "workshop",
                 threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """% of rows with each field filled, per table, field and collection year, protected.

    Columns: table, field, label, collection_year (NA for one-row-each tables), rows, filled,
    value, suppressed, display.
    """
    s = spec()
    names = list(s.tables) if tables is None else list(tables)
    return _protected([_table_completeness(con, s.table(name)) for name in names], mode, threshold)


def caseload_completeness(con: duckdb.DuckDBPyConnection, tables: Sequence[str], year: int, mode: Mode = "workshop",
                          threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """% of the year's young people (rows of person_year) with each field of local annual tables filled.

    A survey answered by half the caseload is 100% complete by its own rows; measured over the
    young people supported that year it is 50%, which is the gap a data map must show.
    Same columns as `completeness`, `rows` being young people.
    """
    chosen = [spec().table(name) for name in tables]
    refused = [t.name for t in chosen if not (t.annual and t.source == "local")]
    if refused:
        raise ValueError(f"caseload completeness is for local annual tables, not {', '.join(refused)}")
    return _protected([_caseload_completeness(con, t, year) for t in chosen], mode, threshold)


def completeness_grid(table: pd.DataFrame) -> pd.DataFrame:
    """One row per field, one column per collection year, the display text in each cell."""
    year = [ALL_YEARS if pd.isna(y) else str(y) for y in table["collection_year"]]
    grid = table.assign(year=year).pivot_table(index=["table", "field", "label"], columns="year",
                                               values="display", aggfunc="first", sort=False)
    return grid.reset_index().rename_axis(columns=None).fillna("")


# -------------------------------------------------------------------------------------- checks

@dataclass(frozen=True)
class Check:
    """A consistency rule: `find` returns the failing records (CHILD, collection_year, detail)."""
    id: str
    title: str
    table: str
    find: Callable[[duckdb.DuckDBPyConnection], pd.DataFrame]


CHECKS: dict[str, Check] = {}


def check(check_id: str, title: str, table: str):
    """Register a check on `table` (a table of the spec) under `check_id`."""
    if table not in spec().tables:
        raise KeyError(f"check '{check_id}' names unknown table '{table}'")

    def register(find: Callable[[duckdb.DuckDBPyConnection], pd.DataFrame]):
        CHECKS[check_id] = Check(check_id, title, table, find)
        return find
    return register


def _records(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(f"SELECT CHILD, collection_year, detail FROM ({sql}) ORDER BY ALL").df()


@check("oc3_without_header", "OC3 row with no header row for that child and year", "oc3")
def oc3_without_header(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _records(con, """SELECT CHILD, collection_year, 'no header row in this year' AS detail
                            FROM oc3 ANTI JOIN header USING (CHILD, collection_year)""")


@check("contact_after_25", "Adviser contact after the young person's 25th birthday", "pa_contact")
def contact_after_25(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Leaving-care support ends at 25; the date of birth is the latest header's, else OC3's."""
    return _records(con, f"""
        WITH header_dob AS (SELECT CHILD, max_by(DOB, collection_year) AS DOB FROM header GROUP BY CHILD),
             oc3_dob AS (SELECT CHILD, max_by(DOB, collection_year) AS DOB FROM oc3 GROUP BY CHILD),
             dob AS (SELECT CHILD, coalesce(h.DOB, o.DOB) AS DOB FROM header_dob h FULL JOIN oc3_dob o USING (CHILD))
        SELECT CHILD, collection_year,
               'contact on ' || {_iso('contact_date')} || ', 25th birthday '
                   || {_iso('DOB + INTERVAL 25 YEAR')} AS detail
        FROM pa_contact JOIN dob USING (CHILD)
        WHERE contact_date > DOB + INTERVAL 25 YEAR""")


@check("dob_differs", "Date of birth differs between tables in the same year", "header")
def dob_differs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every return table that repeats the date of birth (from the spec) must agree with the others."""
    tables = [t.name for t in spec().national_tables() if "DOB" in t.column_names]
    rows = " UNION ALL ".join(f"SELECT '{t}' AS source, CHILD, collection_year, DOB FROM {t}" for t in tables)
    return _records(con, f"""
        WITH dobs AS (SELECT DOB, CHILD, collection_year, string_agg(DISTINCT source, ', ' ORDER BY source) AS sources
                      FROM ({rows}) WHERE DOB IS NOT NULL GROUP BY ALL)
        SELECT CHILD, collection_year,
               string_agg({_iso('DOB')} || ' (' || sources || ')', '; ' ORDER BY DOB) AS detail
        FROM dobs GROUP BY ALL HAVING count(*) > 1""")


def _oc3_codes() -> str:
    return ("'IN_TOUCH ' || IN_TOUCH || ', ACTIV ' || coalesce(nullif(ACTIV, ''), 'blank') "
            "|| ', ACCOM ' || coalesce(nullif(ACCOM, ''), 'blank')")


@check("died_or_home_with_activity", "IN_TOUCH DIED or RHOM with ACTIV or ACCOM filled in", "oc3")
def died_or_home_with_activity(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _records(con, f"""SELECT CHILD, collection_year, {_oc3_codes()} AS detail FROM oc3
                             WHERE IN_TOUCH IN ('DIED', 'RHOM')
                               AND (coalesce(ACTIV, '') <> '' OR coalesce(ACCOM, '') <> '')""")


@check("in_touch_without_information", "IN_TOUCH YES with ACTIV or ACCOM '0' (no information)", "oc3")
def in_touch_without_information(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _records(con, f"""SELECT CHILD, collection_year, {_oc3_codes()} AS detail FROM oc3
                             WHERE IN_TOUCH = 'YES' AND (ACTIV = '0' OR ACCOM = '0')""")


@check("staying_put_at_17", "ACCOM Z (with former foster carers) at age 17", "oc3")
def staying_put_at_17(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _records(con, f"""SELECT CHILD, collection_year, 'ACCOM ' || ACCOM || ' at age 17' AS detail FROM oc3
                             WHERE left(ACCOM, 1) = 'Z' AND {AGE_IN_YEAR} = 17""")


@check("oc3_age_outside_17_21", "OC3 row for a young person not aged 17 to 21 in the year", "oc3")
def oc3_age_outside_17_21(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _records(con, f"""SELECT CHILD, collection_year, 'age ' || {AGE_IN_YEAR} || ' in the year' AS detail
                             FROM oc3 WHERE {AGE_IN_YEAR} NOT BETWEEN 17 AND 21""")


def failures(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every failing record of every check, by check id. Never for a page directly."""
    frames = [c.find(con).assign(check=c.id) for c in CHECKS.values()]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=RECORD_COLUMNS)
    return pd.concat(frames, ignore_index=True)[RECORD_COLUMNS]


def failing_records(con: duckdb.DuckDBPyConnection, actor: Principal) -> pd.DataFrame:
    """The record-level list, titled for reading: for those who may see single records (analysts)."""
    require(actor, "record_lists")
    records = failures(con)
    return records.assign(check=records["check"].map({c.id: c.title for c in CHECKS.values()}))


def store_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Every collection year any annual table holds."""
    union = " UNION ".join(f"SELECT collection_year FROM {t.name}" for t in spec().tables.values() if t.annual)
    return [r[0] for r in con.execute(f"SELECT DISTINCT collection_year FROM ({union}) ORDER BY 1").fetchall()]


@memo.by_records  # every check scans its tables; they change only with a rebuild
def check_counts(con: duckdb.DuckDBPyConnection, mode: Mode = "workshop",
                 threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Failing records per check and collection year, each count protected.

    Columns: check, title, table, collection_year, failing (NA when hidden), display.
    """
    found = failures(con).groupby(["check", "collection_year"]).size()
    index = pd.MultiIndex.from_product([list(CHECKS), store_years(con)], names=["check", "collection_year"])
    counts = found.reindex(index, fill_value=0).reset_index(name="count")
    shown = [protected_count(n, threshold, mode) for n in counts["count"]]
    counts["failing"] = pd.array([value for value, _ in shown], dtype="Int64")
    counts["display"] = [text for _, text in shown]
    counts["title"] = counts["check"].map({c.id: c.title for c in CHECKS.values()})
    counts["table"] = counts["check"].map({c.id: c.table for c in CHECKS.values()})
    return counts[["check", "title", "table", "collection_year", "failing", "display"]]


def check_grid(counts: pd.DataFrame) -> pd.DataFrame:
    """One row per check, one column per collection year, the display text in each cell."""
    grid = counts.assign(year=counts["collection_year"].astype(str)).pivot_table(
        index=["title", "table"], columns="year", values="display", aggfunc="first", sort=False)
    return grid.reset_index().rename_axis(columns=None).rename(columns={"title": "check"})

