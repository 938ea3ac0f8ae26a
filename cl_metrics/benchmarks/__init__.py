"""DfE's published care-leaver figures (England, regions, every authority) and its statistical
neighbour model, read from the bundled files in data/benchmarks/, never typed by hand.

A published figure is what DfE printed: a whole percentage, or a marker (`c` suppressed, `z` not
applicable, `k` under 0.5%, `x` not available) that is never read as 0. `comparison` puts one
measure of one year beside England, the authority's region, its statistical neighbours, any
other authority, and says where a figure would rank among all authorities. Survey figures used
as comparisons (Bright Spots) live beside them, each with its question and source.
"""
from __future__ import annotations

import difflib
import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from cl_metrics.store import PROJECT_ROOT

BENCHMARK_DIR = PROJECT_ROOT / "data" / "benchmarks"
FIGURES_FILE = BENCHMARK_DIR / "dfe_care_leavers_2021-2025.csv"
AREAS_FILE = BENCHMARK_DIR / "areas.csv"
NEIGHBOURS_FILE = BENCHMARK_DIR / "statistical_neighbours_2025.csv"
SURVEYS_FILE = BENCHMARK_DIR / "surveys.toml"
MEASURES_FILE = Path(__file__).with_name("measures.toml")
ENGLAND = "E92000001"
# Authorities a reader can pick in one click: the research's two sites.
RESEARCH_SITES = ("815", "850")
QUARTILE_WORDS = {1: "top quartile", 2: "second quartile", 3: "third quartile", 4: "bottom quartile"}


@cache
def declarations() -> dict:
    """measures.toml: DfE's source, ages, markers, files and measures."""
    with open(MEASURES_FILE, "rb") as fh:
        return tomllib.load(fh)


def measure_ids() -> tuple[str, ...]:
    return tuple(declarations()["measure"])


def ages() -> tuple[str, ...]:
    return tuple(declarations()["ages"].values())


@dataclass(frozen=True)
class Area:
    code: str
    level: str  # england, region, authority
    name: str
    region_code: str = ""
    new_la_code: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})" if self.level == "authority" else self.name


@cache
def areas() -> dict[str, Area]:
    frame = pd.read_csv(AREAS_FILE, dtype=str, keep_default_na=False)
    return {r.area_code: Area(r.area_code, r.level, r.name, r.region_code, r.new_la_code) for r in frame.itertuples()}


def authorities() -> list[Area]:
    """Every authority, by name."""
    return sorted((a for a in areas().values() if a.level == "authority"), key=lambda a: a.name)


def authority(query: str) -> Area:
    """An authority by its 3-digit code, its E06/E08/E09/E10 code or its name (any case).

    Raises LookupError naming the closest names, so a typo gets a useful answer."""
    wanted = str(query).strip().casefold()
    for area in authorities():
        if wanted in (area.code.casefold(), area.new_la_code.casefold(), area.name.casefold()):
            return area
    names = [a.name for a in authorities()]
    close = difflib.get_close_matches(str(query).strip(), names, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(close)}?" if close else " Give a name, a 3-digit code (815) or an E-code."
    raise LookupError(f"No English authority is called or coded {query!r} in DfE's figures.{hint}")


@cache
def _neighbour_table() -> pd.DataFrame:
    return pd.read_csv(NEIGHBOURS_FILE, dtype={"la_code": str, "neighbour_code": str, "rank": int, "closeness": str})


def neighbours(code: str) -> list[tuple[Area, str]]:
    """The authority's statistical neighbours in DfE's model, closest first, with how close."""
    rows = _neighbour_table()
    rows = rows[rows["la_code"] == code].sort_values("rank")
    return [(areas()[r.neighbour_code], r.closeness) for r in rows.itertuples() if r.neighbour_code in areas()]


def region(code: str) -> Area | None:
    area = areas().get(code)
    return areas().get(area.region_code) if area and area.region_code else None


@cache
def figures() -> pd.DataFrame:
    """Every bundled figure: year, area_code, age, measure, count and percent as DfE printed them,
    `value` (the percent as a number, NaN where DfE printed a marker) and the area's `level`."""
    frame = pd.read_csv(FIGURES_FILE, dtype=str, keep_default_na=False)
    frame["year"] = frame["year"].astype(int)
    frame["value"] = pd.to_numeric(frame["percent"], errors="coerce")
    frame["level"] = frame["area_code"].map(lambda code: areas()[code].level)
    return frame


