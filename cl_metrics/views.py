"""Display-ready tables for pages: indicator figures joined to what a reader needs to know.

Pages call these and show the result; every figure here has passed disclosure control.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence

import pandas as pd

from cl_metrics import benchmarks, differencing, memo, store
from cl_metrics.disclosure import DEFAULT_THRESHOLD, Mode
from cl_metrics.domains import Domain, domains
from cl_metrics.indicators import DeclarationError, Indicator, builtin, by_id, compute, stored
from cl_metrics.indicators.model import Condition

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
        "published_measure": ind.published.measure if ind.published else None,
        "published_age": ind.published.age if ind.published else None,
        "survey": ind.survey,
    } for ind in indicators])


@memo.by_records  # pages re-run on every click; the figures change only with the records
def _figures(con, year: int, mode: Mode, threshold: int, indicators: Sequence[Indicator],
             alongside: Sequence[Indicator], scope: Sequence[Condition] = ()) -> pd.DataFrame:
    figures = differencing.guard(con, compute.headline(con, indicators, year, scope, mode, threshold),
                                 indicators, alongside, [year], mode, threshold)
    return describe(indicators).merge(figures.drop(columns="unit"), on="indicator_id")


def indicator_figures(con, year: int, mode: Mode = "workshop", threshold: int = DEFAULT_THRESHOLD,
                      indicators: Sequence[Indicator] | None = None,
                      alongside: Sequence[Indicator] = (), compare: str | None = None,
                      scope: Sequence[Condition] = ()) -> pd.DataFrame:
    """Every indicator's protected figure for one year, with its description and comparators.

    A candidate among them is also checked for differencing against the built-ins, the others here
    and `alongside` (what else a reader can see, such as saved candidates); `caution` says why.
    The comparators (see `comparators`) are DfE's published figures beside the store's own, for
    the store's authority and `compare`, another authority's code. `scope` narrows the young people
    counted (the Overview's filters); disclosure control applies to what is left.
    """
    indicators = list(builtin() if indicators is None else indicators)
    table = _figures(con, year, mode, threshold, indicators, alongside, tuple(scope))
    return table.join(comparators(table, year, store_authority(con), compare, ranked=not scope))


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


def saved_alongside(con) -> tuple[Indicator, ...]:
    """Every saved candidate, retired too: what a promoted one is checked against for differencing."""
    try:
        return tuple(stored.saved(con, include_retired=True))
    except DeclarationError:
        return ()


def shown_figures(con, year: int, mode: Mode = "workshop", threshold: int = DEFAULT_THRESHOLD,
                  domain_id: str | None = None, compare: str | None = None,
                  scope: Sequence[Condition] = ()) -> pd.DataFrame:
    """The figures of what the pages show (on_show), with their comparators, a promoted candidate
    checked for differencing against every saved one, and `origin` saying which workshop promoted it."""
    indicators, origins = on_show(con, domain_id)
    table = indicator_figures(con, year, mode, threshold, indicators, saved_alongside(con), compare, scope)
    return table.assign(origin=[origins.get(i, "") for i in table["indicator_id"]])


def source_label(summary: store.StoreSummary) -> str:
    """What the store holds, in words every page and command can print (plain text): synthetic data
    says so, and which authority's published figures it copies."""
    area = benchmarks.areas().get(summary.authority or "")
    if summary.source == "synthetic":
        like = f"modelled on {area.name}'s published figures" if area else "calibrated to England's published figures"
        return f"Synthetic data: made-up young people, {like} (seed {summary.seed})"
    return "Real data (pseudonymised)" + (f": {area.name}" if area else "")


def own_label(summary: store.StoreSummary) -> str:
    """The store's own line on a chart beside published ones: whose figures they are."""
    area = benchmarks.areas().get(summary.authority or "")
    if summary.source == "synthetic":
        return f"{area.name} twin (synthetic)" if area else "Synthetic store"
    return area.name if area else "This store"


NEIGHBOURS_SERIES = "Statistical neighbours (mean)"


def published_trend(indicator: Indicator, years: Sequence[int], authority: str | None) -> pd.DataFrame:
    """England's published figure, and the statistical neighbours' mean, for each year DfE has
    published one: the lines a trend chart draws beside the store's own (empty for an indicator
    with no published counterpart)."""
    rows = []
    for year in years if indicator.published else ():
        c = benchmarks.comparison(indicator.published.measure, indicator.published.age, year, authority)
        rows += [(year, "England", c.england.value), (year, NEIGHBOURS_SERIES, c.neighbours_mean)]
    frame = pd.DataFrame(rows, columns=["collection_year", "series", "value"]).dropna(subset=["value"])
    return frame.assign(display=[f"{v:g}%" for v in frame["value"]]).reset_index(drop=True)


def store_authority(con) -> str | None:
    """The authority the store holds (a real store's, set on import or on the Data page) or copies (a
    synthetic twin's), as its 3-digit code; None for a store calibrated to England."""
    return store.get_info(con).get("authority")


COMPARATOR_COLUMNS = ["england", "region_name", "region", "neighbours_mean", "neighbours_min", "neighbours_max",
                      "neighbours_published", "compare_name", "compare", "rank", "ranked_of", "quartile",
                      "comparators", "national"]


def comparators(figures: pd.DataFrame, year: int, authority: str | None, compare: str | None,
                ranked: bool = True) -> pd.DataFrame:
    """Per row of `figures` (indexed alike): DfE's figures for the same year and measure, and a line of
    text saying them ('England 40% · Yorkshire and The Humber 45% · statistical neighbours 39%
    (28-45%) · 41st of 151 authorities, second quartile'); blank where none is published.

    The rank places the store's own figure as shown (protected) among every other authority's; with
    `ranked` False (a figure for some of the young people only, such as one adviser team) there is no
    rank, since every authority's figure counts all its care leavers of that age.
    `national` keeps England's figure on its own, or a survey's, for the workshop cards."""
    rows = []
    for measure, age, survey, value, suppressed, better in zip(
            figures["published_measure"], figures["published_age"], figures["survey"], figures["value"],
            figures["suppressed"], figures["better"]):
        if pd.isna(measure):
            text = "" if pd.isna(survey) else benchmarks.survey_text(survey)
            rows.append({"comparators": text, "national": text})
        else:
            own = None if not ranked or suppressed or pd.isna(value) else float(value)
            rows.append(_comparison_row(measure, age, year, authority, compare, own, better))
    return pd.DataFrame(rows, index=figures.index, columns=COMPARATOR_COLUMNS)


@functools.lru_cache(maxsize=4096)  # published figures never change while the app runs; pages re-run on every click
def _comparison_row(measure: str, age: str, year: int, authority: str | None, compare: str | None,
                    own: float | None, better: str) -> dict:
    c = benchmarks.comparison(measure, age, year, authority, compare, own, better)
    span = c.neighbours_range
    parts = [f"England {c.england.text()}"]
    if c.region:
        parts.append(f"{c.region.name} {c.region_figure.text()}")
    if c.neighbours:
        parts.append(f"statistical neighbours {c.neighbours_mean:g}% ({span[0]:g}-{span[1]:g}%)" if span
                     else "statistical neighbours: none published")
    if c.chosen:
        parts.append(f"{c.chosen.name} {c.chosen_figure.text()}")
    if c.rank:
        parts.append(f"{benchmarks.ordinal(c.rank)} of {c.ranked_of} authorities, {benchmarks.QUARTILE_WORDS[c.quartile]}")
    return {"england": c.england.value, "region_name": c.region.name if c.region else None,
            "region": c.region_figure.value, "neighbours_mean": c.neighbours_mean,
            "neighbours_min": span[0] if span else None, "neighbours_max": span[1] if span else None,
            "neighbours_published": len(c.neighbour_values), "compare_name": c.chosen.name if c.chosen else None,
            "compare": c.chosen_figure.value, "rank": c.rank, "ranked_of": c.ranked_of if c.rank else None,
            "quartile": c.quartile, "comparators": " · ".join(parts) + f" ({c.year})",
            "national": f"England {c.england.text()} ({c.year})"}


def neighbour_table(indicator_id: str, year: int, authority: str | None, compare: str | None = None) -> pd.DataFrame:
    """Each comparator of one indicator on its own line, for the reader who asks: England, the region,
    every statistical neighbour (closest first) and the chosen authority, with DfE's figure as printed
    (a suppressed one says so, never 0) and how many young people it is of."""
    columns = ["Compared with", "How close (DfE's model)", "Published figure", "Of young people"]
    ind = by_id(indicator_id)
    if not ind.published:
        return pd.DataFrame(columns=columns)
    areas = [("England", "", benchmarks.ENGLAND)]
    if authority and (home := benchmarks.region(authority)):
        areas.append((f"{home.name} (region)", "", home.code))
    areas += [(area.label, closeness, area.code) for area, closeness in benchmarks.neighbours(authority or "")]
    if compare in benchmarks.areas():
        areas.append((f"{benchmarks.areas()[compare].label} (chosen)", "", compare))
    m, age = ind.published.measure, ind.published.age
    total = benchmarks.declarations()["measure"][m]["total"]
    return pd.DataFrame([[name, close, benchmarks.published(m, age, year, code).text(),
                          benchmarks.published(total, age, year, code).count_text()]
                         for name, close, code in areas], columns=columns)


def overview(con, year: int, mode: Mode = "workshop", threshold: int = DEFAULT_THRESHOLD,
             compare: str | None = None, scope: Sequence[Condition] = ()) -> list[tuple[Domain, pd.DataFrame]]:
    """The declared domains in order, each with its indicators' figures and comparators."""
    table = shown_figures(con, year, mode, threshold, compare=compare, scope=scope)
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
