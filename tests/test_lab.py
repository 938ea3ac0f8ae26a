"""The indicator lab: candidates defined on the page are computed like built-ins, saved, edited,
retired, shared as files, and hostile text stays data."""
from __future__ import annotations

import gc
import json
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from cl_metrics import charts, differencing, lab, session
from cl_metrics.fields import registry
from cl_metrics.indicators import Indicator, by_id, compute, for_domain
from cl_metrics.views import indicator_figures
from synthetic.generate import write_store
from tests.conftest import APP, MANAGER, as_read

HOSTILE = "x'); DROP TABLE person_year; --"
# The candidate the tests define through the form, as the declaration it must become.
HIGHER_EDUCATION = {
    "id": "eet_university_19_21", "domain": "eet", "status": "candidate",
    "title": "At university, aged 19-21", "question": "Are you at university?",
    "description": "Care leavers aged 19 to 21 in full- or part-time higher education (ACTIV F1 or P1).",
    "unit": "percent", "better": "higher", "voice": "national-return",
    "population": [{"field": "in_oc3", "op": "is_true"}, {"field": "age", "op": "between", "values": [19, 21]}],
    "numerator": [{"field": "ACTIV", "op": "in", "values": ["F1", "P1"]}],
}


@pytest.fixture()
def store_path(tmp_path) -> str:
    """A store of its own per test, since the lab writes to it."""
    path = tmp_path / "lab.duckdb"
    write_store(path, people=600, seed=5)
    return str(path)


@pytest.fixture()
def open_lab(monkeypatch):
    """Open the lab page on a store; afterwards close the app's connections so the files are free."""
    from pages.common import open_store
    opened = []

    def start(path: str) -> AppTest:
        monkeypatch.setenv("CL_STORE", path)
        at = AppTest.from_file(APP, default_timeout=60).run()
        at.switch_page("pages/lab.py").run()
        assert not at.exception, at.exception
        opened.append(at.session_state["_context"].opened)
        return at

    yield start
    for store in opened:
        store.connection.close()
    open_store.clear()


def cursor(at: AppTest):
    return at.session_state["_context"].cursor()


def table_count(at: AppTest) -> int:
    return cursor(at).execute("SELECT count(*) FROM person_year").fetchone()[0]


def fill_form(at: AppTest, declaration: dict, author: str = "Sam Manager") -> AppTest:
    """Type a declaration into the lab's widgets, row by row, as a manager would."""
    at.text_input(key="lab_author").set_value(author)
    for name in ("title", "id", "question"):
        at.text_input(key=f"lab_{name}").set_value(declaration[name])
    at.text_area(key="lab_description").set_value(declaration["description"])
    at.selectbox(key="lab_domain").set_value(declaration["domain"])
    at.radio(key="lab_unit").set_value(declaration["unit"])
    at.radio(key="lab_better").set_value(declaration["better"])
    at.radio(key="lab_voice").set_value(declaration["voice"]).run()
    for part in lab.CONDITION_PARTS:
        for condition in declaration[part]:
            at.button(key=f"lab_{part}_add").click().run()
            row = at.session_state[f"lab_{part}"][-1]
            key = f"lab_{part}_{row}"
            at.selectbox(key=f"{key}_field").set_value(condition["field"]).run()
            at.selectbox(key=f"{key}_op").set_value(condition["op"]).run()
            values = condition.get("values", [])
            if values and registry()[condition["field"]].codes:
                at.multiselect(key=f"{key}_codes").set_value(values).run()
            elif values:
                at.text_input(key=f"{key}_text").set_value(", ".join(map(str, values))).run()
    assert not at.exception, at.exception
    return at


def year(at: AppTest) -> int:
    return at.session_state["_context"].year


def expected_cards(at: AppTest, candidate: Indicator) -> list[str]:
    """What compute says the candidate and its domain's built-ins are, in the page's mode."""
    ctx = at.session_state["_context"]
    own = differencing.guard(
        cursor(at), compute.headline(cursor(at), [candidate], ctx.year, mode=ctx.mode, threshold=ctx.threshold),
        [candidate], lab.saved(cursor(at), include_retired=True), [ctx.year], ctx.mode, ctx.threshold)
    others = indicator_figures(cursor(at), ctx.year, ctx.mode, ctx.threshold, for_domain(candidate.domain))
    return [own["display"][0], *others["display"]]