@cache
def _indexed() -> pd.DataFrame:
    return figures().set_index(["measure", "age", "year", "area_code"]).sort_index()


def years() -> list[int]:
    return sorted(figures()["year"].unique().tolist())


@dataclass(frozen=True)
class Published:
    """One published figure: DfE's printed percent (or marker) and count."""
    percent: str
    count: str = ""

    @property
    def value(self) -> float | None:
        try:
            return float(self.percent)
        except ValueError:
            return None

    def text(self, unit: str = "%") -> str:
        """'89%', or DfE's marker in words ('suppressed'), never 0 for a marker."""
        if self.value is not None:
            return f"{self.value:g}{unit}"
        return declarations()["markers"].get(self.percent, "not published")

    def count_text(self) -> str:
        """The count as printed, or its marker in words."""
        return self.count if self.count.isdigit() else declarations()["markers"].get(self.count, "not published")


NOT_PUBLISHED = Published("")


def published(measure: str, age: str, year: int, area_code: str) -> Published:
    """The figure DfE published for an area, or NOT_PUBLISHED (no such year, area or measure)."""
    try:
        row = _indexed().loc[(measure, age, year, area_code)]
    except KeyError:
        return NOT_PUBLISHED
    return Published(row["percent"], row["count"])


@dataclass(frozen=True)
class Comparison:
    """One measure in one year beside England, the region, the statistical neighbours and a chosen
    authority, and where `own` (the store's figure) would rank among all authorities."""
    measure: str
    age: str
    year: int
    england: Published
    region: Area | None
    region_figure: Published
    neighbours: tuple[tuple[Area, Published], ...]
    chosen: Area | None
    chosen_figure: Published
    rank: int | None
    ranked_of: int

    @property
    def neighbour_values(self) -> list[float]:
        return [p.value for _, p in self.neighbours if p.value is not None]

    @property
    def neighbours_mean(self) -> float | None:
        values = self.neighbour_values
        return round(float(np.mean(values)), 1) if values else None

    @property
    def neighbours_range(self) -> tuple[float, float] | None:
        values = self.neighbour_values
        return (min(values), max(values)) if values else None

    @property
    def quartile(self) -> int | None:
        return math.ceil(4 * self.rank / self.ranked_of) if self.rank else None


def comparison(measure: str, age: str, year: int, authority_code: str | None = None,
               chosen_code: str | None = None, own: float | None = None, better: str = "higher") -> Comparison:
    """`measure` for `age` in `year`: England, and (when the store's authority is known) its region
    and statistical neighbours, a chosen authority, and the rank `own` would take among every
    authority's published figure (the store's own authority left out, so it is not counted twice)."""
    home = region(authority_code) if authority_code else None
    near = tuple((area, published(measure, age, year, area.code))
                 for area, _ in (neighbours(authority_code) if authority_code else []))
    chosen = areas().get(chosen_code) if chosen_code else None
    rank, of = _rank(measure, age, year, authority_code, own, better)
    return Comparison(measure, age, year, published(measure, age, year, ENGLAND), home,
                      published(measure, age, year, home.code) if home else NOT_PUBLISHED, near,
                      chosen, published(measure, age, year, chosen.code) if chosen else NOT_PUBLISHED, rank, of)


def _rank(measure: str, age: str, year: int, authority_code: str | None, own: float | None,
          better: str) -> tuple[int | None, int]:
    """1 + the authorities doing better than `own` (higher or lower as `better` says; the highest
    first when neither), of all authorities with a published figure and `own`."""
    try:
        rows = _indexed().loc[(measure, age, year)]
    except KeyError:
        rows = _indexed().iloc[:0]
    others = rows.loc[(rows["level"] == "authority") & (rows.index != authority_code), "value"].dropna().to_numpy()
    if own is None or (isinstance(own, float) and math.isnan(own)) or not len(others):
        return None, len(others) + 1
    ahead = (others < own).sum() if better == "lower" else (others > own).sum()
    return int(ahead) + 1, len(others) + 1


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@cache
def surveys() -> dict:
    """surveys.toml: published survey figures used as comparisons, each with its question and source."""
    with open(SURVEYS_FILE, "rb") as fh:
        return tomllib.load(fh)


def survey_text(figure_id: str) -> str:
    """'Bright Spots care leavers 26% (2017-19)' for a survey figure."""
    figure = surveys()["figure"][figure_id]
    source = surveys()["source"][figure["source"]]
    return f"{source['short']} {figure['value']:g}% ({source['years']})"
