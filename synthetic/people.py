"""Synthetic young people and the years they are on the leaving-care caseload.

Young people are made per birth cohort, as many as the targets (synthetic/targets.py) need: an
authority's own cohort sizes for a twin, England's proportions otherwise. Within a cohort each has
a fixed place in line (`cohort_rank`): in each year the return counts the first ones still there
(not died, not returned home, not qualifying), so the number counted at each age is DfE's, and the
same young people are counted from year to year. Shapes come from calibration.toml (sex, UASC,
staying put, teams). Lasting traits (adversity, and propensities for study, for losing touch, for
ill health) carry through every table, so outcomes correlate as a workshop would expect.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from faker import Faker

from synthetic.calibration import mix, target, teams
from synthetic.sampling import (DAY, add_years, age_in_year, choice, collection_year, random_dates,
                                rank_within, sigmoid, take_top, year_bounds)
from synthetic.targets import Targets

FOSTER = ["U1", "U3", "U4", "U6"]
OC3_AGES = (17, 21)
OLDER_OC3_FROM = 2023  # the first return (2022-23) with care leavers aged 22 to 25


@dataclass
class Window:
    first_year: int
    last_year: int

    @property
    def years(self) -> np.ndarray:
        return np.arange(self.first_year, self.last_year + 1)


def make_people(rng: np.random.Generator, targets: Targets, window: Window, seed: int) -> pd.DataFrame:
    """One row per young person, with what does not change from year to year."""
    cohorts = np.array(sorted(targets.pools))
    sizes = np.array([targets.pools[c] for c in cohorts])
    cohort = np.repeat(cohorts, sizes)
    n = len(cohort)
    pid = np.arange(n)
    rank = np.concatenate([rng.permutation(size) for size in sizes]) if n else np.zeros(0, int)
    # Born in the collection year `cohort` (1 April to 31 March): age in year y is y - cohort.
    year_of_birth_starts, _ = year_bounds(cohort)
    _, year_of_birth_ends = year_bounds(cohort)
    dob = random_dates(rng, year_of_birth_starts, year_of_birth_ends)
    qualifying = rank >= sizes.repeat(sizes) - np.round(target("qualifying_share") * sizes.repeat(sizes))
    early = ~qualifying & (rank < _early_leavers(targets, cohorts, sizes).repeat(sizes))
    uasc = ~qualifying & (rng.random(n) < np.where(early, target("uasc_share_early_leavers"), target("uasc_share")))
    uasc_male, male = target("uasc_male_share"), target("male_share")
    non_uasc_male = (male - uasc.mean() * uasc_male) / max(1 - uasc.mean(), 1e-9) if n else male
    sex = np.where(rng.random(n) < np.where(uasc, uasc_male, np.clip(non_uasc_male, 0, 1)), 1, 2)
    ethnic = np.where(uasc, choice(rng, *mix("ethnic_uasc"), n), choice(rng, *mix("ethnic"), n))
    adversity = rng.standard_normal(n)
    disability = rng.random(n) < sigmoid(target("disability_base") + 0.5 * adversity)

    b16, b17, b18 = add_years(dob, 16), add_years(dob, 17), add_years(dob, 18)
    left_care = np.where(early, random_dates(rng, b16, b17 - DAY),
                         np.where(qualifying, random_dates(rng, b16, b18 - DAY), b18))
    entered = np.where(uasc, left_care - rng.integers(200, 900, n) * DAY,
                       dob + (rng.uniform(0.5, 15.5, n) * 365.25).astype(int) * DAY)
    entered = np.minimum(entered, left_care - 200 * DAY)

    at_18 = ~(early | qualifying)
    leave_place = np.where(
        at_18,
        np.where(uasc, choice(rng, *mix("leaving_placement_uasc"), n), choice(rng, *mix("leaving_placement"), n)),
        choice(rng, *mix("leaving_placement_early"), n))
    eligible_staying_put = at_18 & np.isin(leave_place, FOSTER)
    stays_put = _choose_staying_put(rng, eligible_staying_put, b18, adversity)
    rec = np.where(stays_put, "E17", np.where(
        at_18, choice(rng, *mix("leaving_reason"), n), choice(rng, *mix("leaving_reason_early"), n)))

    declared = teams(targets.area.code if targets.area else None)
    team = np.where(uasc, rng.choice(len(declared["names"]), n, p=declared["uasc_share"]),
                    rng.choice(len(declared["names"]), n, p=declared["share"]))
    mother = (sex == 2) & (rng.random(n) < sigmoid(-2.6 + 0.4 * adversity))
    mc_dob = np.where(mother, random_dates(rng, b16 + 200 * DAY, add_years(dob, 24)), np.datetime64("NaT"))
    child_ids = np.char.add("S", np.char.zfill(rng.permutation(n).astype(str), 7))
    upn = np.where(uasc, "UN2", np.char.add(choice(rng, list("ABCDEFGHJKLMNPQRTUVWXYZ"), [1] * 23, n),
                                           np.char.zfill(rng.integers(0, 10**12, n).astype(str), 12)))
    death_age = np.where(~qualifying & (rng.random(n) < target("death_share")), rng.integers(18, 22, n), 99)

    return pd.DataFrame({
        "pid": pid, "CHILD": child_ids, "SEX": sex, "DOB": dob, "ETHNIC": ethnic, "UPN": upn,
        "cohort": cohort, "cohort_rank": rank, "uasc": uasc, "disability": disability, "adversity": adversity,
        # lasting propensities: for study (higher education), for losing touch, for ill health
        "academic": -0.5 * adversity + 0.85 * rng.standard_normal(n),
        "disengaged": 0.4 * adversity + 0.9 * rng.standard_normal(n),
        "frail": 0.4 * adversity + 0.9 * rng.standard_normal(n),
        "qualifying": qualifying, "early_leaver": early, "entered_care": entered, "date_left_care": left_care,
        "leave_place": leave_place, "leave_rec": rec, "stays_put": stays_put,
        "staying_put_eligible": eligible_staying_put, "team": team,
        "pa_team": np.asarray(declared["names"])[team], "pa_name": _adviser_names(rng, team, len(declared["names"]), n, seed),
        "mc_dob": mc_dob, "engaged_after_21": rng.random(n) < target("engaged_after_21"), "death_age": death_age,
    })


def _early_leavers(targets: Targets, cohorts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Per cohort, how many leave care before 17: as many as the return counts at 17 (the first in
    line), or for a cohort whose 17th year is outside the window, the window's usual share."""
    per_age = targets.per_age
    ratios = [per_age[(y, 17)] / per_age[(y, 18)] for (y, a) in per_age if a == 17 and per_age.get((y, 18))]
    usual = float(np.mean(ratios)) if ratios else 0.0
    return np.array([per_age.get((c + 17, 17), round(usual * per_age.get((c + 18, 18), size * 0.9)))
                     for c, size in zip(cohorts, sizes)], dtype=int)