def test_defined_candidate_shows_its_figure_and_survives_a_restart(store_path, open_lab):
    at = fill_form(open_lab(store_path), HIGHER_EDUCATION)
    candidate = Indicator.model_validate(HIGHER_EDUCATION)
    assert [m.value for m in at.metric] == expected_cards(at, candidate)
    # Known input, known value: the same count done by hand on person_year.
    rows = cursor(at).execute("SELECT age, in_oc3, ACTIV FROM person_year WHERE collection_year = ?",
                              [year(at)]).df()
    counted = rows[rows["in_oc3"].fillna(False).astype(bool) & rows["age"].between(19, 21)]
    share = 100 * counted["ACTIV"].isin(["F1", "P1"]).sum() / len(counted)
    assert at.metric[0].value == f"{share:.1f}%"
    trend = compute.trend(cursor(at), [candidate], mode="analyst")
    assert charts.trend_summary(trend, candidate.title) in [c.value for c in at.caption]

    at.button(key="lab_save").click().run()
    assert "Saved" in at.success[0].value
    assert at.selectbox(key="lab_start").value == f"saved:{candidate.id}"
    at.session_state["_context"].opened.connection.close()  # the process ends...
    st.cache_resource.clear()
    gc.collect()
    duckdb.connect(store_path, read_only=True).close()  # ...and holds the file no more

    again = open_lab(store_path)
    assert f"Saved: {candidate.title} ({candidate.id})" in again.selectbox(key="lab_start").options
    again.selectbox(key="lab_start").set_value(f"saved:{candidate.id}").run()
    assert not again.exception, again.exception
    assert again.text_input(key="lab_question").value == HIGHER_EDUCATION["question"]
    assert again.text_input(key="lab_id").disabled
    assert [m.value for m in again.metric] == expected_cards(again, candidate)
    stored = lab.saved(cursor(again))
    assert [ind.id for ind in stored] == [candidate.id]
    assert stored[0].author == "Sam Manager" and stored[0].created
    assert stored[0].model_dump(exclude={"author", "created"}) == candidate.model_dump(exclude={"author", "created"})


def test_edit_and_retire_round_trip(store_path, open_lab):
    at = open_lab(store_path)
    at.selectbox(key="lab_start").set_value("builtin:eet_neet_19_21").run()
    at.text_input(key="lab_author").set_value("Ali").run()
    at.button(key="lab_save").click().run()
    candidate_id = "eet_neet_19_21_candidate"
    first = lab.records(cursor(at)).set_index("id").loc[candidate_id]

    at.text_input(key="lab_title").set_value("Not in work or learning, 19-21").run()
    at.radio(key="lab_better").set_value("neither").run()
    at.button(key="lab_save").click().run()
    assert not at.exception and "Saved" in at.success[0].value
    (edited,) = lab.saved(cursor(at))
    assert (edited.title, edited.better, edited.author) == ("Not in work or learning, 19-21", "neither", "Ali")
    after = lab.records(cursor(at)).set_index("id").loc[candidate_id]
    assert after["created_at"] == first["created_at"] and after["updated_at"] >= first["updated_at"]

    at.button(key="lab_retire").click().run()
    assert lab.saved(cursor(at)) == ()
    assert [i.id for i in lab.saved(cursor(at), include_retired=True)] == [candidate_id]
    assert "(retired)" in at.selectbox(key="lab_start").format_func(f"saved:{candidate_id}")
    assert at.button(key="lab_retire").label == "Bring back"
    at.button(key="lab_retire").click().run()
    assert lab.saved(cursor(at)) == (edited,)


def test_export_then_import_into_another_store_gives_equal_definitions(store_path, tmp_path, open_lab):
    source = session.open_store(store_path)
    first = lab.create(source, MANAGER, Indicator.model_validate(HIGHER_EDUCATION), "Sam")
    second = lab.create(source, MANAGER, Indicator.model_validate(
        {**HIGHER_EDUCATION, "id": "wb_mean_life_satisfaction", "domain": "wellbeing", "unit": "mean",
         "numerator": [], "value_field": "yp_life_satisfaction", "title": "Life satisfaction",
         "question": "How happy are you with your life?", "voice": "self-reported"}), "Jo")
    lab.set_retired(source, MANAGER, second.id)
    exported = lab.export_json(source.cursor())
    source.connection.close()
    assert [d["id"] for d in json.loads(exported)["indicator"]] == [first.id]  # retired ones stay home

    other = tmp_path / "other.duckdb"
    write_store(other, people=300, seed=9)
    at = open_lab(str(other))
    at.text_input(key="lab_author").set_value("Importer").run()
    at.file_uploader(key="lab_upload").set_value(("candidates.json", exported.encode(), "application/json")).run()
    at.button(key="lab_import").click().run()
    assert not at.exception, at.exception
    assert as_read(at.success[0].value) == ("Added 1 candidate from candidates.json: "
                                            "At university, aged 19-21 (eet_university_19_21).")
    assert lab.saved(cursor(at)) == (first,)
    assert lab.export_json(cursor(at)).split('"indicator"')[1] == exported.split('"indicator"')[1]


