"""The access log: who signed in, used analyst mode, imported, viewed records or downloaded, and when.

It records the event and what it was about (a page, a file name), never the data itself. Writes
ride on the store's group commit, so logging never makes a page wait behind another write.
"""
from __future__ import annotations

import threading

import duckdb
import pandas as pd

from cl_metrics.access.roles import Principal, require
from cl_metrics.session import OpenStore

DETAIL_LIMIT = 300
COLUMNS = {"logged_at": "When", "who": "Who", "role": "Role", "how": "How signed in", "event": "What", "detail": "About"}
_seen: set[tuple[str, str, str | None]] = set()
_seen_lock = threading.Lock()


def write(cur: duckdb.DuckDBPyConnection, actor: Principal, event: str, detail: str | None = None) -> None:
    """One entry, inside the caller's transaction (an import logs itself with its own commit)."""
    cur.execute("INSERT INTO access_log VALUES (now(), ?, ?, ?, ?, ?)",
                [actor.name, actor.role, actor.how, event, None if detail is None else str(detail)[:DETAIL_LIMIT]])


def record(opened: OpenStore, actor: Principal, event: str, detail: str | None = None) -> None:
    opened.batched(lambda cur: write(cur, actor, event, detail))


def record_once(opened: OpenStore, actor: Principal, event: str, detail: str | None = None) -> None:
    """Record an event the first time this browser session meets it (a page re-runs on every click)."""
    key = (actor.session, event, detail)
    with _seen_lock:
        if key in _seen:
            return
        _seen.add(key)
    record(opened, actor, event, detail)


def entries(con: duckdb.DuckDBPyConnection, actor: Principal, limit: int | None = None) -> pd.DataFrame:
    """The log, newest first, with its columns named for reading (analysts only)."""
    require(actor, "read_access_log")
    found = con.execute(f"SELECT {', '.join(COLUMNS)} FROM access_log ORDER BY logged_at DESC"
                        + (" LIMIT ?" if limit else ""), [limit] if limit else []).df()
    return found.rename(columns=COLUMNS)
