"""Differencing: a candidate whose figure, subtracted from another visible figure, reveals 1 to 4 young
people is hidden in workshop mode (and only flagged in analyst mode), on hand-built stores where
every count is known."""
from __future__ import annotations

import pytest

from cl_metrics import differencing, lab, session
from cl_metrics import workshop as ws
from cl_metrics.indicators import Indicator, builtin, by_id, compute
from tests.conftest import MANAGER, build_store

YEAR = 2024
NEET = by_id("eet_neet_19_21")  # in the OC3 return, aged 19-21, not DIED/RHOM; ACTIV G4, G5 or G6


def candidate(ident: str, title: str, population: list[dict] = (), numerator: list[dict] | None = None) -> Indicator:
    """A copy of the built-in NEET indicator, narrowed by `population` or with its own numerator."""
    base = NEET.model_dump(exclude={"national"})
    return Indicator.model_validate(base | {
        "id": ident, "status": "candidate", "title": title, "question": "Are you out of work and study?",
        "population": [*base["population"], *population],
        "numerator": base["numerator"] if numerator is None else numerator})


NOT_UASC = candidate("neet_not_uasc", "NEET, aged 19-21, not UASC", [{"field": "uasc", "op": "is_false"}])
NOT_UASC_NOR_DISABLED = candidate("neet_not_uasc_nor_disabled", "NEET, not UASC, not disabled", [
    {"field": "uasc", "op": "is_false"}, {"field": "disability", "op": "is_false"}])
G5_G6 = candidate("neet_g5_g6", "NEET (not G4), aged 19-21", numerator=[
    {"field": "ACTIV", "op": "in", "values": ["G5", "G6"]}])
G5_G6_F1 = candidate("neet_g5_g6_or_university", "NEET (not G4) or at university", numerator=[
    {"field": "ACTIV", "op": "in", "values": ["G5", "G6", "F1"]}])


def store(path, people: list[tuple[str, bool, bool]]):
    """A store of young people all aged 20, in the 2024 OC3 return and in touch, one per
    (ACTIV, UASC, disabled); nothing else recorded, so most built-ins have nobody to count."""
    y = {"collection_year": YEAR}
    children = [(f"C{i:02d}", *person) for i, person in enumerate(people)]
    return build_store(path, {
        "header": [{"CHILD": c, "SEX": 1, "DOB": "2003-06-01", "ETHNIC": "WBRI", **y} for c, *_ in children],
        "oc3": [{"CHILD": c, "DOB": "2003-06-01", "IN_TOUCH": "YES", "ACTIV": activ, "ACCOM": "U1", **y}
                for c, activ, _, _ in children],
        "young_person": [{"CHILD": c, "uasc": uasc, "disability": disabled, "pa_team": "North"}
                         for c, _, uasc, disabled in children]})


def people(*groups: tuple[int, str, bool, bool]) -> list[tuple[str, bool, bool]]:
    """(how many, ACTIV, UASC, disabled) groups as one list of young people."""
    return [(activ, uasc, disabled) for n, activ, uasc, disabled in groups for _ in range(n)]


def uasc_store(path, uasc: int, disabled: int = 0):
    """8 NEET (G5) and 9 in work (F2) who are not UASC, `disabled` of the workers disabled; `uasc` UASC in work."""
    return store(path, people((8, "G5", False, False), (9 - disabled, "F2", False, False),
                              (disabled, "F2", False, True), (uasc, "F2", True, False)))


def headline(con, indicator: Indicator, mode: str = "workshop"):
    return lab.comparison(con, indicator, YEAR, mode).iloc[0]


@pytest.mark.parametrize("uasc, hidden", [(0, False), (1, True), (3, True), (4, True), (5, False), (6, False)])
def test_a_candidate_nested_in_a_builtin_is_hidden_when_they_differ_by_1_to_4(tmp_path, uasc, hidden):
    con = uasc_store(tmp_path / "s.duckdb", uasc)
    row = headline(con, NOT_UASC)
    assert row["display"] == ("suppressed" if hidden else "33%")  # 8 of 17 on its own, shown as 5 of 15
    assert row["suppression"] == ("differencing" if hidden else "")
    found = {e.other_id: e.people for e in differencing.exposures(con, [NOT_UASC], [NOT_UASC], [YEAR])}
    assert found.get(NEET.id) == (uasc if hidden else None) and set(found.values()) <= {uasc}
    con.close()