def test_import_refuses_the_whole_file_naming_each_problem(store_path, open_lab):
    good = {**HIGHER_EDUCATION, "id": "eet_good_one"}
    bad_field = {**HIGHER_EDUCATION, "id": "eet_bad_field",
                 "numerator": [{"field": HOSTILE, "op": "eq", "values": ["1"]}]}
    builtin_id = {**HIGHER_EDUCATION, "id": "eet_neet_19_21"}
    at = open_lab(store_path)
    at.text_input(key="lab_author").set_value("Importer").run()
    content = json.dumps({"indicator": [good, bad_field, builtin_id]}).encode()
    at.file_uploader(key="lab_upload").set_value(("shared.json", content, "application/json")).run()
    at.button(key="lab_import").click().run()
    assert not at.exception, at.exception
    message = as_read(at.error[0].value)
    assert "shared.json, indicator 'eet_bad_field', numerator.0" in message and "unknown field" in message
    assert "'eet_neet_19_21': the id is a built-in indicator's" in message
    assert lab.records(cursor(at)).empty and table_count(at) > 0

    with pytest.raises(lab.LabError, match=r"broken.json, line 1, column \d+: not valid JSON"):
        lab.read_file("broken.json", b'{"indicator": [')
    toml = b'[[indicator]]\nid = "eet_from_toml"\ndomain = "eet"\nstatus = "established"\n'
    with pytest.raises(lab.LabError) as refused:
        lab.read_file("shared.toml", toml)
    assert "shared.toml, indicator 'eet_from_toml', title: Field required" in refused.value.problems
    opened = at.session_state["_context"].opened
    lab.import_file(opened, MANAGER, "one.json", json.dumps({"indicator": [good]}).encode(), "Importer")
    with pytest.raises(lab.LabError, match="'eet_good_one': a saved candidate already has this id"):
        lab.import_file(opened, MANAGER, "again.json", json.dumps({"indicator": [good]}).encode(), "Importer")


@pytest.mark.parametrize("where", ["id", "question", "integer value", "code value", "text value"])
def test_hostile_text_is_data_or_refused(store_path, open_lab, where):
    declaration = json.loads(json.dumps(HIGHER_EDUCATION))
    if where in ("id", "question"):
        declaration[where] = HOSTILE
    elif where == "integer value":
        declaration["population"][1]["values"] = [19, HOSTILE]
    elif where == "code value":
        declaration["numerator"][0]["values"] = [HOSTILE]
    else:
        declaration["numerator"] = [{"field": "adviser_team", "op": "eq", "values": [HOSTILE]}]
    at = open_lab(store_path)
    before = table_count(at)
    if where == "code value":  # the page only offers real codes; a crafted value is refused by validation
        with pytest.raises(lab.LabError, match='is not a valid code for "Main activity \\(education'):
            lab.from_form(declaration)
        declaration["numerator"][0]["values"] = ["F1"]
    at = fill_form(at, declaration)
    problems = " ".join(as_read(w.value) for w in at.warning)
    if where == "id":
        assert "Short name (id): use 3 to 64 lower-case letters" in problems and not at.metric
    elif where == "integer value":
        assert (f"Who is counted, row 2: value {HOSTILE!r} is not a valid whole number for "
                '"Age at the birthday in the collection year"') in problems
    else:
        candidate = lab.from_form(declaration)
        assert [m.value for m in at.metric] == expected_cards(at, candidate)
        if where == "text value":
            assert at.metric[0].value == "0.0%"  # matched as a team name: nobody is in that team
        at.button(key="lab_save").click().run()
        assert lab.saved(cursor(at))[0].model_dump(exclude={"author", "created"}) == \
            candidate.model_dump(exclude={"author", "created"})
    assert not at.exception and table_count(at) == before


