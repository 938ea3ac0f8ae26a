"""The OC3 return: in touch, activity and accommodation for every care leaver the year's return has.

Per collection year and age group the counts are DfE's (synthetic/targets.py): how many are in
each activity (higher education, other education, apprenticeship, training or employment, not in
EET for illness, parenting or other reasons, not known) and whose accommodation is suitable, not
suitable, not known, or left out of the suitability figures (gone abroad, deported, residence not
known). Who gets which is decided by scores: lasting propensities, this year's strain, the adviser
team, UASC, and above all last year's situation, so a student stays a student (with the published
continuation rate), an out-of-touch young person tends to stay out of touch, and most keep their
accommodation. Years are made in order so each can look at the one before.

The codes follow the year's own spec: training or employment is F3/P3 until 2020-21, then F5/P5
beside apprenticeships' F4/P4; never Z (staying put) or, from 2023-24, T (foyer) at 17; S and X
only with 2. Gone abroad and deported are only given to young people who were UASC.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cl_metrics.spec import year_spec
from synthetic.calibration import mix, target, team_effect
from synthetic.people import Window
from synthetic.sampling import choice, take_top, year_bounds
from synthetic.targets import GROUPS, TREE, Targets, apportion, scaled

GROUP_NAMES = ("17-18", "19-21", "22-25")
# Activities in the order they are chosen; other education takes whoever remains.
ACTIVITIES = ("neet_parenting", "neet_illness", "higher_education", "neet_other", "apprenticeship",
              "training_or_employment", "other_education")
NOT_KNOWN = "activity_not_known"
CERTAIN = 8.0  # a score bonus no propensity outweighs: a transition that was drawn happens if counts allow
# The declared mix of suitable accommodation types for each age band (its youngest age); Z only by staying put.
SUITABLE_TYPES = {17: "accommodation_17", 18: "accommodation_18", 19: "accommodation_19_21", 22: "accommodation_22_25"}


def make_oc3(rng: np.random.Generator, people: pd.DataFrame, caseload: pd.DataFrame, targets: Targets,
             window: Window) -> pd.DataFrame:
    """One OC3 row for every caseload year the return has, its codes reproducing `targets`."""
    oc3 = caseload.loc[caseload["oc3"] != "", ["pid", "collection_year", "age", "year_idx", "strain", "oc3"]]
    oc3 = oc3.sort_values(["collection_year", "pid"]).reset_index(drop=True)
    n = len(oc3)
    in_touch, activ, accom = np.full(n, "", dtype=object), np.full(n, "0", dtype=object), np.full(n, "0", dtype=object)
    gone = oc3["oc3"].isin(["died", "home"]).to_numpy()
    in_touch[gone] = np.where(oc3.loc[gone, "oc3"] == "died", "DIED", "RHOM")
    history = _History(len(people))
    for year in window.years:
        rows = np.flatnonzero((oc3["collection_year"].to_numpy() == year) & ~gone)
        codes = _assign_year(rng, people, oc3.iloc[rows], targets, year, history)
        in_touch[rows], activ[rows], accom[rows] = codes
    oc3["IN_TOUCH"], oc3["ACTIV"], oc3["ACCOM"] = in_touch, activ, accom
    return oc3.drop(columns="oc3")


@dataclass
class _History:
    """Each young person's situation in the last year the return counted them."""
    year: np.ndarray
    activity: np.ndarray
    out_of_touch: np.ndarray
    letter: np.ndarray
    unsuitable: np.ndarray

    def __init__(self, people: int):
        self.year = np.full(people, -1)
        self.activity = np.full(people, "", dtype=object)
        self.out_of_touch = np.zeros(people, dtype=bool)
        self.letter = np.full(people, "", dtype=object)
        self.unsuitable = np.zeros(people, dtype=bool)

    def last_year(self, pid: np.ndarray, year: int) -> np.ndarray:
        """Rows whose young person the return counted the year before."""
        return self.year[pid] == year - 1


