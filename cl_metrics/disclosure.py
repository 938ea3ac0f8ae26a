"""Small-number suppression: every figure passes `protect` on its way out of cl_metrics.

Workshop mode (everyone but a signed-in analyst) applies the rules below. Analyst mode, which
cl_metrics.access grants to analysts only, shows exact figures: the person checking an import of
four young people needs to see four.

Primary: a cell is hidden when its denominator is below the threshold, or (for counts and
percentages) when its count, or the count of those it leaves out, is from 1 to threshold - 1,
since "3 of 40" and "37 of 40" disclose the same three young people. Zeros are shown, as DfE
shows them. Secondary: within a breakdown (a partition of one total) hidden cells are never
alone, and the hidden cells together are never small, so none can be worked out by subtraction.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

DEFAULT_THRESHOLD = 5
Mode = Literal["workshop", "analyst"]
PRIMARY, SECONDARY = "primary", "secondary"


def _small(count: pd.Series | np.ndarray, threshold: int) -> np.ndarray:
    count = np.asarray(count, dtype=float)
    return (count >= 1) & (count < threshold)


def primary(frame: pd.DataFrame, threshold: int) -> np.ndarray:
    """Cells that disclose on their own."""
    den = frame["denominator"].to_numpy(dtype=float)
    num = frame["numerator"].to_numpy(dtype=float)
    counted = (frame["unit"] != "mean").to_numpy()
    empty = den == 0  # nobody to count: "no data", nothing to protect
    return ~empty & ((den < threshold) | (counted & (_small(num, threshold) | _small(den - num, threshold))))


def _unsafe(hidden: pd.DataFrame, threshold: int) -> bool:
    """Whether the hidden cells of one partition could still be told apart or are small together."""
    if len(hidden) == 0:
        return False
    if len(hidden) == 1:
        return True
    den = hidden["denominator"].sum()
    if den < threshold:
        return True
    if (hidden["unit"] != "mean").all():
        num = hidden["numerator"].sum()
        return bool(_small(num, threshold) or _small(den - num, threshold))
    return False


def secondary(frame: pd.DataFrame, hidden: np.ndarray, partition: Sequence[str], threshold: int) -> np.ndarray:
    """Hide the smallest visible cells of each partition until its hidden cells are safe."""
    hidden = hidden.copy()
    frame = frame.reset_index(drop=True)
    for _, cells in frame.groupby(list(partition), sort=False, dropna=False):
        index = cells.index.to_numpy()
        by_size = cells[cells["denominator"] > 0].sort_values(["denominator", "numerator"], kind="stable").index.to_numpy()
        while _unsafe(frame.loc[index[hidden[index]]], threshold):
            visible = [i for i in by_size if not hidden[i]]
            if not visible:
                break
            hidden[visible[0]] = True
    return hidden


def protect(frame: pd.DataFrame, partition: Sequence[str] | None = None, threshold: int = DEFAULT_THRESHOLD,
            mode: Mode = "workshop") -> pd.DataFrame:
    """Suppressed, display-ready figures.

    `frame` has unit, numerator, denominator (raw counts; for a mean, numerator is the sum of
    values). `partition` names the columns that identify one total whose cells (the rows
    sharing those columns) add up to it: pass it for breakdowns, leave it None for headlines
    and trends. Hidden cells lose numerator, denominator and value.
    """
    out = frame.reset_index(drop=True).copy()
    first = primary(out, threshold) if mode == "workshop" else np.zeros(len(out), dtype=bool)
    hidden = secondary(out, first, partition, threshold) if partition is not None else first
    den = out["denominator"].to_numpy(dtype=float)
    num = out["numerator"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(out["unit"] == "percent", 100 * num / den, np.where(out["unit"] == "mean", num / den, num))
    value = np.where(den > 0, value, np.nan)
    if mode == "workshop":
        value = np.where(out["unit"] == "percent", np.round(value), np.round(value, 1))
    out["value"] = np.where(hidden, np.nan, value)
    out["suppressed"] = hidden
    out["suppression"] = np.select([first, hidden], [PRIMARY, SECONDARY], "")
    for col in ("numerator", "denominator"):
        out[col] = pd.array(np.where(hidden, np.nan, out[col].to_numpy(dtype=float)), dtype="Int64")
    out.loc[out["unit"] == "mean", "numerator"] = pd.NA  # a sum of scores is not a figure people need
    few = (den < threshold) | ((out["unit"] != "mean").to_numpy() & _small(num, threshold))
    out["display"] = [display(u, v, s, f, threshold, mode) for u, v, s, f in
                      zip(out["unit"], out["value"], out["suppression"], few)]
    return out


def display(unit: str, value: float, suppression: str, few: bool = False,
            threshold: int = DEFAULT_THRESHOLD, mode: Mode = "workshop") -> str:
    """How a page shows one figure: "42%", "6.1", "fewer than 5", "suppressed" or "no data"."""
    if suppression:
        return f"fewer than {threshold}" if suppression == PRIMARY and few else "suppressed"
    if value is None or np.isnan(value):
        return "no data"
    if unit == "percent":
        return f"{value:.0f}%" if mode == "workshop" else f"{value:.1f}%"
    if unit == "mean":
        return f"{value:.1f}"
    return f"{value:,.0f}"


def count_text(count: int, threshold: int = DEFAULT_THRESHOLD, mode: Mode = "workshop") -> str:
    """A count of people for a screen: exact for the analyst, small ones hidden in workshop mode."""
    return f"{count:,}" if mode == "analyst" else protected_count(int(count), threshold, mode)[1]


def protected_count(count: int, threshold: int = DEFAULT_THRESHOLD, mode: Mode = "workshop") -> tuple[int | None, str]:
    """A count under the threshold rule: 1 to threshold - 1 is hidden ('fewer than 5') in workshop mode,
    0 is shown; analyst mode shows it exactly."""
    hidden = mode == "workshop" and 1 <= count < threshold
    return (None if hidden else int(count)), display("count", float(count), PRIMARY if hidden else "", hidden,
                                                     threshold, mode)