def test_both_modes_show_compute_figures(store_path, open_lab):
    at = fill_form(open_lab(store_path), HIGHER_EDUCATION)
    candidate = Indicator.model_validate(HIGHER_EDUCATION)
    # The candidate keeps the 1 to 4 young people (DIED, RHOM) the built-ins of its population leave
    # out, so a workshop sees it hidden, with no breakdown, and staff are told why.
    for mode, hidden in (("workshop", True), ("analyst", False)):
        at.radio(key="mode").set_value(mode).run()
        assert not at.exception, at.exception
        assert [m.value for m in at.metric] == expected_cards(at, candidate)
        assert (at.metric[0].value == "suppressed") == hidden
        assert any("Workshop mode hides this figure" in w.value for w in at.warning) == (not hidden)
        parts = compute.breakdown(cursor(at), [candidate], "age_band", year(at), mode=mode)
        assert (charts.breakdown_summary(parts, candidate.title, "Age band") in [c.value for c in at.caption]) \
            == (not hidden)
        # A candidate's groups are explored in analyst mode only: in workshop mode none could be subtracted.
        assert (lab.breakdown_withheld(mode) in [i.value for i in at.info]) == (mode == "workshop")
        assert [s.key for s in at.selectbox].count("lab_dimension") == (mode == "analyst")
        percents = [m.value for m in at.metric if m.value.endswith("%")]
        assert percents and all(("." in p) == (mode == "analyst") for p in percents)


def test_question_checks_and_plain_validation_messages():
    long_question = " ".join(["word"] * 21) + "?"
    too_long = Indicator.model_validate({**HIGHER_EDUCATION, "question": long_question})
    assert any("the question has 21 words" in p for p in lab.problems(too_long))
    assert lab.problems(Indicator.model_validate(HIGHER_EDUCATION)) == []
    check = lab.question_check("Are you at university?")  # 4 words, 7 syllables, 1 sentence
    assert (check.words, check.hard_to_read) == (4, True)
    assert check.reading_ease == pytest.approx(206.835 - 1.015 * 4 - 84.6 * 7 / 4)
    assert check.summary == ("4 words (at most 20) · reading ease 55 (aim for 60 or more) · "
                             "may be hard to read: try shorter words and a shorter sentence")
    assert lab.question_check("  ").summary == "0 words (at most 20)"
    assert lab.problems(Indicator.model_validate(HIGHER_EDUCATION)) == []  # readability advises, never blocks
    mean_without_field = {**HIGHER_EDUCATION, "unit": "mean", "value_field": None, "title": "ab"}
    with pytest.raises(lab.LabError) as refused:
        lab.from_form(mean_without_field)
    assert refused.value.problems == ["Title: needs at least 3 characters"]
    with pytest.raises(lab.LabError) as refused:
        lab.from_form({**HIGHER_EDUCATION, "numerator": []})
    assert refused.value.problems == ["The indicator: a percent needs at least one row under "
                                      "'Who counts towards the figure'"]


def test_a_mean_candidate_averages_its_value_field(store_path, open_lab):
    at = open_lab(store_path)
    at.selectbox(key="lab_start").set_value("builtin:wb_someone_to_trust").run()
    at.radio(key="lab_unit").set_value("mean").run()
    assert any("needs a value to average: choose one" in as_read(w.value) for w in at.warning)
    at.selectbox(key="lab_value_field").set_value("yp_life_satisfaction").run()
    assert not at.exception and not [w for w in at.warning if "Analyst mode" not in w.value]
    candidate = lab.from_form({**lab.form_values(by_id("wb_someone_to_trust"), "wb_someone_to_trust_candidate"),
                               "unit": "mean", "value_field": "yp_life_satisfaction"})
    assert candidate.numerator == () and at.metric[0].value == expected_cards(at, candidate)[0]
    rows = cursor(at).execute("SELECT yp_someone_to_trust, yp_life_satisfaction FROM person_year "
                              "WHERE collection_year = ?", [year(at)]).df()
    answered = rows[rows["yp_someone_to_trust"].notna()]["yp_life_satisfaction"].dropna()
    assert len(answered) > 20 and at.metric[0].value == f"{answered.mean():.1f}"


