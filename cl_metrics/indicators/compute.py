"""Compute indicators from the store: headline, breakdown by a dimension, trend by year.

Each call is one scan of `person_year` for any number of indicators, and its result always
leaves through `disclosure.protect`.
"""
from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd

from cl_metrics.disclosure import DEFAULT_THRESHOLD, Mode, protect
from cl_metrics.fields import registry
from cl_metrics.indicators.compiler import aggregate_sql
from cl_metrics.indicators.model import Condition, Indicator
from cl_metrics.store import record_years

# Dimensions a breakdown may use: id -> (person_year field, label), as declared on the fields
# (specs/derived_fields.toml), so pages list them.
DIMENSIONS = {f.breakdown: (f.name, f.breakdown_label or f.label) for f in registry().values() if f.breakdown}
COLUMNS = ["indicator_id", "unit", "numerator", "denominator"]


def raw(con: duckdb.DuckDBPyConnection, indicators: Sequence[Indicator], group_by: Sequence[str] = (),
        years: Sequence[int] | None = None, scope: Sequence[Condition] = ()) -> pd.DataFrame:
    """Unsuppressed counts, long form: one row per indicator (and group). Never for pages."""
    if not indicators:
        return pd.DataFrame(columns=[*group_by, *COLUMNS])
    query = aggregate_sql(indicators, group_by, years, scope)
    wide = con.execute(query.text, query.params).df()
    k, rows = len(indicators), len(wide)
    long = {"indicator_id": np.repeat([ind.id for ind in indicators], rows)}
    long.update({g: np.tile(wide[g].to_numpy(), k) for g in group_by})
    long["unit"] = np.repeat([ind.unit for ind in indicators], rows)
    for name, prefix in (("numerator", "n"), ("denominator", "d")):
        block = wide[[f"{prefix}_{i}" for i in range(k)]].to_numpy(dtype=float, na_value=np.nan)
        long[name] = np.nan_to_num(block.T.reshape(-1), nan=0.0)
    return pd.DataFrame(long)[[*COLUMNS[:1], *group_by, *COLUMNS[1:]]]


def headline(con, indicators: Sequence[Indicator], year: int, scope: Sequence[Condition] = (),
             mode: Mode = "workshop", threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """One protected figure per indicator for one collection year."""
    return protect(raw(con, indicators, (), [year], scope), None, threshold, mode)


def trend(con, indicators: Sequence[Indicator], years: Sequence[int] | None = None,
          scope: Sequence[Condition] = (), mode: Mode = "workshop",
          threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """One protected figure per indicator per collection year."""
    return protect(raw(con, indicators, ["collection_year"], years, scope), None, threshold, mode)


def breakdown(con, indicators: Sequence[Indicator], dimension: str, year: int,
              scope: Sequence[Condition] = (), mode: Mode = "workshop",
              threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Protected figures per group of a dimension, with secondary suppression per indicator."""
    if dimension not in DIMENSIONS:
        raise KeyError(f"unknown dimension '{dimension}' (dimensions: {', '.join(DIMENSIONS)})")
    column = DIMENSIONS[dimension][0]
    frame = raw(con, indicators, [column], [year], scope).rename(columns={column: "group"})
    frame = frame[frame["denominator"] > 0].reset_index(drop=True)
    return protect(frame, ["indicator_id"], threshold, mode)


years = record_years  # the collection years indicators are computed for, oldest first (one definition, in store)