def test_workshop_mode_says_why_and_analyst_mode_shows_the_figure_with_the_warning(tmp_path):
    con = uasc_store(tmp_path / "s.duckdb", 3)
    workshop, analyst = headline(con, NOT_UASC, "workshop"), headline(con, NOT_UASC, "analyst")
    reason = "could be subtracted from 'In touch, aged 19-21' to reveal fewer than 5 young people"
    assert (workshop["display"], workshop["caution"], workshop["suppressed"]) == ("suppressed", reason, True)
    assert workshop[["value", "numerator", "denominator"]].isna().all()
    # Staff see the figure (they may see the records themselves) and why a workshop would not.
    assert (analyst["display"], analyst["numerator"], analyst["denominator"]) == ("47.1%", 8, 17)
    assert (analyst["suppression"], analyst["caution"]) == ("", reason)
    # The built-ins beside it are the published set: never held against each other.
    builtins = lab.comparison(con, NOT_UASC, YEAR, "workshop").set_index("indicator_id")
    assert builtins.loc["eet_neet_19_21", ["display", "suppression", "caution"]].tolist() == ["25%", "", ""]  # 8 of 20: 5 of 20
    con.close()


@pytest.mark.parametrize("g4, hidden", [(3, True), (5, False)])
def test_a_numerator_nested_in_a_builtins_numerator_is_hidden_when_they_differ_by_1_to_4(tmp_path, g4, hidden):
    # G6 too, so the candidate is not the same group as the built-in NEET for other reasons (G5)
    con = store(tmp_path / "s.duckdb", people((g4, "G4", False, False), (6, "G5", False, False),
                                              (5, "G6", False, False), (10, "F2", False, False)))
    row = headline(con, G5_G6)
    assert row["display"] == ("suppressed" if hidden else "40%")  # 11 of 26, shown as 10 of 25
    found = {e.other_id: e.people for e in differencing.exposures(con, [G5_G6], [G5_G6], [YEAR])}
    # Its numerator is 3 fewer than NEET's, and 3 more than the in-work figure's rest (not in work).
    assert found == ({NEET.id: g4, "eet_in_eet_19_21": g4} if hidden else {})
    con.close()


def test_groups_that_overlap_without_one_holding_the_other_are_shown(tmp_path):
    # The candidate counts 3 at university the built-in does not, and leaves out 2 G4 it counts.
    con = store(tmp_path / "s.duckdb", people((2, "G4", False, False), (6, "G5", False, False),
                                              (5, "G6", False, False), (3, "F1", False, False),
                                              (8, "F2", False, False)))
    row = headline(con, G5_G6_F1)
    assert (row["display"], row["suppression"], row["caution"]) == ("60%", "", "")  # 14 of 24: 15 of 25
    assert differencing.exposures(con, [G5_G6_F1], [G5_G6_F1], [YEAR]) == []
    con.close()


def test_a_copy_of_a_builtin_adds_nothing_to_subtract(tmp_path):
    # The built-in's population holds 3 more than NOT_UASC's: that pair is differencing, but a
    # plain copy of the built-in reveals nothing the built-in does not.
    con = uasc_store(tmp_path / "s.duckdb", 3)
    copy = NEET.model_copy(update={"id": "neet_copy", "status": "candidate"})
    assert differencing.exposures(con, [copy], [copy, NOT_UASC], [YEAR]) == []
    assert headline(con, copy)["display"] == "25%"  # 8 of 20: 5 of 20
    con.close()


def test_young_people_with_a_blank_answer_are_still_counted_right(tmp_path):
    # Three with UASC left blank are in neither candidate's population; the count of a group that
    # sees only blanks comes back NULL from SQL and must count as nobody.
    con = store(tmp_path / "s.duckdb", people((8, "G5", False, False), (6, "F2", False, False),
                                              (3, "F2", False, True), (3, "F2", None, False)))
    found = differencing.exposures(con, [NOT_UASC], [NOT_UASC_NOR_DISABLED], [YEAR])
    assert {e.other_id: e.people for e in found} == {NOT_UASC_NOR_DISABLED.id: 3} | {  # NEET's population,
        b.id: 3 for b in builtin() if b.population[:3] == NEET.population}  # suitability's without G, H, R
    con.close()


