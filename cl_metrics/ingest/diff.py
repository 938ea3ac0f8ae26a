"""What a staged file would do to the store, worked out before anything is written.

Rows are matched on the table's key (spec `key`: CHILD, or CHILD and a start date) within the
collection year, repeats of a key in order. A staged row with no stored match is added; a
stored row with no staged match would be removed (only when the file replaces the year); a
match with any value different is changed. A stored value that would become unknown, or be
replaced by a flagged value, is called out field by field, so a file re-saved with US dates
cannot quietly blank the dates of birth.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from cl_metrics.ingest.stage import FLAGS, MATCHED, STAGE
from cl_metrics.rules.sql import columns, text
from cl_metrics.spec import TableSpec


@dataclass
class Diff:
    """Rows of the table and year: stored before, and what the file adds, changes and would remove."""
    stored: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    lost: dict[str, int] = field(default_factory=dict)  # field -> stored values becoming unknown or flagged

    @property
    def lost_values(self) -> int:
        return sum(self.lost.values())

    def lost_text(self) -> str:
        return ", ".join(f"{name} {n:,}" for name, n in self.lost.items())


def _run(con: duckdb.DuckDBPyConnection, sql: str, **values) -> duckdb.DuckDBPyConnection:
    """Execute with the named parameters the statement uses ($year, ...): DuckDB refuses extra ones."""
    return con.execute(sql, {name: value for name, value in values.items() if f"${name}" in sql})


def _scope(table: TableSpec) -> str:
    """The stored rows a file speaks for: its collection year, or (one row each) its young people."""
    return "collection_year = $year" if table.annual else f"CHILD IN (SELECT CHILD FROM {STAGE})"


def _lost(column: str) -> str:
    """1 when a matched row's stored value would become unknown, or be replaced by a flagged value."""
    flagged = f"EXISTS (SELECT 1 FROM {FLAGS} f WHERE f.line = s._line AND f.field = {text(column)})"
    return (f'CASE WHEN s._rn IS NOT NULL AND t._rn IS NOT NULL AND t."{column}" IS NOT NULL '
            f'AND t."{column}" IS DISTINCT FROM s."{column}" AND (s."{column}" IS NULL OR {flagged}) '
            f'THEN 1 ELSE 0 END AS "lost_{column}"')


def compare(con: duckdb.DuckDBPyConnection, table: TableSpec, year: int | None) -> Diff:
    """Match the staged rows with the stored ones (kept in a temp table for `write`) and count."""
    key, names = table.row_key, table.column_names
    order = columns(names)
    numbered = "row_number() OVER (PARTITION BY {key} ORDER BY {order} NULLS LAST) AS _rn"
    s = numbered.format(key=columns(list(key)), order=order)
    on = " AND ".join(f's."{k}" IS NOT DISTINCT FROM t."{k}"' for k in key)
    same = " AND ".join(f's."{c}" IS NOT DISTINCT FROM t."{c}"' for c in names)
    _run(con, f"""
        CREATE OR REPLACE TEMP TABLE {MATCHED} AS
        WITH s AS (SELECT *, {s} FROM {STAGE}),
             t AS (SELECT {order}, {s} FROM "{table.name}" WHERE {_scope(table)})
        SELECT s._line, t._rn IS NOT NULL AS in_store, s._rn IS NOT NULL AS in_file,
               s._rn IS NOT NULL AND t._rn IS NOT NULL AND NOT ({same}) AS changed,
               {", ".join(_lost(c) for c in names)}
        FROM s FULL JOIN t ON {on} AND s._rn = t._rn""", year=year)
    counts = con.execute(f"""
        SELECT count(*) FILTER (WHERE in_store), count(*) FILTER (WHERE in_file AND NOT in_store),
               count(*) FILTER (WHERE changed), count(*) FILTER (WHERE in_store AND NOT in_file),
               count(*) FILTER (WHERE in_store AND in_file AND NOT changed),
               {", ".join(f'sum("lost_{c}")' for c in names)}
        FROM {MATCHED}""").fetchone()
    lost = {c: int(n) for c, n in zip(names, counts[5:]) if n}
    return Diff(stored=counts[0], added=counts[1], changed=counts[2], removed=counts[3], unchanged=counts[4],
                lost=lost)


def write(con: duckdb.DuckDBPyConnection, table: TableSpec, year: int | None, replace: bool, batch_id: str) -> None:
    """Store the staged rows and their field flags: replacing what the file speaks for, or adding
    only its new rows (a stored row is never changed or removed without `replace`)."""
    names = columns(table.column_names)
    params = {"year": year, "batch": batch_id, "table": table.name}
    if replace:
        _run(con, f"DELETE FROM flag WHERE kind = 'field' AND table_name = $table AND {_scope(table)}", **params)
        _run(con, f'DELETE FROM "{table.name}" WHERE {_scope(table)}', **params)
        chosen = f"SELECT _line FROM {MATCHED} WHERE in_file"
    else:
        chosen = f"SELECT _line FROM {MATCHED} WHERE in_file AND NOT in_store"
    year_column, year_value = (", collection_year", ", $year") if table.annual else ("", "")
    _run(con, f"""INSERT INTO "{table.name}" ({names}{year_column})
                   SELECT {names}{year_value} FROM {STAGE} WHERE _line IN ({chosen}) ORDER BY _line""", **params)
    _run(con, f"""INSERT INTO flag (kind, rule_id, table_name, collection_year, CHILD, field, value, detail,
                                      batch_id, line)
                    SELECT 'field', f.rule_id, $table, $year, s.CHILD, f.field, f.value, f.detail, $batch, f.line
                    FROM {FLAGS} f JOIN {STAGE} s ON s._line = f.line WHERE f.line IN ({chosen})
                    ORDER BY f.line, f.field""", **params)
