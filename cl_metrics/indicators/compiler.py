"""Compile indicator declarations to parameterised SQL over `person_year`.

Only names from the field registry ever reach the SQL text (quoted); every value travels as a
parameter. All indicators of one request become one query, so the table is scanned once whatever
the number of indicators: an inner SELECT works out each distinct population and numerator once,
as a yes/no column, and the outer one counts them (count_if) for every indicator.
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
        case "in" | "not_in":
            negation = "NOT " if c.op == "not_in" else ""
            return Sql(f"{col} {negation}IN ({', '.join([one] * len(c.values))})", list(c.values))
        case "is_true":  # a bare column: a blank (NULL) is never counted, like IS TRUE but cheaper
            return Sql(col)
        case "is_false":
            return Sql(f"NOT {col}")
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


class Conditions:
    """Distinct conjunctions of an inner SELECT, each named once (c0, c1, ...)."""

    def __init__(self):
        self.named: dict[tuple, tuple[str, Sql]] = {}

    def name(self, conditions: Sequence[Condition]) -> str:
        sql = all_of(conditions)
        key = (sql.text, repr(sql.params))
        if key not in self.named:
            self.named[key] = (f"c{len(self.named)}", sql)
        return self.named[key][0]

    def inner_select(self, columns: Sequence[str], where: Sql) -> Sql:
        """The inner SELECT both the figures and the differencing check scan with: `columns`, then every
        named conjunction as a yes/no column, from person_year rows matching `where`."""
        select = Sql(", ".join(dict.fromkeys(columns)))
        for name, sql in self.named.values():
            select = select + Sql(", " if select.text else "") + sql + Sql(f" AS {name}")
        return Sql("SELECT ") + select + Sql(f" FROM {TABLE} WHERE ") + where


def in_years(years: Sequence[int]) -> Sql:
    """collection_year is one of `years` (parameters)."""
    return Sql(f"collection_year IN ({', '.join(['CAST(? AS INTEGER)'] * len(years))})", list(years))


def measures(ind: Indicator, i: int, conditions: Conditions) -> str:
    """Two aggregates per indicator: n_i (numerator, or sum for a mean) and d_i (denominator)."""
    population = conditions.name(ind.population)
    if ind.unit == "mean":
        value = column(ind.value_field)
        total = f"sum(CASE WHEN {population} THEN {value} END)"
        if registry()[ind.value_field].type == "DOUBLE":  # disclosure keeps sums as whole numbers: the mean
            total = f"round({total})"                     # is then within 0.5 / (those counted) of exact
        return f"{total} AS n_{i}, count(CASE WHEN {population} THEN {value} END) AS d_{i}"
    return f"count_if({population} AND {conditions.name(ind.numerator)}) AS n_{i}, count_if({population}) AS d_{i}"


def aggregate_sql(indicators: Sequence[Indicator], group_by: Sequence[str] = (),
                  years: Sequence[int] | None = None, scope: Sequence[Condition] = ()) -> Sql:
    """One query: the measures of every indicator, grouped by registered fields."""
    groups = [column(g) for g in group_by]
    conditions = Conditions()
    outer = [measures(ind, i, conditions) for i, ind in enumerate(indicators)]
    values = [column(ind.value_field) for ind in indicators if ind.unit == "mean"]
    where = all_of(scope)
    if years is not None:
        where = where + Sql(" AND ") + in_years(years)
    text = (Sql(f"SELECT {', '.join([*groups, *outer])} FROM (") + conditions.inner_select([*groups, *values], where)
            + Sql(")"))
    if groups:
        text = text + Sql(f" GROUP BY {', '.join(groups)} ORDER BY {', '.join(groups)}")
    return text
