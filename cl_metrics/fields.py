"""The fields an indicator may filter on or break down by: the columns of `person_year`.

Built from the table specs (the return's and our local tables) plus the derived fields, so an
indicator that names a field, code or type we do not hold is refused before any SQL exists.
"""
from __future__ import annotations

import tomllib
from typing import Literal

from pydantic import BaseModel, ConfigDict

from cl_metrics import config
from cl_metrics.spec import Voice, spec

DERIVED_FIELDS = "cl_metrics/specs/derived_fields.toml"
FieldType = Literal["VARCHAR", "INTEGER", "DOUBLE", "DATE", "BOOLEAN"]  # DOUBLE: derived scores only
OC3_FIELDS = ("IN_TOUCH", "ACTIV", "ACCOM")
YOUNG_PERSON_FIELDS = ("category", "disability", "uasc")


class Field(BaseModel):
    """One column of `person_year`, with what the data map and the validator need to know."""
    model_config = ConfigDict(frozen=True)
    name: str
    type: FieldType
    label: str
    codes: tuple[str, ...] | None = None
    min: int | None = None
    max: int | None = None
    domain: str | None = None
    voice: Voice | None = None
    source: str
    breakdown: str | None = None
    breakdown_label: str | None = None
    internal: bool = False  # declared in the specs: kept from the lab's field picker, still valid in a declaration

    @property
    def numeric(self) -> bool:
        return self.type in ("INTEGER", "DOUBLE", "DATE")


# Labels for the national return's own fields (their codes come from the 903 spec).
OC3_LABELS = {"IN_TOUCH": ("In touch with the council", "keeping_in_touch"),
              "ACTIV": ("Main activity (education, employment, training)", "eet"),
              "ACCOM": ("Accommodation type and suitability", "accommodation")}


@config.cached
def registry() -> dict[str, Field]:
    """Every field by name."""
    s = spec()
    fields: dict[str, Field] = {}
    for name in OC3_FIELDS:
        label, domain = OC3_LABELS[name]
        fields[name] = Field(name=name, type="VARCHAR", label=label, codes=s.codes[name], domain=domain,
                             voice="national-return", source=f"oc3.{name}")
    local = [("young_person", c) for c in s.table("young_person").columns if c.name in YOUNG_PERSON_FIELDS]
    local += [(t, c) for t in s.record_tables() for c in s.table(t).columns if c.name not in ("CHILD", "recorded_on")]
    for table, c in local:
        fields[c.name] = Field(name=c.name, type=c.type, label=c.label or c.name,
                               codes=_codes(s, c.codes, c.type), min=_bound(s, c, min), max=_bound(s, c, max),
                               domain=c.domain, voice=c.voice, source=f"{table}.{c.name}",
                               internal=c.internal)
    with open(config.path(DERIVED_FIELDS), "rb") as fh:
        derived = tomllib.load(fh)
    for name, raw in derived["fields"].items():
        codes = derived["codes"].get(raw.pop("codes", None))
        fields.setdefault(name, Field(name=name, codes=tuple(codes) if codes else None, **raw))
    return fields


def _codes(s, key: str | None, type_: str) -> tuple[str, ...] | None:
    if key is None or type_ == "INTEGER":  # integer scales are checked by min/max instead
        return None
    return s.codes[key]


def _bound(s, column, pick) -> int | None:
    """An integer scale's bound, from min/max or from its code list (1-5 ratings)."""
    explicit = column.min if pick is min else column.max
    if explicit is None and column.codes and column.type == "INTEGER":
        return pick(int(code) for code in s.codes[column.codes])
    return explicit
