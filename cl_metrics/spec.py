"""Table and code specifications, read from the TOML files in `specs/`.

The 903 return's columns and codes, and our local tables, are data: the schema, the importer's
validation and the data map all read them from here, so a new collection year is a data change.
"""
from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

SPEC_DIR = Path(__file__).parent / "specs"
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


class TableSpec(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    title: str
    source: Literal["ssda903", "local"]
    annual: bool = True
    columns: tuple[ColumnSpec, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


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


def _read(name: str) -> dict:
    with open(SPEC_DIR / f"{name}.toml", "rb") as fh:
        return tomllib.load(fh)


@cache
def spec() -> Spec:
    """The combined spec (national return first, then local tables)."""
    tables: dict[str, TableSpec] = {}
    codes: dict[str, tuple[str, ...]] = {}
    labels: dict[str, dict[str, str]] = {}
    for source in ("ssda903", "local"):
        raw = _read(source)
        for name, t in raw["tables"].items():
            tables[name] = TableSpec(name=name, source=source, **t)
        codes.update({k: tuple(str(v) for v in vs) for k, vs in raw.get("codes", {}).items()})
        labels.update(raw.get("labels", {}))
    return Spec(tables=tables, codes=codes, labels=labels)
