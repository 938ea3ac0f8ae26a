"""Compile indicator declarations to parameterised SQL over `person_year`.

Only names from the field registry ever reach the SQL text (quoted); every value travels as a
parameter. All indicators of one request become one SELECT of filtered aggregates, so the table
is scanned once whatever the number of indicators.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cl_metrics.fields import registry
from cl_metrics.indicators.model import Condition, Indicator

TABLE = "person_year"


@dataclass
class Sql:
    """SQL text with its positional parameters, kept together so they cannot drift apart."""
    text: str
    params: list = field(default_factory=list)

    def __add__(self, other: Sql) -> Sql:
        return Sql(self.text + other.text, self.params + other.params)


def column(name: str) -> str:
    """A registered field as a quoted identifier; anything else is refused."""
    if name not in registry():
        raise KeyError(f"unknown field '{name}'")
    return '"' + name + '"'


def condition_sql(c: Condition) -> Sql:
    col, sql_type = column(c.field), registry()[c.field].type
    one = f"CAST(? AS {sql_type})"
    match c.op:
        case "eq" | "ne" | "lt" | "le" | "gt" | "ge":
            symbol = {"eq": "=", "ne": "<>", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[c.op]
            return Sql(f"{col} {symbol} {one}", [c.values[0]])
        case "between":
            return Sql(f"{col} BETWEEN {one} AND {one}", list(c.values))
        case "in":
            return Sql(f"list_contains(CAST(? AS {sql_type}[]), {col})", [list(c.values)])
        case "not_in":
            return Sql(f"NOT list_contains(CAST(? AS {sql_type}[]), {col})", [list(c.values)])
        case "is_true":
            return Sql(f"{col} IS TRUE")
        case "is_false":
            return Sql(f"{col} IS FALSE")
        case "is_null":
            return Sql(f"{col} IS NULL")
        case "not_null":
            return Sql(f"{col} IS NOT NULL")
    raise ValueError(f"unknown operator {c.op}")


def all_of(conditions: Sequence[Condition]) -> Sql:
    """Conditions joined with AND (an empty list is everyone)."""
    if not conditions:
        return Sql("TRUE")
    parts = [condition_sql(c) for c in conditions]
    return Sql("(" + " AND ".join(p.text for p in parts) + ")", [v for p in parts for v in p.params])


def measures(ind: Indicator, i: int) -> Sql:
    """Two aggregates per indicator: n_i (numerator, or sum for a mean) and d_i (denominator)."""
    population = all_of(ind.population)
    if ind.unit == "mean":
        value = column(ind.value_field)
        return (Sql(f"sum({value}) FILTER (WHERE ") + population + Sql(f") AS n_{i}, ")
                + Sql(f"count({value}) FILTER (WHERE ") + population + Sql(f") AS d_{i}"))
    both = population + Sql(" AND ") + all_of(ind.numerator)
    return (Sql("count(*) FILTER (WHERE ") + both + Sql(f") AS n_{i}, ")
            + Sql("count(*) FILTER (WHERE ") + population + Sql(f") AS d_{i}"))


def aggregate_sql(indicators: Sequence[Indicator], group_by: Sequence[str] = (),
                  years: Sequence[int] | None = None, scope: Sequence[Condition] = ()) -> Sql:
    """One query: the measures of every indicator, grouped by registered fields."""
    groups = [column(g) for g in group_by]
    select = Sql(", ".join(groups) + (", " if groups else ""))
    for i, ind in enumerate(indicators):
        select = select + (Sql(", ") if i else Sql("")) + measures(ind, i)
    where = all_of(scope)
    if years is not None:
        where = where + Sql(" AND list_contains(CAST(? AS INTEGER[]), collection_year)", [list(years)])
    text = Sql("SELECT ") + select + Sql(f" FROM {TABLE} WHERE ") + where
    if groups:
        text = text + Sql(f" GROUP BY {', '.join(groups)} ORDER BY {', '.join(groups)}")
    return text
