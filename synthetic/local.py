"""Local records for what the return lacks: pathway plans, adviser contacts, and the four new
domains (physical health, wellbeing, 'safe' risk-taking, financial preparedness).

Calibration (Bright Spots 'Your Life Beyond Care', DOMAIN.md): 26% low life satisfaction, 23% low
'worthwhile', 22% lonely always or often, 24% disability or long-term condition, about 78% with
someone to trust, almost 40% not feeling safe where they live (North Yorkshire) even though most
accommodation is recorded as suitable. Links a workshop can discuss: NEET with lower life
satisfaction, unsuitable accommodation with arrears and not feeling safe, more adviser contact
with more "someone I trust". Worker-recorded fields have gaps, as real case records do.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.calibration import team_effect
from synthetic.sampling import DAY, add_years, as_days, choice, cut, random_dates, rank_within, sigmoid, top_share

SURVEY_RESPONSE = 0.60
LIFE_SATISFACTION_PMF = [2, 2, 3, 6, 13, 12, 13, 17, 16, 9, 7]  # 0..10; 0-4 = 26%
HAPPINESS_PMF = [2, 2, 3, 6, 12, 12, 14, 17, 15, 10, 7]        # 0-4 = 25%
WORTHWHILE_PMF = [1, 2, 3, 5, 12, 12, 14, 18, 16, 10, 7]       # 0-4 = 23%
ANXIETY_PMF = [12, 8, 10, 10, 8, 12, 10, 10, 8, 6, 6]          # 6-10 (high) = 40%
LONELY = ["often or always", "some of the time", "occasionally", "hardly ever", "never"]
LONELY_SHARES = [0.22, 0.25, 0.20, 0.18, 0.15]
SETTING_UP_HOME_2023 = np.datetime64("2023-04-01")


def attach_oc3(caseload: pd.DataFrame, oc3: pd.DataFrame) -> pd.DataFrame:
    """Caseload rows with the year's OC3 answers as flags (False where there is no OC3 row)."""
    flags = oc3[["pid", "collection_year", "IN_TOUCH", "ACTIV", "ACCOM"]]
    rows = caseload.merge(flags, on=["pid", "collection_year"], how="left")
    activ = rows["ACTIV"].fillna("").to_numpy().astype(str)
    accom = rows["ACCOM"].fillna("").to_numpy().astype(str)
    rows["neet"] = np.isin(activ, ["G4", "G5", "G6"])
    rows["higher_education"] = np.isin(activ, ["F1", "P1"])
    rows["in_education"] = np.isin(activ, ["F2", "P2"])
    rows["working"] = np.isin(activ, ["F4", "P4", "F5", "P5"])
    rows["unsuitable"] = np.char.endswith(accom, "2")
    rows["staying_put"] = np.char.startswith(accom, "Z")
    rows["independent"] = np.char.startswith(accom, "U") | np.char.startswith(accom, "K")
    rows["not_in_touch"] = np.isin(rows["IN_TOUCH"].fillna("").to_numpy().astype(str), ["NO", "REFU", "NREQ"])
    return rows


