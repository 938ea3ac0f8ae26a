"""The disclosure audit: what a reader can work out from every count workshop mode publishes.

Each published count is the group of young people it counts (its units: a young person in a
collection year, a young person, or a table row) with what a reader can tell of its size:
- a shown 0 is 0; a shown multiple of 5 was rounded, so it is every count that
  `disclosure.rounded` shows as that figure (c - 2 to c + 2 for most; the lowest figure covers
  every count from the threshold to twice the largest hidden one); any other shown count was not
  rounded, so it is exact;
- "fewer than T" is 1 to T - 1 (of the denominator when it is the small one, else the numerator);
- any other hidden figure ("suppressed") says nothing.
The true groups come from an oracle written apart from cl_metrics' SQL (bench.reference's pandas
masks, and plain pandas over the record tables), so the audit relates groups as they really nest,
which a reader may only guess: its findings are an upper bound, as the issue's were.

A count is pinned when every value consistent with what was published is one value from 1 to 4:
- one group published twice (the intersection of what each says),
- a pair: a group less a group inside it (A - B), also against the difference's own publication,
- a triple: a group less two separate groups inside it (A - B - C, adding up groups).
Percentages add nothing: they are worked out from the rounded counts they divide, which the audit
holds as published (disclosure.py says so, and test_disclosure checks it).
"""
from __future__ import annotations

import contextlib
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from bench.reference import all_mask, load_person_year
from cl_metrics import lab, quality, store, voice
from cl_metrics import workshop as ws
from cl_metrics.__main__ import main as cli_main
from cl_metrics.disclosure import count_text, rounded
from cl_metrics.indicators import Indicator, builtin, compute
from cl_metrics.indicators.compute import DIMENSIONS
from cl_metrics.spec import spec

SMALL = range(1, 5)
BASE = 5


@dataclass(frozen=True)
class Published:
    """One count as published: where, the units it counts, and the range a reader can tell."""
    where: str
    units: frozenset
    low: float
    high: float


@dataclass(frozen=True)
class Pin:
    """A count of 1 to 4 young people worked out from published counts (`kind`: published, pair, triple)."""
    kind: str
    value: int
    sources: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value} from " + " | ".join(self.sources)


def shown_range(count: float, threshold: int) -> tuple[float, float]:
    """What a shown count tells a reader (see the module's first list): the counts cl_metrics' own
    rounding shows as it, read back from `disclosure.rounded` so the audit never has a rounding of its own."""
    count = int(count)
    if count == 0:
        return 0, 0
    if count % BASE:
        return count, count
    candidates = np.arange(1, count + 3 * BASE)
    shown_as = candidates[rounded(candidates, threshold) == count]
    return float(shown_as.min()), float(shown_as.max())


def text_range(text: str, threshold: int) -> tuple[float, float]:
    """What a count shown as text ('1,235', '0', 'fewer than 5') tells."""
    if text.startswith("fewer than"):
        return 1, threshold - 1
    return shown_range(int(text.replace(",", "")), threshold)


def figure_counts(where: str, row: dict, numerator: frozenset | None, denominator: frozenset,
                  threshold: int) -> list[Published]:
    """The counts one protected figure publishes (`numerator` None for a mean: it publishes no count).

    Works for any frame with numerator (or filled), denominator (or rows), display and suppressed."""
    num = row["numerator"] if "numerator" in row else row.get("filled")
    den = row["denominator"] if "denominator" in row else row.get("rows")
    if bool(row["suppressed"]):
        if not str(row["display"]).startswith("fewer than"):
            return []
        few = 1, threshold - 1
        if len(denominator) < threshold or numerator is None:
            return [Published(f"{where} (denominator, {row['display']})", denominator, *few)]
        return [Published(f"{where} (numerator, {row['display']})", numerator, *few)]
    found = []
    if not pd.isna(den):
        found.append(Published(f"{where} denominator {int(den)}", denominator, *shown_range(den, threshold)))
    if numerator is not None and not pd.isna(num):
        found.append(Published(f"{where} numerator {int(num)}", numerator, *shown_range(num, threshold)))
    return found


