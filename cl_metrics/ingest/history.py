"""Read-only views of past imports and refused rows, so pages show them without SQL of their own."""
from __future__ import annotations

import duckdb
import pandas as pd


def import_history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every import_batch row, newest first."""
    return con.execute("SELECT * FROM import_batch ORDER BY imported_at DESC, file_name").df()


def rejected_rows(con: duckdb.DuckDBPyConnection, batch_id: str | None = None, limit: int = 10_000) -> pd.DataFrame:
    """Refused rows (file, line, raw text with ids pseudonymised, field, reason), optionally one batch's."""
    return con.execute(
        "SELECT batch_id, file_name, line, field, reason, raw FROM rejected_row "
        "WHERE ? IS NULL OR batch_id = ? ORDER BY file_name, line, field LIMIT ?",
        [batch_id, batch_id, limit]).df()


def rejection_summary(con: duckdb.DuckDBPyConnection, batch_id: str | None = None) -> pd.DataFrame:
    """Refusals counted by file and field, for a quick picture of what to fix at source."""
    return con.execute(
        "SELECT file_name, coalesce(field, '(whole row)') AS field, count(*) AS problems, "
        "count(DISTINCT line) AS rows FROM rejected_row WHERE ? IS NULL OR batch_id = ? "
        "GROUP BY ALL ORDER BY problems DESC, file_name, field", [batch_id, batch_id]).df()
