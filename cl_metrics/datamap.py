"""The data map: each domain's items of information, where each lives, and whether this store holds it.

Declared as data in specs/data_map.toml and validated here against the table specs, so the
table.column where an item would be held is always a real one. Whether this store holds it is read
from the store, not the declaration: a store built from a few imported files holds only what they
filled. Completeness comes from `quality.completeness`, so the map and the Data quality page never
disagree.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

import altair as alt
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator, model_validator

from cl_metrics import config, memo, quality
from cl_metrics.charts import FONT_SIZE, OKABE_ITO, style
from cl_metrics.disclosure import DEFAULT_THRESHOLD, Mode
from cl_metrics.domains import domains
from cl_metrics.spec import Voice, spec
from cl_metrics.views import VOICE_LABELS

DATA_MAP_FILE = "cl_metrics/specs/data_map.toml"
CHARACTERISTICS = "characteristics"
HELD, NOT_HELD = "Held in this store", "Known, not held"


def group_names() -> dict[str, str]:
    """The map's groups in order: characteristics (used by every domain), then the declared domains."""
    return {CHARACTERISTICS: "Characteristics (used by every domain)", **{d.id: d.name for d in domains()}}


def _column(reference: str, national_only: bool) -> tuple[str, str]:
    """`table.column` split and checked against the spec (the national return's tables if asked)."""
    table, _, column = reference.partition(".")
    tables = {t.name: t for t in (spec().national_tables() if national_only else spec().tables.values())}
    if table not in tables:
        kind = "national return table" if national_only else "table"
        raise ValueError(f"'{reference}' names no {kind} of the spec (known: {', '.join(tables)})")
    if column not in tables[table].column_names:
        raise ValueError(f"'{reference}': table {table} has no column '{column}'")
    return table, column


class DataItem(BaseModel):
    """One item of information and where it lives; blank strings mean 'not there'.

    `held` is the table.column where a store would hold it; whether one does is `data_map`'s to say.
    """
    model_config = ConfigDict(frozen=True, extra="forbid")
    domain: str
    item: str
    case_record: str = ""
    local_dashboard: str = ""
    national_return: str = ""
    voice: Voice
    held: str = ""
    known_from: str

    @field_validator("domain")
    @classmethod
    def known_domain(cls, value: str) -> str:
        if value not in group_names():
            raise ValueError(f"unknown domain '{value}' (known: {', '.join(group_names())})")
        return value

    @field_validator("national_return", "held")
    @classmethod
    def real_column(cls, value: str, info: ValidationInfo) -> str:
        """A named table.column must exist (in the national return's tables, for that column)."""
        if value:
            _column(value, national_only=info.field_name == "national_return")
        return value

    @model_validator(mode="after")
    def consistent(self) -> DataItem:
        if self.national_return and not self.held:
            raise ValueError(f"'{self.item}': the store holds every national return field, so name it in `held`")
        if self.held:
            table, column = _column(self.held, national_only=False)
            declared = next(c.voice for c in spec().table(table).columns if c.name == column)
            if declared and declared != self.voice:
                raise ValueError(f"'{self.item}': voice '{self.voice}' but {self.held} is '{declared}' in the spec")
        return self


def load(path: Path | None = None) -> tuple[DataItem, ...]:
    """Read and validate a data map file; a bad item is refused with its number and name."""
    path = path or config.path(DATA_MAP_FILE)
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)["item"]
    items = []
    for number, entry in enumerate(raw, start=1):
        try:
            items.append(DataItem(**entry))
        except ValidationError as exc:
            raise ValueError(f"{path.name}, item {number} ({entry.get('item', '?')}): {exc}") from None
    return tuple(items)


@config.cached
def items() -> tuple[DataItem, ...]:
    return load()


def _by_caseload(table: str) -> bool:
    """Local annual tables hold a row per young person answering or recorded, so measure them
    over the year's caseload; the return's tables over their own rows (their own populations)."""
    t = spec().table(table)
    return t.annual and t.source == "local"


def _completeness(con, tables: list[str], year: int | None, mode: Mode, threshold: int) -> pd.DataFrame:
    """Protected completeness of every field of `tables` for `year`, indexed by 'table.field'."""
    local = [t for t in tables if _by_caseload(t)]
    figures = quality.completeness(con, [t for t in tables if not _by_caseload(t)], mode, threshold)
    figures = figures[figures["collection_year"].isna() | (figures["collection_year"] == year)]
    if year is not None and local:
        caseload = quality.caseload_completeness(con, local, year, mode, threshold)
        figures = pd.concat([figures, caseload], ignore_index=True)
    return figures.assign(held=figures["table"] + "." + figures["field"]).set_index("held")


