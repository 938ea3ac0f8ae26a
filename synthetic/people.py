"""Synthetic young people and the years they are on the leaving-care caseload.

Shapes come from DOMAIN.md (England, DfE): care leavers 17-21 about 58% male; about a quarter
of 19-21 year olds were unaccompanied asylum-seeking children (UASC); most leave care at 18,
some at 16-17; 60% of those leaving foster care at 18 stay put. Each person carries a latent
`adversity` score that later tables share, so outcomes correlate as a workshop would expect.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from faker import Faker

from synthetic.sampling import (DAY, add_years, age_in_year, choice, collection_year, random_dates,
                                rank_within, sigmoid, year_bounds)

UASC_SHARE = 0.25
MALE_SHARE = 0.58
UASC_MALE_SHARE = 0.93
STAYING_PUT_SHARE = 0.60

ETHNIC_NON_UASC = {"WBRI": 74, "WIRI": 0.5, "WOTH": 4, "WIRT": 1, "WROM": 1, "MWBC": 4, "MWBA": 2,
                   "MWAS": 1.5, "MOTH": 3, "AIND": 1, "APKN": 1.5, "ABAN": 0.5, "AOTH": 1, "BCRB": 1,
                   "BAFR": 1.5, "BOTH": 0.5, "CHNE": 0.5, "OOTH": 1, "REFU": 0.5, "NOBT": 0.5}
ETHNIC_UASC = {"AOTH": 34, "BAFR": 38, "BOTH": 4, "OOTH": 19, "WOTH": 5}

TEAMS = ["Harrogate and Craven", "Hambleton and Richmondshire", "Scarborough, Whitby and Ryedale",
         "Selby", "Unaccompanied young people"]
TEAM_WEIGHTS_NON_UASC = [0.34, 0.20, 0.30, 0.16, 0.0]
TEAM_WEIGHTS_UASC = [0.10, 0.05, 0.10, 0.05, 0.70]
# Teams differ in how often advisers see young people, which breakdowns should reveal.
TEAM_CONTACT_RATE = np.array([1.10, 1.00, 0.80, 1.00, 1.20])
FOSTER = ["U1", "U3", "U4", "U6"]


@dataclass
class Window:
    first_year: int
    last_year: int

    @property
    def years(self) -> np.ndarray:
        return np.arange(self.first_year, self.last_year + 1)


def make_people(rng: np.random.Generator, n: int, window: Window, seed: int) -> pd.DataFrame:
    """One row per young person, with attributes that do not change from year to year."""
    pid = np.arange(n)
    uasc = rng.random(n) < UASC_SHARE
    non_uasc_male = (MALE_SHARE - UASC_SHARE * UASC_MALE_SHARE) / (1 - UASC_SHARE)
    sex = np.where(rng.random(n) < np.where(uasc, UASC_MALE_SHARE, non_uasc_male), 1, 2)
    lo = np.datetime64(f"{window.last_year - 30}-04-01")
    hi = np.datetime64(f"{window.last_year - 16}-03-31")
    dob = random_dates(rng, np.full(n, lo), np.full(n, hi))
    ethnic = np.where(uasc, choice(rng, list(ETHNIC_UASC), list(ETHNIC_UASC.values()), n),
                      choice(rng, list(ETHNIC_NON_UASC), list(ETHNIC_NON_UASC.values()), n))
    adversity = rng.standard_normal(n)
    disability = rng.random(n) < sigmoid(-1.9 + 0.5 * adversity)

    b16, b18 = add_years(dob, 16), add_years(dob, 18)
    qualifying = ~uasc & (rng.random(n) < 0.05)
    early = ~qualifying & (rng.random(n) < np.where(uasc, 0.03, 0.20))
    left_care = np.where(early | qualifying, random_dates(rng, b16, b18 - DAY), b18)
    entered = np.where(uasc, left_care - rng.integers(200, 900, n) * DAY,
                       dob + (rng.uniform(0.5, 15.5, n) * 365.25).astype(int) * DAY)
    entered = np.minimum(entered, left_care - 200 * DAY)

    at_18 = ~(early | qualifying)
    leave_place = np.where(
        at_18,
        np.where(uasc, choice(rng, ["U4", "U6", "H5", "K2"], [20, 15, 55, 10], n),
                 choice(rng, ["U4", "U1", "U6", "U3", "K2", "H5", "R1", "P2"], [33, 8, 10, 4, 15, 20, 4, 6], n)),
        choice(rng, ["H5", "P2", "U4", "K2", "P1"], [35, 20, 15, 15, 15], n))
    eligible_staying_put = at_18 & np.isin(leave_place, FOSTER)
    stays_put = _choose_staying_put(rng, eligible_staying_put, b18, adversity)
    rec = np.where(stays_put, "E17", np.where(
        at_18, choice(rng, ["E5", "E6", "E13", "E15"], [48, 36, 12, 4], n),
        choice(rng, ["E5", "E6", "E13", "E4A"], [40, 25, 20, 15], n)))

    team = np.where(uasc, rng.choice(len(TEAMS), n, p=TEAM_WEIGHTS_UASC),
                    rng.choice(len(TEAMS), n, p=TEAM_WEIGHTS_NON_UASC))
    pa_name = _adviser_names(rng, team, n, seed)
    mother = (sex == 2) & (rng.random(n) < sigmoid(-2.6 + 0.4 * adversity))
    mc_dob = np.where(mother, random_dates(rng, b16 + 200 * DAY, add_years(dob, 24)), np.datetime64("NaT"))
    child_ids = np.char.add("S", np.char.zfill(rng.permutation(n).astype(str), 7))
    upn = np.where(uasc, "UN2", np.char.add(choice(rng, list("ABCDEFGHJKLMNPQRTUVWXYZ"), [1] * 23, n),
                                           np.char.zfill(rng.integers(0, 10**12, n).astype(str), 12)))
    death_age = np.where(rng.random(n) < 0.003, rng.integers(18, 22, n), 99)

    return pd.DataFrame({
        "pid": pid, "CHILD": child_ids, "SEX": sex, "DOB": dob, "ETHNIC": ethnic, "UPN": upn,
        "uasc": uasc, "disability": disability, "adversity": adversity, "qualifying": qualifying,
        "early_leaver": early, "entered_care": entered, "date_left_care": left_care,
        "leave_place": leave_place, "leave_rec": rec, "stays_put": stays_put,
        "staying_put_eligible": eligible_staying_put, "team": team,
        "pa_team": np.asarray(TEAMS)[team], "pa_name": pa_name, "mc_dob": mc_dob,
        "engaged_after_21": rng.random(n) < 0.45, "death_age": death_age,
    })


def _choose_staying_put(rng, eligible, b18, adversity) -> np.ndarray:
    """Exactly STAYING_PUT_SHARE of eligible 18-year-olds in each year, the less adversity the likelier."""
    stratum = np.where(eligible, collection_year(b18), 0)
    frac = rank_within(stratum, adversity + 0.8 * rng.standard_normal(len(adversity)))
    return eligible & (frac < STAYING_PUT_SHARE)


def _adviser_names(rng, team, n, seed) -> np.ndarray:
    """A small pool of personal advisers per team: faker only for these few names."""
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    per_team = int(np.clip(n // (25 * len(TEAMS)), 2, 80))
    pool = np.array([fake.name() for _ in range(per_team * len(TEAMS))])
    return pool[team * per_team + rng.integers(0, per_team, n)]


def make_caseload(rng: np.random.Generator, people: pd.DataFrame, window: Window) -> pd.DataFrame:
    """One row per young person per collection year in which they are 16-25 and supported.

    Over 21 only those who asked for continued support stay on (about 45%); nobody after death.
    """
    n = len(people)
    years = window.years
    pid = np.repeat(people["pid"].to_numpy(), len(years))
    year = np.tile(years, n)
    dob = np.repeat(people["DOB"].to_numpy().astype("datetime64[D]"), len(years))
    age = age_in_year(dob, year)
    engaged = np.repeat(people["engaged_after_21"].to_numpy(), len(years))
    death_age = np.repeat(people["death_age"].to_numpy(), len(years))
    keep = (age >= 16) & (age <= 25) & ((age <= 21) | engaged) & (age <= death_age)
    rows = pd.DataFrame({"pid": pid[keep], "collection_year": year[keep], "age": age[keep]})
    start, end = year_bounds(rows["collection_year"].to_numpy())
    left = people["date_left_care"].to_numpy().astype("datetime64[D]")[rows["pid"].to_numpy()]
    rows["year_start"], rows["year_end"] = start, end
    rows["in_care_at_end"] = left > end
    rows["year_idx"] = rows["collection_year"] - window.first_year
    # Each year has its own ups and downs around the person's lasting adversity.
    rows["strain"] = 0.8 * people["adversity"].to_numpy()[rows["pid"]] + 0.6 * rng.standard_normal(len(rows))
    return rows
