"""One open store per process: a shared connection, a cursor per caller, a lock for writes.

DuckDB allows one read-write process per file, so the app holds the only read-write handle and
every write (feedback, candidates, uploads) goes through it, serialised by `write_lock`.
"""
from __future__ import annotations

import argparse
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from cl_metrics import store


@dataclass
class OpenStore:
    path: Path
    connection: duckdb.DuckDBPyConnection
    write_lock: threading.Lock = field(default_factory=threading.Lock)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for one thread or script run (DuckDB connections are not shared across threads)."""
        return self.connection.cursor()

    @contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor inside a transaction, one writer at a time; rolled back on any error."""
        with self.write_lock:
            cur = self.connection.cursor()
            cur.execute("BEGIN")
            try:
                yield cur
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            finally:
                cur.close()

    @contextmanager
    def exclusive(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor under the write lock for work that runs its own transaction (an import)."""
        with self.write_lock:
            cur = self.connection.cursor()
            try:
                yield cur
            finally:
                cur.close()

    def summary(self) -> store.StoreSummary:
        cur = self.cursor()
        try:
            return store.summary(cur, self.path)
        finally:
            cur.close()


def store_path_from(argv: list[str]) -> Path:
    """`streamlit run app.py -- --db PATH`, else $CL_STORE, else the default store."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db")
    known, _ = parser.parse_known_args(argv)
    return store.resolve_path(known.db)


def open_store(path: str | os.PathLike) -> OpenStore:
    return OpenStore(Path(path), store.connect(path))
