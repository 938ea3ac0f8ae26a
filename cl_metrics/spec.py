"""Table and code specifications, read from the TOML files in `specs/`.

The 903 return changes from year to year, so it is declared per collection year in
`specs/ssda903/`: the earliest year in full, each later year as the previous one plus its changes
(codes added or removed, tables, rules in force, parameters), so a year's diff reads as DfE's list
of changes. A file is checked against its own year (`year_spec`). The store holds the union of
every year (`spec`), with our local tables beside it; the schema, the data map and the indicator
fields read that.
"""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from cl_metrics import config
from cl_metrics.domains import domain_ids

SPEC_DIR = "cl_metrics/specs"
Voice = Literal["self-reported", "worker-recorded", "national-return"]


class ColumnSpec(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    type: Literal["VARCHAR", "INTEGER", "DATE", "BOOLEAN"]
    required: bool = False
    codes: str | None = None
    min: int | None = None
    max: int | None = None
    label: str | None = None
    domain: str | None = None
    voice: Voice | None = None
    internal: bool = False  # bookkeeping the store needs (dates that pick the latest record), not a lab choice


class TableSpec(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    title: str
    source: Literal["ssda903", "local"]
    annual: bool = True
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...] = ()
    person_year_latest_by: str | None = None  # feeds person_year: the latest row a year by this date

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def row_key(self) -> tuple[str, ...]:
        """The columns that identify a row within a collection year: declared, or CHILD and the first date."""
        if self.key:
            return self.key
        dates = [c.name for c in self.columns if c.type == "DATE"]
        return ("CHILD", *dates[:1])


class Spec(BaseModel):
    model_config = ConfigDict(frozen=True)
    tables: dict[str, TableSpec]
    codes: dict[str, tuple[str, ...]]
    labels: dict[str, dict[str, str]]

    def table(self, name: str) -> TableSpec:
        return self.tables[name]

    def national_tables(self) -> list[TableSpec]:
        return [t for t in self.tables.values() if t.source == "ssda903"]

    def local_tables(self) -> list[TableSpec]:
        return [t for t in self.tables.values() if t.source == "local"]

    def record_tables(self) -> dict[str, str]:
        """The tables that feed `person_year`, each with the date column that says which row of a year is latest."""
        return {t.name: t.person_year_latest_by for t in self.local_tables() if t.person_year_latest_by}


class YearSpec(BaseModel):
    """The 903 return of one collection year (ending 31 March `year`): its tables, codes and rules."""
    model_config = ConfigDict(frozen=True)
    year: int
    tables: dict[str, TableSpec]
    codes: dict[str, tuple[str, ...]]
    rules: tuple[str, ...]
    params: dict[str, int]
    changes: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return year_label(self.year)


def year_label(year: int) -> str:
    """2022 -> '2021-22', the way DfE names a collection year."""
    return f"{year - 1}-{year % 100:02d}"


def _read(name: str) -> dict:
    """A file of specs/, from the configuration folder."""
    with open(config.path(f"{SPEC_DIR}/{name}"), "rb") as fh:
        return tomllib.load(fh)


def _titles() -> dict[str, str]:
    return _read("ssda903.toml")["titles"]


def _table(name: str, raw: dict) -> TableSpec:
    return TableSpec(name=name, title=_titles()[name], source="ssda903", columns=tuple(raw["columns"]),
                     key=tuple(raw.get("key", ())))


def _apply_codes(codes: dict[str, tuple[str, ...]], changes: dict) -> None:
    """A list replaces (or adds) a code list; {add, remove} edits one."""
    for name, change in changes.items():
        if isinstance(change, list):
            codes[name] = tuple(str(c) for c in change)
            continue
        unknown = set(change.get("remove", [])) - set(codes[name])
        if unknown:
            raise ValueError(f"{name}: cannot remove codes it does not have: {sorted(unknown)}")
        kept = [c for c in codes[name] if c not in change.get("remove", [])]
        codes[name] = tuple(kept + [str(c) for c in change.get("add", []) if c not in kept])


def _apply_columns(tables: dict[str, TableSpec], changes: dict) -> None:
    """[columns.TABLE.COLUMN] attributes replace the column's (e.g. required, codes)."""
    for table_name, columns in changes.items():
        table = tables[table_name]
        edited = tuple(c.model_copy(update=columns.get(c.name, {})) for c in table.columns)
        tables[table_name] = table.model_copy(update={"columns": edited})


def _next_year(previous: YearSpec, raw: dict) -> YearSpec:
    """The year after `previous`, from a file stating only what changed."""
    tables = dict(previous.tables)
    for name in raw.get("remove_tables", []):
        del tables[name]
    tables.update({name: _table(name, t) for name, t in raw.get("tables", {}).items()})
    _apply_columns(tables, raw.get("columns", {}))
    codes = dict(previous.codes)
    _apply_codes(codes, raw.get("codes", {}))
    rules = [r for r in previous.rules if r not in raw.get("rules", {}).get("remove", [])]
    rules += [r for r in raw.get("rules", {}).get("add", []) if r not in rules]
    return YearSpec(year=previous.year + 1, tables=tables, codes=codes, rules=tuple(rules),
                    params=previous.params | raw.get("params", {}), changes=tuple(raw.get("changes", ())))


def _file_year(path: Path) -> int:
    """'2021-22.toml' -> 2022."""
    first, _, _ = path.stem.partition("-")
    return int(first) + 1


@config.cached
def return_years() -> dict[int, YearSpec]:
    """Every collection year's 903 spec, by the year ending 31 March, built from the base year on."""
    paths = sorted(config.path(f"{SPEC_DIR}/ssda903").glob("*.toml"), key=_file_year)
    base = _read(f"ssda903/{paths[0].name}")
    first = YearSpec(year=_file_year(paths[0]), tables={n: _table(n, t) for n, t in base["tables"].items()},
                     codes={k: tuple(str(v) for v in vs) for k, vs in base["codes"].items()},
                     rules=tuple(base["rules"]), params=base.get("params", {}))
    years = {first.year: first}
    for path in paths[1:]:
        raw = _read(f"ssda903/{path.name}")
        previous = years[max(years)]
        if raw.get("based_on") != previous.label or _file_year(path) != previous.year + 1:
            raise ValueError(f"{path.name} must follow {previous.label} (based_on = \"{previous.label}\")")
        years[previous.year + 1] = _next_year(previous, raw)
    return years


def year_spec(year: int) -> YearSpec:
    """The spec a file of collection year `year` is checked against: its own year, or the nearest
    year we hold for a year before or after them (the caller says so)."""
    years = return_years()
    return years[min(max(year, min(years)), max(years))]


def _union_codes(years: list[YearSpec]) -> dict[str, tuple[str, ...]]:
    codes: dict[str, list[str]] = {}
    for y in years:
        for name, values in y.codes.items():
            codes.setdefault(name, [])
            codes[name] += [v for v in values if v not in codes[name]]
    return {name: tuple(values) for name, values in codes.items()}


def _union_tables(years: list[YearSpec]) -> dict[str, TableSpec]:
    """Each table as the store holds it: every column any year has, as the latest year declares it."""
    tables: dict[str, TableSpec] = {}
    for y in years:
        for name, t in y.tables.items():
            if name in tables:
                kept = {c.name: c for c in tables[name].columns} | {c.name: c for c in t.columns}
                types = {c.name: c.type for c in tables[name].columns}
                changed = [c.name for c in t.columns if types.get(c.name, c.type) != c.type]
                if changed:
                    raise ValueError(f"{name}.{changed[0]} changes type in {y.label}: the store holds one type")
                t = t.model_copy(update={"columns": tuple(kept.values())})
            tables[name] = t
    return tables


@config.cached
def spec() -> Spec:
    """The combined spec the store is built from: the return's tables over every year, then the local ones."""
    years = list(return_years().values())
    tables = _union_tables(years)
    codes = _union_codes(years)
    national = _read("ssda903.toml")
    labels: dict[str, dict[str, str]] = dict(national.get("labels", {}))
    local = _read("local.toml")
    tables.update({name: TableSpec(name=name, source="local", **t) for name, t in local["tables"].items()})
    codes.update({k: tuple(str(v) for v in vs) for k, vs in local.get("codes", {}).items()})
    codes["DOMAIN"] = tuple(domain_ids())  # a voice note names one of the declared domains
    labels.update(local.get("labels", {}))
    return Spec(tables=tables, codes=codes, labels=labels)


@config.cached
def swemwbs_conversion() -> dict[int, float]:
    """Warwick's published SWEMWBS table, raw sum (7-35) -> metric score (specs/swemwbs.toml)."""
    return {int(raw): float(metric) for raw, metric in _read("swemwbs.toml")["raw_to_metric"].items()}


@config.cached
def xml_layout() -> dict:
    """Where each table's rows sit in DfE's XML form of the return (see specs/ssda903.toml)."""
    return _read("ssda903.toml")["xml"]
