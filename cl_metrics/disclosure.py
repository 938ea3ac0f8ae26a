"""Disclosure control: every figure passes `protect` (a count on its own, `protected_count`) on its way
out of cl_metrics.

Workshop mode (everyone but a signed-in analyst) applies the rules below. Analyst mode, which
cl_metrics.access grants to analysts only, shows exact figures: the person checking an import of
four young people needs to see four.

Primary: a cell is hidden when its denominator is below the threshold, or (for counts and
percentages) when its count, or the count of those it leaves out, is from 1 to threshold - 1,
since "3 of 40" and "37 of 40" disclose the same three young people. Zeros are shown, as DfE
shows them. Secondary: within a breakdown (a partition of one total) hidden cells are never
alone, never small together, and never all 'fewer than 5' at 4 each (two 4s under a total of 8
would be known), so none can be worked out by subtraction.

Rounding, after suppression (as DWP's and ONS's tables do): every count workshop mode shows is
rounded to the nearest 5 (`rounded`), so no exact count leaves cl_metrics in this mode and no
difference of shown counts pins a group of 1 to 4: a shown 10 may be 9 to 12. The lowest figure
shown covers every count up to twice the largest hidden one (threshold 5: 5 to 8 show as 5), since
a hidden count says 'at most 4' and two hidden groups making up a shown figure that starts at 8
would both be 4 (tests/test_disclosure_audit.py looks for such pins across everything). Each count
is rounded on its own, so parts need not add up to a total exactly. A raised threshold is never
undercut: no count is shown below the first multiple of 5 at or above it (threshold 7: 7 to 12
show as 10), so a shown figure never pins the edge of what is hidden. Percentages (and any share)
are whole numbers worked out from the rounded counts they divide, so a percentage tells a reader
nothing the rounded counts do not (a whole percentage of an exact small denominator could
otherwise pin its numerator). A mean keeps its denominator rule (hidden below the threshold; its
denominator shown rounded) and is worked out from exact values, to one decimal place.

The threshold can be raised, never lowered below 5 (`checked_threshold`): every entry point refuses less.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

DEFAULT_THRESHOLD = 5
ROUNDING_BASE = 5
Mode = Literal["workshop", "analyst"]
PRIMARY, SECONDARY = "primary", "secondary"


def checked_threshold(threshold: int) -> int:
    """The threshold, refused (ValueError) below the default: it can be raised, never lowered."""
    if threshold < DEFAULT_THRESHOLD:
        raise ValueError(f"the threshold can be raised, never lowered below {DEFAULT_THRESHOLD} (got {threshold})")
    return int(threshold)


def rounded(count, threshold: int = DEFAULT_THRESHOLD) -> np.ndarray:
    """Counts as workshop mode shows them once 1 to threshold - 1 are hidden: 0 stays 0, any other to the
    nearest 5 (a whole number is never halfway), except that every count up to twice the largest
    hidden one shows as the lowest shown figure (the first multiple of 5 at or above the threshold).

    Why the exception: two hidden groups are at most 2 x (threshold - 1) together. If a shown figure
    could start exactly there (nearest-5 rounding shows 8 to 12 as 10, and 4 + 4 = 8), two groups
    shown as 'fewer than 5' that make up a group shown as 10 would both be pinned at 4. With 5 to 8
    shown as 5 and 9 to 12 as 10, no shown figure starts where hidden ones can reach."""
    count = np.asarray(count, dtype=float)
    nearest = ROUNDING_BASE * np.floor(count / ROUNDING_BASE + 0.5)
    lowest = ROUNDING_BASE * np.ceil(threshold / ROUNDING_BASE)
    shown = np.where(count <= 2 * (threshold - 1), lowest, np.maximum(nearest, lowest))
    return np.where(count == 0, 0.0, shown)


def rule_text(threshold: int = DEFAULT_THRESHOLD) -> str:
    """Workshop mode's rule in words, for a page's caption."""
    lowest = int(rounded(threshold, threshold))
    return (f"Counts from 1 to {threshold - 1} show as 'fewer than {threshold}', and figures that would give them "
            f"away are hidden; every other count is rounded to the nearest {ROUNDING_BASE} ({threshold} to "
            f"{2 * (threshold - 1)} show as {lowest}), and percentages are worked out from the rounded counts.")


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


def _all_at_the_limit(hidden: pd.DataFrame, threshold: int) -> bool:
    """Whether every hidden cell shows as 'fewer than T' and holds T - 1 (in its denominator, or in its
    numerator): a reader who knows their total is at least k(T - 1), as a rounded total of 10 says of
    two such cells (8 to 12), would know each one."""
    den, num = hidden["denominator"], hidden["numerator"]
    counted = hidden["unit"] != "mean"
    few = (den < threshold) | (counted & _small(num, threshold))
    limit = threshold - 1
    return bool(few.all() and (((den < threshold) & (den == limit)).all() or (counted & (num == limit)).all()))


def _unsafe(hidden: pd.DataFrame, threshold: int) -> bool:
    """Whether the hidden cells of one partition could still be told apart or are small together."""
    if len(hidden) == 0:
        return False
    if len(hidden) == 1 or _all_at_the_limit(hidden, threshold):
        return True
    den = hidden["denominator"].sum()
    if den < threshold:
        return True
    if (hidden["unit"] != "mean").all():
        num = hidden["numerator"].sum()
        return bool(_small(num, threshold) or _small(den - num, threshold))
    return False


def secondary(frame: pd.DataFrame, hidden: np.ndarray, partition: Sequence[str],
              threshold: int) -> tuple[np.ndarray, np.ndarray]:
    """Hide the smallest visible cells of each partition until its hidden cells are safe.

    Returns the hidden cells, and those that must not say 'fewer than T' (shown as 'suppressed'):
    one cell of a partition hidden whole whose cells are all at the limit, as no other can be hidden."""
    hidden, unlabelled = hidden.copy(), np.zeros(len(hidden), dtype=bool)
    frame = frame.reset_index(drop=True)
    for _, cells in frame.groupby(list(partition), sort=False, dropna=False):
        index = cells.index.to_numpy()
        by_size = cells[cells["denominator"] > 0].sort_values(["denominator", "numerator"], kind="stable").index.to_numpy()
        while _unsafe(frame.loc[index[hidden[index]]], threshold):
            visible = [i for i in by_size if not hidden[i]]
            if not visible:
                unlabelled[by_size[:1]] = _all_at_the_limit(frame.loc[by_size], threshold)
                break
            hidden[visible[0]] = True
    return hidden, unlabelled


def protect(frame: pd.DataFrame, partition: Sequence[str] | None = None, threshold: int = DEFAULT_THRESHOLD,
            mode: Mode = "workshop") -> pd.DataFrame:
    """Suppressed, display-ready figures: in workshop mode counts rounded and percentages worked out from them.

    `frame` has unit, numerator, denominator (raw counts; for a mean, numerator is the sum of
    values). `partition` names the columns that identify one total whose cells (the rows
    sharing those columns) add up to it: pass it for breakdowns, leave it None for headlines
    and trends. Hidden cells lose numerator, denominator and value.
    """
    threshold = checked_threshold(threshold)
    out = frame.reset_index(drop=True).copy()
    workshop = mode == "workshop"
    first = primary(out, threshold) if workshop else np.zeros(len(out), dtype=bool)
    hidden, unlabelled = (secondary(out, first, partition, threshold) if partition is not None
                          else (first, np.zeros(len(out), dtype=bool)))
    den = out["denominator"].to_numpy(dtype=float)
    num = out["numerator"].to_numpy(dtype=float)
    mean = (out["unit"] == "mean").to_numpy()
    shown_den = rounded(den, threshold) if workshop else den
    shown_num = np.where(mean, num, rounded(num, threshold)) if workshop else num  # a sum of scores is no count
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(out["unit"] == "percent", 100 * shown_num / shown_den,
                         np.where(mean, num / den, shown_num))
    value = np.where(den > 0, value, np.nan)
    if workshop:
        value = np.where(out["unit"] == "percent", np.round(value), np.round(value, 1))
    out["value"] = np.where(hidden, np.nan, value)
    out["suppressed"] = hidden
    out["suppression"] = np.select([first, hidden], [PRIMARY, SECONDARY], "")
    for col, shown in (("numerator", shown_num), ("denominator", shown_den)):
        out[col] = pd.array(np.where(hidden, np.nan, shown), dtype="Int64")
    out.loc[mean, "numerator"] = pd.NA  # a sum of scores is not a figure people need
    few = ((den < threshold) | (~mean & _small(num, threshold))) & ~unlabelled
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
    """A count of people for a screen: exact for the analyst; hidden when small, else rounded, in workshop mode."""
    return protected_count(count, threshold, mode)[1]


def protected_count(count: int, threshold: int = DEFAULT_THRESHOLD, mode: Mode = "workshop") -> tuple[int | None, str]:
    """A count under the threshold rule, as (figure, text): in workshop mode 1 to threshold - 1 is hidden
    ('fewer than 5'), 0 is shown and any other count rounded; analyst mode shows it exactly."""
    threshold, count = checked_threshold(threshold), int(count)
    hidden = mode == "workshop" and 1 <= count < threshold
    shown = None if hidden else int(rounded(count, threshold)) if mode == "workshop" else count
    return shown, display("count", np.nan if shown is None else float(shown), PRIMARY if hidden else "", hidden,
                          threshold, mode)