def group_counts(targets: Targets, year: int, group: str, rows: int) -> dict[str, int]:
    """The counts one group must reproduce, for the `rows` young people counted: DfE's for 17-18 and
    19-21 (scaled if the store counts another number), the declared shares at 22-25."""
    if group in GROUPS:
        published = targets.counts.loc[(year, group)]
        return published.to_dict() if published["total"] == rows else scaled(published, rows)
    out_of_touch = rows - round(target("in_touch_22_25") * rows)
    neet = round(target("neet_22_25") * rows)
    england = targets.counts.loc[(year, "19-21")]
    counts = {"total": rows, "activity_not_known": out_of_touch, "neet": neet, "eet": rows - out_of_touch - neet,
              "suitability_total": rows, "suitability_not_known": out_of_touch}
    counts.update(zip(TREE["neet"], apportion(neet, [england[c] for c in TREE["neet"]]).tolist()))
    he = min(round(target("higher_education_22_25") * rows), counts["eet"])
    rest = ("other_education", "apprenticeship", "training_or_employment")
    counts.update(higher_education=he, **dict(zip(rest, apportion(counts["eet"] - he, [england[c] for c in rest]).tolist())))
    counts["unsuitable"] = min(round(target("unsuitable_22_25") * rows), rows - out_of_touch)
    counts["suitable"] = rows - out_of_touch - counts["unsuitable"]
    return counts


def _assign_year(rng, people: pd.DataFrame, rows: pd.DataFrame, targets: Targets, year: int,
                 history: _History) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """IN_TOUCH, ACTIV and ACCOM for one year's counted rows, group by group counts exact."""
    n = len(rows)
    pid, age = rows["pid"].to_numpy(), rows["age"].to_numpy()
    group = np.select([age <= 18, age <= 21], [0, 1], 2)
    counts = [group_counts(targets, year, name, int((group == k).sum())) for k, name in enumerate(GROUP_NAMES)]
    want = lambda measure: np.array([c.get(measure, 0) for c in counts])  # noqa: E731 - per group
    person = lambda name: people[name].to_numpy()[pid]  # noqa: E731 - an attribute on each row
    noise = lambda scale=1.0: scale * rng.standard_normal(n)  # noqa: E731 - fresh noise per score
    before = history.last_year(pid, year)
    last = history.activity[pid]
    uasc, strain = person("uasc"), rows["strain"].to_numpy()
    staying_18 = person("stays_put") & (age == 18)
    weight = target("persistence_weight")
    team_in_touch = team_effect("in_touch")[person("team")]

    # Out of touch (activity not known): the published number; some of last year's stay out. A student
    # continuing in higher education stays in touch (the bursary and the vacation home come through it).
    stays_out = before & history.out_of_touch[pid] & (rng.random(n) < target("out_of_touch_persistence"))
    studying = before & (last == "higher_education") & (age <= 21) & \
        (rng.random(n) < target("higher_education_continuation"))
    out_score = (person("disengaged") - team_in_touch + noise(0.5) + CERTAIN * stays_out
                 - 2 * (before & history.out_of_touch[pid] & ~stays_out) - 3 * CERTAIN * (staying_18 | studying))
    everyone = np.ones(n, dtype=bool)
    not_known = take_top(group, out_score, want(NOT_KNOWN), everyone)
    # No information on accommodation: nested inside the not known as far as the counts allow.
    q, k = want("suitability_not_known"), want(NOT_KNOWN)
    no_accom = take_top(group, out_score, np.minimum(q, k), not_known) | \
        take_top(group, out_score, np.maximum(q - k, 0), ~not_known & ~staying_18)
    # Left out of the suitability figures: residence not known (first those out of touch with no
    # accommodation recorded yet), gone abroad or deported (UASC only).
    left_out = want("total") - want("suitability_total")
    unknown_residence = take_top(group, out_score, left_out, not_known & ~no_accom)
    remaining = left_out - np.bincount(group[unknown_residence], minlength=3)
    abroad = take_top(group, noise(), remaining, uasc & ~no_accom & ~unknown_residence & ~staying_18)
    remaining -= np.bincount(group[abroad], minlength=3)
    unknown_residence |= take_top(group, out_score, remaining, ~no_accom & ~unknown_residence & ~abroad & ~staying_18)

    activity = _activities(rng, people, rows, group, want, not_known, before, last, studying, weight, noise)
    neet = np.isin(activity, ["neet_parenting", "neet_illness", "neet_other"])
    housing = (0.6 * strain + 0.6 * neet + weight * (before & history.unsuitable[pid]) + noise(0.8)
               - 3 * CERTAIN * staying_18)
    assessed = ~no_accom & ~unknown_residence & ~abroad
    unsuitable = take_top(group, housing, want("unsuitable"), assessed & ~staying_18)
    suitable = assessed & ~unsuitable
    letter = _suitable_letters(rng, people, pid, age, year, before, history, suitable, staying_18)

    out = not_known | no_accom | (unknown_residence & ~not_known)
    in_touch = np.where(out, choice(rng, *mix("out_of_touch"), n), "YES")
    accom = np.select([no_accom, unknown_residence, abroad, unsuitable],
                      ["0", "R2", choice(rng, *mix("left_out_of_suitability"), n),
                       choice(rng, *mix("unsuitable_accommodation"), n)],
                      np.char.add(letter.astype(str), "1"))
    activ = np.where(not_known, "0", _activity_codes(rng, activity, year))

    history.year[pid] = year
    history.activity[pid] = activity
    history.out_of_touch[pid] = out
    history.letter[pid] = np.where(suitable, letter, "")
    history.unsuitable[pid] = unsuitable
    return in_touch, activ, accom


