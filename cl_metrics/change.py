"""The Overview's cards: each figure with its change since last year, its small trend and, for analysts,
'n of N'; narrowed to an age band or an adviser team when a reader asks.

Every figure here has passed disclosure control. The change compares the figures a reader is shown
in both years (in workshop mode the rounded ones), so it tells nothing those two figures do not; a
figure hidden, or missing, in either year has no comparison. Filters narrow the young people counted
first, and disclosure control applies to what is left.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from cl_metrics import differencing, memo, views
from cl_metrics.disclosure import DEFAULT_THRESHOLD, Mode
from cl_metrics.domains import Domain
from cl_metrics.indicators import Indicator, compute
from cl_metrics.indicators.model import Condition

# A change no bigger than this, either way, is 'about the same' (percentages: percentage points).
ABOUT_THE_SAME = {"percent": 2.0, "mean": 0.2, "count": 5.0}
AMOUNT_WORDS = {"percent": " percentage points", "mean": "", "count": ""}
# What a change means, by the indicator's `better` and the change's sign.
WORDS = {("higher", 1): "improved", ("higher", -1): "worse", ("lower", 1): "worse", ("lower", -1): "improved",
         ("neither", 1): "higher", ("neither", -1): "lower"}
SAME, NO_COMPARISON = "about the same", "no comparison"
ARROWS = {1: "▲", -1: "▼", 0: "►"}
TONES = {"improved": "green", "worse": "red"}  # a card's colour for the change; the words say it too
# The Overview's filters: breakdown dimensions (compute.DIMENSIONS) a reader may narrow every card to.
FILTERS = ("age_band", "adviser_team")


def rule_text() -> str:
    """The 'about the same' rule in words, for the page and the report."""
    return ("Change is this year's figure against last year's, as shown. 'About the same' means within "
            f"{ABOUT_THE_SAME['percent']:g} percentage points (averages: within {ABOUT_THE_SAME['mean']:g}); "
            "'improved' and 'worse' follow whether higher or lower is better for that indicator. "
            "A figure hidden or missing in either year has no comparison.")


def filter_options(con) -> dict[str, list[str]]:
    """Each filter's values in the store, for the Overview's pickers."""
    return {dimension: [row[0] for row in con.execute(
        f'SELECT DISTINCT "{compute.DIMENSIONS[dimension][0]}" FROM person_year '
        f'WHERE "{compute.DIMENSIONS[dimension][0]}" IS NOT NULL ORDER BY 1').fetchall()] for dimension in FILTERS}


def scope(filters: Mapping[str, str | None]) -> tuple[Condition, ...]:
    """The chosen filters (dimension -> value, None for all) as conditions on person_year."""
    return tuple(Condition(field=compute.DIMENSIONS[dimension][0], op="in", values=(value,))
                 for dimension, value in filters.items() if value is not None)


def scope_text(filters: Mapping[str, str | None]) -> str:
    """Whom the figures count, in words: 'all care leavers' or 'age band 19-21, personal adviser team North'."""
    chosen = [f"{compute.DIMENSIONS[d][1].lower()} {v}" for d, v in filters.items() if v is not None]
    return ", ".join(chosen) if chosen else "all care leavers"


@memo.by_records
def _history(con, mode: Mode, threshold: int, indicators: Sequence[Indicator], alongside: Sequence[Indicator],
             within: Sequence[Condition]) -> pd.DataFrame:
    """Every shown indicator's protected figure in every year the store holds."""
    years = compute.years(con)
    trend = compute.trend(con, indicators, years, within, mode, threshold)
    return differencing.guard(con, trend, indicators, alongside, years, mode, threshold)


def history(con, mode: Mode = "workshop", threshold: int = DEFAULT_THRESHOLD,
            filters: Mapping[str, str | None] | None = None) -> pd.DataFrame:
    """The shown indicators' protected figures by year (indicator_id, collection_year, value, display, ...)."""
    indicators, _ = views.on_show(con)
    return _history(con, mode, threshold, indicators, views.saved_alongside(con), scope(filters or {}))


