"""Data quality: how complete each table's fields are, and the records the rules flag.

Completeness is % of a table's rows with a field filled in, per collection year (or, for the data
map, % of the year's young people). Flags come from the one registry of rules (cl_metrics.rules):
the importer's on values and the rules' on records, stored in the `flag` table; pages see only
protected counts, and the record list only in analyst mode. Identifiers in SQL come from the spec
registry; values (a year) are parameters.
"""
from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from cl_metrics import memo
from cl_metrics.access import Principal, require
from cl_metrics.disclosure import DEFAULT_THRESHOLD, Mode, protect, protected_count
from cl_metrics.rules import rules, store_years
from cl_metrics.spec import TableSpec, spec

RECORD_COLUMNS = ["CHILD", "collection_year", "check", "detail"]
ALL_YEARS = "All years"


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


# -------------------------------------------------------------------------------------- flags

def _flags(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("""SELECT CHILD, collection_year, rule_id AS check, table_name AS "table", field, value, detail
                          FROM flag ORDER BY rule_id, table_name, collection_year, CHILD, field, detail""").df()


def failures(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every flag in the store (the importer's on values, the rules' on records), by rule id. Never
    for a page directly."""
    return _flags(con)[RECORD_COLUMNS]


def failing_records(con: duckdb.DuckDBPyConnection, actor: Principal) -> pd.DataFrame:
    """The record-level list, each rule by its title: for those who may see single records (analysts).
    A value is shown as stored with the flag (ids in it pseudonymised)."""
    require(actor, "record_lists")
    records = _flags(con)
    titles = {r.id: r.title for r in rules().values()}
    return records.assign(check=records["check"].map(titles))[RECORD_COLUMNS + ["table", "field", "value"]]


def _rule_table(rule_id: str) -> str:
    table = rules()[rule_id].table
    return table if table else "any"


@memo.by_records  # the flags change only with the records
def check_counts(con: duckdb.DuckDBPyConnection, mode: Mode = "workshop",
                 threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Flagged records per rule and collection year, each count protected, for every rule in the registry.

    Columns: check (rule id), title, dfe (DfE's rule number, if any), table, collection_year,
    failing (NA when hidden), display.
    """
    found = failures(con).groupby(["check", "collection_year"]).size()
    index = pd.MultiIndex.from_product([list(rules()), store_years(con)], names=["check", "collection_year"])
    counts = found.reindex(index, fill_value=0).reset_index(name="count")
    shown = [protected_count(n, threshold, mode) for n in counts["count"]]
    counts["failing"] = pd.array([value for value, _ in shown], dtype="Int64")
    counts["display"] = [text for _, text in shown]
    counts["title"] = counts["check"].map({r.id: r.title for r in rules().values()})
    counts["dfe"] = counts["check"].map({r.id: r.dfe if isinstance(r.dfe, str) else "" for r in rules().values()})
    counts["table"] = counts["check"].map(_rule_table)
    return counts[["check", "title", "dfe", "table", "collection_year", "failing", "display"]]


def check_grid(counts: pd.DataFrame) -> pd.DataFrame:
    """One row per rule, one column per collection year, the display text in each cell."""
    grid = counts.assign(year=counts["collection_year"].astype(str)).pivot_table(
        index=["title", "dfe", "table"], columns="year", values="display", aggfunc="first", sort=False)
    return grid.reset_index().rename_axis(columns=None).rename(columns={"title": "check", "dfe": "DfE rule"})


def rule_wording() -> pd.DataFrame:
    """Every rule's title and wording, as the importer and this page use them (no records: any mode)."""
    return pd.DataFrame([{"check": r.title, "DfE rule": r.dfe if isinstance(r.dfe, str) else "",
                          "table": _rule_table(r.id), "what it means": r.wording} for r in rules().values()])