def _standardise(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / (x.std() or 1.0)


def _gaps(rng, values: np.ndarray, missing_share: float) -> pd.array:
    """A nullable column with `missing_share` of entries blank, as in real case records."""
    out = pd.array(values, dtype="boolean" if values.dtype == bool else "Int64")
    out[rng.random(len(values)) < missing_share] = pd.NA
    return out


def _scale(rng, score: np.ndarray, pmf: list[float]) -> np.ndarray:
    """Map scores to 0..k by rank so the answers follow `pmf` exactly."""
    frac = rank_within(np.zeros(len(score), dtype=np.int64), score + 1e-9 * rng.random(len(score)))
    shares = np.asarray(pmf, float) / sum(pmf)
    return cut(frac, shares)


def make_contacts(rng: np.random.Generator, people: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Personal adviser contacts: about 7 a year, fewer when out of touch, varying by team."""
    team = people["team"].to_numpy()[rows["pid"].to_numpy()]
    rate = 7 * team_effect("contacts")[team] * np.exp(0.12 * rows["strain"].to_numpy()) * np.where(rows["not_in_touch"], 0.3, 1.0)
    count = rng.poisson(rate)
    rows["contacts"] = count
    idx = np.repeat(np.arange(len(rows)), count)
    # Leaving-care support ends at 25: no contact after the 25th birthday.
    last_day = np.minimum(as_days(rows["year_end"]), add_years(as_days(people["DOB"])[rows["pid"].to_numpy()], 25))
    return pd.DataFrame({
        "pid": rows["pid"].to_numpy()[idx], "collection_year": rows["collection_year"].to_numpy()[idx],
        "contact_date": random_dates(rng, rows["year_start"].to_numpy()[idx], last_day[idx]),
        "contact_type": choice(rng, ["visit", "phone", "online", "office"], [50, 25, 15, 10], len(idx)),
    })


def make_local(rng: np.random.Generator, people: pd.DataFrame, rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Pathway plan, health, wellbeing, risk and finance records for every caseload year.

    `rows` is the caseload with OC3 flags and `contacts` (see make_contacts); it gains the
    young person's self-reported answers, which the voice notes use to choose what they say.
    """
    n = len(rows)
    pid = rows["pid"].to_numpy()
    strain = rows["strain"].to_numpy()
    contacts = _standardise(rows["contacts"].to_numpy().astype(float))
    adult = rows["age"].to_numpy() >= 18
    in_care = rows["in_care_at_end"].to_numpy()
    uasc = people["uasc"].to_numpy()[pid]
    disability = people["disability"].to_numpy()[pid]
    neet, unsuitable = rows["neet"].to_numpy(), rows["unsuitable"].to_numpy()
    end = rows["year_end"].to_numpy()
    base = {"pid": pid, "collection_year": rows["collection_year"].to_numpy()}
    recorded_on = random_dates(rng, end - 200 * DAY, end)
    answered = rng.random(n) < sigmoid(np.log(SURVEY_RESPONSE / (1 - SURVEY_RESPONSE)) + 0.3 * contacts - 0.2 * strain)
    noise = lambda: rng.standard_normal(n)  # noqa: E731 - fresh noise per outcome

    def self_report(values: np.ndarray) -> pd.array:
        out = pd.array(values, dtype="boolean" if values.dtype == bool else "Int64")
        out[~answered] = pd.NA
        return out

    trust = top_share(rng, 0.7 * contacts - 0.3 * strain + noise(), 0.78)
    wellbeing = -0.45 * strain - 0.6 * neet + 0.35 * trust + 0.6 * noise()
    feels_unsafe = top_share(rng, 0.6 * unsuitable + 0.35 * strain + noise(), 0.40)
    arrears = top_share(rng, 1.5 * unsuitable + 0.6 * strain + noise(), 0.15)
    risk_need = rng.random(n) < sigmoid(-2.2 + 0.8 * strain)
    offending = rng.random(n) < sigmoid(-3.0 + 0.9 * strain + 0.5 * (people["SEX"].to_numpy()[pid] == 1))
    exploitation = rng.random(n) < sigmoid(-3.0 + 0.9 * strain + 0.6 * ~adult)
    any_risk = risk_need | offending | exploitation
    steps = np.minimum(rng.poisson(np.maximum(1.2 + 0.5 * contacts + 0.4 * adult, 0.1)), 10)
    can_try = top_share(rng, 0.5 * contacts + 0.3 * trust - 0.3 * strain + noise(), 0.65)
    health_score = -0.5 * strain - 0.9 * disability + noise()
    rating = 1 + _scale(rng, health_score, [5, 10, 25, 35, 25])
    dentist = rng.random(n) < sigmoid(0.6 - 0.4 * strain)
    money = 1 + _scale(rng, -0.5 * strain - 0.8 * arrears + noise(), [12, 18, 30, 25, 15])
    runs_out = top_share(rng, 0.5 * strain + 0.8 * arrears + noise(), 0.35)
    had_a_say = rng.random(n) < sigmoid(0.8 + 0.4 * contacts)
    plan = rng.random(n) < np.where(strain > 1.2, 0.85, 0.95)
    # Plans are reviewed at least every six months; about one in eight is overdue, more with strain.
    overdue = rng.random(n) < sigmoid(-2.2 + 0.5 * strain)
    plan_age = np.where(overdue, rng.integers(184, 420, n), rng.integers(0, 183, n))
    mh_need = rng.random(n) < sigmoid(-0.7 + 0.7 * strain)
    b18 = add_years(people["DOB"].to_numpy().astype("datetime64[D]")[pid], 18)
    allowance = np.where(b18 >= SETTING_UP_HOME_2023, 3000, choice(rng, [2000, 2500], [1, 1], n))

    rows["answered"] = answered
    rows["trust"], rows["feels_unsafe"], rows["arrears"] = trust, feels_unsafe, arrears
    rows["any_risk"], rows["steps"], rows["can_try"] = any_risk, steps, can_try
    rows["rating"], rows["dentist"], rows["money"], rows["runs_out"] = rating, dentist, money, runs_out
    rows["had_a_say"], rows["has_plan"] = had_a_say, plan

    ls = _scale(rng, wellbeing, LIFE_SATISFACTION_PMF)
    lonely = _scale(rng, -wellbeing + 0.7 * noise(), LONELY_SHARES)
    rows["life_satisfaction"], rows["lonely_often"] = ls, lonely == 0
    items = np.clip(np.round(2.9 + 0.75 * _standardise(wellbeing)[:, None] + 0.6 * rng.standard_normal((n, 7))), 1, 5)

    tables = {
        "pathway_plan": pd.DataFrame({
            **base,
            "plan_date": np.where(plan, as_days(end) - plan_age * DAY, np.datetime64("NaT")),
            "reviews_in_year": np.where(plan, np.minimum(rng.poisson(1.5, n), 4), 0),
            "yp_had_a_say": self_report(had_a_say),
        }),
        "health_record": pd.DataFrame({
            **base, "recorded_on": recorded_on,
            "gp_registered": _gaps(rng, rng.random(n) < np.where(uasc, 0.86, 0.94), 0.06),
            "dentist_registered": _gaps(rng, dentist, 0.15),
            "health_passport_given": _mask(_gaps(rng, rng.random(n) < 0.55, 0.25), in_care),
            "health_assessment_done": _mask(_gaps(rng, rng.random(n) < 0.88, 0.05), ~in_care),
            "mh_need_identified": _gaps(rng, mh_need, 0.20),
            "mh_support_in_place": _mask(_gaps(rng, rng.random(n) < 0.55, 0.10), ~mh_need),
            "yp_self_rated_health": self_report(rating),
            "yp_knows_health_help": self_report(rng.random(n) < sigmoid(1.1 + 0.3 * contacts)),
            "yp_long_term_condition": self_report(disability | (rng.random(n) < 0.12)),
        }),
        "wellbeing_response": pd.DataFrame({
            "pid": pid[answered], "collection_year": base["collection_year"][answered],
            "response_date": random_dates(rng, end - 300 * DAY, end)[answered],
            "yp_life_satisfaction": ls[answered],
            "yp_happiness": _scale(rng, wellbeing + 0.6 * noise(), HAPPINESS_PMF)[answered],
            "yp_anxiety": _scale(rng, -wellbeing + 0.9 * noise(), ANXIETY_PMF)[answered],
            "yp_worthwhile": _scale(rng, wellbeing - 0.4 * neet + 0.6 * noise(), WORTHWHILE_PMF)[answered],
            "yp_swemwbs": items.sum(axis=1).astype(int)[answered],
            "yp_someone_to_trust": trust[answered],
            "yp_lonely": np.asarray(LONELY)[lonely][answered],
        }),
        "risk_record": pd.DataFrame({
            **base, "recorded_on": recorded_on,
            "substance_use_need": _gaps(rng, risk_need, 0.15),
            "substance_support_received": _mask(_gaps(rng, rng.random(n) < 0.6, 0.10), ~risk_need),
            "offending": _gaps(rng, offending, 0.10),
            "exploitation_concern": _gaps(rng, exploitation, 0.15),
            "safety_plan_in_place": _mask(_gaps(rng, rng.random(n) < 0.7, 0.10), ~any_risk),
            "independence_steps": _gaps(rng, steps, 0.30),
            "yp_feels_safe_home": self_report(~feels_unsafe),
            "yp_can_try_new_things": self_report(can_try),
        }),
        "finance_record": pd.DataFrame({
            **base, "recorded_on": recorded_on,
            "bank_account": _gaps(rng, rng.random(n) < np.where(adult, 0.95, 0.80), 0.08),
            "birth_certificate": _gaps(rng, rng.random(n) < np.where(uasc, 0.03, 0.86), 0.12),
            "photo_id": _gaps(rng, rng.random(n) < np.where(uasc, 0.90, 0.62), 0.12),
            "ni_number": _gaps(rng, rng.random(n) < 0.90, 0.10),
            "setting_up_home_allowance": _mask(_gaps(rng, allowance, 0.10), ~adult | (rng.random(n) < 0.2)),
            "budgeting_skills_done": _gaps(rng, rng.random(n) < sigmoid(0.4 + 0.5 * contacts), 0.25),
            "rent_arrears": _gaps(rng, arrears, 0.15),
            "debt": _gaps(rng, rng.random(n) < sigmoid(-1.3 + 0.6 * strain), 0.30),
            "benefit_sanction": _mask(_gaps(rng, rng.random(n) < sigmoid(-2.6 + 0.5 * neet + 0.4 * strain), 0.20), ~adult),
            "council_tax_exemption": _mask(_gaps(rng, rng.random(n) < 0.75, 0.15), ~rows["independent"].to_numpy()),
            "junior_isa_handed_over": _mask(_gaps(rng, rng.random(n) < 0.5, 0.25), ~adult | uasc),
            "yp_money_confidence": self_report(money),
            "yp_runs_out_of_money": self_report(runs_out),
        }),
    }
    return tables


def _mask(column: pd.array, not_applicable: np.ndarray) -> pd.array:
    """Blank where the item does not apply (e.g. a health passport before leaving care)."""
    column = column.copy()
    column[not_applicable] = pd.NA
    return column
