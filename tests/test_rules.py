"""The rules registry: every record rule's known-answer example (declared beside the rule in
cl_metrics/rules/registry.toml) flags exactly the young people it names, and the 903 spec and the
registry agree."""
from __future__ import annotations

import duckdb
import pytest

from cl_metrics import derived, store
from cl_metrics.rules import record_rules, rule, rules
from cl_metrics.spec import return_years, spec

EXAMPLES = [pytest.param(r, i, example, id=f"{r.id}-{i}") for r in record_rules() for i, example in enumerate(r.example)]


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("rules") / "empty.duckdb"
    store.connect(path, create=True).close()
    return path


def load_example(con: duckdb.DuckDBPyConnection, example: dict) -> None:
    """Rows given as comma-separated text in the table's column order; blank means NULL."""
    for table, rows in example.items():
        if table in ("year", "flagged"):
            continue
        columns = spec().table(table).column_names
        for row in rows:
            values = [v or None for v in row.split(",")]
            assert len(values) == len(columns), (table, row)
            names = ", ".join(f'"{c}"' for c in columns)
            con.execute(f"INSERT INTO {table} ({names}, collection_year) VALUES ({', '.join('?' * len(values))}, ?)",
                        [*values, example["year"]])


@pytest.mark.parametrize("checked, number, example", EXAMPLES)
def test_every_record_rule_flags_its_example(empty_store, tmp_path, checked, number, example):
    path = tmp_path / "example.duckdb"
    path.write_bytes(empty_store.read_bytes())
    con = store.connect(path)
    try:
        with store.transaction(con):
            load_example(con, example)
            derived.rebuild(con)
        flagged = con.execute("SELECT DISTINCT CHILD FROM flag WHERE rule_id = ? ORDER BY 1", [checked.id]).fetchall()
        assert [c for (c,) in flagged] == sorted(example["flagged"])
        details = con.execute("SELECT detail FROM flag WHERE rule_id = ?", [checked.id]).fetchall()
        assert all(d for (d,) in details)
    finally:
        con.close()


def test_every_record_rule_has_an_example_and_wording():
    for r in record_rules():
        assert r.example, f"{r.id} has no known-answer example"
        assert r.title and r.wording and r.table in spec().tables


def test_the_spec_lists_only_declared_rules_and_oc3_ages_follow_the_year():
    listed = {r for y in return_years().values() for r in y.rules}
    assert listed <= set(rules())
    assert rule("132" if "132" in rules() else "code").dfe_rule("ACTIV") == "132"
    assert [return_years()[y].params["oc3_max_age"] for y in (2022, 2023)] == [21, 25]
    assert "347" not in return_years()[2023].rules and "347" in return_years()[2024].rules
