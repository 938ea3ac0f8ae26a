"""Disclosure control: no small count survives, and no hidden cell can be worked out by subtraction."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cl_metrics.disclosure import checked_threshold, count_text, protect, protected_count, rounded
from cl_metrics.indicators import builtin, compute

T = 5


def cells(*pairs, unit="percent") -> pd.DataFrame:
    return pd.DataFrame({"indicator_id": "x", "group": [f"g{i}" for i in range(len(pairs))], "unit": unit,
                         "numerator": [float(n) for n, _ in pairs], "denominator": [float(d) for _, d in pairs]})


def test_small_count_is_hidden_and_a_second_cell_goes_with_it():
    out = protect(cells((3, 40), (20, 50), (30, 60)), ["indicator_id"], T, "workshop")
    assert out["display"].tolist() == ["fewer than 5", "suppressed", "50%"]
    assert out["suppression"].tolist() == ["primary", "secondary", ""]
    assert out.loc[:1, ["numerator", "denominator"]].isna().all().all()
    assert out.loc[:1, "value"].isna().all()


def test_analyst_mode_shows_exact_figures_however_small():
    """The analyst checking an import of four young people sees four (issue: analyst mode means exact)."""
    out = protect(cells((3, 40), (20, 50), (2, 4)), ["indicator_id"], T, "analyst")
    assert out["display"].tolist() == ["7.5%", "40.0%", "50.0%"]
    assert out["numerator"].tolist() == [3, 20, 2] and out["denominator"].tolist() == [40, 50, 4]
    assert not out["suppressed"].any() and (out["suppression"] == "").all()


def test_complement_small_denominator_zero_and_rounding():
    out = protect(cells((38, 40), (0, 30), (2, 3), (10, 30)), None, T, "workshop")
    assert out["display"].tolist() == ["suppressed", "0%", "fewer than 5", "33%"]
    assert out["value"].tolist()[3] == 33.0


def test_means_hide_small_groups_and_never_show_the_sum():
    out = protect(cells((24, 4), (60, 10), (70, 10), unit="mean"), ["indicator_id"], T, "workshop")
    assert out["display"].tolist() == ["fewer than 5", "suppressed", "7.0"]
    assert out["numerator"].isna().all()


def invariants_hold(out: pd.DataFrame, raw: pd.DataFrame, partition: list[str] | None) -> None:
    """The two promises, checked against the unprotected counts."""
    visible = out[~out["suppressed"]]
    counted = visible[visible["unit"] != "mean"]
    for column in ("numerator", "denominator"):
        assert not counted[column].between(1, T - 1).any()
    assert not (counted["denominator"] - counted["numerator"]).between(1, T - 1).any()
    assert not visible["denominator"].between(1, T - 1).any()
    if partition is None:
        return
    raw = raw.reset_index(drop=True)
    for _, part in out.groupby(partition):
        hidden = raw.loc[part.index[part["suppressed"].to_numpy()]]
        if len(hidden) == (raw.loc[part.index, "denominator"] > 0).sum():
            continue  # all hidden: the total has the same counts, so it is hidden by the same rule
        assert len(hidden) != 1, "a lone hidden cell is total minus the others"
        if len(hidden):
            assert hidden["denominator"].sum() >= T
            if (hidden["unit"] != "mean").all():
                num, den = hidden["numerator"].sum(), hidden["denominator"].sum()
                assert not 1 <= num < T and not 1 <= den - num < T


def test_random_partitions_keep_both_promises():
    rng = np.random.default_rng(0)
    for trial in range(400):
        k = int(rng.integers(2, 9))
        den = rng.integers(0, 60, k) * (rng.random(k) < 0.9)
        num = np.floor(den * rng.beta(0.6, 0.6, k))
        raw = cells(*zip(num, den))
        out = protect(raw, ["indicator_id"], T, "workshop")
        invariants_hold(out, raw, ["indicator_id"])


@pytest.mark.parametrize("dimension", list(compute.DIMENSIONS))
def test_every_breakdown_of_the_small_store_is_safe(small_con, dimension):
    year = compute.years(small_con)[-1]
    out = compute.breakdown(small_con, builtin(), dimension, year, mode="workshop")
    column = compute.DIMENSIONS[dimension][0]
    raw = compute.raw(small_con, builtin(), [column], [year]).rename(columns={column: "group"})
    raw = raw[raw["denominator"] > 0].reset_index(drop=True)
    assert (out[["indicator_id", "group"]].values == raw[["indicator_id", "group"]].values).all()
    invariants_hold(out, raw, ["indicator_id"])
    assert out["suppressed"].any(), "the small store should exercise suppression"


def test_headlines_and_trends_show_no_small_counts(small_con):
    for out in (compute.headline(small_con, builtin(), compute.years(small_con)[-1]),
                compute.trend(small_con, builtin())):
        invariants_hold(out, None, None)
        assert out["display"].str.fullmatch(r"\d+%|\d+\.\d|fewer than 5|suppressed|no data").all()


# --- rounding (issue 12): no exact count leaves workshop mode -----------------------------------------

@pytest.mark.parametrize("count, threshold, shown", [
    (0, 5, 0), (5, 5, 5), (7, 5, 5), (8, 5, 5), (9, 5, 10), (12, 5, 10), (13, 5, 15), (1234, 5, 1235), (1232, 5, 1230),
    (7, 7, 10), (12, 7, 10), (6, 6, 10), (10, 10, 10), (12, 10, 10), (11, 11, 15)])
def test_counts_are_rounded_to_the_nearest_5_never_below_the_threshold(count, threshold, shown):
    assert rounded(count, threshold) == shown
    assert protected_count(count, threshold) == (shown, f"{shown:,}")
    assert protected_count(count, threshold, "analyst") == (count, f"{count:,}")


def test_workshop_figures_are_worked_out_from_the_rounded_counts():
    # 8 of 17 is 47%, but shown as 5 of 15: 33%. A whole percentage of an exact 17 would pin 8.
    out = protect(cells((8, 17), (0, 30), (30, 30), (12, 23), (6, 6)), ["indicator_id"], T, "workshop")
    assert out[["numerator", "denominator"]].values.tolist() == [[5, 15], [0, 30], [30, 30], [10, 25], [5, 5]]
    assert out["display"].tolist() == ["33%", "0%", "100%", "40%", "100%"]
    assert (out["value"] == (100 * out["numerator"] / out["denominator"]).round()).all()
    counts = protect(cells((8, 17), (13, 40), unit="count"), None, T, "workshop")
    assert counts["display"].tolist() == ["5", "15"] and counts["denominator"].tolist() == [15, 40]
    assert protect(cells((8, 17)), None, T, "analyst")["display"].tolist() == ["47.1%"]  # analyst: exact


def test_a_mean_keeps_its_denominator_rule_and_its_exact_average():
    out = protect(cells((91, 12), (24, 4), (70, 8), unit="mean"), ["indicator_id"], T, "workshop")
    assert out["display"].tolist() == ["7.6", "fewer than 5", "suppressed"]  # 91 / 12, not 91 / 10
    assert out["denominator"].tolist()[0] == 10 and out["numerator"].isna().all()


def test_two_hidden_groups_of_four_are_never_both_fewer_than_5():
    """A total shown as 10 may be 8 to 12; two groups shown as 'fewer than 5' hold at most 4 each,
    so if they were its only hidden groups and the total were 8, both would be known to be 4."""
    with_others = protect(cells((1, 4), (1, 4), (20, 40), (15, 30)), ["indicator_id"], T, "workshop")
    assert with_others["display"].tolist() == ["fewer than 5", "fewer than 5", "50%", "suppressed"]
    alone = protect(cells((1, 4), (2, 4)), ["indicator_id"], T, "workshop")
    assert alone["display"].tolist() == ["suppressed", "fewer than 5"]  # nothing left to hide: say less
    unequal = protect(cells((0, 3), (0, 4), (20, 40)), ["indicator_id"], T, "workshop")
    assert unequal["display"].tolist() == ["fewer than 5", "fewer than 5", "50%"]  # 3 + 4 pins nothing


@pytest.mark.parametrize("threshold", [4, 1, 0, -5])
def test_the_threshold_can_never_be_lowered_below_5(threshold):
    with pytest.raises(ValueError, match="never lowered below 5"):
        protect(cells((8, 17)), None, threshold, "workshop")
    with pytest.raises(ValueError, match="never lowered below 5"):
        count_text(12, threshold)
    with pytest.raises(ValueError, match="never lowered below 5"):
        protected_count(12, threshold, "analyst")
    assert checked_threshold(5) == 5 and checked_threshold(12) == 12
