"""Voice notes: short statements from the bank in `statements.toml`, chosen to fit each young
person's situation that year (someone who does not feel safe at home says so, in their words).
"""
from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from synthetic.calibration import target
from synthetic.sampling import DAY, random_dates

STATEMENTS = Path(__file__).with_name("statements.toml")

# (domain, situation) -> which caseload rows it fits.
SITUATIONS = {
    ("keeping_in_touch", "pa_trusted"): lambda r: r["trust"] & (r["contacts"] >= 6),
    ("keeping_in_touch", "pa_distant"): lambda r: (r["contacts"] <= 3) & ~r["not_in_touch"],
    ("keeping_in_touch", "not_in_touch"): lambda r: r["not_in_touch"],
    ("accommodation", "safe_home"): lambda r: ~r["feels_unsafe"],
    ("accommodation", "unsafe_home"): lambda r: r["feels_unsafe"],
    ("accommodation", "unsuitable"): lambda r: r["unsuitable"],
    ("accommodation", "staying_put"): lambda r: r["staying_put"],
    ("eet", "neet"): lambda r: r["neet"],
    ("eet", "in_education"): lambda r: r["in_education"],
    ("eet", "working"): lambda r: r["working"],
    ("eet", "higher_education"): lambda r: r["higher_education"],
    ("pathway_planning", "plan_helpful"): lambda r: r["has_plan"] & r["had_a_say"],
    ("pathway_planning", "plan_not_involved"): lambda r: r["has_plan"] & ~r["had_a_say"],
    ("physical_health", "good_health"): lambda r: r["rating"] >= 4,
    ("physical_health", "poor_health"): lambda r: r["rating"] <= 2,
    ("physical_health", "no_dentist"): lambda r: ~r["dentist"],
    ("wellbeing", "good_wellbeing"): lambda r: r["answered"] & (r["life_satisfaction"] >= 7),
    ("wellbeing", "low_wellbeing"): lambda r: r["answered"] & (r["life_satisfaction"] <= 4),
    ("wellbeing", "lonely"): lambda r: r["lonely_often"],
    ("wellbeing", "trusted_person"): lambda r: r["trust"],
    ("safe_risk_taking", "trying_new_things"): lambda r: r["can_try"],
    ("safe_risk_taking", "risk_concern"): lambda r: r["any_risk"],
    ("safe_risk_taking", "independence_step"): lambda r: r["steps"] >= 2,
    ("financial_preparedness", "money_confident"): lambda r: r["money"] >= 4,
    ("financial_preparedness", "money_struggle"): lambda r: r["runs_out"],
    ("financial_preparedness", "arrears"): lambda r: r["arrears"],
}


@cache
def statement_bank() -> dict[tuple[str, str, str], tuple[str, ...]]:
    """(domain, situation, speaker) -> statements."""
    with open(STATEMENTS, "rb") as fh:
        items = tomllib.load(fh)["statement"]
    bank: dict[tuple[str, str, str], list[str]] = {}
    for item in items:
        bank.setdefault((item["domain"], item["situation"], item["speaker"]), []).append(item["text"])
    return {k: tuple(v) for k, v in bank.items()}


def make_voice_notes(rng: np.random.Generator, rows: pd.DataFrame) -> pd.DataFrame:
    """At most one young person's statement and one worker's note per caseload year."""
    frames = [
        _notes(rng, rows, rows["answered"].to_numpy() & (rng.random(len(rows)) < target("young_person_note")),
               "young person"),
        _notes(rng, rows, rng.random(len(rows)) < target("worker_note"), "worker"),
    ]
    return pd.concat(frames, ignore_index=True)


def _notes(rng, rows: pd.DataFrame, chosen: np.ndarray, speaker: str) -> pd.DataFrame:
    bank = statement_bank()
    keys = [k for k in SITUATIONS if (*k, speaker) in bank]
    fits = np.column_stack([SITUATIONS[k](rows).to_numpy(dtype=bool) for k in keys])
    pick = np.argmax(fits * rng.random(fits.shape), axis=1)
    chosen = chosen & fits.any(axis=1)
    pick = pick[chosen]
    texts = np.empty(len(pick), dtype=object)
    for i, key in enumerate(keys):
        at = pick == i
        pool = np.asarray(bank[(*key, speaker)], dtype=object)
        texts[at] = pool[rng.integers(0, len(pool), at.sum())]
    sub = rows.loc[chosen]
    return pd.DataFrame({
        "pid": sub["pid"].to_numpy(), "collection_year": sub["collection_year"].to_numpy(),
        "note_date": random_dates(rng, sub["year_start"].to_numpy(), sub["year_end"].to_numpy() - DAY),
        "domain": np.asarray([k[0] for k in keys])[pick], "theme": np.asarray([k[1] for k in keys])[pick],
        "speaker": speaker, "consent": rng.random(len(pick)) < target("note_consent") if speaker == "young person" else True,
        "text": texts,
    })