def test_concurrent_saves_from_many_sessions(store_path):
    """Sessions share one connection: each save is one transaction under the write lock."""
    opened = session.open_store(store_path)
    ids = [f"eet_parallel_{i}" for i in range(12)] + ["eet_same_for_all"] * 12

    def save(indicator_id: str) -> str:
        try:
            lab.create(opened, MANAGER, Indicator.model_validate({**HIGHER_EDUCATION, "id": indicator_id}), "Thread")
            return "saved"
        except lab.LabError:
            return "refused"

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(save, ids))
    assert outcomes.count("saved") == 13 and outcomes.count("refused") == 11
    assert sorted(i.id for i in lab.saved(opened.cursor())) == sorted(set(ids))
    opened.connection.close()


def test_a_promoted_candidate_stays_a_prototype_when_edited_and_travels(opened, tmp_path):
    """A workshop's promotion is not undone by the next edit, and an export of it imports elsewhere."""
    saved = lab.create(opened, MANAGER, Indicator.model_validate(HIGHER_EDUCATION), "Sam")
    with opened.writing() as cur:
        lab.promote_in(cur, saved.id)
    lab.update(opened, MANAGER, saved.model_copy(update={"title": "Renamed after the workshop"}))
    [edited] = lab.saved(opened.cursor())
    assert (edited.status, edited.title) == ("prototype", "Renamed after the workshop")
    write_store(tmp_path / "other.duckdb", people=300, seed=4)
    elsewhere = session.open_store(tmp_path / "other.duckdb")
    try:
        lab.import_file(elsewhere, MANAGER, "shared.json", lab.export_json(opened.cursor()).encode(), "Importer")
        assert [i.status for i in lab.saved(elsewhere.cursor())] == ["prototype"]
    finally:
        elsewhere.connection.close()


def test_starting_from_a_built_in_twice_offers_a_free_id(opened):
    source = by_id("eet_neet_19_21")
    first, _ = lab.starting_form(opened.cursor(), f"builtin:{source.id}")
    assert first["id"] == "eet_neet_19_21_candidate"
    lab.create(opened, MANAGER, source.model_copy(update={"id": first["id"], "status": "candidate"}), "Sam")
    second, edits = lab.starting_form(opened.cursor(), f"builtin:{source.id}")
    assert (second["id"], edits) == ("eet_neet_19_21_candidate_2", None)
    assert lab.copy_id(source, {"eet_neet_19_21_candidate", "eet_neet_19_21_candidate_2"}) == "eet_neet_19_21_candidate_3"


# --- malformed files (issue 12): refused with what and where, never a traceback -----------------------

DEEP = 100_000


@pytest.mark.parametrize("name, content, expected", [
    ("lists.json", b'{"indicator":[{"id":["x"]}]}', "lists.json, indicator '#1', id: Input should be a valid string"),
    ("types.json", json.dumps({"indicator": [{**HIGHER_EDUCATION, "population": "in_oc3", "unit": 5}]}).encode(),
     "types.json, indicator 'eet_university_19_21', population: Input should be a valid tuple"),
    ("values.json", json.dumps({"indicator": [{**HIGHER_EDUCATION, "numerator": [
        {"field": ["ACTIV"], "op": "in", "values": [{"F1": True}]}]}]}).encode(),
     "values.json, indicator 'eet_university_19_21', numerator.0.field: Input should be a valid string"),
    ("items.json", b'{"indicator": [1, "two", null]}', "items.json, indicator '#2', declaration: Input should be a "
                                                        "valid dictionary"),
    ("deep.json", b"[" * DEEP + b"]" * DEEP, "deep.json: nested too deeply to read"),
    ("deep.toml", b"a = " + b"[" * DEEP + b"]" * DEEP, "deep.toml: nested too deeply to read"),
    ("nested.json", json.dumps({"indicator": [{**HIGHER_EDUCATION, "description": [[[[[[[[["x"]]]]]]]]]}]}).encode(),
     "nested.json, indicator.0.description.0.0.0.0.0.0.0: nested more than 10 levels deep"),
    ("dotted.toml", b"[[indicator]]\n" + b"a." * 20 + b"b = 1\n", "dotted.toml, indicator.0.a.a.a.a.a.a.a.a: nested"),
    ("nan.json", json.dumps({"indicator": [{**HIGHER_EDUCATION, "national": {"value": float("nan"), "year": 2021,
                                                                            "source": "DfE"}}]}).encode(),
     "nan.json, indicator.0.national.value: nan is not a number a definition can hold"),
    ("digits.toml", b"[[indicator]]\nid = " + b"9" * 5000 + b"\n", "digits.toml: holds a number too long to read"),
    ("huge.json", b" " * (lab.MAX_IMPORT_BYTES + 1), "huge.json: 1,000,001 bytes is more than a file of definitions"),
    ("many.json", json.dumps({"indicator": [HIGHER_EDUCATION] * (lab.MAX_IMPORT_DECLARATIONS + 1)}).encode(),
     "many.json: 201 declarations under 'indicator'; a file may hold at most 200"),
    ("long.json", json.dumps({"indicator": [{**HIGHER_EDUCATION, "numerator": [
        {"field": "age", "op": "in", "values": list(range(200))}]}]}).encode(),
     "long.json, indicator 'eet_university_19_21', numerator.0.values: Tuple should have at most 100 items"),
    ("top.json", b'[{"id": "x"}]', "top.json: expected a non-empty list of declarations under 'indicator'"),
])
def test_a_malformed_file_is_refused_naming_the_problem_and_where(opened, name, content, expected):
    with pytest.raises(lab.LabError) as refused:
        lab.read_file(name, content)
    assert any(p.startswith(expected) for p in refused.value.problems), refused.value.problems
    with pytest.raises(lab.LabError):
        lab.import_file(opened, MANAGER, name, content, "Importer")
    assert lab.records(opened.cursor()).empty


