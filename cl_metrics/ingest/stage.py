"""A per-file staging area in DuckDB temp tables, filled in chunks so memory stays bounded.

Loaded rows (with their line), their field flags and refused rows are buffered column-wise in
Python up to `chunk_rows`, then handed to DuckDB as Arrow tables (no values are ever pasted into
SQL). Nothing persistent changes until the whole file has been read, compared with the store and
accepted.
"""
from __future__ import annotations

import csv
import io
from typing import Any

import duckdb
import pyarrow as pa

from cl_metrics.ingest.validate import Problem
from cl_metrics.spec import TableSpec

STAGE, FLAGS, REJECTS, CHUNK = "_ingest_stage", "_ingest_flags", "_ingest_rejects", "_ingest_chunk"
MATCHED = "_ingest_matched"  # staged rows matched with stored ones (cl_metrics.ingest.diff)
ARROW_TYPES = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "DATE": pa.date32(), "BOOLEAN": pa.bool_()}
FLAG_SCHEMA = pa.schema([("line", pa.int32()), ("field", pa.string()), ("rule_id", pa.string()),
                         ("value", pa.string()), ("detail", pa.string())])
REJECT_SCHEMA = pa.schema([("line", pa.int32()), ("raw", pa.string()), ("field", pa.string()), ("reason", pa.string())])
# Tables that hold one row per young person: a second row for the same id cannot be placed.
ONE_ROW_PER = {"young_person": "CHILD"}


class Stage:
    """Temp tables for one file's loaded rows (with their line), their flags and refused rows."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: TableSpec, chunk_rows: int):
        self.con, self.table, self.chunk_rows = con, table, chunk_rows
        self.schema = pa.schema([("_line", pa.int32())] + [(c.name, ARROW_TYPES[c.type]) for c in table.columns])
        cols = ", ".join(f'"{c.name}" {c.type}' for c in table.columns)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGE} (_line INTEGER, {cols})")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {FLAGS} (line INTEGER, field VARCHAR, rule_id VARCHAR, "
                    "value VARCHAR, detail VARCHAR)")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {REJECTS} (line INTEGER, raw VARCHAR, field VARCHAR, reason VARCHAR)")
        self._buffers = {STAGE: ([[] for _ in self.schema], self.schema), FLAGS: ([[] for _ in FLAG_SCHEMA], FLAG_SCHEMA),
                         REJECTS: ([[] for _ in REJECT_SCHEMA], REJECT_SCHEMA)}
        self.rows_read = 0

    def _append(self, target: str, values: list[Any]) -> None:
        for column, value in zip(self._buffers[target][0], values):
            column.append(value)

    def add(self, line: int, values: list[Any], problems: list[Problem]) -> None:
        """A loaded row, with the field flags its values carry."""
        self._append(STAGE, [line, *values])
        for field, rule_id, value, detail in problems:
            self._append(FLAGS, [line, field, rule_id, value, detail])
        self.rows_read += 1

    def reject(self, line: int, raw: str, reason: str, field: str | None = None) -> None:
        """A row that cannot be placed (no id, unreadable, the wrong number of fields)."""
        self._append(REJECTS, [line, raw, field, reason])
        self.rows_read += 1

    @property
    def full(self) -> bool:
        return sum(len(buffers[0]) for buffers, _ in self._buffers.values()) >= self.chunk_rows

    def flush(self) -> None:
        """Hand the buffered rows to DuckDB and empty the buffers."""
        for target, (buffers, schema) in self._buffers.items():
            if buffers[0]:
                chunk = pa.Table.from_arrays([pa.array(b, type=f.type) for b, f in zip(buffers, schema)], schema=schema)
                self.con.register(CHUNK, chunk)
                try:
                    self.con.execute(f"INSERT INTO {target} SELECT * FROM {CHUNK}")
                finally:
                    self.con.unregister(CHUNK)
                for b in buffers:
                    b.clear()

    def refuse_second_rows(self) -> None:
        """Where a table holds one row per young person, a second row for the same id is refused."""
        key = ONE_ROW_PER.get(self.table.name)
        if not key:
            return
        self.con.execute(f"""
            INSERT INTO {REJECTS}
            SELECT _line, NULL, '{key}', 'another row for the same {key} is on line ' || first_line
                   || ' ({self.table.name} holds one row per young person)' FROM (
                SELECT _line, min(_line) OVER (PARTITION BY "{key}") AS first_line FROM {STAGE})
            WHERE _line > first_line""")
        self.con.execute(f"DELETE FROM {STAGE} WHERE _line IN (SELECT line FROM {REJECTS})")
        self.con.execute(f"DELETE FROM {FLAGS} WHERE line IN (SELECT line FROM {REJECTS})")

    def counts(self) -> tuple[int, int]:
        """(rows loaded, rows refused)."""
        good = self.con.execute(f"SELECT count(*) FROM {STAGE}").fetchone()[0]
        bad = self.con.execute(f"SELECT count(DISTINCT line) FROM {REJECTS}").fetchone()[0]
        return good, bad

    def top_reasons(self, n: int = 5) -> list[tuple[str, int]]:
        return [(r, c) for r, c in self.con.execute(f"""
            SELECT coalesce(field || ': ', '') || reason AS r, count(*) AS c FROM {REJECTS}
            GROUP BY r ORDER BY c DESC, r LIMIT ?""", [n]).fetchall()]

    def drop(self) -> None:
        for table in (STAGE, FLAGS, REJECTS, MATCHED):
            self.con.execute(f"DROP TABLE IF EXISTS {table}")


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

