"""Voice notes: short statements from the bank in `statements.toml`, chosen to fit each young
person's situation that year (someone who does not feel safe at home says so, in their words).
"""
from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd

from cl_metrics import config
from synthetic.calibration import target
from synthetic.sampling import DAY, random_dates

STATEMENTS = "synthetic/statements.toml"


@config.cached
def _declared() -> dict:
    with open(config.path(STATEMENTS), "rb") as fh:
        return tomllib.load(fh)


def situations() -> dict[tuple[str, str], str]:
    """(domain, situation) -> the caseload rows it fits, as an expression over the caseload's columns."""
    return {(s["domain"], s["id"]): s["fits"] for s in _declared()["situation"]}


@config.cached
def statement_bank() -> dict[tuple[str, str, str], tuple[str, ...]]:
    """(domain, situation, speaker) -> statements."""
    bank: dict[tuple[str, str, str], list[str]] = {}
    for item in _declared()["statement"]:
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
    declared = situations()
    keys = [k for k in declared if (*k, speaker) in bank]
    fits = np.column_stack([rows.eval(declared[k], engine="python").to_numpy(dtype=bool) for k in keys])
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
