"""Instruments scored as published: SWEMWBS items converted with Warwick's table, the ONS4 questions
with ONS's thresholds, ONS's loneliness question, and one declared table of calibration targets."""
from __future__ import annotations

import duckdb
import pytest

from cl_metrics import benchmarks
from cl_metrics.indicators import by_id
from cl_metrics.spec import spec, swemwbs_conversion
from synthetic.calibration import table, target
from synthetic.generate import write_store
from tests.conftest import build_store

# Pairs from Warwick's SWEMWBS conversion table (raw sum -> metric score).
WARWICK = {7: 7.00, 8: 9.51, 14: 15.32, 21: 19.25, 26: 23.21, 28: 25.03, 33: 30.70, 35: 35.00}


def test_the_conversion_table_is_warwick_s():
    table = swemwbs_conversion()
    assert sorted(table) == list(range(7, 36))
    assert {raw: table[raw] for raw in WARWICK} == WARWICK
    assert all(a < b for a, b in zip(list(table.values()), list(table.values())[1:]))


def test_items_are_stored_and_their_sum_is_scored_by_the_table(tmp_path):
    """Each young person answers the seven items (1-5); the store scores the sum. A sum recorded
    without items is scored too; incomplete items fall back to the recorded sum."""
    raws = list(WARWICK)
    rows = []
    for i, raw in enumerate(raws):
        items = [raw // 7 + (1 if k < raw % 7 else 0) for k in range(7)]
        assert sum(items) == raw and all(1 <= v <= 5 for v in items)
        rows.append({"CHILD": f"S{i}", "response_date": "2024-01-10", "collection_year": 2024,
                     **{f"yp_swemwbs_{k + 1}": v for k, v in enumerate(items)}})
    rows.append({"CHILD": "SUM", "response_date": "2024-01-10", "collection_year": 2024, "yp_swemwbs": 21})
    rows.append({"CHILD": "PART", "response_date": "2024-01-10", "collection_year": 2024, "yp_swemwbs": 14,
                 "yp_swemwbs_1": 5})
    con = build_store(tmp_path / "swemwbs.duckdb", {"wellbeing_response": rows})
    scored = {child: float(metric) for child, metric in con.execute("SELECT CHILD, swemwbs_metric FROM person_year").fetchall()}
    assert {raw: scored[f"S{i}"] for i, raw in enumerate(raws)} == WARWICK
    assert (scored["SUM"], scored["PART"]) == (WARWICK[21], WARWICK[14])
    con.close()


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    path = write_store(tmp_path_factory.mktemp("instruments") / "s.duckdb", people=4000, seed=13)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def test_the_synthetic_store_keeps_items_and_scores_below_the_population(answers):
    items = " + ".join(f"yp_swemwbs_{k}" for k in range(1, 8))
    assert answers.execute(f"SELECT count(*) FROM wellbeing_response WHERE {items} <> yp_swemwbs").fetchone() == (0,)
    mean = answers.execute("SELECT avg(swemwbs_metric) FROM person_year").fetchone()[0]
    assert 18 < mean < 23.5  # care leavers below the population's 23.5 (a metric score)


@pytest.mark.parametrize("indicator, field, pmf, low", [
    ("wb_low_life_satisfaction", "yp_life_satisfaction", "life_satisfaction", range(0, 5)),
    ("wb_low_worthwhile", "yp_worthwhile", "worthwhile", range(0, 5)),
    ("wb_low_happiness", "yp_happiness", "happiness", range(0, 5)),
    ("wb_high_anxiety", "yp_anxiety", "anxiety", range(6, 11)),
])
def test_ons4_answers_follow_their_declared_shares_at_ons_thresholds(answers, indicator, field, pmf, low):
    declared = target(pmf)
    expected = sum(declared[v] for v in low) / sum(declared)
    condition = by_id(indicator).numerator[0]
    assert (condition.op, condition.values[0]) == (("le", 4) if low.start == 0 else ("ge", 6))
    share = answers.execute(f"SELECT avg(({field} {'<= 4' if low.start == 0 else '>= 6'})::INT) "
                            f"FROM wellbeing_response").fetchone()[0]
    assert share == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize("name", [name for name, t in table()["target"].items() if "survey" in t])
def test_a_survey_target_is_the_published_figure(answers, name):
    """Where a target is a published survey figure, its declared shares give that figure (one source)."""
    figure = benchmarks.surveys()["figure"][table()["target"][name]["survey"]]["value"] / 100
    value = target(name)
    declared = value[0] / sum(value) if name == "lonely" else (
        sum(value[:5]) / sum(value) if isinstance(value, list) else None)
    if declared is not None:
        assert declared == pytest.approx(figure, abs=0.005)


def test_loneliness_is_ons_s_direct_question_with_its_answers():
    assert spec().codes["LONELY"] == ("often or always", "some of the time", "occasionally", "hardly ever", "never")
    assert "ONS" in next(c.label for c in spec().table("wellbeing_response").columns if c.name == "yp_lonely")


def test_every_calibration_target_names_its_question_and_source():
    for name, declared in [*table()["target"].items(), *table()["mix"].items()]:
        assert declared.get("question") and declared.get("source") and "value" in declared, name
        if "survey" in declared:
            assert declared["survey"] in benchmarks.surveys()["figure"], name
    assert "78" not in table()["target"]["someone_to_trust"]["source"].split("Bright Spots' 78%")[0]
