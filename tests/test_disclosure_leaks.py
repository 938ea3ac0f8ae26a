"""Issue 12's leaks, one reproducer each, on hand-built stores whose every count is known: analyst mode
still shows the exact figures the attack used, and workshop mode's figures no longer pin the group
(tests/disclosure_audit.py reads them as a reader would)."""
from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

import pandas as pd
import pytest

from cl_metrics import lab, quality, store, voice
from cl_metrics import workshop as ws
from cl_metrics.__main__ import main as cli_main
from cl_metrics.disclosure import count_text
from cl_metrics.indicators import Indicator, builtin, by_id, compute
from cl_metrics.ingest import admin
from tests.conftest import ANALYST, build_store
from tests.disclosure_audit import Outputs, Published, csv_frame, find_pins

YEAR = 2024
EET, NEET, OFFENDING = by_id("eet_in_eet_19_21"), by_id("eet_neet_19_21"), by_id("srt_offending")
SAFE_HOME = next(p for p in voice.pairings() if p.id == "safe_home_vs_suitable")
ETHNIC = {"White": "WBRI", "Asian": "AIND", "Black": "BAFR", "Mixed": "MWBC", "Other": "OOTH", "Not known": "NOBT"}


def group(n: int, **record) -> list[dict]:
    """`n` young people alike: aged 20 and in the OC3 return in YEAR unless told otherwise."""
    return [dict(record) for _ in range(n)]


def build(path, *groups: list[dict]):
    """A store of the young people in `groups`. Each may set: years, ethnic, activ, accom, in_touch (None:
    not in OC3), team, uasc, offending, safe_home (per year: a dict year -> value, or one value for all)."""
    rows: dict[str, list[dict]] = {"header": [], "oc3": [], "young_person": [], "risk_record": []}
    people = [p for g in groups for p in g]
    for i, p in enumerate(people):
        child = f"C{i:03d}"
        rows["young_person"].append({"CHILD": child, "pa_team": p.get("team", "Craven"), "uasc": p.get("uasc", False)})
        for year in p.get("years", [YEAR]):
            y = {"CHILD": child, "collection_year": year}
            rows["header"].append({**y, "SEX": 1, "DOB": "2004-01-01", "ETHNIC": p.get("ethnic", "WBRI")})
            if p.get("in_touch", "YES"):
                rows["oc3"].append({**y, "DOB": "2004-01-01", "IN_TOUCH": p.get("in_touch", "YES"),
                                    "ACTIV": p.get("activ", "F2"), "ACCOM": p.get("accom", "U1")})
            safe = p.get("safe_home")
            rows["risk_record"].append({**y, "offending": p.get("offending"),
                                        "yp_feels_safe_home": safe.get(year) if isinstance(safe, dict) else safe})
    return build_store(path, rows)


def narrowed(base: Indicator, ident: str, *conditions: dict) -> Indicator:
    declared = base.model_dump(exclude={"national"})
    return Indicator.model_validate(declared | {"id": ident, "status": "candidate", "title": ident.replace("_", " "),
                                                "population": [*declared["population"], *conditions]})


def save(con, *candidates: Indicator) -> None:
    for ind in candidates:
        con.execute("INSERT INTO candidate_indicator (id, definition, author, created_at, updated_at, retired) "
                    "VALUES (?, ?, 'test', now(), now(), false)", [ind.id, ind.model_dump_json()])


def figures(con, indicators, published: list[tuple[str, pd.DataFrame, str | None]]) -> list[Published]:
    """What a reader reads from workshop-mode figure tables (where, frame, breakdown dimension or None)."""
    out = Outputs(con, 5, [*builtin(), *indicators])
    for where, frame, dimension in published:
        out.figures(where, frame, YEAR, dimension)
    return out.published


def assert_no_pins(published: list[Published]) -> None:
    findings = find_pins(published)
    assert not findings.pins, [str(p) for p in findings.pins]


def left_over(total: Published, parts: list[Published]) -> tuple[float, float]:
    """What a reader can tell of a total less separate parts inside it (any number of them)."""
    return max(0, total.low - sum(p.high for p in parts)), total.high - sum(p.low for p in parts)