class Recorder:
    """A connection that keeps every query it is given."""

    def __init__(self, con):
        self.con, self.queries = con, []

    def execute(self, text, params=()):
        self.queries.append((text, params))
        return self.con.execute(text, params)


def test_one_parameterised_query_checks_every_candidate_and_year(tmp_path):
    con = uasc_store(tmp_path / "s.duckdb", 3)
    recorder = Recorder(con)
    found = differencing.exposures(recorder, [NOT_UASC, G5_G6], [NOT_UASC, G5_G6], [YEAR - 1, YEAR])
    # G5_G6 counts the built-in's population, so NOT_UASC is 3 short of it too; G5_G6 has no one
    # in G4 here, so it counts the same young people as NEET and is safe.
    assert {(e.indicator_id, e.year, e.people) for e in found} == {("neet_not_uasc", YEAR, 3)}
    assert {NEET.id, G5_G6.id} <= {e.other_id for e in found}
    [(text, params)] = recorder.queries
    assert "G5" not in text and "G5" in params and YEAR in params
    con.close()


@pytest.fixture()
def opened_uasc(tmp_path):
    """An app store (for lab writes) of 17 not UASC, 3 of them disabled workers, and 8 UASC."""
    uasc_store(tmp_path / "c.duckdb", 8, disabled=3).close()
    opened = session.open_store(tmp_path / "c.duckdb")
    yield opened
    opened.connection.close()


def test_a_candidate_nested_in_a_saved_candidate_is_hidden_in_the_lab(opened_uasc):
    # NOT_UASC_NOR_DISABLED is 14 of NOT_UASC's 17 and 14 of the built-in's 25: only NOT_UASC gives it away.
    con = opened_uasc.cursor()
    assert headline(con, NOT_UASC_NOR_DISABLED)["display"] == "33%"  # 8 of 14, shown as 5 of 15
    lab.create(opened_uasc, MANAGER, NOT_UASC, "Tester")
    assert headline(con, NOT_UASC)["display"] == "33%"  # 8 of 17 (5 of 15), 8 fewer than the built-in's 25
    row = headline(con, NOT_UASC_NOR_DISABLED)
    assert (row["display"], row["caution"]) == (
        "suppressed", "could be subtracted from 'NEET, aged 19-21, not UASC' to reveal fewer than 5 young people")
    lab.set_retired(opened_uasc, MANAGER, NOT_UASC.id)  # a retired candidate is still on old workshops' cards
    assert headline(con, NOT_UASC_NOR_DISABLED)["display"] == "suppressed"


def test_workshop_cards_hold_a_candidate_against_the_saved_candidates(opened_uasc):
    lab.create(opened_uasc, MANAGER, NOT_UASC, "Tester")
    lab.create(opened_uasc, MANAGER, NOT_UASC_NOR_DISABLED, "Tester")
    room = ws.Workshop("w1", "ABCDE", "Room", (NEET.id, NOT_UASC_NOR_DISABLED.id), None, False)
    cards = ws.cards(opened_uasc.cursor(), room, YEAR)
    assert cards[["indicator_id", "display", "suppression"]].values.tolist() == [
        [NEET.id, "20%", ""], [NOT_UASC_NOR_DISABLED.id, "suppressed", "differencing"]]  # 8 of 25: 5 of 25


def test_built_ins_are_not_checked_against_each_other(tmp_path):
    con = uasc_store(tmp_path / "s.duckdb", 3)
    recorder = Recorder(con)
    assert differencing.exposures(recorder, [NEET], [NOT_UASC], [YEAR]) == []
    assert recorder.queries == []
    con.close()


def test_a_trend_is_guarded_year_by_year(tmp_path):
    con = uasc_store(tmp_path / "s.duckdb", 3)
    trend = compute.trend(con, [NOT_UASC, NEET])
    guarded = differencing.guard(con, trend, [NOT_UASC, NEET], (), compute.years(con))
    assert guarded[["indicator_id", "collection_year", "display"]].values.tolist() == [
        [NOT_UASC.id, YEAR, "suppressed"], [NEET.id, YEAR, "25%"]]  # 8 of 20, shown as 5 of 20
    con.close()


def test_the_differencing_check_refuses_a_lower_threshold(tmp_path):
    con = uasc_store(tmp_path / "s.duckdb", 3)
    with pytest.raises(ValueError, match="never lowered below 5"):
        differencing.exposures(con, [NOT_UASC], [NOT_UASC], [YEAR], threshold=2)
    con.close()
