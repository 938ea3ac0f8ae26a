"""One open store per process: a shared connection, a cursor per caller, a lock for writes.

DuckDB allows one read-write process per file, so the app holds the only read-write handle and
every write (feedback, candidates, uploads) goes through it, serialised by `write_lock`.
"""
from __future__ import annotations

import argparse
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from cl_metrics import memo, store


class _Pending:
    """One write waiting for a group commit, and its outcome."""

    def __init__(self, work: Callable[[duckdb.DuckDBPyConnection], Any]):
        self.work, self.done, self.value, self.error = work, False, None, None

    def finish(self, value: Any = None, error: BaseException | None = None) -> None:
        self.value, self.error, self.done = value, error, True

    def run_alone(self, cur: duckdb.DuckDBPyConnection) -> None:
        try:
            with store.transaction(cur):
                value = self.work(cur)
            self.finish(value)
        except Exception as exc:
            self.finish(error=exc)


@dataclass
class OpenStore:
    path: Path
    connection: duckdb.DuckDBPyConnection
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    _queue: list[_Pending] = field(default_factory=list)
    _queue_lock: threading.Lock = field(default_factory=threading.Lock)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for one thread or script run (DuckDB connections are not shared across threads)."""
        return self.connection.cursor()

    @contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor inside a transaction, one writer at a time; rolled back on any error."""
        with self.write_lock:
            cur = self.connection.cursor()
            try:
                with store.transaction(cur):
                    yield cur
            finally:
                cur.close()

    def batched(self, work: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        """Run `work(cursor)` in a transaction shared with the writes waiting at the same moment.

        A commit costs milliseconds (the log is flushed to disk), so forty phones voting at once
        would queue behind forty commits. Whoever holds the write lock commits everything that
        is waiting in one go (group commit); if any of them fails, each is retried on its own,
        so one bad write never loses or blocks the others. Returns work's result or raises its error.
        """
        mine = _Pending(work)
        with self._queue_lock:
            self._queue.append(mine)
        with self.write_lock:
            if not mine.done:
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                self._commit_together(batch)
        if mine.error is not None:
            raise mine.error
        return mine.value

    def _commit_together(self, batch: list[_Pending]) -> None:
        cur = self.connection.cursor()
        try:
            try:
                with store.transaction(cur):
                    values = [pending.work(cur) for pending in batch]
            except Exception:
                for pending in batch:
                    pending.run_alone(cur)
                return
            for pending, value in zip(batch, values):
                pending.finish(value)
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
            return _summary(cur, self.path)
        finally:
            cur.close()


_summary = memo.by_records(store.summary)  # counting young people takes 0.1-0.3 s at a million, on every page run


def store_path_from(argv: list[str]) -> Path:
    """`streamlit run app.py -- --db PATH`, else $CL_STORE, else the default store."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db")
    known, _ = parser.parse_known_args(argv)
    return store.resolve_path(known.db)


def open_store(path: str | os.PathLike) -> OpenStore:
    return OpenStore(Path(path), store.connect(path))
