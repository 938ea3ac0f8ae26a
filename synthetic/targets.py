"""What the synthetic OC3 return must reproduce, from DfE's published figures (cl_metrics.benchmarks).

For a twin of an authority: its own published counts per collection year and age group (17-18,
19-21): how many care leavers DfE counted, their activity (the EET breakdown, NEET by reason, not
known) and their accommodation's suitability (suitable, not, no information). A suppressed count
is filled from what is known: the published total it belongs to, less the published counts beside
it, shared out in the proportions its statistical neighbours published. Without a twin, England's
counts are the proportions and the store is scaled to the number of young people asked for.

Years outside DfE's published ones borrow the nearest published year. The counts per single age
(17, 18; 19, 20, 21) come from the group totals, split so that each birth cohort stays about the
same size from year to year.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cl_metrics import benchmarks

GROUPS = {"17-18": (17, 18), "19-21": (19, 20, 21)}
# DfE's published figures as a tree: each parent is the sum of its children.
TREE = {"total": ("eet", "neet", "activity_not_known"),
        "eet": ("higher_education", "other_education", "apprenticeship", "training_or_employment"),
        "neet": ("neet_illness", "neet_parenting", "neet_other"),
        "suitability_total": ("suitable", "unsuitable", "suitability_not_known")}
LEAVES = [leaf for parent in ("eet", "neet") for leaf in TREE[parent]] + ["activity_not_known",
                                                                          "suitable", "unsuitable", "suitability_not_known"]
SMALLEST_TOTAL = 3  # a suppressed total (1 to 5 young people) is taken as its middle


def apportion(total: int, weights, floors=None) -> np.ndarray:
    """`total` shared out in proportion to `weights` as whole numbers that sum to it exactly
    (largest remainder), each at least its floor (default 0) when the total allows."""
    weights = np.asarray(weights, dtype=float)
    floors = np.zeros(len(weights), dtype=int) if floors is None else np.asarray(floors, dtype=int)
    if total <= 0 or len(weights) == 0:
        return np.zeros(len(weights), dtype=int)
    if floors.sum() > total:  # not enough to go round: share it in proportion to the floors
        return apportion(total, floors)
    spare = total - floors.sum()
    share = weights / weights.sum() if weights.sum() > 0 else np.full(len(weights), 1.0 / len(weights))
    exact = share * spare
    counts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:spare - counts.sum()]] += 1
    return floors + counts


def _published_year(year: int) -> int:
    """DfE's year for `year`: itself, or the nearest one published."""
    years = benchmarks.years()
    return min(years, key=lambda y: (abs(y - year), -y))


def _neighbour_shares(code: str, year: int, age: str, measures) -> np.ndarray:
    """The statistical neighbours' mean published share (percent) of each measure; England's when no
    neighbour published one."""
    shares = []
    for measure in measures:
        values = [benchmarks.published(measure, age, year, area.code).value
                  for area, _ in benchmarks.neighbours(code)]
        values = [v for v in values if v is not None]
        england = benchmarks.published(measure, age, year, benchmarks.ENGLAND).value
        shares.append(np.mean(values) if values else (england or 0.0))
    return np.asarray(shares) + 0.01  # a share DfE printed as 0 can still take a suppressed 1


def _number(figure: benchmarks.Published) -> int | None:
    """A count as a number: 0 where DfE says not applicable (z), None where it hid it."""
    if figure.count.isdigit():
        return int(figure.count)
    return 0 if figure.count == "z" else None


def filled_counts(code: str, year: int, age: str) -> tuple[dict[str, int], set[str]]:
    """An area's published counts for one year and age group with every suppressed one filled in,
    and which were filled. Parents equal the sum of their children."""
    raw = {m: _number(benchmarks.published(m, age, year, code)) for m in [*TREE, *LEAVES]}
    filled = {m for m, v in raw.items() if v is None}
    for parent, children in TREE.items():  # a hidden parent whose children are all published
        if raw[parent] is None and all(raw[c] is not None for c in children):
            raw[parent] = sum(raw[c] for c in children)
    if raw["total"] is None:
        raw["total"] = raw["suitability_total"] if raw["suitability_total"] is not None else SMALLEST_TOTAL
    if raw["suitability_total"] is None:
        raw["suitability_total"] = raw["total"]
    raw["suitability_total"] = min(raw["suitability_total"], raw["total"])
    for parent, children in TREE.items():
        known = sum(raw[c] for c in children if raw[c] is not None)
        hidden = [c for c in children if raw[c] is None]
        if hidden:
            residual = max(raw[parent] - known, 0)
            share = apportion(residual, _neighbour_shares(code, year, age, hidden), [_floor(raw, c) for c in hidden])
            raw.update(zip(hidden, share.tolist()))
        raw[parent] = sum(raw[c] for c in children)  # published data can be inconsistent; children win
    return raw, filled


def _floor(raw: dict, measure: str) -> int:
    """The least a hidden count can be: 1 (DfE hides 1 to 5), or for a hidden subtotal its published
    parts plus 1 for each hidden part."""
    if measure not in TREE:
        return 1
    return sum(1 if raw[c] is None else raw[c] for c in TREE[measure])