class Truth:
    """The groups behind each published count, from the store's rows (never from cl_metrics' SQL)."""

    def __init__(self, con):
        self.con = con
        self.py = load_person_year(con)
        self.py_units = list(zip(self.py["CHILD"], self.py["collection_year"].astype(int)))

    def units(self, mask: np.ndarray) -> frozenset:
        return frozenset(self.py_units[i] for i in np.flatnonzero(mask))

    @cache
    def _counted(self, ind: Indicator) -> tuple[np.ndarray | None, np.ndarray]:
        """Rows in the indicator's numerator (None for a mean) and denominator, in any year or group."""
        population = all_mask(self.py, ind.population)
        if ind.unit == "mean":
            return None, population & self.py[ind.value_field].notna().to_numpy()
        return population & all_mask(self.py, ind.numerator), population

    @cache
    def _rows(self, year: int, dimension: str | None, group) -> np.ndarray:
        rows = (self.py["collection_year"] == year).to_numpy()
        if dimension is None:
            return rows
        return rows & (self.py[DIMENSIONS[dimension][0]].astype(str) == str(group)).to_numpy()

    @cache
    def indicator(self, ind: Indicator, year: int, dimension: str | None = None,
                  group=None) -> tuple[frozenset | None, frozenset]:
        """(numerator, denominator) units of an indicator in a year, in one group of a breakdown."""
        rows = self._rows(year, dimension, group)
        numerator, denominator = self._counted(ind)
        return None if numerator is None else self.units(rows & numerator), self.units(rows & denominator)

    def pairing(self, pairing: voice.Pairing, year: int, pooled: bool) -> dict:
        """Units per cell (records yes, says yes), and 'all' with both: each young person once, at
        their latest year with both (pooled), or in `year` only."""
        both = all_mask(self.py, [*pairing.says.answered, *pairing.records.answered])
        years = self.py["collection_year"].to_numpy()
        both = both & (years <= year) & ((years >= 0) if pooled else (years == year))
        rows = self.py[both].assign(r=all_mask(self.py, pairing.records.yes_when)[both],
                                    s=all_mask(self.py, pairing.says.yes_when)[both])
        latest = rows.sort_values("collection_year").groupby("CHILD").tail(1)
        cells = {cell: frozenset(zip(part["CHILD"], part["collection_year"].astype(int)))
                 for cell, part in latest.groupby(["r", "s"])}
        cells = {cell: cells.get(cell, frozenset()) for cell in voice.CELLS}
        return cells | {"all": frozenset().union(*cells.values())}

    def table_rows(self, name: str) -> tuple[pd.DataFrame, list]:
        """A record table's rows, and each row's unit: (CHILD, year) for the first row of a young person
        in a year, a unit of its own for any further one; (person, CHILD) in a one-row-each table."""
        rows = self.con.execute(f"SELECT * FROM {name}").df()
        if not spec().table(name).annual:
            return rows, [("person", c) for c in rows["CHILD"]]
        first = ~rows.duplicated(["CHILD", "collection_year"]).to_numpy()
        return rows, [(c, y) if f else (name, i) for i, (c, y, f) in
                      enumerate(zip(rows["CHILD"], rows["collection_year"], first))]

    def people(self) -> frozenset:
        """The store's young people, as the sidebar counts them."""
        return frozenset(("person", c) for c in self.py["CHILD"].unique())


def filled(column: pd.Series) -> np.ndarray:
    """Whether each value is filled in: a blank or spaces-only string is as empty as a missing one."""
    present = column.notna().to_numpy()
    if column.dtype == object:
        return present & column.map(lambda v: not (isinstance(v, str) and not v.strip())).to_numpy(dtype=bool)
    return present


# --- finding pins ---------------------------------------------------------------------------------

@dataclass
class Findings:
    pins: list[Pin] = field(default_factory=list)
    pairs_checked: int = 0
    triples_checked: int = 0

    def count(self, kind: str) -> int:
        return sum(p.kind == kind for p in self.pins)


