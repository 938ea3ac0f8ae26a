"""A per-file staging area in DuckDB temp tables, filled in chunks so memory stays bounded.

Good rows and refused rows are buffered column-wise in Python up to `chunk_rows`, then handed
to DuckDB as an Arrow table (no values are ever pasted into SQL). Nothing persistent changes
until the whole file has been read and accepted.
"""
from __future__ import annotations

import csv
import io
from typing import Any

import duckdb
import pyarrow as pa

from cl_metrics.spec import TableSpec

STAGE, REJECTS, CHUNK = "_ingest_stage", "_ingest_rejects", "_ingest_chunk"
ARROW_TYPES = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "DATE": pa.date32(), "BOOLEAN": pa.bool_()}
REJECT_SCHEMA = pa.schema([("line", pa.int32()), ("raw", pa.string()), ("field", pa.string()), ("reason", pa.string())])
# Tables that hold one row per young person: a second row for the same id is refused.
ONE_ROW_PER = {"young_person": "CHILD"}


def quoted(names: list[str]) -> str:
    """Column names from the spec (our own constants), quoted for SQL."""
    return ", ".join(f'"{n}"' for n in names)


class Stage:
    """Temp tables for one file's good rows (with line and raw text) and refused rows."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: TableSpec, chunk_rows: int):
        self.con, self.table, self.chunk_rows = con, table, chunk_rows
        self.names = table.column_names
        self.schema = pa.schema([("_line", pa.int32()), ("_raw", pa.string())] +
                                [(c.name, ARROW_TYPES[c.type]) for c in table.columns])
        cols = ", ".join(f'"{c.name}" {c.type}' for c in table.columns)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGE} (_line INTEGER, _raw VARCHAR, {cols})")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {REJECTS} "
                    "(line INTEGER, raw VARCHAR, field VARCHAR, reason VARCHAR)")
        self._good: list[list[Any]] = [[] for _ in self.schema]
        self._bad: list[list[Any]] = [[] for _ in REJECT_SCHEMA]
        self.rows_read = 0

    def add(self, line: int, raw: str, values: list[Any]) -> None:
        for column, value in zip(self._good, [line, raw, *values]):
            column.append(value)
        self._count()

    def reject(self, line: int, raw: str, field: str | None, reason: str) -> None:
        for column, value in zip(self._bad, [line, raw, field, reason]):
            column.append(value)

    def reject_row(self, line: int, raw: str, problems: list[tuple[str | None, str]]) -> None:
        for field, reason in problems:
            self.reject(line, raw, field, reason)
        self._count()

    def _count(self) -> None:
        self.rows_read += 1

    @property
    def full(self) -> bool:
        return len(self._good[0]) + len(self._bad[0]) >= self.chunk_rows

    def flush(self) -> None:
        """Hand the buffered rows to DuckDB and empty the buffers."""
        for target, buffers, schema in ((STAGE, self._good, self.schema), (REJECTS, self._bad, REJECT_SCHEMA)):
            if buffers[0]:
                chunk = pa.Table.from_arrays([pa.array(b, type=f.type) for b, f in zip(buffers, schema)], schema=schema)
                self.con.register(CHUNK, chunk)
                try:
                    self.con.execute(f"INSERT INTO {target} SELECT * FROM {CHUNK}")
                finally:
                    self.con.unregister(CHUNK)
                for b in buffers:
                    b.clear()

    def refuse_duplicates(self) -> None:
        """Exact repeats of an earlier row are refused; so is a second row where one per person is allowed."""
        cols = quoted(self.names)
        self.con.execute(f"""
            INSERT INTO {REJECTS}
            SELECT _line, _raw, NULL, 'exact duplicate of line ' || first_line FROM (
                SELECT _line, _raw, min(_line) OVER (PARTITION BY {cols}) AS first_line FROM {STAGE})
            WHERE _line > first_line""")
        key = ONE_ROW_PER.get(self.table.name)
        if key:
            self.con.execute(f"""
                INSERT INTO {REJECTS}
                SELECT _line, _raw, '{key}', 'another row for the same {key} is on line ' || first_line
                       || ' ({self.table.name} holds one row per young person)' FROM (
                    SELECT _line, _raw, min(_line) OVER (PARTITION BY "{key}") AS first_line FROM {STAGE}
                    WHERE _line NOT IN (SELECT line FROM {REJECTS}))
                WHERE _line > first_line""")
        self.con.execute(f"DELETE FROM {STAGE} WHERE _line IN (SELECT line FROM {REJECTS})")

    def counts(self) -> tuple[int, int]:
        """(good rows, refused rows) after duplicates are refused."""
        good = self.con.execute(f"SELECT count(*) FROM {STAGE}").fetchone()[0]
        bad = self.con.execute(f"SELECT count(DISTINCT line) FROM {REJECTS}").fetchone()[0]
        return good, bad

    def top_reasons(self, n: int = 5) -> list[tuple[str, int]]:
        return [(r, c) for r, c in self.con.execute(f"""
            SELECT coalesce(field || ': ', '') || reason AS r, count(*) AS c FROM {REJECTS}
            GROUP BY r ORDER BY c DESC, r LIMIT ?""", [n]).fetchall()]

    def drop(self) -> None:
        self.con.execute(f"DROP TABLE IF EXISTS {STAGE}")
        self.con.execute(f"DROP TABLE IF EXISTS {REJECTS}")


class RawWriter:
    """Re-serialises a row as CSV text (used for the safe copy of a refused row)."""

    def __init__(self) -> None:
        self._buf = io.StringIO()
        self._writer = csv.writer(self._buf, lineterminator="")

    def text(self, fields: list[str]) -> str:
        self._buf.seek(0)
        self._buf.truncate()
        self._writer.writerow(fields)
        return self._buf.getvalue()