def _filled_fields(con, tables: list[str], year: int | None) -> set[str]:
    """'table.field' of every field of `tables` with at least one value in `year`.

    Read unprotected (analyst mode hides nothing): whether a field is in use is not a figure about
    young people, and a suppressed completeness must not turn a field that is in use into 'not held'.
    """
    figures = _completeness(con, tables, year, "analyst", DEFAULT_THRESHOLD)
    return set(figures.index[figures["filled"] > 0])


def _measured_over(held: str, year: int | None) -> str:
    if not held:
        return ""
    table = held.split(".")[0]
    if _by_caseload(table):
        return f"young people supported in {year}"
    return f"rows of {table}" + (f" in {year}" if spec().table(table).annual else "")


@memo.by_records  # reads completeness of every record table twice; records change only on a rebuild
def data_map(con, year: int | None, mode: Mode = "workshop", threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Every item, in domain order, with where it lives, whether held, and its protected completeness.

    Completeness is % filled in `year`: over the young people supported that year for our local
    tables, over the table's own rows for the national return's (and all rows for one-row-each
    tables); `measured_over` says which. 'not held' when no table of a store would hold the item.
    `held_in_store` is 'yes' when the item's table.column has at least one value in `year`.
    """
    frame = pd.DataFrame([i.model_dump() for i in items()])
    names = group_names()
    frame["domain_name"] = frame["domain"].map(names)
    frame["order"] = frame["domain"].map({d: n for n, d in enumerate(names)})
    frame = frame.sort_values("order", kind="stable").drop(columns="order").reset_index(drop=True)
    frame["voice_label"] = frame["voice"].map(VOICE_LABELS)
    tables = sorted({h.split(".")[0] for h in frame["held"] if h})
    filled = _filled_fields(con, tables, year)
    frame["held_in_store"] = frame["held"].map(lambda h: "yes" if h in filled else "no")
    by_field = _completeness(con, tables, year, mode, threshold)
    frame["completeness"] = frame["held"].map(by_field["value"]).astype(float)
    frame["completeness_display"] = [by_field["display"].get(h, "no data") if h else "not held" for h in frame["held"]]
    frame["measured_over"] = [_measured_over(h, year) for h in frame["held"]]
    return frame[["domain", "domain_name", "item", "case_record", "local_dashboard", "national_return",
                  "voice", "voice_label", "held_in_store", "held", "completeness", "completeness_display",
                  "measured_over", "known_from"]]


def coverage(table: pd.DataFrame) -> pd.DataFrame:
    """Per domain: items known, items this store holds, and 'held of known' in words."""
    grouped = table.groupby(["domain", "domain_name"], sort=False)
    summary = grouped.agg(items_known=("item", "size"), items_held=("held_in_store", lambda s: int((s == "yes").sum())))
    summary = summary.reset_index()
    summary["held_of_known"] = [f"{h} of {k}" for h, k in zip(summary["items_held"], summary["items_known"])]
    return summary


def coverage_chart(summary: pd.DataFrame) -> alt.Chart:
    """Stacked bars per domain, held beside known-but-not-held, labelled 'held of known' in words."""
    long = pd.concat([
        summary.assign(status=HELD, stack=0, items=summary["items_held"]),
        summary.assign(status=NOT_HELD, stack=1, items=summary["items_known"] - summary["items_held"]),
    ])
    order = list(summary["domain_name"])
    base = alt.Chart(long).encode(y=alt.Y("domain_name:N", title=None, sort=order))
    bars = base.mark_bar().encode(
        x=alt.X("items:Q", title="Items of information", stack="zero"),
        color=alt.Color("status:N", title=None, sort=[HELD, NOT_HELD],
                        scale=alt.Scale(domain=[HELD, NOT_HELD], range=OKABE_ITO[:2])),
        order=alt.Order("stack:Q"),
        tooltip=[alt.Tooltip("domain_name:N", title="Domain"), alt.Tooltip("status:N", title=""),
                 alt.Tooltip("items:Q", title="Items")])
    labels = alt.Chart(summary).mark_text(align="left", dx=4, fontSize=FONT_SIZE).encode(
        y=alt.Y("domain_name:N", sort=order), x="items_known:Q", text="held_of_known:N")
    return style(alt.layer(bars, labels), "Items of information this store holds, by domain")


def coverage_summary(summary: pd.DataFrame) -> str:
    """One line: overall coverage and the domain with the largest share missing."""
    share = summary["items_held"] / summary["items_known"]
    weakest = summary.loc[share.idxmin()]
    return (f"This store holds {summary['items_held'].sum()} of the {summary['items_known'].sum()} items of "
            f"information the research knows about; the biggest gap is {weakest['domain_name']} "
            f"({weakest['held_of_known']} held).")