def test_the_page_shows_a_malformed_file_as_a_message(store_path, open_lab):
    at = open_lab(store_path)
    at.text_input(key="lab_author").set_value("Importer").run()
    for name, content in (("lists.json", b'{"indicator":[{"id":["x"]}]}'), ("deep.json", b"[" * DEEP + b"]" * DEEP)):
        at.file_uploader(key="lab_upload").set_value((name, content, "application/json")).run()
        at.button(key="lab_import").click().run()
        assert not at.exception, at.exception
        assert at.error[0].value.startswith("Not saved:") and name in as_read(at.error[0].value)


# --- a lab that guides (issue 16) ----------------------------------------------------------------------

def in_page_order(node) -> list:
    """Every element under `node` in the order a reader meets them, top to bottom."""
    children = getattr(node, "children", None)
    if children is None:
        return [node]
    return [found for key in sorted(children) for found in in_page_order(children[key])]


def next_message(at: AppTest, button_key: str):
    """The first message (success, info, warning, error) after the button with `button_key`, and
    what lies between them (nothing but the message's own container, if it sits right below)."""
    order = [e for e in in_page_order(at.main) if getattr(e, "type", "") != "html"]
    start = next(i for i, e in enumerate(order) if getattr(e, "key", None) == button_key)
    after = order[start + 1:]
    index = next(i for i, e in enumerate(after) if e.type in ("alert",) or type(e).__name__ in
                 ("Success", "Info", "Warning", "Error"))
    return after[index], after[:index]


def test_each_message_sits_right_below_the_button_that_caused_it(store_path, open_lab):
    at = open_lab(store_path)
    at.selectbox(key="lab_start").set_value("builtin:eet_neet_19_21").run()
    at.button(key="lab_save").click().run()  # no name yet
    message, between = next_message(at, "lab_save")
    assert as_read(message.value) == "Not saved:\n\n- Your name: needed, so others know who defined it"
    assert between == [] and not at.exception
    at.text_input(key="lab_author").set_value("Ali").run()
    at.button(key="lab_save").click().run()
    title, question = at.text_input(key="lab_title").value, at.text_input(key="lab_question").value
    message, between = next_message(at, "lab_save")
    assert as_read(message.value) == f"Saved '{title}'." and between == []
    at.button(key="lab_retire").click().run()
    message, between = next_message(at, "lab_retire")
    assert as_read(message.value).startswith(f"Retired '{title}': kept here") and between == []
    # Retiring keeps the form as it was: the same candidate, its words, ready to bring back.
    assert (at.text_input(key="lab_title").value, at.text_input(key="lab_question").value) == (title, question)
    assert at.selectbox(key="lab_start").value == "saved:eet_neet_19_21_candidate"
    assert at.button(key="lab_retire").label == "Bring back"
    at.button(key="lab_retire").click().run()
    message, _ = next_message(at, "lab_retire")
    assert as_read(message.value) == f"Brought back '{title}': it is in use again."


