"""SSDA903 tables for the synthetic authority: oc3, episodes, oc2, missing, reviews.

OC3 is calibrated to DfE's national figures for 19-21 year olds (DOMAIN.md): in touch 91%,
suitable accommodation 85% (not suitable 6%, no information 9%), NEET 38%, higher education 7%.
Since 2022-23 OC3 also covers care leavers aged 22 to 25 still supported (those on our caseload);
DfE published 58% of 22-year-olds in touch in 2025. Figures for 17, 18 and the rest of 22-25 are
our own plausible assumptions. The denominator excludes DIED and RHOM,
as DfE's tables do. Small yearly drifts give trend charts something to show; they average out.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.people import FOSTER, Window
from synthetic.sampling import (DAY, add_years, choice, collection_year, random_dates, rank_within, sigmoid,
                                year_bounds)

AGE_GROUPS = {17: 0, 18: 1, 19: 2, 20: 2, 21: 2, 22: 3, 23: 3, 24: 3, 25: 3}
OLDER_OC3_FROM = 2023  # the first return (2022-23) with care leavers aged 22 to 25
# Per age group (17, 18, 19-21, 22-25): share of the DfE denominator.
IN_TOUCH = np.array([0.93, 0.92, 0.91, 0.58])
NEET = np.array([0.24, 0.30, 0.38, 0.30])
HIGHER_EDUCATION = np.array([0.0, 0.03, 0.07, 0.04])
NOT_SUITABLE = np.array([0.05, 0.05, 0.06, 0.06])
# Per collection year in the window (oldest first): in touch improves, NEET falls a little.
IN_TOUCH_DRIFT = np.array([-0.010, -0.005, 0.0, 0.005, 0.010])
NEET_DRIFT = np.array([0.010, 0.005, 0.0, -0.005, -0.010])

SUITABLE_TYPES = [  # accommodation type letter -> weight, for ages 17, 18 and 19-21
    {"D": 30, "E": 12, "B": 15, "C": 8, "K": 5, "T": 10, "U": 12, "Y": 5, "G": 3},
    {"U": 25, "D": 22, "E": 10, "B": 12, "C": 4, "K": 6, "T": 8, "Y": 5, "Z": 5, "G": 3},
    {"U": 50, "B": 13, "D": 8, "E": 5, "K": 6, "T": 5, "Y": 5, "Z": 4, "G": 2, "H": 0.5},
    {"U": 62, "B": 12, "D": 4, "K": 8, "Y": 8, "G": 2, "H": 0.5},
]
UNSUITABLE = {"S2": 12, "V2": 12, "W2": 10, "X2": 12, "U2": 20, "D2": 12, "K2": 8, "B2": 8, "Y2": 6}
OTHER_EET = {"F2": 25, "P2": 8, "F4": 7, "P4": 2, "F5": 38, "P5": 20}


def _drifted(base: np.ndarray, drift: np.ndarray, group: np.ndarray, year_idx: np.ndarray) -> np.ndarray:
    return base[group] + drift[np.clip(year_idx, 0, len(drift) - 1)]


def make_oc3(rng: np.random.Generator, people: pd.DataFrame, caseload: pd.DataFrame) -> pd.DataFrame:
    """Care leavers with a birthday at 17-21 in the year (17-year-olds only if they left care before 17), and
    from 2022-23 those aged 22 to 25 still supported."""
    p = people.set_index("pid")
    age = caseload["age"].to_numpy()
    pid = caseload["pid"].to_numpy()
    left = p["date_left_care"].to_numpy().astype("datetime64[D]")[pid]
    b17 = add_years(p["DOB"].to_numpy().astype("datetime64[D]")[pid], 17)
    older = (age >= 22) & (age <= 25) & (caseload["collection_year"].to_numpy() >= OLDER_OC3_FROM)
    keep = (((age >= 17) & (age <= 21)) | older) & ~p["qualifying"].to_numpy()[pid] & ((age > 17) | (left < b17))
    oc3 = caseload.loc[keep, ["pid", "collection_year", "age", "year_idx", "strain"]].reset_index(drop=True)
    n = len(oc3)
    pid = oc3["pid"].to_numpy()
    group = np.vectorize(AGE_GROUPS.get)(oc3["age"].to_numpy()) if n else np.zeros(0, int)
    year_idx = oc3["year_idx"].to_numpy()
    stratum = year_idx * len(IN_TOUCH) + group
    strain = oc3["strain"].to_numpy()
    stays_put_18 = p["stays_put"].to_numpy()[pid] & (oc3["age"].to_numpy() == 18)

    died = p["death_age"].to_numpy()[pid] == oc3["age"].to_numpy()
    home = ~died & ~stays_put_18 & (oc3["age"].to_numpy() >= 18) & (rng.random(n) < 0.008)
    counted = ~died & ~home

    in_touch_share = _drifted(IN_TOUCH, IN_TOUCH_DRIFT, group, year_idx)
    frac = rank_within(np.where(counted, stratum, -1), strain + 0.8 * rng.standard_normal(n))
    in_touch = counted & ((frac < in_touch_share) | stays_put_18)
    in_touch_code = np.where(died, "DIED", np.where(home, "RHOM", np.where(
        in_touch, "YES", choice(rng, ["NO", "REFU", "NREQ"], [55, 25, 20], n))))

    # Among those in touch, rank by strain: lowest -> higher education, highest -> NEET.
    neet_rel = _drifted(NEET, NEET_DRIFT, group, year_idx) / in_touch_share
    he_rel = HIGHER_EDUCATION[group] / in_touch_share
    frac = rank_within(np.where(in_touch, stratum, -1), strain + 0.9 * rng.standard_normal(n))
    he = in_touch & (frac < he_rel)
    neet = in_touch & (frac >= 1 - neet_rel)
    activ = np.where(he, choice(rng, ["F1", "P1"], [85, 15], n),
                     np.where(neet, _neet_codes(rng, people, pid), choice(rng, list(OTHER_EET), list(OTHER_EET.values()), n)))
    activ = np.where(in_touch, activ, "0")

    unsuitable_rel = NOT_SUITABLE[group] / in_touch_share
    frac = rank_within(np.where(in_touch, stratum, -1), 0.6 * strain + 0.6 * neet + 0.8 * rng.standard_normal(n))
    unsuitable = in_touch & (frac >= 1 - unsuitable_rel) & ~stays_put_18
    suitable_type = np.empty(n, dtype="<U1")
    for g, weights in enumerate(SUITABLE_TYPES):
        rows = group == g
        suitable_type[rows] = choice(rng, list(weights), list(weights.values()), rows.sum())
    still_staying = p["stays_put"].to_numpy()[pid] & (rng.random(n) < np.select(
        [oc3["age"].to_numpy() == 19, oc3["age"].to_numpy() == 20], [0.55, 0.30], 0.0))
    suitable_type = np.where(stays_put_18 | still_staying, "Z", suitable_type)
    accom = np.where(unsuitable, choice(rng, list(UNSUITABLE), list(UNSUITABLE.values()), n),
                     np.char.add(suitable_type, "1"))
    accom = np.where(in_touch, accom, "0")

    oc3["IN_TOUCH"] = in_touch_code
    oc3["ACTIV"] = np.where(counted, activ, None)
    oc3["ACCOM"] = np.where(counted, accom, None)
    return oc3


def _neet_codes(rng, people: pd.DataFrame, pid: np.ndarray) -> np.ndarray:
    disabled = people["disability"].to_numpy()[pid]
    female = people["SEX"].to_numpy()[pid] == 2
    u = rng.random(len(pid))
    g4 = np.where(disabled, 0.6, 0.15)
    g6 = np.where(female, 0.25, 0.02)
    return np.where(u < g4, "G4", np.where(u < g4 + g6, "G6", "G5"))


def make_episodes(rng: np.random.Generator, people: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Each person's care history split into 1-4 episodes, then one row per return it appears in.

    An episode open at 31 March appears in that year's return with DEC and REC blank.
    """
    n = len(people)
    adversity = people["adversity"].to_numpy()
    k = 1 + np.minimum(rng.poisson(np.exp(-0.4 + 0.4 * adversity)), 3)
    owner = np.repeat(np.arange(n), k)
    entered = people["entered_care"].to_numpy().astype("datetime64[D]")[owner]
    left = people["date_left_care"].to_numpy().astype("datetime64[D]")[owner]
    first = np.r_[0, np.cumsum(k)[:-1]]
    index_in_person = np.arange(len(owner)) - np.repeat(first, k)
    last = index_in_person == np.repeat(k, k) - 1
    # Start dates: the first at entry, later ones at sorted random points within the stay.
    cut = rng.random(len(owner))
    cut[index_in_person == 0] = 0.0
    order = np.lexsort((cut, owner))
    cut = cut[order]
    span = (left - entered).astype(int)
    decom = entered + (cut * span).astype(int) * DAY
    dec = np.where(last, left, np.r_[decom[1:], decom[-1:]] if len(decom) else decom)
    uasc = people["uasc"].to_numpy()[owner]
    m = len(owner)
    place = np.where(last, people["leave_place"].to_numpy()[owner],
                     choice(rng, ["U4", "U6", "U1", "K2", "U3", "H5"], [35, 20, 10, 15, 8, 12], m))
    provider = np.where(np.isin(place, FOSTER), choice(rng, ["PR1", "PR4"], [60, 40], m),
                        np.where(place == "P1", "PR0", choice(rng, ["PR4", "PR1", "PR5"], [75, 15, 10], m)))
    rec = np.where(last, people["leave_rec"].to_numpy()[owner], "X1")
    episodes = pd.DataFrame({
        "pid": owner, "DECOM": decom, "DEC": dec,
        "RNE": np.where(index_in_person == 0, "S", choice(rng, ["P", "L", "B"], [85, 10, 5], m)),
        "LS": np.where(uasc, "V2", choice(rng, ["C2", "V2", "C1"], [60, 35, 5], m)),
        "CIN": np.where(uasc, "N8", choice(rng, ["N1", "N4", "N5", "N6", "N2", "N3", "N8"], [60, 10, 12, 5, 3, 4, 6], m)),
        "PLACE": place, "PLACE_PROVIDER": provider, "REC": rec,
        "REASON_PLACE_CHANGE": np.where(last, None, choice(
            rng, ["CARPL", "CLOSE", "CHILD", "LAREQ", "PLACE", "OTHER"], [40, 10, 15, 10, 15, 10], m)),
        "HOME_POST": choice(rng, ["YO12 7", "HG1 4", "DL7 8", "YO8 4", "BD23 1", "YO21 3", "TS9 5"], [1] * 7, m),
        "PL_POST": choice(rng, ["YO12 5", "HG2 7", "DL6 2", "YO8 9", "BD23 2", "YO30 4", "LS22 6"], [1] * 7, m),
        "URN": np.where(np.isin(place, ["K2", "H5"]), np.char.add("SC", np.char.zfill(
            rng.integers(0, 10**6, m).astype(str), 6)), "XXXXXXX"),
    })
    return _episode_returns(episodes, window)