class Groups:
    """The distinct groups published, each with the intersection of what its publications say,
    as bit masks over their units so that nesting and separateness are quick to test."""

    def __init__(self, published: Iterable[Published]):
        merged: dict[frozenset, tuple[float, float, list[str]]] = {}
        for p in published:
            if p.units:  # an empty group counts nobody: nothing to find
                low, high, where = merged.get(p.units, (0, math.inf, []))
                merged[p.units] = max(low, p.low), min(high, p.high), [*where, p.where]
        self.units = list(merged)
        self.low = np.array([merged[g][0] for g in self.units], dtype=float)
        self.high = np.array([merged[g][1] for g in self.units], dtype=float)
        self.where = [merged[g][2] for g in self.units]
        index = {u: i for i, u in enumerate(sorted({u for g in self.units for u in g}, key=repr))}
        self.masks = np.zeros((len(self.units), max(1, math.ceil(len(index) / 64))), dtype=np.uint64)
        for row, group in enumerate(self.units):
            for u in group:
                self.masks[row, index[u] // 64] |= np.uint64(1) << np.uint64(index[u] % 64)
        self.by_mask = {mask.tobytes(): i for i, mask in enumerate(self.masks)}

    def name(self, i: int) -> str:
        return f"{self.where[i][0]} [{self.low[i]:g} to {self.high[i]:g}]"

    def inside(self, a: int) -> np.ndarray:
        """The groups wholly inside group `a`, `a` left out."""
        found = np.flatnonzero(((self.masks & ~self.masks[a]) == 0).all(axis=1))
        return found[found != a]


def _pinned(low: float, high: float) -> int | None:
    return int(low) if low == high and low in SMALL else None


def find_pins(published: Sequence[Published]) -> Findings:
    """Every count of 1 to 4 that one group published more than once, a pair or a triple pins."""
    findings, groups = Findings(), Groups(published)
    for i, units in enumerate(groups.units):
        assert groups.low[i] <= len(units) <= groups.high[i], f"the audit misreads {len(units)}: {groups.where[i]}"
        if (value := _pinned(groups.low[i], groups.high[i])) is not None:
            findings.pins.append(Pin("published", value, tuple(groups.where[i][:3])))
    for a in range(len(groups.units)):
        inside = groups.inside(a)
        findings.pairs_checked += len(inside)
        for b in inside:
            _less_one(findings, groups, a, b)
        _less_two(findings, groups, a, inside[np.isfinite(groups.high[inside])])
    return findings


def _less_one(findings: Findings, groups: Groups, a: int, b: int) -> None:
    """A less a group B inside it (a pair), also against the rest's own publication (a triple)."""
    low, high = max(0.0, groups.low[a] - groups.high[b]), groups.high[a] - groups.low[b]
    rest = groups.by_mask.get((groups.masks[a] & ~groups.masks[b]).tobytes())
    if rest is not None:
        low, high = max(low, groups.low[rest]), min(high, groups.high[rest])
    if (value := _pinned(low, high)) is not None:
        named = (a, b) if rest is None else (a, b, rest)
        findings.pins.append(Pin("pair" if rest is None else "triple", value, tuple(map(groups.name, named))))


def _less_two(findings: Findings, groups: Groups, a: int, inside: np.ndarray) -> None:
    """A less two separate groups B and C inside it: adding up groups (a triple)."""
    if len(inside) < 2 or not np.isfinite(groups.high[a]):
        return
    masks = groups.masks[inside]
    b, c = np.nonzero(np.triu(((masks[:, None, :] & masks[None, :, :]) == 0).all(axis=2), 1))
    b, c = inside[b], inside[c]
    findings.triples_checked += len(b)
    low = np.maximum(0.0, groups.low[a] - groups.high[b] - groups.high[c])
    high = groups.high[a] - groups.low[b] - groups.low[c]
    for i in np.flatnonzero((low == high) & (low >= SMALL.start) & (low < SMALL.stop)):
        findings.pins.append(Pin("triple", int(low[i]), (groups.name(a), groups.name(b[i]), groups.name(c[i]))))


def csv_frame(text: str) -> pd.DataFrame:
    """A CSV the app wrote, read back as a reader's spreadsheet would."""
    return pd.read_csv(io.StringIO(text), dtype={"numerator": "Int64", "denominator": "Int64"})


# --- every workshop-mode output of a store ------------------------------------------------------------

def cli_csv(path: str, year: int, threshold: int) -> pd.DataFrame:
    """`python -m cl_metrics indicators --mode workshop` for one year, as the CSV it prints."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(["indicators", "--db", path, "--mode", "workshop", "--year", str(year),
                         "--threshold", str(threshold)]) == 0
    return csv_frame(out.getvalue())


class Outputs:
    """Collects the counts of every workshop-mode output, each with its true group."""

    def __init__(self, con, threshold: int, indicators: Sequence[Indicator]):
        self.con, self.threshold, self.truth = con, threshold, Truth(con)
        self.by_id = {ind.id: ind for ind in indicators}
        self.published: list[Published] = []

    def figures(self, where: str, frame: pd.DataFrame, year: int | None = None, dimension: str | None = None) -> None:
        """Rows of protected indicator figures (by indicator; by year or group when the frame has them)."""
        for row in frame.to_dict("records"):
            ind = self.by_id[row["indicator_id"] if "indicator_id" in row else row["id"]]
            row_year = int(row["collection_year"]) if "collection_year" in row else year
            group = row["group"] if dimension else None
            numerator, denominator = self.truth.indicator(ind, row_year, dimension, group)
            label = f"{where} {ind.id} {row_year}" + (f" {dimension}={group}" if dimension else "")
            self.published += figure_counts(label, row, numerator, denominator, self.threshold)

    def agreement(self, result: voice.Agreement) -> None:
        truth = self.truth.pairing(result.pairing, result.year, result.pooled)
        where = f"voice {result.pairing.id} {'up to ' if result.pooled else ''}{result.year}"
        for row in result.cells.to_dict("records"):
            cell = (bool(row["records_yes"]), bool(row["says_yes"]))
            self.published += figure_counts(f"{where} cell {cell}", row, truth[cell], truth["all"], self.threshold)
        self.published.append(Published(f"{where}: of {result.people} with both", truth["all"],
                                         *text_range(result.people, self.threshold)))

    def quality(self, years: Sequence[int]) -> None:
        counts = quality.check_counts(self.con, "workshop", self.threshold)
        failing = quality.failures(self.con)
        for row in counts.to_dict("records"):
            rows = failing[(failing["check"] == row["check"]) & (failing["collection_year"] == row["collection_year"])]
            first = ~rows.duplicated(["CHILD", "collection_year"]).to_numpy()
            units = frozenset((c, y) if f else (row["check"], i) for i, (c, y, f) in
                              enumerate(zip(rows["CHILD"], rows["collection_year"], first)))
            self.published.append(Published(f"data quality {row['check']} {row['collection_year']}: {row['display']}",
                                            units, *text_range(row["display"], self.threshold)))
        self.completeness(quality.completeness(self.con, None, "workshop", self.threshold))
        local = [t.name for t in spec().tables.values() if t.annual and t.source == "local"]
        for year in years:
            self.completeness(quality.caseload_completeness(self.con, local, year, "workshop", self.threshold), year)

    def completeness(self, frame: pd.DataFrame, caseload_year: int | None = None) -> None:
        """Completeness rows: rows of a table (or the year's young people) with a field filled in."""
        for (table, year), part in frame.groupby(["table", "collection_year"], dropna=False):
            rows, units = self.truth.table_rows(table)
            if not pd.isna(year):
                in_year = (rows["collection_year"] == year).to_numpy()
                rows, units = rows[in_year], [u for u, keep in zip(units, in_year) if keep]
            for row in part.to_dict("records"):
                filled_units = [u for u, f in zip(units, filled(rows[row["field"]])) if f]
                if caseload_year is None:
                    counted, everyone = frozenset(filled_units), frozenset(units)
                else:  # the year's young people with a row that has the field filled
                    everyone = self.truth.units((self.truth.py["collection_year"] == caseload_year).to_numpy())
                    counted = everyone & frozenset(filled_units)
                where = f"completeness {'of caseload ' if caseload_year else ''}{table}.{row['field']} {year}"
                self.published += figure_counts(where, row, counted, everyone, self.threshold)

    def people(self, path: str) -> None:
        shown = count_text(store.summary(self.con, path).young_people, self.threshold, "workshop")
        self.published.append(Published(f"sidebar: {shown} young people", self.truth.people(),
                                        *text_range(shown, self.threshold)))


def workshop_outputs(path: str, threshold: int, saved: Sequence[Indicator] = (),
                     drafts: Sequence[Indicator] = ()) -> list[Published]:
    """Every count workshop mode publishes from the store at `path`, with `saved` candidates saved in it
    and `drafts` tried in the lab: headlines, trends, breakdowns, the CLI's CSV, the lab, workshop cards,
    voice tables, data quality and data map counts, and the sidebar's count of young people."""
    con = store.connect(path)
    years = compute.years(con)
    con.close()
    cli = {year: cli_csv(path, year, threshold) for year in years}
    con = store.connect(path)
    try:
        indicators = [*builtin(), *saved, *drafts]
        out = Outputs(con, threshold, indicators)
        for year, table in cli.items():
            out.figures("CLI", table, year)
        out.figures("trend", compute.trend(con, builtin(), mode="workshop", threshold=threshold))
        for year in years:
            out.figures("headline", compute.headline(con, builtin(), year, mode="workshop", threshold=threshold), year)
            for dimension in DIMENSIONS:
                out.figures("breakdown", compute.breakdown(con, builtin(), dimension, year, mode="workshop",
                                                           threshold=threshold), year, dimension)
            for candidate in [*saved, *drafts]:
                out.figures(f"lab ({candidate.id})", lab.comparison(con, candidate, year, "workshop", threshold), year)
                for dimension in DIMENSIONS:
                    parts = lab.breakdown(con, candidate, dimension, year, "workshop", threshold)
                    if parts is not None:
                        out.figures("lab breakdown", parts, year, dimension)
            room = ws.Workshop("audit", "AUDIT", "Audit", tuple(ind.id for ind in [*builtin(), *saved]), None, False,
                               threshold)
            out.figures("workshop card", ws.cards(con, room, year), year)
            for pooled in (False, True):
                for result in voice.agreements(con, year, "workshop", threshold, pooled):
                    out.agreement(result)
        for candidate in [*saved, *drafts]:
            out.figures(f"lab trend ({candidate.id})", lab.trend(con, candidate, "workshop", threshold))
        out.quality(years)
        out.people(path)
        return out.published
    finally:
        con.close()