def _choose_staying_put(rng, eligible, b18, adversity) -> np.ndarray:
    """Exactly the declared share of eligible 18-year-olds in each year, the less adversity the likelier."""
    stratum = np.where(eligible, collection_year(b18), 0)
    frac = rank_within(stratum, adversity + 0.8 * rng.standard_normal(len(adversity)))
    return eligible & (frac < target("staying_put_18"))


def _adviser_names(rng, team, teams_count, n, seed) -> np.ndarray:
    """A small pool of personal advisers per team: faker only for these few names."""
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    per_team = int(np.clip(n // (25 * teams_count), 2, 80))
    pool = np.array([fake.name() for _ in range(per_team * teams_count)])
    return pool[team * per_team + rng.integers(0, per_team, n)]


def make_caseload(rng: np.random.Generator, people: pd.DataFrame, targets: Targets, window: Window) -> pd.DataFrame:
    """One row per young person per collection year on the caseload, with `oc3`: whether and how the
    year's return has them ("counted" in DfE's totals, "died", "home" (returned home), or "").

    At 17 to 21 the return counts, per year and age, DfE's number: the first in line of those still
    there (alive, not returned home this year, not qualifying; at 17 only those who left care before
    17). Those beyond the count are not this authority's care leavers that year. At 16 everyone is on
    the caseload (planning to leave care), at 22-25 those who asked for continued support (in the
    return from 2022-23); nobody after death.
    """
    n, years = len(people), window.years
    pid = np.repeat(people["pid"].to_numpy(), len(years))
    year = np.tile(years, n)
    age = age_in_year(np.repeat(people["DOB"].to_numpy().astype("datetime64[D]"), len(years)), year)
    column = lambda name: people[name].to_numpy()[pid]  # noqa: E731 - a person's attribute on each row
    alive = age <= column("death_age")
    in_range = (age >= 16) & (age <= 25) & alive & ((age <= 21) | column("engaged_after_21"))
    pid, year, age = pid[in_range], year[in_range], age[in_range]
    died = age == column("death_age")
    oc3_age = (age >= OC3_AGES[0]) & (age <= OC3_AGES[1])
    home = oc3_age & ~died & (age >= 18) & ~(column("stays_put") & (age == 18)) & ~column("qualifying") & \
        (rng.random(len(pid)) < target("returned_home_share"))
    eligible = oc3_age & ~died & ~home & ~column("qualifying") & ((age > 17) | column("early_leaver"))
    stratum = (year - window.first_year) * 100 + age
    want = np.zeros((len(years)) * 100, dtype=int)
    for (y, a), count in targets.per_age.items():
        if window.first_year <= y <= window.last_year:
            want[(y - window.first_year) * 100 + a] = count
    counted = take_top(stratum, -column("cohort_rank").astype(float), want, eligible)
    older = (age >= 22) & (year >= OLDER_OC3_FROM) & ~column("qualifying")
    oc3 = np.select([died & (oc3_age | older), home, counted | older], ["died", "home", "counted"], "")
    keep = (age <= 17) | (age >= 22) | (oc3 != "") | column("qualifying")
    rows = pd.DataFrame({"pid": pid[keep], "collection_year": year[keep], "age": age[keep], "oc3": oc3[keep]})
    start, end = year_bounds(rows["collection_year"].to_numpy())
    left = people["date_left_care"].to_numpy().astype("datetime64[D]")[rows["pid"].to_numpy()]
    rows["year_start"], rows["year_end"] = start, end
    rows["in_care_at_end"] = left > end
    rows["year_idx"] = rows["collection_year"] - window.first_year
    # Each year has its own ups and downs around the person's lasting adversity.
    rows["strain"] = 0.8 * people["adversity"].to_numpy()[rows["pid"]] + 0.6 * rng.standard_normal(len(rows))
    return rows
