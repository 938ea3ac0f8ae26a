"""What young people say beside what is recorded: agreement tables, and young people's own words.

Pairings are data (voice_pairs.toml). For each, the people with both an answer and a record
form a 2x2 table whose cells partition its total, so the cells pass `protect` with that
partition (secondary suppression). Shares (agreement, margins) are worked out from the cells and
the total as shown (rounded in workshop mode), so they say nothing the table does not, and one
that would need a hidden cell is hidden; see `_shares`.
"""
from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, model_validator

from cl_metrics import config
from cl_metrics.disclosure import DEFAULT_THRESHOLD, SECONDARY, Mode, display, protect, protected_count
from cl_metrics.domains import domain, domain_ids
from cl_metrics.fields import registry
from cl_metrics.indicators.compiler import TABLE, Sql, all_of
from cl_metrics.indicators.model import Condition

PAIRS_FILE = "cl_metrics/voice_pairs.toml"
YOUNG_PERSON = "young person"
# The four cells, in display order: (recorded yes, says yes).
CELLS = [(True, True), (True, False), (False, True), (False, False)]


class Side(BaseModel):
    """One side of a pairing: who has an answer (or record), and what counts as yes."""
    model_config = ConfigDict(frozen=True, extra="forbid")
    label: str
    yes: str
    no: str
    answered: tuple[Condition, ...]
    yes_when: tuple[Condition, ...]

    @property
    def voices(self) -> set[str]:
        return {registry()[c.field].voice for c in (*self.answered, *self.yes_when)}


class Pairing(BaseModel):
    """The young person's own answer beside a record about the same thing."""
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    domain: str
    title: str
    why: str
    says: Side
    records: Side
    headline: bool = False

    @model_validator(mode="after")
    def voices_match_sides(self) -> Pairing:
        if self.domain not in domain_ids():
            raise ValueError(f"pairing '{self.id}': unknown domain '{self.domain}'")
        if self.says.voices != {"self-reported"}:
            raise ValueError(f"pairing '{self.id}': 'says' must use only the young person's own answers")
        if "self-reported" in self.records.voices:
            raise ValueError(f"pairing '{self.id}': 'records' must use worker-recorded or national-return fields")
        return self


@config.cached
def _declarations() -> dict:
    with open(config.path(PAIRS_FILE), "rb") as fh:
        return tomllib.load(fh)


@config.cached
def pairings() -> tuple[Pairing, ...]:
    return tuple(Pairing.model_validate(p) for p in _declarations()["pairing"])


