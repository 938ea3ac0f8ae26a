"""Differencing: a candidate's figure hidden when subtracting it from another figure reveals a few people.

`disclosure.protect` judges each figure alone. A candidate defined in the lab can sit next to another
indicator a reader can also see whose counted group differs from it by only a few young people
("NEET, aged 19-21" and "NEET, aged 19-21, not UASC" when 3 are UASC): subtract one from the other
and those few are disclosed. The counts a figure publishes are its denominator and, for a count or
percentage, its numerator and the rest of its denominator (as `protect` treats them). A candidate
is exposed, in a year, when one of its published counts and one of another visible indicator's are
nested (one group holds the other) and differ by 1 to threshold - 1 young people.

Only candidates (indicators that are not built in) are checked, against built-ins and candidates
alike. Built-in against built-in is out of scope: the built-ins are the published set, reviewed as a
whole. For the same reason a candidate group identical to a built-in's group adds nothing new and is
not held against the candidate; and a figure already hidden by `protect` can be subtracted from nothing.

Workshop mode hides an exposed candidate's figure (suppression "differencing", shown as
"suppressed"). Analyst mode shows it and says why it would be hidden: staff may already see records
themselves, and the lab is where they need to see a candidate's figure to judge it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cl_metrics.disclosure import DEFAULT_THRESHOLD, Mode, checked_threshold, display, primary
from cl_metrics.indicators import Indicator, builtin
from cl_metrics.indicators.compiler import Conditions, Sql, column, in_years

DIFFERENCING = "differencing"
# Where a row sits for one candidate: outside its denominator, in its numerator, or in the rest of it.
OUTSIDE, COUNTED, REST = 0, 1, 2
# The candidate's published counts as sets of those places.
PLACES = {"denominator": (COUNTED, REST), "numerator": (COUNTED,), "rest": (REST,)}


@dataclass(frozen=True)
class Exposure:
    """A candidate's figure that, subtracted from `other_title`'s, reveals `people` young people."""
    indicator_id: str
    year: int
    other_id: str
    other_title: str
    people: int

    def reason(self, threshold: int = DEFAULT_THRESHOLD) -> str:
        return f"could be subtracted from '{self.other_title}' to reveal fewer than {threshold} young people"


def _published(ind: Indicator, conditions: Conditions) -> dict[str, str]:
    """The indicator's published counts as SQL over the inner query's condition columns."""
    population = conditions.name(ind.population)
    if ind.unit == "mean":
        return {"denominator": f"({population} AND {column(ind.value_field)} IS NOT NULL)"}
    numerator = conditions.name(ind.numerator)
    return {"denominator": population, "numerator": f"({population} AND {numerator})",
            "rest": f"({population} AND {numerator} IS NOT TRUE)"}


def _place(ind: Indicator, conditions: Conditions) -> str:
    """Which of OUTSIDE, COUNTED, REST a row is for the candidate (a mean counts no one: all REST)."""
    population = conditions.name(ind.population)
    if ind.unit == "mean":
        return f"CASE WHEN {population} AND {column(ind.value_field)} IS NOT NULL THEN {REST} ELSE {OUTSIDE} END"
    return (f"CASE WHEN {population} THEN CASE WHEN {conditions.name(ind.numerator)} THEN {COUNTED} "
            f"ELSE {REST} END ELSE {OUTSIDE} END")


def _overlaps(con, candidates: Sequence[Indicator], others: Sequence[Indicator],
              years: Sequence[int]) -> tuple[pd.DataFrame, list[dict[str, int]]]:
    """One scan: rows grouped by year and each candidate's place, counting each other published group.

    Returns the grouped counts (columns collection_year, p0.., size, g0..) and, per other indicator,
    the number of the g column holding each of its published counts."""
    conditions = Conditions()
    places = [_place(ind, conditions) for ind in candidates]
    groups: dict[str, int] = {}  # SQL of a published group -> its number, each group counted once
    published = [{kind: groups.setdefault(sql, len(groups)) for kind, sql in _published(ind, conditions).items()}
                 for ind in others]
    values = [column(ind.value_field) for ind in [*candidates, *others] if ind.unit == "mean"]
    outer = [f"{place} AS p{i}" for i, place in enumerate(places)]
    outer += ["count(*) AS size", *(f"count_if({sql}) AS g{number}" for sql, number in groups.items())]
    keys = ", ".join(str(k) for k in range(1, len(places) + 2))
    query = (Sql(f"SELECT collection_year, {', '.join(outer)} FROM (")
             + conditions.inner_select(["collection_year", *values], in_years(years)) + Sql(f") GROUP BY {keys}"))
    return con.execute(query.text, query.params).df(), published


def exposures(con, candidates: Sequence[Indicator], visible: Sequence[Indicator], years: Sequence[int],
              threshold: int = DEFAULT_THRESHOLD) -> list[Exposure]:
    """Every (candidate, year, other) whose subtraction reveals 1 to threshold - 1 young people.

    `visible` is what else a reader can see beside the built-ins, which always can be (saved
    candidates, the candidates themselves); each candidate is checked against all of them but itself,
    a saved version of a draft too (until the draft is saved, both can be seen). One SQL pass
    whatever the number of indicators. Ordered by candidate, year, then fewest people revealed."""
    threshold = checked_threshold(threshold)
    builtins = set(builtin())
    candidates = [ind for ind in dict.fromkeys(candidates) if ind not in builtins]
    others = list(dict.fromkeys([*builtin(), *visible]))
    if not candidates or not years:
        return []
    counts, published = _overlaps(con, candidates, others, years)
    group_columns = [f"g{number}" for number in range(1 + max(max(p.values()) for p in published))]
    found = []
    for year, rows in counts.groupby("collection_year"):
        # People in each published group, per row group (DuckDB's count_if is NULL when all it sees is NULL).
        within = rows[group_columns].fillna(0).to_numpy(dtype=np.int64)
        sizes = within.sum(axis=0)
        readable = ~primary(pd.DataFrame({"unit": [o.unit for o in others],
                                          "numerator": [sizes[p["numerator"]] if "numerator" in p else 0
                                                        for p in published],
                                          "denominator": [sizes[p["denominator"]] for p in published]}), threshold)
        published_builtin = [g for j, o in enumerate(others) if o in builtins and readable[j]
                             for g in published[j].values()]
        for i, ind in enumerate(candidates):
            place, people = rows[f"p{i}"].to_numpy(), rows["size"].to_numpy()
            found += _exposed(ind, int(year), place, people, within, others, published, readable,
                              published_builtin, threshold)
    return found


def _exposed(ind: Indicator, year: int, place: np.ndarray, people: np.ndarray, within: np.ndarray,
             others: Sequence[Indicator], published: list[dict[str, int]], readable: np.ndarray,
             published_builtin: list[int], threshold: int) -> list[Exposure]:
    """One candidate's exposures in one year, from row groups by its place: their people and, for
    each, how many are in each other published group."""
    kinds = ["denominator"] if ind.unit == "mean" else list(PLACES)
    inside = {kind: np.isin(place, PLACES[kind]) for kind in kinds}
    size = {kind: int(people[mask].sum()) for kind, mask in inside.items()}
    alone = pd.DataFrame({"unit": [ind.unit], "numerator": [size.get("numerator", 0)],
                          "denominator": [size["denominator"]]})
    if primary(alone, threshold)[0]:
        return []  # already hidden on its own
    sizes, found = within.sum(axis=0), {}
    for kind, mask in inside.items():
        both = within[mask].sum(axis=0)
        ours, theirs = size[kind] - both, sizes - both
        if ((ours == 0) & (theirs == 0))[published_builtin].any():
            continue  # the same young people as a built-in figure: nothing new to subtract
        revealed = np.maximum(ours, theirs)
        risky = (np.minimum(ours, theirs) == 0) & (revealed >= 1) & (revealed < threshold)
        for j, other in enumerate(others):
            for g in published[j].values():
                if risky[g] and readable[j] and other != ind:
                    found[j] = min(int(revealed[g]), found.get(j, threshold))
    return sorted((Exposure(ind.id, year, others[j].id, others[j].title, n) for j, n in found.items()),
                  key=lambda e: e.people)


def guard(con, figures: pd.DataFrame, shown: Sequence[Indicator], alongside: Sequence[Indicator],
          years: Sequence[int], mode: Mode = "workshop", threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Protected `figures` of `shown` (one row per indicator, or per indicator and collection_year)
    with differencing applied to the candidates among them, against the built-ins, `shown` and
    `alongside`. Adds `caution`: why a figure is (in workshop mode) or would be hidden, else ''."""
    out = figures.reset_index(drop=True).copy()
    found = exposures(con, shown, [*shown, *alongside], years, threshold)
    first = {}
    for exposure in found:
        first.setdefault((exposure.indicator_id, exposure.year), exposure)
    year = out["collection_year"] if "collection_year" in out else pd.Series(years[0], index=out.index)
    reasons = [first[key].reason(threshold) if key in first else "" for key in zip(out["indicator_id"], year)]
    out["caution"] = reasons
    hidden = (out["caution"] != "").to_numpy() & (mode == "workshop")
    if hidden.any():
        out.loc[hidden, "value"] = np.nan
        out.loc[hidden, ["numerator", "denominator"]] = pd.NA
        out.loc[hidden, ["suppressed", "suppression", "display"]] = [True, DIFFERENCING,
                                                                     display("count", np.nan, DIFFERENCING)]
    return out
