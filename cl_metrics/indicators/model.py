"""An indicator is data: one pydantic object, built-in or defined in the lab, validated here.

Conditions name a field of `person_year`, an operator and values; the validator checks each
against the field registry (field exists, operator fits its type, codes are real codes), so a
bad declaration is refused with a message saying what is wrong and where, before any SQL.
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from cl_metrics import benchmarks
from cl_metrics.domains import domain_ids
from cl_metrics.fields import registry
from cl_metrics.spec import Voice

Operator = Literal["eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "between",
                   "is_true", "is_false", "is_null", "not_null"]
Value = bool | int | float | str
ORDERING = {"lt", "le", "gt", "ge", "between"}
# Far more than any code list or definition needs; a shared file cannot make one query of thousands of terms.
MAX_VALUES, MAX_CONDITIONS = 100, 20
ARITY = {"eq": 1, "ne": 1, "lt": 1, "le": 1, "gt": 1, "ge": 1, "between": 2,
         "is_true": 0, "is_false": 0, "is_null": 0, "not_null": 0}
OPERATOR_WORDS = {"eq": "is", "ne": "is not", "in": "is one of", "not_in": "is none of", "lt": "is below",
                  "le": "is at most", "gt": "is above", "ge": "is at least", "between": "is between",
                  "is_true": "is yes", "is_false": "is no", "is_null": "is blank", "not_null": "is filled in"}


class Condition(BaseModel):
    """`field op values`, e.g. ACTIV in [G4, G5, G6]; values are always passed as parameters."""
    model_config = ConfigDict(frozen=True, extra="forbid")
    field: str
    op: Operator
    values: tuple[Value, ...] = Field(default=(), max_length=MAX_VALUES)

    @model_validator(mode="after")
    def check_against_registry(self) -> Condition:
        fields = registry()
        if self.field not in fields:
            raise ValueError(f"unknown field '{self.field}' (known fields include: "
                             f"{', '.join(sorted(fields)[:12])}, ...)")
        f = fields[self.field]
        expected = ARITY.get(self.op)
        if expected is not None and len(self.values) != expected:
            raise ValueError(f"operator '{self.op}' on '{self.field}' needs {expected} value(s), got {len(self.values)}")
        if self.op in ("in", "not_in") and not self.values:
            raise ValueError(f"operator '{self.op}' on '{self.field}' needs at least one value")
        if self.op in ORDERING and not f.numeric:
            raise ValueError(f"operator '{self.op}' needs a number or date field; '{self.field}' is {f.type}")
        if self.op in ("is_true", "is_false") and f.type != "BOOLEAN":
            raise ValueError(f"operator '{self.op}' needs a yes/no field; '{self.field}' is {f.type}")
        values = tuple(_coerce(self.field, f, v) for v in self.values)
        object.__setattr__(self, "values", values)
        return self

    def describe(self) -> str:
        label = registry()[self.field].label
        shown = " and ".join(map(str, self.values)) if self.op == "between" else ", ".join(map(str, self.values))
        return f"{label} {OPERATOR_WORDS[self.op]} {shown}".strip()


def _coerce(name: str, f, value: Value) -> Value:
    """The value in the field's own type, refused if it is not a valid code or in range."""
    try:
        if f.type == "INTEGER":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            value = int(value)
        elif f.type == "DOUBLE":
            if isinstance(value, bool):
                raise ValueError
            value = float(value)
        elif f.type == "BOOLEAN":
            if not isinstance(value, bool):
                raise ValueError
        elif f.type == "DATE":
            value = dt.date.fromisoformat(str(value)).isoformat()
        else:
            value = str(value)
    except ValueError:
        raise ValueError(f"value {value!r} is not a valid {f.type} for '{name}'") from None
    if f.codes is not None and value not in f.codes:
        raise ValueError(f"'{value}' is not a valid code for '{name}' (valid: {', '.join(f.codes)})")
    if f.type == "INTEGER" and ((f.min is not None and value < f.min) or (f.max is not None and value > f.max)):
        raise ValueError(f"{value} is outside the range of '{name}' ({f.min} to {f.max})")
    return value


class PublishedMeasure(BaseModel):
    """Which of DfE's published measures (cl_metrics/benchmarks/measures.toml) an indicator matches,
    for which age group: the comparators are read from the bundled figures, never typed here."""
    model_config = ConfigDict(frozen=True, extra="forbid")
    measure: str
    age: str

    @model_validator(mode="after")
    def known_measure(self) -> PublishedMeasure:
        if self.measure not in benchmarks.measure_ids() or "total" not in benchmarks.declarations()["measure"][self.measure]:
            shares = [m for m, d in benchmarks.declarations()["measure"].items() if "total" in d]
            raise ValueError(f"unknown published share '{self.measure}' (known: {', '.join(shares)})")
        if self.age not in benchmarks.ages():
            raise ValueError(f"DfE publishes ages {', '.join(benchmarks.ages())}, not '{self.age}'")
        return self


class Indicator(BaseModel):
    """One indicator: who is counted, what counts, whose voice, and how to read it."""
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{2,63}$")
    domain: str
    status: Literal["established", "prototype", "candidate"]
    title: str = Field(min_length=3, max_length=90)
    question: str = Field(min_length=5, max_length=160)
    description: str = Field(max_length=1000)
    unit: Literal["percent", "mean", "count"]
    population: tuple[Condition, ...] = Field(default=(), max_length=MAX_CONDITIONS)
    numerator: tuple[Condition, ...] = Field(default=(), max_length=MAX_CONDITIONS)
    value_field: str | None = None
    better: Literal["higher", "lower", "neither"]
    voice: Voice
    source_fields: tuple[str, ...] = ()
    published: PublishedMeasure | None = None
    survey: str | None = None
    author: str | None = None
    created: str | None = None

    @field_validator("domain")
    @classmethod
    def known_domain(cls, value: str) -> str:
        if value not in domain_ids():
            raise ValueError(f"unknown domain '{value}' (domains: {', '.join(domain_ids())})")
        return value

    @model_validator(mode="before")
    @classmethod
    def drop_typed_national(cls, data: object) -> object:
        """Candidates saved or exported before comparisons became data carry a `national` value typed by
        hand (null for every candidate the lab made); it is no longer part of an indicator."""
        if isinstance(data, dict) and "national" in data:
            data = {key: value for key, value in data.items() if key != "national"}
        return data

    @field_validator("survey")
    @classmethod
    def known_survey(cls, value: str | None) -> str | None:
        if value is not None and value not in benchmarks.surveys()["figure"]:
            raise ValueError(f"unknown survey figure '{value}' (known: {', '.join(benchmarks.surveys()['figure'])})")
        return value

    @field_validator("source_fields")
    @classmethod
    def known_source_fields(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        unknown = [name for name in value if name not in registry()]
        if unknown:
            raise ValueError(f"unknown source field(s): {', '.join(unknown)}")
        return value

    @model_validator(mode="after")
    def check_unit(self) -> Indicator:
        if self.unit == "mean":
            if self.value_field is None or registry().get(self.value_field) is None:
                raise ValueError(f"a mean needs value_field naming a known field, got {self.value_field!r}")
            if registry()[self.value_field].type not in ("INTEGER", "DOUBLE"):
                raise ValueError(f"a mean needs a number field; '{self.value_field}' is not one")
            if self.numerator:
                raise ValueError("a mean takes value_field, not numerator")
        elif not self.numerator:
            raise ValueError(f"a {self.unit} needs at least one numerator condition")
        elif self.value_field is not None:
            raise ValueError(f"value_field is only for means, not a {self.unit}")
        return self
