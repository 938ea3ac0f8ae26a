"""The registry: every rule's id, title, wording and example (registry.toml), and running the
record rules over the store into the `flag` table.

Field rules are applied by the importer value by value; record rules are SQL (checks.py) run
after every change to the records, in the same transaction, so stored flags always describe
the stored rows.
"""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

import duckdb
from pydantic import BaseModel, ConfigDict

from cl_metrics import config
from cl_metrics.rules.checks import ACROSS_TABLES, CHECKS, Scope
from cl_metrics.rules.sql import text
from cl_metrics.spec import return_years, spec, year_spec

REGISTRY = Path(__file__).parent / "registry.toml"
FLAG_COLUMNS = ["kind", "rule_id", "table_name", "collection_year", "CHILD", "field", "value", "detail",
                "batch_id", "line"]


class Rule(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str
    title: str
    wording: str
    kind: Literal["field", "record"] = "record"
    table: str | None = None
    field: str | None = None
    dfe: str | dict[str, str] | None = None
    check: str | None = None
    params: dict[str, str] = {}
    example: tuple[dict, ...] = ()

    def dfe_rule(self, field: str | None = None) -> str | None:
        """DfE's rule number for this rule (for a field rule, the one for that field), if any."""
        return self.dfe.get(field or "") if isinstance(self.dfe, dict) else self.dfe


@config.cached  # checked against the spec, which a configuration folder may change
def rules() -> dict[str, Rule]:
    """Every rule by id, checked: record rules name a known table and a registered check."""
    with open(REGISTRY, "rb") as fh:
        raw = tomllib.load(fh)["rule"]
    found = {rule_id: Rule(id=rule_id, **values) for rule_id, values in raw.items()}
    for rule in found.values():
        if rule.kind == "record" and (rule.table not in spec().tables or (rule.check or rule.id) not in CHECKS):
            raise ValueError(f"rule {rule.id}: unknown table {rule.table!r} or no check {(rule.check or rule.id)!r}")
    listed = {r for y in return_years().values() for r in y.rules}
    unknown = listed - set(found)
    if unknown:
        raise ValueError(f"the 903 spec lists rules the registry does not declare: {sorted(unknown)}")
    return found


def rule(rule_id: str) -> Rule:
    return rules()[rule_id]


def record_rules() -> list[Rule]:
    return [r for r in rules().values() if r.kind == "record"]


def in_force(rule_id: str, year: int) -> bool:
    """Rules the 903 spec lists apply in the years that list them; our own rules every year."""
    listed = any(rule_id in y.rules for y in return_years().values())
    return not listed or rule_id in year_spec(year).rules


def store_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Every collection year any annual table holds."""
    union = " UNION ".join(f"SELECT collection_year FROM {t.name}" for t in spec().tables.values() if t.annual)
    return [r[0] for r in con.execute(f"SELECT DISTINCT collection_year FROM ({union}) ORDER BY 1").fetchall()]


def _rule_sql(rule: Rule, years: list[int]) -> str | None:
    """The rows breaking `rule` in the years it is in force, in the flag table's columns."""
    chosen = [y for y in years if in_force(rule.id, y)]
    if not chosen:
        return None
    scope = Scope(year_params={y: year_spec(y).params for y in chosen}, params={"table": rule.table, **rule.params})
    name = rule.check or rule.id
    table = "table_name" if name in ACROSS_TABLES else text(rule.table)
    return (f"SELECT 'record' AS kind, {text(rule.id)} AS rule_id, {table} AS table_name, collection_year, CHILD, "
            f"field, NULL AS value, detail, NULL AS batch_id, NULL AS line FROM ({CHECKS[name](scope)}) "
            f"WHERE collection_year IN ({', '.join(map(str, chosen))})")


def record_flags_sql(con: duckdb.DuckDBPyConnection) -> str | None:
    """One query for every record rule's failing rows (None when the store holds no years)."""
    years = store_years(con)
    parts = [sql for r in record_rules() if (sql := _rule_sql(r, years))]
    return " UNION ALL ".join(parts) if parts else None


def store_record_flags(con: duckdb.DuckDBPyConnection) -> None:
    """Replace the stored record flags with the rules' findings on the records as they are now."""
    con.execute("DELETE FROM flag WHERE kind = 'record'")
    sql = record_flags_sql(con)
    if sql:
        con.execute(f"INSERT INTO flag ({', '.join(FLAG_COLUMNS)}) {sql}")
