"""Vectorised sampling helpers: dates, ranks and categories for millions of rows at once.

Calibrated outcomes are assigned by rank, not by coin flips: within each stratum the rows are
ordered by a latent score (adversity plus noise) and cut at the target shares. The shares come
out exact whatever N is, and the outcomes stay correlated through the shared latent score.
"""
from __future__ import annotations

import numpy as np

DAY = np.timedelta64(1, "D")


def as_days(dates) -> np.ndarray:
    """Dates at day resolution (pandas hands back seconds, which would break day arithmetic)."""
    return np.asarray(dates).astype("datetime64[D]")


def year_of(dates: np.ndarray) -> np.ndarray:
    return as_days(dates).astype("datetime64[Y]").astype(int) + 1970


def month_of(dates: np.ndarray) -> np.ndarray:
    return as_days(dates).astype("datetime64[M]").astype(int) % 12 + 1


def add_years(dates: np.ndarray, years: int | np.ndarray) -> np.ndarray:
    """Same month and day `years` later (29 February rolls to 1 March)."""
    dates = as_days(dates)
    months = dates.astype("datetime64[M]")
    days = (dates - months.astype("datetime64[D]")).astype(int)
    shifted = (months + np.asarray(years) * 12).astype("datetime64[D]")
    return shifted + days * DAY


def collection_year(dates: np.ndarray) -> np.ndarray:
    """The return year (ending 31 March) that a date falls in."""
    return year_of(dates) + (month_of(dates) >= 4)


def age_in_year(dob: np.ndarray, year: np.ndarray | int) -> np.ndarray:
    """Age at the birthday that falls within the collection year (DfE's OC3 rule)."""
    return np.asarray(year) - year_of(dob) - (month_of(dob) >= 4)


def year_bounds(year: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
    """First (1 April) and last (31 March) day of a collection year."""
    y = np.asarray(year)
    start = (y - 1 - 1970).astype("datetime64[Y]").astype("datetime64[M]") + 3
    end = (y - 1970).astype("datetime64[Y]").astype("datetime64[M]") + 3
    return start.astype("datetime64[D]"), end.astype("datetime64[D]") - 1


def random_dates(rng: np.random.Generator, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """A uniform date in [start, end] per row (end before start gives start)."""
    start, end = as_days(start), as_days(end)
    span = np.maximum((end - start).astype(int), 0)
    return start + np.floor(rng.random(len(span)) * (span + 1)).astype(int) * DAY


def choice(rng: np.random.Generator, values: list, weights: list[float], size: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return np.asarray(values)[rng.choice(len(values), size=size, p=p / p.sum())]


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def rank_within(groups: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Each row's position within its group, as a fraction in [0, 1), ordered by score."""
    order = np.lexsort((score, groups))
    sorted_groups = groups[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_groups)) + 1]
    sizes = np.diff(np.r_[starts, len(order)])
    position = np.arange(len(order)) - np.repeat(starts, sizes)
    frac = np.empty(len(order))
    frac[order] = (position + 0.5) / np.repeat(sizes, sizes)
    return frac


def cut(frac: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Category index for each fractional rank, given per-row cumulative-share boundaries.

    `shares` is (rows, k) or (k,): the share of each of k categories, lowest rank first.
    """
    bounds = np.cumsum(np.atleast_2d(shares), axis=1)
    return (frac[:, None] >= bounds[:, :-1]).sum(axis=1) if bounds.shape[0] > 1 else np.searchsorted(bounds[0][:-1], frac, side="right")


def top_share(rng: np.random.Generator, score: np.ndarray, share: float, groups: np.ndarray | None = None) -> np.ndarray:
    """True for exactly the highest-scoring `share` of rows (within each group)."""
    groups = np.zeros(len(score), dtype=np.int64) if groups is None else groups
    return rank_within(groups, score + 1e-9 * rng.random(len(score))) >= 1 - share


def take_top(groups: np.ndarray, score: np.ndarray, want: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """True for the `want[g]` highest-scoring eligible rows of each group g (all of them when fewer):
    exact counts, whatever the number of rows, ties broken by position."""
    chosen = np.zeros(len(groups), dtype=bool)
    rows = np.flatnonzero(eligible)
    if not len(rows):
        return chosen
    order = rows[np.lexsort((-score[rows], groups[rows]))]
    sorted_groups = groups[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_groups)) + 1]
    position = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    chosen[order[position < np.asarray(want)[sorted_groups]]] = True
    return chosen
