"""Local records for what the return lacks: pathway plans, adviser contacts, and the four new
domains (physical health, wellbeing, 'safe' risk-taking, financial preparedness).

Every share comes from calibration.toml with its question and source. The young person's own
answers are scored as published: the four ONS4 questions on 0-10 (low = 0-4, high anxiety = 6-10),
ONS's loneliness question, and SWEMWBS's seven items (the store keeps the items; cl_metrics turns
their sum into Warwick's metric score). Links a workshop can discuss: NEET with lower life
satisfaction, unsuitable accommodation with arrears and not feeling safe, more adviser contact
with more trust; teams differ in contact and well-being. Worker-recorded fields have gaps, as
real case records do, and more of them for young people out of touch and in harder years.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.calibration import target, team_effect
from synthetic.sampling import DAY, add_years, as_days, choice, cut, random_dates, rank_within, sigmoid, top_share

LONELY = ["often or always", "some of the time", "occasionally", "hardly ever", "never"]
SETTING_UP_HOME_2023 = np.datetime64("2023-04-01")
SWEMWBS_ITEMS = 7


def attach_oc3(caseload: pd.DataFrame, oc3: pd.DataFrame) -> pd.DataFrame:
    """Caseload rows with the year's OC3 answers as flags (False where there is no OC3 row)."""
    flags = oc3[["pid", "collection_year", "IN_TOUCH", "ACTIV", "ACCOM"]]
    rows = caseload.merge(flags, on=["pid", "collection_year"], how="left")
    activ = rows["ACTIV"].fillna("").to_numpy().astype(str)
    accom = rows["ACCOM"].fillna("").to_numpy().astype(str)
    rows["neet"] = np.isin(activ, ["G4", "G5", "G6"])
    rows["higher_education"] = np.isin(activ, ["F1", "P1"])
    rows["in_education"] = np.isin(activ, ["F2", "P2"])
    rows["working"] = np.isin(activ, ["F3", "P3", "F4", "P4", "F5", "P5"])
    rows["unsuitable"] = np.char.endswith(accom, "2")
    rows["staying_put"] = np.char.startswith(accom, "Z")
    rows["independent"] = np.char.startswith(accom, "U") | np.char.startswith(accom, "K")
    rows["not_in_touch"] = np.isin(rows["IN_TOUCH"].fillna("").to_numpy().astype(str), ["NO", "REFU", "NREQ"])
    return rows