def change(value: float, previous: float, unit: str, better: str) -> tuple[int, str]:
    """The direction (1 up, -1 down, 0 about the same) and the word for a move from `previous` to
    `value`; (0, 'no comparison') when either is missing."""
    if pd.isna(value) or pd.isna(previous):
        return 0, NO_COMPARISON
    moved = float(value) - float(previous)
    if abs(moved) <= ABOUT_THE_SAME[unit]:
        return 0, SAME
    sign = 1 if moved > 0 else -1
    return sign, WORDS[(better, sign)]


def change_text(value: float, previous: float, display: str, previous_display: str, unit: str, word: str,
                sign: int, year: int) -> str:
    """A change in words with its arrow: '▲ improved: up 6 percentage points since 2024 (40%)'."""
    if word == NO_COMPARISON:
        why = f"{display} this year" if pd.isna(value) else f"{previous_display or 'no figure'} in {year}"
        return f"No comparison with {year} ({why})"
    moved = round(float(value) - float(previous), 1)
    if not moved:
        return f"{ARROWS[sign]} {word}: no change since {year} ({previous_display})"
    amount = f"{abs(moved):g}{AMOUNT_WORDS[unit]}".replace("points", "point" if abs(moved) == 1 else "points")
    return f"{ARROWS[sign]} {word}: {'up' if moved > 0 else 'down'} {amount} since {year} ({previous_display})"


def count_of(numerator, denominator, unit: str) -> str:
    """'n of N young people' for an analyst (a mean: 'of N young people'); '' when hidden."""
    if pd.isna(denominator) or not denominator:
        return ""
    if unit == "mean" or pd.isna(numerator):
        return f"of {int(denominator):,} young people"
    return f"{int(numerator):,} of {int(denominator):,} young people"


def with_change(figures: pd.DataFrame, past: pd.DataFrame, year: int, mode: Mode) -> pd.DataFrame:
    """`figures` (one year's, from views) with last year's figure, the change, the trend up to `year`
    (`trend`: a list of values, None where hidden) and, in analyst mode, `count_of`."""
    before = past[past["collection_year"] == year - 1].set_index("indicator_id")
    up_to = past[past["collection_year"] <= year].sort_values("collection_year")
    trends = {i: [None if pd.isna(v) else float(v) for v in group["value"]] for i, group in up_to.groupby("indicator_id")}
    years = sorted(up_to["collection_year"].unique().tolist())
    out = figures.copy()
    out["previous"] = out["indicator_id"].map(before["value"]) if len(before) else np.nan
    out["previous_display"] = out["indicator_id"].map(before["display"]).fillna("") if len(before) else ""
    moves = [change(v, p, u, b) for v, p, u, b in zip(out["value"], out["previous"], out["unit"], out["better"])]
    out["change_sign"] = [sign for sign, _ in moves]
    out["change_word"] = [word for _, word in moves]
    out["change_tone"] = [TONES.get(word, "gray") for _, word in moves]
    out["change_label"] = [f"{ARROWS[sign]} {word}" if word != NO_COMPARISON else word for sign, word in moves]
    out["change_text"] = [change_text(v, p, d, pd_, u, w, s, year - 1) for v, p, d, pd_, u, (s, w) in
                          zip(out["value"], out["previous"], out["display"], out["previous_display"], out["unit"],
                              moves)]
    out["trend"] = [trends.get(i, []) for i in out["indicator_id"]]
    out["trend_years"] = [years] * len(out)
    out["count_of"] = ([count_of(n, d, u) for n, d, u in zip(out["numerator"], out["denominator"], out["unit"])]
                       if mode == "analyst" else "")
    return out


def overview(con, year: int, mode: Mode = "workshop", threshold: int = DEFAULT_THRESHOLD,
             compare: str | None = None,
             filters: Mapping[str, str | None] | None = None) -> list[tuple[Domain, pd.DataFrame]]:
    """The domains in order, each with its indicators' cards: views.overview's figures and comparators,
    with the change since last year, the trend and (analyst mode) 'n of N'."""
    filters = dict(filters or {})
    past = history(con, mode, threshold, filters)
    return [(domain, with_change(table, past, year, mode))
            for domain, table in views.overview(con, year, mode, threshold, compare, scope(filters))]

