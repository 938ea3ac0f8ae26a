"""The one CSV writer: every table the app lets people download, or the command line prints, passes here.

A cell that starts with =, +, -, @, a tab or a carriage return is what a spreadsheet runs as a
formula (OWASP's CSV injection rule), so such text cells, and column names, get a leading
apostrophe. Analyst-mode files hold exact figures: their name and first line say
OFFICIAL-SENSITIVE, so nobody forwards one without seeing what it is.
"""
from __future__ import annotations

import pandas as pd

from cl_metrics.disclosure import Mode

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MARKING = "OFFICIAL-SENSITIVE: not for sharing"
MARKED_PREFIX = "OFFICIAL-SENSITIVE_"


def neutralise(value: object) -> object:
    """Text a spreadsheet would run as a formula, made inert; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(frame: pd.DataFrame, mode: Mode = "workshop") -> str:
    """The frame as CSV text, formula cells neutralised, marked in analyst mode."""
    safe = frame.rename(columns=lambda c: neutralise(str(c)))
    text_columns = [c for c in safe.columns if not pd.api.types.is_numeric_dtype(safe[c])
                    and not pd.api.types.is_datetime64_any_dtype(safe[c])]
    if text_columns:
        safe = safe.assign(**{c: safe[c].map(neutralise) for c in text_columns})
    body = safe.to_csv(index=False)
    return f"{MARKING}\n{body}" if mode == "analyst" else body


def file_name(name: str, mode: Mode = "workshop", suffix: str = ".csv") -> str:
    return f"{MARKED_PREFIX if mode == 'analyst' else ''}{name}{suffix}"