def theme_label(theme: str) -> str:
    """A theme's plain name ('unsafe_home' -> 'Not feeling safe at home')."""
    return _declarations()["themes"].get(theme, theme.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Agreement:
    """One pairing's protected agreement table for one year (or, pooled, all years up to it).

    `cells`: four rows (records_yes, says_yes, agreement, the two labels, numerator = people,
    value = % of everyone with both, text = "181 (61%)" or why it is hidden). `shares`: figures
    worked out from the cells, each with a `sentence` to fill with its display. `people`: how
    many have both, as shown ('fewer than 5' when few).
    """
    pairing: Pairing
    year: int
    pooled: bool
    cells: pd.DataFrame
    shares: pd.DataFrame
    people: str

    def table(self) -> pd.DataFrame:
        """The 2x2 table as text, records down the side and the young person's answer across."""
        table = self.cells.pivot(index="recorded", columns="says", values="text")
        order_rows = [_capital(self.pairing.records.yes), _capital(self.pairing.records.no)]
        order_cols = [f"Say they {self.pairing.says.yes}", f"Say they {self.pairing.says.no}"]
        return table.loc[order_rows, order_cols].rename_axis(index=None, columns=None)

    def download_table(self) -> pd.DataFrame:
        """The cells as a flat table for CSV: protected counts and shares of everyone with both."""
        return pd.DataFrame({"Record": self.cells["recorded"], "Young person": self.cells["says"],
                             "Record and answer": self.cells["agreement"], "Young people": self.cells["numerator"],
                             "Per cent of those with both": self.cells["display"]})

    def share(self, name: str) -> pd.Series:
        return self.shares.set_index("name").loc[name]


def _cell_text(row: pd.Series) -> str:
    """'181 (61%)', or why there is no figure ('fewer than 5', 'suppressed', 'no data')."""
    return row["display"] if pd.isna(row["value"]) else f"{int(row['numerator']):,} ({row['display']})"


def _counts(con, pairing: Pairing, year: int, pooled: bool) -> dict[tuple[bool, bool], int]:
    """People per cell: in `year`, or (pooled) each young person's latest year with both, up to `year`."""
    both = all_of([*pairing.says.answered, *pairing.records.answered])
    latest = (Sql("SELECT coalesce(") + all_of(pairing.records.yes_when) + Sql(", false) AS records_yes, coalesce(")
              + all_of(pairing.says.yes_when)
              + Sql(f", false) AS says_yes FROM {TABLE} WHERE collection_year BETWEEN ? AND ? AND ",
                    [0 if pooled else year, year])  # from year 0: every year held
              + both + Sql(" QUALIFY row_number() OVER (PARTITION BY CHILD ORDER BY collection_year DESC) = 1"))
    query = Sql("SELECT records_yes, says_yes, count(*) FROM (") + latest + Sql(") GROUP BY ALL")
    found = {(bool(r), bool(s)): n for r, s, n in con.execute(query.text, query.params).fetchall()}
    return {cell: found.get(cell, 0) for cell in CELLS}


class Share(NamedTuple):
    """A figure worked out from cells: which cells count, out of which, and how to say it."""
    name: str
    counted: set
    out_of: set
    label: str
    sentence: str


def _shares_wanted(p: Pairing) -> list[Share]:
    everyone = set(CELLS)
    return [Share(*s) for s in [
        ("agree", {(True, True), (False, False)}, everyone, "Record and young person agree",
         "the record and the young person agree for {}"),
        ("records_yes", {(True, True), (True, False)}, everyone, _capital(p.records.yes), "{} are " + p.records.yes),
        ("says_no", {(True, False), (False, False)}, everyone, f"Say they {p.says.no}", "{} say they " + p.says.no),
        ("says_no_when_records_yes", {(True, False)}, {(True, True), (True, False)},
         f"Of those {p.records.yes}: say they {p.says.no}", f"of those {p.records.yes}, {{}} say they {p.says.no}"),
    ]]


def _capital(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def _shares(wanted: list[Share], shown: dict, hidden: set, people: int | None, threshold: int,
            mode: Mode) -> pd.DataFrame:
    """Each share from the cells as shown (`shown`: cell -> shown count) and the shown total (`people`).

    A share out of everyone is out of the shown total; any other sum needs its cells shown, else
    the share is hidden: a sum holding a hidden cell would split what the total hides.
    """
    everyone = set(CELLS)

    def total(cells: set) -> float:
        return float(people or 0) if cells == everyone else float(sum(shown[c] for c in cells - hidden))

    shares = protect(pd.DataFrame({
        "name": [s.name for s in wanted], "label": [s.label for s in wanted],
        "sentence": [s.sentence for s in wanted], "unit": "percent",
        "numerator": [total(s.counted) for s in wanted], "denominator": [total(s.out_of) for s in wanted]}),
        None, threshold, mode)
    _hide(shares, np.array([people is None or bool(s.counted & hidden)
                            or (s.out_of != everyone and bool(s.out_of & hidden)) for s in wanted]))
    return shares


def agreement(con, pairing: Pairing, year: int, mode: Mode = "workshop", threshold: int = DEFAULT_THRESHOLD,
              pooled: bool = False) -> Agreement:
    """The protected agreement table and shares of one pairing for one collection year.

    `pooled` counts each young person once, at their latest year with both up to `year`: a
    small authority's one year is often too few to show anything, several years together are not.
    """
    counts = _counts(con, pairing, year, pooled)
    total = sum(counts.values())
    cells = protect(pd.DataFrame({
        "pairing_id": pairing.id, "records_yes": [r for r, _ in CELLS], "says_yes": [s for _, s in CELLS],
        "unit": "percent", "numerator": [float(counts[c]) for c in CELLS], "denominator": float(total)}),
        ["pairing_id"], threshold, mode)
    cells["agreement"] = np.where(cells["records_yes"] == cells["says_yes"], "agree", "differ")
    cells["recorded"] = [_capital(pairing.records.yes if r else pairing.records.no) for r in cells["records_yes"]]
    cells["says"] = [f"Say they {pairing.says.yes if s else pairing.says.no}" for s in cells["says_yes"]]
    cells["text"] = [_cell_text(row) for _, row in cells.iterrows()]
    hidden = {c for c, h in zip(CELLS, cells["suppressed"]) if h}
    people, people_text = protected_count(total, threshold, mode)
    shares = _shares(_shares_wanted(pairing), dict(zip(CELLS, cells["numerator"])), hidden, people, threshold, mode)
    return Agreement(pairing, year, pooled, cells, shares, people_text)


def _hide(frame: pd.DataFrame, mask: np.ndarray) -> None:
    """Hide figures that passed primary suppression but would give a hidden cell away."""
    mask = mask & ~frame["suppressed"].to_numpy()
    frame.loc[mask, ["numerator", "denominator"]] = pd.NA
    frame.loc[mask, "value"] = np.nan
    frame.loc[mask, "suppressed"] = True
    frame.loc[mask, "suppression"] = SECONDARY
    frame.loc[mask, "display"] = display("percent", np.nan, SECONDARY)


def agreements(con, year: int, mode: Mode = "workshop", threshold: int = DEFAULT_THRESHOLD,
               pooled: bool = False) -> list[Agreement]:
    return [agreement(con, p, year, mode, threshold, pooled) for p in pairings()]


def themes(con, domains: Sequence[str]) -> list[str]:
    """Themes of the consented statements young people made about these domains."""
    rows = con.execute("SELECT DISTINCT theme FROM voice_note WHERE speaker = ? AND consent "
                       "AND list_contains(CAST(? AS VARCHAR[]), domain) ORDER BY theme",
                       [YOUNG_PERSON, list(domains)]).fetchall()
    return [r[0] for r in rows]


def statements(con, domains: Sequence[str], chosen_themes: Sequence[str] = (), limit: int = 12) -> pd.DataFrame:
    """Young people's own consented words: domain, theme and text only (no ids, no dates).

    Each distinct statement once, in an order that looks random but is the same every time
    (a hash), so a page shows a fair spread and a link shows the same words.
    """
    frame = con.execute(
        "SELECT domain, theme, text FROM voice_note WHERE speaker = ? AND consent "
        "AND list_contains(CAST(? AS VARCHAR[]), domain) "
        "AND (len(CAST(? AS VARCHAR[])) = 0 OR list_contains(CAST(? AS VARCHAR[]), theme)) "
        "GROUP BY domain, theme, text ORDER BY hash(text), text LIMIT ?",
        [YOUNG_PERSON, list(domains), list(chosen_themes), list(chosen_themes), limit]).df()
    frame["domain"] = frame["domain"].map(lambda d: domain(d).name)
    frame["theme"] = frame["theme"].map(theme_label)
    return frame