def test_two_builtins_sharing_a_population_cannot_be_subtracted_per_group(tmp_path):
    con = build(tmp_path / "s.duckdb", group(10, ethnic="AIND"), group(9, ethnic="AIND", activ="G5"),
                group(1, ethnic="AIND", activ="0"), group(15), group(12, activ="G5"), group(3, activ="0"))
    exact = compute.breakdown(con, [EET, NEET], "ethnic_group", YEAR, mode="analyst").set_index(["group", "indicator_id"])
    asian = exact.loc["Asian"]
    assert asian.loc[EET.id, "denominator"] - asian.loc[EET.id, "numerator"] - asian.loc[NEET.id, "numerator"] == 1
    shown = compute.breakdown(con, [EET, NEET], "ethnic_group", YEAR, mode="workshop")
    assert shown.set_index(["group", "indicator_id"]).loc["Asian", ["numerator", "denominator"]].values.tolist() == [
        [10, 20], [10, 20]]  # 10 and 9 of 20
    headline = compute.headline(con, [EET, NEET], YEAR, mode="workshop")
    assert_no_pins(figures(con, [EET, NEET], [("breakdown", shown, "ethnic_group"), ("headline", headline, None)]))
    copy = EET.model_copy(update={"id": "eet_copy", "status": "candidate"})  # the lab's "copy of built-in"
    assert lab.breakdown(con, copy, "ethnic_group", YEAR, "workshop") is None
    assert lab.breakdown(con, copy, "ethnic_group", YEAR, "analyst").set_index("group")["numerator"].to_dict() == {
        "White": 15, "Asian": 10}


def test_secondary_suppression_is_not_defeated_by_a_lab_candidate(tmp_path):
    teams = {"Selby": (3, 20), "Hambleton": (9, 27), "Craven": (30, 58), "Ryedale": (25, 50)}
    con = build(tmp_path / "s.duckdb", *[group(n, team=t, offending=True, in_touch=None) + group(
        d - n, team=t, offending=False, in_touch=None) for t, (n, d) in teams.items()])
    hambleton = narrowed(OFFENDING, "offending_hambleton", {"field": "adviser_team", "op": "eq", "values": ["Hambleton"]})
    save(con, hambleton)
    parts = compute.breakdown(con, [OFFENDING], "adviser_team", YEAR, mode="workshop").set_index("group")
    assert parts.loc[["Selby", "Hambleton"], "suppression"].tolist() == ["primary", "secondary"]
    candidate = lab.comparison(con, hambleton, YEAR, "analyst").iloc[0]
    headline = compute.headline(con, [OFFENDING], YEAR, mode="analyst").iloc[0]
    # The attack: 67 of 155 less Hambleton's 9 and the teams on show (30 and 25) gives Selby's 3.
    assert headline["numerator"] - candidate["numerator"] - 30 - 25 == 3
    shown = lab.comparison(con, hambleton, YEAR, "workshop")
    assert shown.iloc[0][["numerator", "denominator", "display"]].tolist() == [10, 25, "40%"]
    published = figures(con, [OFFENDING, hambleton], [
        ("breakdown", parts.reset_index(), "adviser_team"), ("lab", shown, None),
        ("headline", compute.headline(con, [OFFENDING], YEAR, mode="workshop"), None)])
    assert_no_pins(published)
    counted = {p.where.split(" numerator")[0]: p for p in published if " numerator " in p.where}
    selby = left_over(counted[f"headline {OFFENDING.id} {YEAR}"], [
        counted[f"lab {hambleton.id} {YEAR}"], *(counted[f"breakdown {OFFENDING.id} {YEAR} adviser_team={t}"]
                                                  for t in ("Craven", "Ryedale"))])
    assert selby == (0, 7)  # 65 less 10, 30 and 25, as each may be: anything from 0 to 7
    assert lab.breakdown(con, hambleton, "adviser_team", YEAR, "workshop") is None