@dataclass(frozen=True)
class Targets:
    """Counts the generated OC3 return reproduces: per (year, group) row, every measure of TREE."""
    area: benchmarks.Area | None  # None: England's proportions at the asked-for size
    counts: pd.DataFrame  # index (year, group); columns: total, eet, ..., suitability_not_known
    filled: frozenset[tuple[int, str, str]]  # (year, group, measure) filled in, not published
    per_age: dict[tuple[int, int], int]  # (year, age) -> young people counted
    pools: dict[int, int]  # birth cohort (the collection year of birth) -> young people generated

    @property
    def people(self) -> int:
        return sum(self.pools.values())


def twin(code: str, years, spare: float) -> Targets:
    """An authority's own counts, suppressed ones filled; cohorts as large as the counts need, plus
    `spare` (a share) for those the return does not count (qualifying, died, returned home)."""
    rows, filled = {}, set()
    for year in years:
        for group in GROUPS:
            counts, hidden = filled_counts(code, _published_year(year), group)
            rows[(year, group)] = counts
            filled |= {(year, group, m) for m in hidden}
    counts = pd.DataFrame.from_dict(rows, orient="index")
    per_age = _split_ages(counts, years)
    pools = _pools(per_age, years, spare)
    return Targets(benchmarks.areas()[code], counts, frozenset(filled), per_age, pools)


def england(people: int, years, spare: float) -> Targets:
    """England's counts as proportions, the cohorts scaled so that `people` young people are made."""
    shape = twin(benchmarks.ENGLAND, years, spare)
    cohorts = sorted(shape.pools)
    sizes = dict(zip(cohorts, apportion(people, [shape.pools[c] for c in cohorts])))
    per_age = {(y, a): min(int(round(n * sizes[y - a] / shape.pools[y - a])), int(sizes[y - a] * (1 - spare)))
               for (y, a), n in shape.per_age.items()}
    rows = {}
    for (year, group), published in shape.counts.iterrows():
        total = sum(per_age[(year, a)] for a in GROUPS[group])
        rows[(year, group)] = scaled(published, total)
    return Targets(None, pd.DataFrame.from_dict(rows, orient="index"), frozenset(), per_age,
                   {c: int(n) for c, n in sizes.items()})


def scaled(published: pd.Series, total: int) -> dict[str, int]:
    """Published counts scaled to `total`, every parent the sum of its children."""
    out = {"total": total}
    ghr = (published["total"] - published["suitability_total"]) / max(published["total"], 1)
    out["suitability_total"] = total - int(round(ghr * total))
    for parent, children in TREE.items():
        out.update(zip(children, apportion(out[parent], [published[c] for c in children]).tolist()))
    return out


def _split_ages(counts: pd.DataFrame, years) -> dict[tuple[int, int], int]:
    """Each group's total split over its single ages in proportion to the size of each age's birth
    cohort (estimated from every year that counts it), with 17-year-olds (only those who left care
    before 17) the share England's figures give them."""
    size: dict[int, list[float]] = {}
    seventeen = _seventeen_share()
    for year in years:
        older = counts.loc[(year, "19-21"), "total"] / 3
        for age in GROUPS["19-21"]:
            size.setdefault(year - age, []).append(older)
        younger = counts.loc[(year, "17-18"), "total"] / (1 + seventeen)
        for age in GROUPS["17-18"]:
            size.setdefault(year - age, []).append(younger)
    cohort = {c: float(np.mean(v)) for c, v in size.items()}
    per_age = {}
    for year in years:
        for group, ages in GROUPS.items():
            weights = [cohort[year - a] * (seventeen if a == 17 else 1.0) for a in ages]
            per_age.update(zip(((year, a) for a in ages), apportion(int(counts.loc[(year, group), "total"]), weights).tolist()))
    return per_age


def _seventeen_share() -> float:
    """17-year-old care leavers for every 18-year-old, from England's latest totals: the 17-18 total
    less a third of the 19-21 total (one year's cohort), over that third."""
    year = max(benchmarks.years())
    one_age = int(benchmarks.published("total", "19-21", year, benchmarks.ENGLAND).count) / 3
    both = int(benchmarks.published("total", "17-18", year, benchmarks.ENGLAND).count)
    return max(both - one_age, 0) / one_age


def _pools(per_age: dict[tuple[int, int], int], years, spare: float) -> dict[int, int]:
    """Young people to make per birth cohort: its largest count at any age in the window, plus the
    spare share; cohorts the window sees only at 16 or 22-25 as large as a typical one."""
    counted: dict[int, int] = {}
    for (year, age), n in per_age.items():
        counted[year - age] = max(counted.get(year - age, 0), n)
    typical = int(np.median(list(counted.values()))) if counted else 0
    first, last = min(years), max(years)
    cohorts = range(first - 25, last - 16 + 1)
    return {c: int(np.ceil(counted.get(c, typical) / (1 - spare))) + 2 for c in cohorts}