def _episode_returns(episodes: pd.DataFrame, window: Window) -> pd.DataFrame:
    first = np.maximum(collection_year(episodes["DECOM"].to_numpy()), window.first_year)
    last = np.minimum(collection_year(episodes["DEC"].to_numpy()), window.last_year)
    count = np.maximum(last - first + 1, 0)
    rows = episodes.loc[np.repeat(episodes.index.to_numpy(), count)].reset_index(drop=True)
    rows["collection_year"] = np.repeat(first, count) + (np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count))
    _, end = year_bounds(rows["collection_year"].to_numpy())
    still_open = rows["DEC"].to_numpy() > end
    rows["DEC"] = np.where(still_open, np.datetime64("NaT"), rows["DEC"].to_numpy())
    for column in ("REC", "REASON_PLACE_CHANGE"):
        rows[column] = np.where(still_open, None, rows[column].to_numpy())
    return rows


def in_care_years(people: pd.DataFrame, window: Window) -> pd.DataFrame:
    """(pid, collection_year) for every year a person spent any time looked after, with age at 31 March."""
    entered = people["entered_care"].to_numpy().astype("datetime64[D]")
    left = people["date_left_care"].to_numpy().astype("datetime64[D]")
    years = window.years
    pid = np.repeat(people["pid"].to_numpy(), len(years))
    year = np.tile(years, len(people))
    start, end = year_bounds(year)
    e, l = np.repeat(entered, len(years)), np.repeat(left, len(years))
    keep = (e <= end) & (l >= start)
    dob = np.repeat(people["DOB"].to_numpy().astype("datetime64[D]"), len(years))
    age_at_end = ((end - dob).astype(int) // 365.25).astype(int)
    return pd.DataFrame({"pid": pid[keep], "collection_year": year[keep], "age_at_end": age_at_end[keep],
                         "year_start": start[keep], "year_end": end[keep], "entered": e[keep], "left": l[keep]})


def make_oc2(rng: np.random.Generator, people: pd.DataFrame, in_care: pd.DataFrame) -> pd.DataFrame:
    """Children looked after for 12 months or more at 31 March: health, SDQ, offending, substances."""
    twelve_months = (in_care["entered"].to_numpy() <= in_care["year_end"].to_numpy() - 365 * DAY) & \
                    (in_care["left"].to_numpy() > in_care["year_end"].to_numpy())
    oc2 = in_care.loc[twelve_months, ["pid", "collection_year", "age_at_end"]].reset_index(drop=True)
    n = len(oc2)
    adversity = people["adversity"].to_numpy()[oc2["pid"].to_numpy()]
    age = oc2["age_at_end"].to_numpy()
    sdq_due = (age >= 4) & (age <= 16)
    sdq_done = sdq_due & (rng.random(n) < 0.8)
    oc2["SDQ_SCORE"] = pd.array(np.where(sdq_done, np.clip(np.round(14 + 3.5 * adversity + 4 * rng.standard_normal(n)), 0, 40), np.nan), dtype="Int64")
    oc2["SDQ_REASON"] = np.where(sdq_done, None, np.where(~sdq_due, "SDQ1", choice(rng, ["SDQ2", "SDQ4", "SDQ5"], [20, 40, 40], n)))
    flag = lambda p: np.where(rng.random(n) < p, 1, 0)  # noqa: E731 - local shorthand
    oc2["CONVICTED"] = np.where(age >= 10, flag(sigmoid(-3.6 + 0.8 * adversity)), 0)
    oc2["HEALTH_CHECK"] = flag(0.90)
    oc2["IMMUNISATIONS"] = flag(0.84)
    oc2["TEETH_CHECK"] = flag(0.81)
    oc2["HEALTH_ASSESSMENT"] = flag(0.89)
    misuse = (age >= 12) & (rng.random(n) < sigmoid(-3.4 + 0.7 * adversity))
    received = misuse & (rng.random(n) < 0.6)
    oc2["SUBSTANCE_MISUSE"] = misuse.astype(int)
    oc2["INTERVENTION_RECEIVED"] = pd.array(np.where(misuse, received, np.nan), dtype="Int64")
    oc2["INTERVENTION_OFFERED"] = pd.array(np.where(misuse, received | (rng.random(n) < 0.7), np.nan), dtype="Int64")
    return oc2.drop(columns="age_at_end")


def make_missing(rng: np.random.Generator, people: pd.DataFrame, in_care: pd.DataFrame) -> pd.DataFrame:
    """Missing or away-from-placement episodes while looked after, more with more adversity."""
    old_enough = in_care[in_care["age_at_end"] >= 11].reset_index(drop=True)
    adversity = people["adversity"].to_numpy()[old_enough["pid"].to_numpy()]
    count = np.minimum(rng.poisson(0.25 * np.exp(0.9 * adversity)), 15)
    rows = old_enough.loc[np.repeat(old_enough.index.to_numpy(), count)].reset_index(drop=True)
    start = np.maximum(rows["year_start"].to_numpy(), rows["entered"].to_numpy())
    end = np.minimum(rows["year_end"].to_numpy(), rows["left"].to_numpy())
    m = len(rows)
    mis_start = random_dates(rng, start, end)
    mis_end = mis_start + rng.geometric(0.5, m) * DAY - DAY
    return pd.DataFrame({
        "pid": rows["pid"], "collection_year": rows["collection_year"],
        "MISSING": choice(rng, ["M", "A"], [75, 25], m), "MIS_START": mis_start,
        "MIS_END": np.where(mis_end > rows["year_end"].to_numpy(), np.datetime64("NaT"), mis_end),
    })


def make_reviews(rng: np.random.Generator, in_care: pd.DataFrame) -> pd.DataFrame:
    """Statutory reviews: about every six months while looked after."""
    start = np.maximum(in_care["year_start"].to_numpy(), in_care["entered"].to_numpy() + 20 * DAY)
    end = np.minimum(in_care["year_end"].to_numpy(), in_care["left"].to_numpy())
    count = np.clip(((end - start).astype(int) // 182) + 1, 0, 2) * (end > start)
    rows = in_care.loc[np.repeat(in_care.index.to_numpy(), count)].reset_index(drop=True)
    m = len(rows)
    return pd.DataFrame({
        "pid": rows["pid"], "collection_year": rows["collection_year"],
        "REVIEW": random_dates(rng, np.repeat(start, count), np.repeat(end, count)),
        "REVIEW_CODE": choice(rng, ["PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"], [45, 10, 15, 10, 8, 6, 6], m),
    })