def test_a_new_candidate_is_guided(store_path, open_lab):
    """The id follows the title until typed over; a new row starts in the candidate's domain; internal
    fields are not offered; an empty 'who is counted' says it means everyone, and a field recorded for
    some ages only says which."""
    at = open_lab(store_path)
    assert lab.EVERYONE in [c.value for c in at.caption]
    at.text_input(key="lab_title").set_value("Health assessment done, all ages").run()
    assert at.text_input(key="lab_id").value == "health_assessment_done_all_ages"
    at.text_input(key="lab_id").set_value("ph_assessed").run()
    at.text_input(key="lab_title").set_value("Health assessment done").run()
    assert at.text_input(key="lab_id").value == "ph_assessed"  # typed by hand: kept
    at.selectbox(key="lab_domain").set_value("physical_health").run()
    at.button(key="lab_numerator_add").click().run()
    row = f"lab_numerator_{at.session_state['lab_numerator'][-1]}"
    picker = at.selectbox(key=f"{row}_field")
    assert picker.value == "gp_registered"  # the first field of Physical health, not IN_TOUCH
    assert not {"response_date", "contacts_recorded", "plans_recorded"} & set(picker.options)
    assert picker.format_func("gp_registered") == ("Registered with a GP — Physical health · Health (worker-recorded "
                                                   "and self-reported) · Recorded by workers")
    picker.set_value("health_assessment_done").run()
    at.selectbox(key=f"{row}_op").set_value("is_true").run()
    at.text_input(key="lab_question").set_value("Did you have a health check this year?")
    at.text_area(key="lab_description").set_value("Everyone with a health assessment in the year.").run()
    assert not at.exception and not [w.value for w in at.warning if "Analyst mode" not in w.value]
    # Known figures: everyone in the year, and the age bands that hold a health assessment at all.
    rows = cursor(at).execute("SELECT age_band, health_assessment_done FROM person_year WHERE collection_year = ?",
                              [year(at)]).df()
    held = sorted(rows.loc[rows["health_assessment_done"].notna(), "age_band"].unique())
    assert held == ["16-17"]
    who = next(m.value for m in at.markdown if m.value.startswith("**Who is counted:**"))
    assert who == f"**Who is counted:** {len(rows)} young people are counted in {year(at)}. {lab.EVERYONE}"
    assert ("Health assessment in the last year is recorded only for ages 16-17: anyone else counted has it "
            "blank.") in [i.value for i in at.info]
    at.sidebar.radio(key="mode").set_value("workshop").run()
    who = next(m.value for m in at.markdown if m.value.startswith("**Who is counted:**"))
    assert who.startswith(f"**Who is counted:** {int(round(len(rows) / 5) * 5)} young people")


def test_plain_words_and_reading_ease_on_its_own_scale():
    with pytest.raises(lab.LabError) as refused:
        lab.from_form({**HIGHER_EDUCATION, "numerator": [{"field": "IN_TOUCH", "op": "in", "values": []}]})
    assert refused.value.problems == ['Who counts towards the figure, row 1: "is one of" on "In touch with the '
                                      'council" needs at least one value']
    assert lab.question_check("Do you have a GP?").reading_ease == 100  # Flesch gives 117
    assert lab.question_check("Do you have a GP?").summary == "5 words (at most 20) · reading ease 100 (aim for 60 or more)"


def test_export_all_or_chosen_retired_ones_too(opened):
    first = lab.create(opened, MANAGER, Indicator.model_validate(HIGHER_EDUCATION), "Sam")
    second = lab.create(opened, MANAGER, Indicator.model_validate({**HIGHER_EDUCATION, "id": "eet_second"}), "Sam")
    lab.set_retired(opened, MANAGER, second.id)
    every, in_use = lab.saved_choices(opened.cursor())
    assert every == {first.id: f"{first.title} ({first.id})", second.id: f"{second.title} ({second.id}) (retired)"}
    assert in_use == [first.id]
    assert [d["id"] for d in json.loads(lab.export_json(opened.cursor()))["indicator"]] == [first.id]
    chosen = json.loads(lab.export_json(opened.cursor(), [second.id]))["indicator"]
    assert [d["id"] for d in chosen] == [second.id]
    assert lab.import_summary("two.json", [first, second]) == (
        f"Added 2 candidates from two.json: {first.title} ({first.id}); {second.title} ({second.id}).")
