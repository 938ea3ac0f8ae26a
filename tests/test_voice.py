"""Voice: agreement tables on a hand-built store (known answers), statements, summaries, the page."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from pydantic import ValidationError
from streamlit.testing.v1 import AppTest

from cl_metrics import charts, derived, store, voice
from cl_metrics.domains import domains
from tests.conftest import APP

SAFE_HOME = next(p for p in voice.pairings() if p.id == "safe_home_vs_suitable")
MONEY = next(p for p in voice.pairings() if p.id == "money_confidence_vs_budgeting")
NEW_DOMAINS = [d.id for d in domains() if d.status == "prototype"]


def _people(con, year: int, prefix: str, accom: str | None, safe: bool | None, how_many: int) -> None:
    """`how_many` young people (ids prefix00, prefix01, ...) with one OC3 accommodation code and one
    answer to 'I feel safe' in `year`."""
    for i in range(how_many):
        child = f"{prefix}{i:02d}"
        if accom is not None:
            con.execute("INSERT INTO oc3 (CHILD, DOB, IN_TOUCH, ACTIV, ACCOM, collection_year) "
                        "VALUES (?, DATE '2004-06-01', 'YES', 'F5', ?, ?)", [child, accom, year])
        con.execute("INSERT INTO risk_record (CHILD, yp_feels_safe_home, collection_year) VALUES (?, ?, ?)",
                    [child, safe, year])


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """2024: no cell small. 2025: one cell of 2, so secondary suppression must act."""
    con = store.connect(tmp_path_factory.mktemp("voice") / "t.duckdb", create=True)
    for year, not_suitable_but_safe in ((2024, 0), (2025, 2)):
        _people(con, year, f"TT{year}", "U1", True, 12)
        _people(con, year, f"TF{year}", "U1", False, 7)
        _people(con, year, f"FT{year}", "U2", True, not_suitable_but_safe)
        _people(con, year, f"FF{year}", "U2", False, 6)
        _people(con, year, f"NI{year}", "0", False, 3)  # no information: not a record of suitability
        _people(con, year, f"NA{year}", "U1", None, 4)  # no answer
        _people(con, year, f"NO{year}", None, True, 5)  # not in the return
    _people(con, 2022, "BOTH", "U1", True, 5)  # the same five young people answer again in 2023
    _people(con, 2023, "BOTH", "U2", False, 5)
    _people(con, 2022, "ONLY", "U1", False, 6)
    money = [(4, True, 5), (3, True, 6), (5, False, 5), (1, False, 7)]  # 4 or more is confident
    for n, (confidence, budgeting, how_many) in enumerate(money):
        for i in range(how_many):
            con.execute("INSERT INTO finance_record (CHILD, yp_money_confidence, budgeting_skills_done, "
                        "collection_year) VALUES (?, ?, ?, 2024)", [f"M{n}{i}", confidence, budgeting])
    notes = [("C1", "wellbeing", "lonely", "young person", True, "Weekends are quiet."),
             ("C2", "wellbeing", "lonely", "young person", True, "Weekends are quiet."),
             ("C3", "wellbeing", "good_wellbeing", "young person", True, "I feel good."),
             ("C4", "wellbeing", "lonely", "young person", False, "Not for sharing."),
             ("C5", "wellbeing", "lonely", "worker", True, "Worker's note."),
             ("C6", "eet", "working", "young person", True, "I got a job.")]
    con.executemany("INSERT INTO voice_note (CHILD, note_date, domain, theme, speaker, consent, text, collection_year) "
                    "VALUES (?, DATE '2024-01-10', ?, ?, ?, ?, ?, 2024)", notes)
    derived.refresh(con)
    yield con
    con.close()


def _cells(result: voice.Agreement) -> dict:
    """(recorded yes, says yes) -> (people, display)."""
    cells = result.cells
    return {(r, s): (n, d) for r, s, n, d in
            zip(cells["records_yes"], cells["says_yes"], cells["numerator"], cells["display"])}


def test_agreement_known_answer(tiny):
    result = voice.agreement(tiny, SAFE_HOME, 2024, mode="analyst")
    assert result.people == "25"
    assert {k: v[0] for k, v in _cells(result).items()} == {(True, True): 12, (True, False): 7,
                                                          (False, True): 0, (False, False): 6}
    shares = result.shares.set_index("name")["display"].to_dict()
    assert shares == {"agree": "72.0%", "records_yes": "76.0%", "says_no": "52.0%",
                      "says_no_when_records_yes": "36.8%"}
    assert result.table().loc["In accommodation recorded as suitable",
                              "Say they do not feel safe where they live"] == "7 (28.0%)"
    workshop = voice.agreement(tiny, SAFE_HOME, 2024, mode="workshop")
    # Cells rounded to 10, 5, 0, 5 of 25; shares are worked out from them: 7 of 19 is shown as 5 of 15.
    assert {k: v[0] for k, v in _cells(workshop).items()} == {(True, True): 10, (True, False): 5,
                                                            (False, True): 0, (False, False): 5}
    assert workshop.shares.set_index("name")["display"].to_dict() == {
        "agree": "60%", "records_yes": "60%", "says_no": "40%", "says_no_when_records_yes": "33%"}


def test_confidence_of_four_counts_as_confident(tiny):
    result = voice.agreement(tiny, MONEY, 2024, mode="analyst")
    assert {k: v[0] for k, v in _cells(result).items()} == {(True, True): 5, (True, False): 6,
                                                          (False, True): 5, (False, False): 7}
    assert result.share("agree")["display"] == "52.2%"


def test_small_cell_hides_its_partner_and_every_share_that_would_give_it_away(tiny):
    result = voice.agreement(tiny, SAFE_HOME, 2025, mode="workshop")
    cells = _cells(result)
    assert cells[(False, True)][1] == "fewer than 5" and cells[(False, False)][1] == "suppressed"
    assert cells[(True, True)][0] == 10 and cells[(True, False)][0] == 5  # 12 and 7, rounded
    shares = result.shares.set_index("name")
    # Agreement and "say they do not feel safe" each hold one hidden cell but not the other.
    assert shares.loc["agree", "display"] == shares.loc["says_no", "display"] == "suppressed"
    assert shares.loc["records_yes", "display"] == "60%"  # 19 of 27, shown as 10 + 5 of 25: holds no hidden cell
    assert shares.loc["says_no_when_records_yes", "display"] == "33%"  # 7 of 19, shown as 5 of 15
    assert shares.loc[["agree", "says_no"], "numerator"].isna().all()


def test_pooled_years_count_each_young_person_once_at_their_latest_answer(tiny):
    def cells(year, pooled):
        return {k: v[0] for k, v in _cells(voice.agreement(tiny, SAFE_HOME, year, "analyst", pooled=pooled)).items()}
    assert cells(2023, pooled=True) == {(True, True): 0, (True, False): 6, (False, True): 0, (False, False): 5}
    assert cells(2023, pooled=False) == {(True, True): 0, (True, False): 0, (False, True): 0, (False, False): 5}
    assert cells(2022, pooled=True) == {(True, True): 5, (True, False): 6, (False, True): 0, (False, False): 0}


def test_nobody_with_both_shows_no_figures(tiny):
    result = voice.agreement(tiny, SAFE_HOME, 2019)
    assert set(result.cells["display"]) == set(result.shares["display"]) == {"no data"} and result.people == "0"
    summary = charts.agreement_summary(result.shares, result.people, "Safe at home")
    assert summary == "Safe at home: no young people have both an answer and a record."


def test_pairings_are_declared_for_every_new_domain_and_checked():
    assert {p.domain for p in voice.pairings()} == set(NEW_DOMAINS)
    assert [p.id for p in voice.pairings() if p.headline] == ["safe_home_vs_suitable"]
    swapped = SAFE_HOME.model_dump() | {"says": SAFE_HOME.records.model_dump()}
    with pytest.raises(ValidationError, match="young person's own answers"):
        voice.Pairing.model_validate(swapped)


def test_statements_are_consented_young_peoples_words_only(tiny):
    words = voice.statements(tiny, ["wellbeing"])
    assert list(words.columns) == ["domain", "theme", "text"]
    assert sorted(words["text"]) == ["I feel good.", "Weekends are quiet."]  # once each, no worker, no refusal
    assert set(words["domain"]) == {"Wellbeing"}
    lonely = voice.statements(tiny, ["wellbeing"], ["lonely"])
    assert list(lonely["theme"]) == ["Loneliness"]
    assert voice.themes(tiny, ["wellbeing"]) == ["good_wellbeing", "lonely"]
    assert voice.statements(tiny, ["wellbeing", "eet"]).equals(voice.statements(tiny, ["wellbeing", "eet"]))


def test_agreement_summary_names_what_is_shown_and_counts_what_is_hidden(tiny):
    shown = voice.agreement(tiny, SAFE_HOME, 2024, mode="workshop")
    assert charts.agreement_summary(shown.shares, shown.people) == (
        "Of the 25 young people with both, the record and the young person agree for 60%; 60% are in "
        "accommodation recorded as suitable; 40% say they do not feel safe where they live; of those in "
        "accommodation recorded as suitable, 33% say they do not feel safe where they live.")
    hidden = voice.agreement(tiny, SAFE_HOME, 2025, mode="workshop")
    text = charts.agreement_summary(hidden.shares, hidden.people, "Safe at home")
    assert text.startswith("Safe at home: of the 25 young people with both, 60% are in")  # 27, rounded
    assert text.endswith("2 figure(s) hidden to protect small numbers.") and "agree for" not in text
    assert charts.agreement_summary(hidden.shares.assign(suppressed=True), "fewer than 5").startswith(
        "Too few young people have both an answer and a record to show figures.")


def test_agreement_chart_keeps_hidden_cells_as_labelled_rows(tiny):
    result = voice.agreement(tiny, SAFE_HOME, 2025, mode="workshop")
    spec = charts.agreement_chart(result.cells, SAFE_HOME.title).to_dict()
    rows = next(iter(spec["datasets"].values()))
    labels = [row["label"] for row in rows]
    assert labels == ["10 (40%), agree", "5 (20%), differ", "fewer than 5", "suppressed"]
    assert spec["layer"][0]["encoding"]["color"]["scale"]["range"] == charts.OKABE_ITO[:2]


# --- the page -------------------------------------------------------------------------------

@pytest.fixture()
def voice_page(small_store, monkeypatch):
    monkeypatch.setenv("CL_STORE", small_store)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/voice.py").run()
    return at


def _expected(at) -> list[voice.Agreement]:
    ctx = at.session_state["_context"]
    return voice.agreements(ctx.cursor(), ctx.year, ctx.mode, ctx.threshold)


@pytest.mark.parametrize("mode", ["workshop", "analyst"])
def test_voice_page_shows_cl_metrics_figures(voice_page, mode):
    at = voice_page
    at.radio(key="mode").set_value(mode).run()
    assert not at.exception, at.exception
    expected = _expected(at)
    by_domain = sorted(expected, key=lambda r: NEW_DOMAINS.index(r.pairing.domain))
    assert len(at.table) == len(expected)
    for table, result in zip(at.table, by_domain):
        pd.testing.assert_frame_equal(table.value, result.table(), check_names=False)
    headline = next(r for r in expected if r.pairing.headline)
    shown = [m.value for m in at.metric]
    assert shown[:3] == [headline.share(n)["display"] for n in ("records_yes", "says_no_when_records_yes", "agree")]
    assert shown[3:] == [r.share("agree")["display"] for r in by_domain]
    summaries = [m.value for m in at.markdown if m.value.startswith(("Of the ", "Too few", "No young"))]
    assert summaries == [charts.agreement_summary(r.shares, r.people) for r in by_domain]


def test_workshop_voice_page_shows_no_small_count(voice_page):
    at = voice_page
    at.radio(key="mode").set_value("workshop").run()
    threshold = at.session_state["_context"].threshold
    counts = [int(m.group(1).replace(",", "")) for table in at.table for cell in table.value.to_numpy().ravel()
              if (m := re.match(r"([\d,]+) \(", cell))]
    counts += [int(n) for m in at.markdown for n in re.findall(r"[Oo]f the (\d+) young people", m.value)]
    assert counts and min(counts) >= threshold
    assert all("." not in m.value for m in at.metric)  # rounded


def test_statements_filter_by_theme(voice_page):
    at = voice_page
    theme = voice.themes(at.session_state["_context"].cursor(), NEW_DOMAINS)[0]
    at.button_group(key="voice_themes").set_value([theme]).run()
    assert not at.exception
    captions = [c.value for c in at.caption if " · " in c.value]
    assert captions and all(c.endswith(f" · {voice.theme_label(theme)}") for c in captions)


def test_pooling_years_is_a_link_away(small_store, monkeypatch):
    monkeypatch.setenv("CL_STORE", small_store)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["pool_years"] = "true"
    at.run()
    at.switch_page("pages/voice.py").run()
    assert not at.exception and at.toggle(key="pool_years").value
    ctx = at.session_state["_context"]
    pooled = sorted(voice.agreements(ctx.cursor(), ctx.year, ctx.mode, ctx.threshold, pooled=True),
                    key=lambda r: NEW_DOMAINS.index(r.pairing.domain))
    assert [t.value.to_numpy().tolist() for t in at.table] == [r.table().to_numpy().tolist() for r in pooled]
