"""SSDA903 tables for the synthetic authority besides OC3 (synthetic/oc3.py): episodes, oc2,
missing, reviews. Each person's care history follows from when they entered and left care.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.calibration import mix, target
from synthetic.people import FOSTER, Window
from synthetic.sampling import DAY, choice, collection_year, random_dates, sigmoid, year_bounds


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
                     choice(rng, *mix("placement"), m))
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
    rate = target("oc2")
    sdq_done = sdq_due & (rng.random(n) < rate["SDQ_DONE"])
    oc2["SDQ_SCORE"] = pd.array(np.where(sdq_done, np.clip(np.round(14 + 3.5 * adversity + 4 * rng.standard_normal(n)), 0, 40), np.nan), dtype="Int64")
    oc2["SDQ_REASON"] = np.where(sdq_done, None, np.where(~sdq_due, "SDQ1", choice(rng, ["SDQ2", "SDQ4", "SDQ5"], [20, 40, 40], n)))
    flag = lambda p: np.where(rng.random(n) < p, 1, 0)  # noqa: E731 - local shorthand
    oc2["CONVICTED"] = np.where(age >= 10, flag(sigmoid(-3.6 + 0.8 * adversity)), 0)
    for column in ("HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT"):
        oc2[column] = flag(rate[column])
    misuse = (age >= 12) & (rng.random(n) < sigmoid(-3.4 + 0.7 * adversity))
    received = misuse & (rng.random(n) < rate["INTERVENTION_RECEIVED"])
    oc2["SUBSTANCE_MISUSE"] = misuse.astype(int)
    oc2["INTERVENTION_RECEIVED"] = pd.array(np.where(misuse, received, np.nan), dtype="Int64")
    oc2["INTERVENTION_OFFERED"] = pd.array(np.where(misuse, received | (rng.random(n) < rate["INTERVENTION_OFFERED"]), np.nan), dtype="Int64")
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
    episodes = pd.DataFrame({
        "pid": rows["pid"], "collection_year": rows["collection_year"],
        "MISSING": choice(rng, ["M", "A"], [75, 25], m), "MIS_START": mis_start,
        "MIS_END": np.where(mis_end > rows["year_end"].to_numpy(), np.datetime64("NaT"), mis_end),
    })
    return episodes.drop_duplicates(["pid", "collection_year", "MIS_START"], ignore_index=True)  # one episode a day


def make_reviews(rng: np.random.Generator, in_care: pd.DataFrame) -> pd.DataFrame:
    """Statutory reviews: about every six months while looked after."""
    start = np.maximum(in_care["year_start"].to_numpy(), in_care["entered"].to_numpy() + 20 * DAY)
    end = np.minimum(in_care["year_end"].to_numpy(), in_care["left"].to_numpy())
    count = np.clip(((end - start).astype(int) // 182) + 1, 0, 2) * (end > start)
    rows = in_care.loc[np.repeat(in_care.index.to_numpy(), count)].reset_index(drop=True)
    m = len(rows)
    # A year's reviews fall in its consecutive parts (first half, second half), so no two are the same day.
    part = np.arange(m) - np.repeat(np.cumsum(count) - count, count)
    start, span = np.repeat(start, count), np.repeat((end - start).astype(int) // np.maximum(count, 1), count)
    return pd.DataFrame({
        "pid": rows["pid"], "collection_year": rows["collection_year"],
        "REVIEW": random_dates(rng, start + part * span * DAY, start + ((part + 1) * span - 1) * DAY),
        "REVIEW_CODE": choice(rng, ["PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"], [45, 10, 15, 10, 8, 6, 6], m),
    })