def _standardise(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / (x.std() or 1.0) if len(x) else x


def _scale(rng, score: np.ndarray, pmf: list[float]) -> np.ndarray:
    """Map scores to 0..k by rank so the answers follow `pmf` exactly."""
    frac = rank_within(np.zeros(len(score), dtype=np.int64), score + 1e-9 * rng.random(len(score)))
    shares = np.asarray(pmf, float) / sum(pmf)
    return cut(frac, shares)


def make_contacts(rng: np.random.Generator, people: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Personal adviser contacts: about the declared number a year, fewer when out of touch, varying by team."""
    team = people["team"].to_numpy()[rows["pid"].to_numpy()]
    rate = (target("adviser_contacts") * team_effect("contacts")[team] * np.exp(0.12 * rows["strain"].to_numpy())
            * np.where(rows["not_in_touch"], 0.3, 1.0))
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


class _Recorder:
    """Worker-recorded values with the gaps real case records have: each field's declared share blank
    for a young person in touch, several times more when out of touch, more in a harder year."""

    def __init__(self, rng, rows: pd.DataFrame):
        self.rng = rng
        strain = rows["strain"].to_numpy()
        self.likelihood = (np.where(rows["not_in_touch"], target("gaps_out_of_touch"), 1.0)
                           * np.clip(1 + target("gaps_strain") * strain, 0.5, 2.5))

    def __call__(self, field: str, values: np.ndarray, not_applicable: np.ndarray | None = None) -> pd.array:
        out = pd.array(values, dtype="boolean" if values.dtype == bool else "Int64")
        blank = self.rng.random(len(values)) < np.clip(target("gaps")[field] * self.likelihood, 0, 0.95)
        if not_applicable is not None:  # blank where the item does not apply (a health passport before leaving care)
            blank |= not_applicable
        out[blank] = pd.NA
        return out


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
    out_of_touch = rows["not_in_touch"].to_numpy()
    uasc = people["uasc"].to_numpy()[pid]
    disability = people["disability"].to_numpy()[pid]
    team = people["team"].to_numpy()[pid]
    neet, unsuitable = rows["neet"].to_numpy(), rows["unsuitable"].to_numpy()
    end = rows["year_end"].to_numpy()
    base = {"pid": pid, "collection_year": rows["collection_year"].to_numpy()}
    recorded_on = random_dates(rng, end - 200 * DAY, end)
    share = target("recorded")
    record = _Recorder(rng, rows)
    respond = target("survey_response")
    answered = rng.random(n) < sigmoid(np.log(respond / (1 - respond)) + 0.3 * contacts - 0.2 * strain
                                       + target("survey_response_out_of_touch") * out_of_touch)
    noise = lambda: rng.standard_normal(n)  # noqa: E731 - fresh noise per outcome
    yes = lambda p: rng.random(n) < p  # noqa: E731 - a yes with probability p

    def self_report(values: np.ndarray) -> pd.array:
        out = pd.array(values, dtype="boolean" if values.dtype == bool else "Int64")
        out[~answered] = pd.NA
        return out

    trust = top_share(rng, 0.7 * contacts - 0.3 * strain + noise(), target("someone_to_trust"))
    wellbeing = (-0.45 * strain - 0.6 * neet + 0.35 * trust + team_effect("wellbeing")[team] + 0.6 * noise())
    feels_unsafe = top_share(rng, 0.6 * unsuitable + 0.35 * strain + noise(), target("feels_unsafe"))
    arrears = top_share(rng, 1.5 * unsuitable + 0.6 * strain + noise(), target("rent_arrears"))
    risk_need = yes(sigmoid(-2.2 + 0.8 * strain))
    offending = yes(sigmoid(-3.0 + 0.9 * strain + 0.5 * (people["SEX"].to_numpy()[pid] == 1)))
    exploitation = yes(sigmoid(-3.0 + 0.9 * strain + 0.6 * ~adult))
    any_risk = risk_need | offending | exploitation
    steps = np.minimum(rng.poisson(np.maximum(1.2 + 0.5 * contacts + 0.4 * adult, 0.1)), 10)
    can_try = top_share(rng, 0.5 * contacts + 0.3 * trust - 0.3 * strain + noise(), target("can_try_new_things"))
    health_score = -0.5 * strain - 0.9 * disability + noise()
    rating = 1 + _scale(rng, health_score, target("self_rated_health"))
    dentist = yes(sigmoid(0.6 - 0.4 * strain))
    money = 1 + _scale(rng, -0.5 * strain - 0.8 * arrears + noise(), target("money_confidence"))
    runs_out = top_share(rng, 0.5 * strain + 0.8 * arrears + noise(), target("runs_out_of_money"))
    had_a_say = yes(sigmoid(np.log(share["had_a_say"] / (1 - share["had_a_say"])) + 0.4 * contacts))
    plan = yes(np.where(strain > 1.2, share["has_plan_high_strain"], share["has_plan"]))
    # Plans are reviewed at least every six months; about one in eight is overdue, more with strain.
    overdue = yes(sigmoid(-2.2 + 0.5 * strain))
    plan_age = np.where(overdue, rng.integers(184, 420, n), rng.integers(0, 183, n))
    mh_need = yes(sigmoid(-0.7 + 0.7 * strain))
    b18 = add_years(people["DOB"].to_numpy().astype("datetime64[D]")[pid], 18)
    allowance = np.where((b18 >= SETTING_UP_HOME_2023) & yes(share["setting_up_home_3000"]), 3000,
                         choice(rng, target("setting_up_home_before_2023"), [1, 1], n))

    rows["answered"] = answered
    rows["trust"], rows["feels_unsafe"], rows["arrears"] = trust, feels_unsafe, arrears
    rows["any_risk"], rows["steps"], rows["can_try"] = any_risk, steps, can_try
    rows["rating"], rows["dentist"], rows["money"], rows["runs_out"] = rating, dentist, money, runs_out
    rows["had_a_say"], rows["has_plan"] = had_a_say, plan

    def answers(score: np.ndarray, declared: str) -> np.ndarray:
        """Those who answered, on the question's scale in the declared proportions (0 for the rest)."""
        scaled = np.zeros(n, dtype=int)
        scaled[answered] = _scale(rng, score[answered], target(declared))
        return scaled

    ls = answers(wellbeing, "life_satisfaction")
    lonely = answers(-wellbeing + 0.7 * noise(), "lonely")
    rows["life_satisfaction"], rows["lonely_often"] = ls, answered & (lonely == 0)
    items = np.clip(np.round(target("swemwbs_item_mean") + 0.75 * _standardise(wellbeing)[:, None]
                             + 0.6 * rng.standard_normal((n, SWEMWBS_ITEMS))), 1, 5).astype(int)

    tables = {
        "pathway_plan": pd.DataFrame({
            **base,
            "plan_date": np.where(plan, as_days(end) - plan_age * DAY, np.datetime64("NaT")),
            "reviews_in_year": np.where(plan, np.minimum(rng.poisson(1.5, n), 4), 0),
            "yp_had_a_say": self_report(had_a_say),
        }),
        "health_record": pd.DataFrame({
            **base, "recorded_on": recorded_on,
            "gp_registered": record("gp_registered", yes(np.where(uasc, share["gp_registered_uasc"], share["gp_registered"]))),
            "dentist_registered": record("dentist_registered", dentist),
            "health_passport_given": record("health_passport_given", yes(share["health_passport_given"]), in_care),
            "health_assessment_done": record("health_assessment_done", yes(share["health_assessment_done"]), ~in_care),
            "mh_need_identified": record("mh_need_identified", mh_need),
            "mh_support_in_place": record("mh_support_in_place", yes(share["mh_support_in_place"]), ~mh_need),
            "yp_self_rated_health": self_report(rating),
            "yp_knows_health_help": self_report(yes(sigmoid(np.log(share["knows_health_help"] / (1 - share["knows_health_help"]))
                                                            + 0.3 * contacts))),
            "yp_long_term_condition": self_report(disability | yes(target("long_term_condition"))),
        }),
        "wellbeing_response": pd.DataFrame({
            "pid": pid[answered], "collection_year": base["collection_year"][answered],
            "response_date": random_dates(rng, end - 300 * DAY, end)[answered],
            "yp_life_satisfaction": ls[answered],
            "yp_happiness": answers(wellbeing + 0.6 * noise(), "happiness")[answered],
            "yp_anxiety": answers(-wellbeing + 0.9 * noise(), "anxiety")[answered],
            "yp_worthwhile": answers(wellbeing - 0.4 * neet + 0.6 * noise(), "worthwhile")[answered],
            "yp_swemwbs": items.sum(axis=1)[answered],
            **{f"yp_swemwbs_{i + 1}": items[answered, i] for i in range(SWEMWBS_ITEMS)},
            "yp_someone_to_trust": trust[answered],
            "yp_lonely": np.asarray(LONELY)[lonely][answered],
        }),
        "risk_record": pd.DataFrame({
            **base, "recorded_on": recorded_on,
            "substance_use_need": record("substance_use_need", risk_need),
            "substance_support_received": record("substance_support_received", yes(share["substance_support_received"]), ~risk_need),
            "offending": record("offending", offending),
            "exploitation_concern": record("exploitation_concern", exploitation),
            "safety_plan_in_place": record("safety_plan_in_place", yes(share["safety_plan_in_place"]), ~any_risk),
            "independence_steps": record("independence_steps", steps),
            "yp_feels_safe_home": self_report(~feels_unsafe),
            "yp_can_try_new_things": self_report(can_try),
        }),
        "finance_record": pd.DataFrame({
            **base, "recorded_on": recorded_on,
            "bank_account": record("bank_account", yes(np.where(adult, share["bank_account_adult"], share["bank_account_under_18"]))),
            "birth_certificate": record("birth_certificate", yes(np.where(uasc, share["birth_certificate_uasc"], share["birth_certificate"]))),
            "photo_id": record("photo_id", yes(np.where(uasc, share["photo_id_uasc"], share["photo_id"]))),
            "ni_number": record("ni_number", yes(share["ni_number"])),
            "setting_up_home_allowance": record("setting_up_home_allowance", allowance, ~adult | yes(share["setting_up_home_not_yet"])),
            "budgeting_skills_done": record("budgeting_skills_done", yes(sigmoid(0.4 + 0.5 * contacts))),
            "rent_arrears": record("rent_arrears", arrears),
            "debt": record("debt", yes(sigmoid(-1.3 + 0.6 * strain))),
            "benefit_sanction": record("benefit_sanction", yes(sigmoid(-2.6 + 0.5 * neet + 0.4 * strain)), ~adult),
            "council_tax_exemption": record("council_tax_exemption", yes(share["council_tax_exemption"]),
                                            ~rows["independent"].to_numpy()),
            "junior_isa_handed_over": record("junior_isa_handed_over", yes(share["junior_isa_handed_over"]), ~adult | uasc),
            "yp_money_confidence": self_report(money),
            "yp_runs_out_of_money": self_report(runs_out),
        }),
    }
    return tables
