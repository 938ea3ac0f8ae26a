"""The disclosure audit (issue 12): on small random stores and lab candidates, no pair or triple of the
counts workshop mode publishes pins a count of 1 to 4 young people (tests/disclosure_audit.py says how
a reader reads each count and which pairs and triples are tried)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cl_metrics.disclosure import DEFAULT_THRESHOLD
from cl_metrics.indicators import Indicator, by_id
from tests.conftest import build_store
from tests.disclosure_audit import find_pins, workshop_outputs

YEARS = (2023, 2024)
TEAMS = ("North", "South", "East")
# Each built-in a candidate may start from, and conditions that narrow who it counts.
STARTS = ("eet_neet_19_21", "srt_offending", "srt_feels_safe_home")
NARROWER = {
    "adviser team": lambda team: {"field": "adviser_team", "op": "eq", "values": [team]},
    "not UASC": lambda _: {"field": "uasc", "op": "is_false"},
    "not disabled": lambda _: {"field": "disability", "op": "is_false"},
    "White": lambda _: {"field": "ethnic_group", "op": "eq", "values": ["White"]},
    "male": lambda _: {"field": "sex_group", "op": "eq", "values": ["Male"]},
}

maybe = st.none() | st.booleans()
year_record = st.fixed_dictionaries({
    "oc3": st.none() | st.tuples(st.sampled_from(["YES", "YES", "NO", "DIED"]),
                                 st.sampled_from(["F1", "F2", "G4", "G5", "G6", "0", None]),
                                 st.sampled_from(["U1", "U2", "S2", "Z1", "0", None])),
    "safe_home": maybe, "offending": maybe,
    "money": st.none() | st.integers(1, 5), "budgeting": maybe,
})
person = st.fixed_dictionaries({
    "born": st.integers(2002, 2007), "sex": st.sampled_from([1, 2]),
    "ethnic": st.sampled_from(["WBRI", "WBRI", "AIND", "BAFR", "MWBC", "OOTH"]),
    "uasc": maybe, "disability": maybe, "team": st.sampled_from([*TEAMS, None]),
    "years": st.dictionaries(st.sampled_from(YEARS), year_record, min_size=1),
})
candidate = st.tuples(st.sampled_from(STARTS), st.sampled_from(sorted(NARROWER)), st.sampled_from(TEAMS))


def rows(people: list[dict]) -> dict[str, list[dict]]:
    """The record tables' rows for build_store: one header row per young person and year, and what each year holds."""
    tables: dict[str, list[dict]] = {"header": [], "oc3": [], "young_person": [], "risk_record": [],
                                     "finance_record": []}
    for i, p in enumerate(people):
        child, dob = f"C{i:02d}", f"{p['born']}-06-01"
        tables["young_person"].append({"CHILD": child, "uasc": p["uasc"], "disability": p["disability"],
                                       "pa_team": p["team"]})
        for year, record in p["years"].items():
            y = {"CHILD": child, "collection_year": year}
            tables["header"].append({**y, "SEX": p["sex"], "DOB": dob, "ETHNIC": p["ethnic"]})
            if record["oc3"]:
                in_touch, activ, accom = record["oc3"]
                tables["oc3"].append({**y, "DOB": dob, "IN_TOUCH": in_touch, "ACTIV": activ, "ACCOM": accom})
            tables["risk_record"].append({**y, "yp_feels_safe_home": record["safe_home"],
                                          "offending": record["offending"]})
            tables["finance_record"].append({**y, "yp_money_confidence": record["money"],
                                             "budgeting_skills_done": record["budgeting"]})
    return tables


def narrowed(number: int, start: str, narrower: str, team: str) -> Indicator:
    base = by_id(start).model_dump(exclude={"national"})
    return Indicator.model_validate(base | {
        "id": f"audit_{number}", "status": "candidate", "title": f"{base['title']}, {narrower}",
        "question": "Is this you?", "population": [*base["population"], NARROWER[narrower](team)]})


def save(con, candidates: list[Indicator]) -> None:
    for ind in candidates:
        con.execute("INSERT INTO candidate_indicator (id, definition, author, created_at, updated_at, retired) "
                    "VALUES (?, ?, 'audit', now(), now(), false)", [ind.id, ind.model_dump_json()])


@settings(max_examples=10, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate],  # a failure is reported as found: shrinking a store is slow
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(people=st.lists(person, min_size=10, max_size=40), lab=st.lists(candidate, min_size=1, max_size=3))
def test_no_pair_or_triple_of_workshop_counts_pins_one_to_four(people, lab):
    candidates = [narrowed(n, *c) for n, c in enumerate(lab)]
    saved, drafts = candidates[:-1], candidates[-1:]
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "audit.duckdb")
        con = build_store(path, rows(people))
        save(con, saved)
        con.close()
        published = workshop_outputs(path, DEFAULT_THRESHOLD, saved, drafts)
    findings = find_pins(published)
    assert not findings.pins, (
        f"{findings.count('published')} published, {findings.count('pair')} pairs and {findings.count('triple')} "
        f"triples pin 1 to 4, of {findings.pairs_checked:,} pairs and {findings.triples_checked:,} triples; e.g. "
        + "; ".join(map(str, findings.pins[:3])))