def test_adding_up_candidates_does_not_give_away_the_rest(tmp_path):
    sizes = {"White": 20, "Asian": 6, "Black": 7, "Mixed": 8, "Other": 9}
    con = build(tmp_path / "s.duckdb", *[group(n, ethnic=ETHNIC[g], activ="G5") for g, n in sizes.items()],
                group(1, ethnic="NOBT", activ="G5"))
    candidates = [narrowed(NEET, f"neet_{g.lower()}", {"field": "ethnic_group", "op": "eq", "values": [g]})
                  for g in sizes]
    save(con, *candidates)
    exact = [lab.comparison(con, c, YEAR, "analyst").iloc[0]["denominator"] for c in candidates]
    headline = compute.headline(con, [NEET], YEAR, mode="analyst").iloc[0]["denominator"]
    assert (sum(exact), headline) == (50, 51)  # the attack: one young person whose ethnicity is not known
    shown = [lab.comparison(con, c, YEAR, "workshop").iloc[:1] for c in candidates]
    published = figures(con, [NEET, *candidates], [("lab", s, None) for s in shown] + [
        ("headline", compute.headline(con, [NEET], YEAR, mode="workshop"), None)])
    dens = {p.where.split(" denominator")[0]: p for p in published if " denominator " in p.where}
    total = dens[f"headline {NEET.id} {YEAR}"]
    assert left_over(total, [dens[f"lab {c.id} {YEAR}"] for c in candidates]) == (0, 22)  # 50 less 20, 5, 5, 5, 10
    assert_no_pins(published)


def test_two_candidates_differing_by_one_condition_show_no_breakdowns(tmp_path):
    con = build(tmp_path / "s.duckdb", group(20, activ="G5", accom="U1"), group(1, activ="G5", accom="S2", uasc=True),
                group(4, activ="G5", accom="D1", uasc=True), group(3, activ="G5", accom="B1", uasc=True),
                group(20, activ="G5", accom="S2"), group(20, activ="G5", accom="D1"), group(20, activ="G5", accom="B1"))
    everyone = narrowed(NEET, "neet_all_teams", {"field": "adviser_team", "op": "eq", "values": ["Craven"]})
    not_uasc = narrowed(everyone, "neet_all_teams_not_uasc", {"field": "uasc", "op": "is_false"})
    save(con, everyone, not_uasc)
    exact = [lab.breakdown(con, c, "accommodation_type", YEAR, "analyst").set_index("group")["denominator"]
             for c in (everyone, not_uasc)]
    assert sorted((exact[0] - exact[1]).tolist()) == [0, 1, 3, 4]  # the attack: 1, 4 and 3 UASC by accommodation
    assert [lab.breakdown(con, c, "accommodation_type", YEAR, "workshop") for c in (everyone, not_uasc)] == [None] * 2
    assert "Workshop mode shows no breakdown" in lab.breakdown_withheld("workshop")
    assert lab.breakdown_withheld("analyst") == ""


def test_voice_of_n_with_both_beside_a_denominator_gives_nothing_away(tmp_path):
    con = build(tmp_path / "s.duckdb", group(12, safe_home=True), group(7, safe_home=False, accom="U2"),
                group(3, safe_home=True, accom="0"))
    result = voice.agreement(con, SAFE_HOME, YEAR, "analyst")
    feels_safe = by_id("acc_feels_safe_home")
    assert (result.people, compute.headline(con, [feels_safe], YEAR, mode="analyst").iloc[0]["denominator"]) == ("19", 22)
    shown = voice.agreement(con, SAFE_HOME, YEAR, "workshop")
    assert shown.people == "20"
    out = Outputs(con, 5, [feels_safe])
    out.agreement(shown)
    out.figures("headline", compute.headline(con, [feels_safe], YEAR, mode="workshop"), YEAR)
    assert_no_pins(out.published)


def test_data_quality_row_counts_beside_a_denominator_give_nothing_away(tmp_path):
    con = build(tmp_path / "s.duckdb", group(19, activ="G5"), group(3, in_touch="DIED", activ=None, accom=None))
    rows = quality.completeness(con, ["oc3"], "analyst").set_index("field").loc["CHILD", "rows"]
    assert (rows, compute.headline(con, [NEET], YEAR, mode="analyst").iloc[0]["denominator"]) == (22, 19)
    out = Outputs(con, 5, [NEET])
    out.completeness(quality.completeness(con, ["oc3"], "workshop"))
    out.figures("headline", compute.headline(con, [NEET], YEAR, mode="workshop"), YEAR)
    assert {p.low for p in out.published if "CHILD" in p.where or "headline" in p.where} == {18}  # 20: 18 to 22
    assert_no_pins(out.published)


