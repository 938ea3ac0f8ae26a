"""Mistakes real returns carry, made on purpose, so Data quality and the rules have something to show.

A declared share of young person-years (header rows; calibration.toml, `error_share`) each breaks
one of the rules in cl_metrics/rules/registry.toml the way real files do: codes that do not go
together (died with an activity, staying put or a foyer at 17, an OC3 row at 16, a mother who is
male), dates that cannot be (an episode or a missing spell ending before it starts), and tables
that disagree (a date of birth differing by a day, an OC3 row with no header row, the same review
twice). Each error keeps DfE's OC3 figures as they were: nothing is moved between the categories
DfE counts. `--clean` builds the same store without them; the errors have their own random
stream, so the records they leave alone are the same either way.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from cl_metrics.rules import in_force
from synthetic.calibration import target
from synthetic.sampling import DAY, age_in_year, as_days, collection_year

def person_year(frame: pd.DataFrame) -> np.ndarray:
    """One number per young person-year (the internal person number and the year), for fast matching."""
    return frame["pid"].to_numpy(dtype=np.int64) * 10_000 + frame["collection_year"].to_numpy(dtype=np.int64)


def add_errors(rng: np.random.Generator, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables (still keyed by `pid`) with the declared share of young person-years made wrong,
    one rule broken each."""
    wanted = int(round(target("error_share") * len(tables["header"])))
    mix = target("error_mix")
    used = np.zeros(0, dtype=np.int64)
    for rule, make in _MAKERS.items():
        candidates = make(tables, None)
        keys = person_year(candidates)
        _, first = np.unique(keys, return_index=True)  # one row per person-year
        free = np.sort(first[~pd.Index(keys[first]).isin(used)])
        quota = min(int(round(wanted * mix[rule] / sum(mix.values()))), len(free), wanted - len(used))
        if quota <= 0:
            continue
        chosen = candidates.iloc[np.sort(free[rng.choice(len(free), quota, replace=False)])]
        make(tables, (rng, chosen))
        used = np.concatenate([used, person_year(chosen)])
    return tables


def _oc3_age(oc3: pd.DataFrame) -> np.ndarray:
    return age_in_year(as_days(oc3["DOB"]), oc3["collection_year"].to_numpy())


def _died_with_activity(tables, apply):
    """Rule 344: died or returned home, but an activity and accommodation recorded."""
    oc3 = tables["oc3"]
    if apply is None:
        return oc3[oc3["IN_TOUCH"].isin(["DIED", "RHOM"])]
    rng, chosen = apply
    oc3.loc[chosen.index, ["ACTIV", "ACCOM"]] = ["G5", "U1"]


def _letter_at_17(letter: str, rule: str):
    """Rules 3001 and 347: staying put (Z) or a foyer (T) at 17; suitability as it was."""
    def make(tables, apply):
        oc3 = tables["oc3"]
        if apply is None:
            accom = oc3["ACCOM"].fillna("0").astype(str)
            years = oc3["collection_year"].isin([y for y in oc3["collection_year"].unique() if in_force(rule, y)])
            return oc3[(_oc3_age(oc3) == 17) & ~accom.str[0].isin(["0", "G", "H", "R", letter]) & years]
        _, chosen = apply
        oc3.loc[chosen.index, "ACCOM"] = letter + chosen["ACCOM"].str[1]
    return make


def _oc3_at_16(tables, apply):
    """Rule 391: an OC3 row for a 16-year-old (returned a year early)."""
    header = tables["header"]
    if apply is None:
        ages = age_in_year(as_days(header["DOB"]), header["collection_year"].to_numpy())
        return header[(ages == 16) & ~pd.Index(person_year(header)).isin(person_year(tables["oc3"]))]
    _, chosen = apply
    rows = chosen[["pid", "CHILD", "DOB", "collection_year"]].assign(IN_TOUCH="YES", ACTIV="F2", ACCOM="D1")
    tables["oc3"] = pd.concat([tables["oc3"], rows], ignore_index=True)


def _with_oc3(tables) -> pd.DataFrame:
    header = tables["header"]
    return header[pd.Index(person_year(header)).isin(person_year(tables["oc3"]))]


def _dob_differs(tables, apply):
    """Our rule dob_differs: the header's date of birth a day out from OC3's (never across 1 April,
    so no age changes)."""
    if apply is None:
        return _with_oc3(tables)
    _, chosen = apply
    dob = as_days(chosen["DOB"])
    later = dob + DAY
    tables["header"].loc[chosen.index, "DOB"] = np.where(collection_year(later) == collection_year(dob), later, dob - DAY)


def _no_header(tables, apply):
    """Our rule oc3_without_header: an OC3 row whose header row for the year is missing."""
    if apply is None:
        return _with_oc3(tables)
    _, chosen = apply
    tables["header"] = tables["header"][~tables["header"].index.isin(chosen.index)]


def _male(tables) -> pd.DataFrame:
    header = tables["header"]
    return header[header["SEX"].astype(str).isin(["1", "M"])]


def _male_mother(tables, apply):
    """Rule 165 (mother_not_female): MOTHER recorded for a young man."""
    if apply is None:
        return _male(tables)
    _, chosen = apply
    tables["header"].loc[chosen.index, "MOTHER"] = 1


def _ends_before_start(table: str, start: str, end: str, where):
    """Our rules episode_ends_before_start and missing_ends_before_start: the end typed before the start."""
    def make(tables, apply):
        frame = tables[table]
        if apply is None:
            return frame[frame[end].notna() & where(frame)]
        rng, chosen = apply
        frame.loc[chosen.index, end] = as_days(chosen[start]) - rng.integers(1, 30, len(chosen)) * DAY
    return make


def _twice(tables, apply):
    """Our rule exact_duplicate: the same review sent twice."""
    if apply is None:
        return tables["reviews"]
    _, chosen = apply
    tables["reviews"] = pd.concat([tables["reviews"], chosen], ignore_index=True)


# rule -> a function that, given no choice, returns the rows it can break (one per person-year at
# most counts), and given (rng, chosen rows), breaks them.
_MAKERS = {
    "344": _died_with_activity,
    "3001": _letter_at_17("Z", "3001"),
    "347": _letter_at_17("T", "347"),
    "391": _oc3_at_16,
    "dob_differs": _dob_differs,
    "oc3_without_header": _no_header,
    "mother_not_female": _male_mother,
    # a transfer between placements, never the episode that ends care (its end date says who can stay put)
    "episode_ends_before_start": _ends_before_start("episodes", "DECOM", "DEC", lambda f: f["REC"] == "X1"),
    "missing_ends_before_start": _ends_before_start("missing", "MIS_START", "MIS_END", lambda f: True),
    "exact_duplicate": _twice,
}