def _activities(rng, people, rows, group, want, not_known, before, last, studying, weight, noise) -> np.ndarray:
    """Each in-touch row's activity, taking the published count of each in turn by its score."""
    n = len(rows)
    pid, age = rows["pid"].to_numpy(), rows["age"].to_numpy()
    person = lambda name: people[name].to_numpy()[pid]  # noqa: E731
    uasc = person("uasc")
    _, year_end = year_bounds(rows["collection_year"].to_numpy())
    parent = ~np.isnat(person("mc_dob").astype("datetime64[D]")) & (person("mc_dob").astype("datetime64[D]") <= year_end)
    was = lambda activity: before & (last == activity)  # noqa: E731 - last year's activity
    scores = {
        "neet_parenting": 3 * parent + 1.0 * (person("SEX") == 2) + weight * was("neet_parenting") + noise(0.5),
        "neet_illness": 1.5 * person("disability") + person("frail") + weight * was("neet_illness") + noise(0.5),
        "higher_education": person("academic") + CERTAIN * studying - 1.0 * (was("higher_education") & ~studying)
                            + noise(0.5) - 2 * CERTAIN * (age == 17),
        "neet_other": 0.8 * rows["strain"].to_numpy() - 0.3 * person("academic") + target("uasc_neet") * uasc
                      + weight * was("neet_other") + noise(0.6),
        "apprenticeship": weight * was("apprenticeship") - target("uasc_education") * uasc + noise(0.8),
        "training_or_employment": 0.2 * (age - 18) + weight * was("training_or_employment")
                                  - target("uasc_education") * uasc + noise(0.8),
    }
    activity = np.full(n, NOT_KNOWN, dtype=object)
    free = ~not_known
    for name in ACTIVITIES[:-1]:
        chosen = take_top(group, scores[name], want(name), free)
        activity[chosen] = name
        free &= ~chosen
    activity[free] = ACTIVITIES[-1]
    return activity


def _suitable_letters(rng, people, pid, age, year, before, history, suitable, staying_18) -> np.ndarray:
    """The accommodation type of each suitable row: staying put where it is; else last year's type
    for most (the declared share) when still allowed at this age; else drawn for the age."""
    n = len(pid)
    drawn = np.empty(n, dtype=object)
    band = np.select([age <= 17, age == 18, age <= 21], [17, 18, 19], 22)
    for a, name in SUITABLE_TYPES.items():
        at = band == a
        allowed = [(k, w) for k, w in zip(*mix(name)) if not (k == "T" and a == 17 and "347" in year_spec(year).rules)]
        drawn[at] = choice(rng, [k for k, _ in allowed], [w for _, w in allowed], int(at.sum()))
    last = history.letter[pid]
    keeps = before & (last != "") & (last != "Z") & (rng.random(n) < target("accommodation_kept"))
    keeps &= ~((band == 17) & (last == "T") & ("347" in year_spec(year).rules))
    letter = np.where(keeps, last, drawn)
    still = people["stays_put"].to_numpy()[pid] & before & (last == "Z") & (rng.random(n) < np.select(
        [age == 19, age == 20], [target("staying_put_19"), target("staying_put_20") / target("staying_put_19")], 0.0))
    return np.where(suitable & (staying_18 | still), "Z", letter)


def _activity_codes(rng, activity: np.ndarray, year: int) -> np.ndarray:
    """ACTIV codes for the year: full- or part-time, and F3/P3 for training or employment (with
    apprenticeships) until apprenticeships had codes of their own."""
    n = len(activity)
    split = "F5" in year_spec(year).codes["ACTIV"]
    full = rng.random(n)
    return np.select(
        [activity == "higher_education", activity == "other_education", activity == "apprenticeship",
         activity == "training_or_employment", activity == "neet_illness", activity == "neet_parenting",
         activity == "neet_other"],
        [np.where(full < 0.85, "F1", "P1"), np.where(full < 0.75, "F2", "P2"),
         np.where(full < 0.9, "F4", "P4") if split else np.where(full < 0.6, "F3", "P3"),
         np.where(full < 0.6, "F5", "P5") if split else np.where(full < 0.6, "F3", "P3"),
         "G4", "G6", "G5"], "0")