def test_all_years_together_beside_single_years_gives_nothing_away(tmp_path):
    con = build(tmp_path / "s.duckdb", group(22, years=[2023, YEAR], safe_home=True),
                group(4, years=[2023, YEAR], safe_home={2023: False, YEAR: None}))
    exact = [voice.agreement(con, SAFE_HOME, YEAR, "analyst", pooled=pooled).people for pooled in (True, False)]
    assert exact == ["26", "22"]  # the attack: 4 answered in 2023 only
    assert [voice.agreement(con, SAFE_HOME, YEAR, pooled=pooled).people for pooled in (True, False)] == ["25", "20"]
    out = Outputs(con, 5, [])
    for year in (2023, YEAR):
        for pooled in (False, True):
            out.agreement(voice.agreement(con, SAFE_HOME, year, "workshop", pooled=pooled))
    assert_no_pins(out.published)


def test_the_command_line_prints_only_rounded_counts_in_workshop_mode(tmp_path):
    build(tmp_path / "s.duckdb", group(19, activ="G5"), group(8), group(3, in_touch="DIED", activ=None, accom=None),
          group(13, offending=True, in_touch=None), group(4, offending=False, in_touch=None)).close()
    printed = io.StringIO()
    with redirect_stdout(printed):
        assert cli_main(["indicators", "--db", str(tmp_path / "s.duckdb"), "--mode", "workshop"]) == 0
    table = csv_frame(printed.getvalue()).set_index("id")
    counts = table[["numerator", "denominator"]].stack()
    assert len(counts) > 4 and (counts % 5 == 0).all()
    assert table.loc[NEET.id, ["numerator", "denominator", "display"]].tolist() == [20, 25, "80%"]  # 19 of 27
    with redirect_stdout(io.StringIO()) as analyst:
        cli_main(["indicators", "--db", str(tmp_path / "s.duckdb"), "--format", "json"])
    assert {r["id"]: r["numerator"] for r in json.loads(analyst.getvalue())}[NEET.id] == 19


@pytest.mark.parametrize("threshold", ["1", "4"])
def test_the_command_line_refuses_a_lower_threshold(tmp_path, threshold, capsys):
    with pytest.raises(SystemExit) as refused:
        cli_main(["indicators", "--db", str(tmp_path / "none.duckdb"), "--mode", "workshop", "--threshold", threshold])
    assert refused.value.code != 0 and "never lowered below 5" in capsys.readouterr().err


def test_workshop_cards_show_rounded_figures(tmp_path):
    con = build(tmp_path / "s.duckdb", group(19, activ="G5"), group(8))
    room = ws.Workshop("w", "ABCDE", "Room", (NEET.id, EET.id), None, False)
    cards = ws.cards(con, room, YEAR).set_index("indicator_id")
    assert cards[["numerator", "denominator", "display"]].values.tolist() == [[20, 25, "80%"], [5, 25, "20%"]]


def test_import_history_and_the_store_summary_show_rounded_counts(tmp_path, monkeypatch):
    from tests.test_ingest import EXAMPLES, TEST_KEY
    monkeypatch.setenv("CL_PSEUDONYM_KEY", TEST_KEY)
    con = store.connect(tmp_path / "s.duckdb", create=True)
    admin.upload(con, ANALYST, [(p.name, p.read_bytes()) for p in sorted(EXAMPLES.glob("*.csv"))])
    exact = admin.history_table(con, "analyst", 5)
    shown = admin.history_table(con, "workshop", 5)
    assert exact["Rows loaded"].sum() == 12
    expected = ["0" if n == 0 else "fewer than 5" if n < 5 else str(5 * round(n / 5)) for n in exact["Rows loaded"]]
    assert shown["Rows loaded"].tolist() == expected
    summary = store.summary(con, tmp_path / "s.duckdb")
    people = admin.describe_store(summary, "workshop", 5).split("Young people: ")[1].split(";")[0]
    assert people == count_text(summary.young_people) and (people == "fewer than 5" or int(people) % 5 == 0)
