"""A plain pandas reference for the indicators, written independently of the SQL compiler.

It reads `person_year` into pandas once and computes each indicator with boolean masks, so the
bench can compare speed and a test can check that the SQL and pandas agree on every indicator.
SQL's rule for blanks is kept explicitly: a condition on a blank value is never met (only
`is_null` and `not_null` look at blanks), which is what a WHERE clause does with NULL.
"""
from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd

from cl_metrics.fields import registry
from cl_metrics.indicators import Condition, Indicator

COLUMNS = ["indicator_id", "unit", "numerator", "denominator"]


def load_person_year(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The whole `person_year` table as one DataFrame (coded fields arrive as categoricals)."""
    return con.execute("SELECT * FROM person_year").df()


def with_plain_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with coded fields as pandas' default strings, as reading a CSV export would give
    them. DuckDB hands its ENUM columns over as categoricals, which pandas compares far faster, so
    the bench reports the reference both ways."""
    return frame.astype({column: "str" for column in frame.select_dtypes("category").columns})


def _value(name: str, value):
    """A declared value in the type pandas holds for the field (dates as timestamps)."""
    return pd.Timestamp(value) if registry()[name].type == "DATE" else value


def condition_mask(frame: pd.DataFrame, condition: Condition) -> np.ndarray:
    """Rows meeting one condition, as a plain boolean array (blank values never meet one)."""
    series = frame[condition.field]
    present = series.notna().to_numpy()
    if condition.op == "is_null":
        return ~present
    if condition.op == "not_null":
        return present
    values = [_value(condition.field, v) for v in condition.values]
    match condition.op:
        case "eq":
            met = series == values[0]
        case "ne":
            met = series != values[0]
        case "lt":
            met = series < values[0]
        case "le":
            met = series <= values[0]
        case "gt":
            met = series > values[0]
        case "ge":
            met = series >= values[0]
        case "between":
            met = (series >= values[0]) & (series <= values[1])
        case "in":
            met = series.isin(values)
        case "not_in":
            met = ~series.isin(values)
        case "is_true":
            met = series == True  # noqa: E712 (element-wise comparison, not identity)
        case "is_false":
            met = series == False  # noqa: E712
        case _:
            raise ValueError(f"unknown operator {condition.op}")
    return present & met.fillna(False).to_numpy(dtype=bool)


def all_mask(frame: pd.DataFrame, conditions: Sequence[Condition]) -> np.ndarray:
    """Rows meeting every condition (no condition: every row)."""
    mask = np.ones(len(frame), dtype=bool)
    for condition in conditions:
        mask &= condition_mask(frame, condition)
    return mask


def compute(frame: pd.DataFrame, indicators: Sequence[Indicator], year: int) -> pd.DataFrame:
    """Numerator and denominator of each indicator for one collection year (unsuppressed).

    Same columns as `cl_metrics.indicators.compute.raw` without grouping; for a mean the
    numerator is the sum of the value and the denominator the count of values present.
    """
    in_year = (frame["collection_year"] == year).to_numpy()
    rows = []
    for ind in indicators:
        population = in_year & all_mask(frame, ind.population)
        if ind.unit == "mean":
            values = frame[ind.value_field]
            counted = population & values.notna().to_numpy()
            # a sum of scores with decimals (SWEMWBS metric) is kept whole, as the compiler keeps it
            numerator = float(np.floor(round(values[counted].sum(), 2) + 0.5))  # the scores have two decimals
            denominator = float(counted.sum())
        else:
            numerator = float((population & all_mask(frame, ind.numerator)).sum())
            denominator = float(population.sum())
        rows.append({"indicator_id": ind.id, "unit": ind.unit,
                     "numerator": numerator, "denominator": denominator})
    return pd.DataFrame(rows, columns=COLUMNS)
