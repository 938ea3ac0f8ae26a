"""Display-ready tables for pages: indicator figures joined to what a reader needs to know.

Pages call these and show the result; every figure here has passed disclosure control.
"""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from cl_metrics import differencing, memo
from cl_metrics.disclosure import DEFAULT_THRESHOLD, Mode
from cl_metrics.domains import Domain, domains
from cl_metrics.indicators import DeclarationError, Indicator, builtin, compute, stored

VOICE_LABELS = {"self-reported": "Young person's own answer", "worker-recorded": "Recorded by workers",
                "national-return": "National return (SSDA903)"}
# The same three voices in words a young person at a workshop uses (phone cards, printed cards).
YOUNG_PEOPLES_WORDS = {"self-reported": "What young people told us", "worker-recorded": "What workers write down",
                       "national-return": "What the council tells the government each year"}
STATUS_LABELS = {"established": "Established", "prototype": "Prototype", "candidate": "Candidate"}
BETTER_LABELS = {"higher": "Higher is better", "lower": "Lower is better", "neither": "Neither higher nor lower is better"}


def describe(indicators: Sequence[Indicator]) -> pd.DataFrame:
    """What each indicator is: one row per indicator, no figures."""
    return pd.DataFrame([{
        "indicator_id": ind.id, "domain": ind.domain, "status": ind.status,
        "status_label": STATUS_LABELS[ind.status], "title": ind.title, "question": ind.question,
        "description": ind.description, "unit": ind.unit, "better": ind.better,
        "better_label": BETTER_LABELS[ind.better], "voice": ind.voice, "voice_label": VOICE_LABELS[ind.voice],
        "national_value": ind.national.value if ind.national else None,
        "national_year": ind.national.year if ind.national else None,
        "national_source": ind.national.source if ind.national else None,
    } for ind in indicators])


def national_text(row: pd.Series) -> str:
    """'England 91% (2021)' or '' when there is no national comparison."""
    if row.get("national_value") is None or pd.isna(row.get("national_value")):
        return ""
    unit = "%" if row["unit"] == "percent" else ""
    return f"England {row['national_value']:g}{unit} ({int(row['national_year'])})"


@memo.by_records  # pages re-run on every click; the figures change only with the records
def indicator_figures(con, year: int, mode: Mode = "workshop", threshold: int = DEFAULT_THRESHOLD,
                      indicators: Sequence[Indicator] | None = None,
                      alongside: Sequence[Indicator] = ()) -> pd.DataFrame:
    """Every indicator's protected figure for one year, with its description.

    A candidate among them is also checked for differencing against the built-ins, the others here
    and `alongside` (what else a reader can see, such as saved candidates); `caution` says why.
    """
    indicators = list(builtin() if indicators is None else indicators)
    figures = differencing.guard(con, compute.headline(con, indicators, year, mode=mode, threshold=threshold),
                                 indicators, alongside, [year], mode, threshold)
    table = describe(indicators).merge(figures.drop(columns="unit"), on="indicator_id")
    table["national"] = table.apply(national_text, axis=1)
    return table


def on_show(con, domain_id: str | None = None) -> tuple[tuple[Indicator, ...], dict[str, str]]:
    """What the Overview and Domain pages show: the built-ins, and every candidate a workshop promoted
    to prototype, with where each promoted one came from (a saved candidate that no longer fits the
    store's fields leaves the pages with the built-ins; the lab names it)."""
    try:
        promoted = stored.promoted(con)
    except DeclarationError:
        promoted = ()
    indicators = (*builtin(), *(ind for ind, _ in promoted))
    if domain_id is not None:
        indicators = tuple(ind for ind in indicators if ind.domain == domain_id)
    return indicators, {ind.id: f"from the workshop '{name}'" for ind, name in promoted}


def shown_figures(con, year: int, mode: Mode = "workshop", threshold: int = DEFAULT_THRESHOLD,
                  domain_id: str | None = None) -> pd.DataFrame:
    """The figures of what the pages show (on_show), a promoted candidate checked for differencing
    against every saved one, with `origin` saying which workshop promoted it."""
    indicators, origins = on_show(con, domain_id)
    try:
        alongside = stored.saved(con, include_retired=True)
    except DeclarationError:
        alongside = ()
    table = indicator_figures(con, year, mode, threshold, indicators, alongside)
    return table.assign(origin=[origins.get(i, "") for i in table["indicator_id"]])


def overview(con, year: int, mode: Mode = "workshop",
             threshold: int = DEFAULT_THRESHOLD) -> list[tuple[Domain, pd.DataFrame]]:
    """The eight domains in order, each with its indicators' figures."""
    table = shown_figures(con, year, mode, threshold)
    return [(d, table[table["domain"] == d.id].reset_index(drop=True)) for d in domains()]


def figure_table(frame: pd.DataFrame, labels: dict[str, str], mode: Mode) -> pd.DataFrame:
    """A protected figure table as people read it: its label columns and the figure.

    Analyst mode adds the (still suppressed) counts behind each figure and why one is hidden;
    workshop mode shows the rounded figure only.
    """
    columns = {**labels, "display": "Figure"}
    if mode == "analyst":
        columns |= {"numerator": "Young people counted", "denominator": "Out of", "suppression": "Hidden because"}
    return frame[list(columns)].rename(columns=columns)
