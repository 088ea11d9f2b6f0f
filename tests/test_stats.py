"""Tests for chainsim.experiments.stats against independent scipy computations."""

import json
import math

import numpy as np
import pytest
from scipy import stats

from chainsim.experiments.stats import (
    compare_configurations,
    holm_adjust,
    mean_ci,
    paired_difference,
)

A = [10.2, 11.5, 9.8, 12.1, 10.9, 11.3]
B = [10.9, 12.4, 10.1, 12.8, 11.0, 12.2]


# --- mean_ci -----------------------------------------------------------------------------


def test_mean_ci_matches_scipy_t_interval() -> None:
    x = np.array(A)
    low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    out = mean_ci(A)
    assert out["n"] == 6
    assert out["mean"] == pytest.approx(x.mean())
    assert out["ci_low"] == pytest.approx(low)
    assert out["ci_high"] == pytest.approx(high)


def test_mean_ci_confidence_level_changes_width() -> None:
    x = np.array(A)
    low, high = stats.t.interval(0.99, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    out = mean_ci(A, confidence=0.99)
    assert (out["ci_low"], out["ci_high"]) == pytest.approx((low, high))
    narrow = mean_ci(A, confidence=0.8)
    assert narrow["ci_low"] > out["ci_low"] and narrow["ci_high"] < out["ci_high"]


def test_mean_ci_drops_nan() -> None:
    assert mean_ci([*A, math.nan, math.nan]) == mean_ci(A)
    assert mean_ci([*A, math.nan])["n"] == 6


def test_mean_ci_small_samples_are_json_friendly() -> None:
    assert mean_ci([]) == {"mean": None, "ci_low": None, "ci_high": None, "n": 0}
    assert mean_ci([math.nan]) == {"mean": None, "ci_low": None, "ci_high": None, "n": 0}
    assert mean_ci([3.5]) == {"mean": 3.5, "ci_low": None, "ci_high": None, "n": 1}
    out = mean_ci(np.array([1.0, 2.0]))
    json.dumps(out)  # plain Python floats/ints, not numpy scalars
    assert all(type(out[k]) is float for k in ("mean", "ci_low", "ci_high"))
    assert type(out["n"]) is int


def test_mean_ci_zero_variance() -> None:
    out = mean_ci([0.1] * 10)  # 0.1 is inexact in binary: the mean may differ by an ulp
    assert out["ci_low"] == out["ci_high"] == out["mean"]
    assert out["mean"] == pytest.approx(0.1)


def test_mean_ci_rejects_bad_confidence() -> None:
    for bad in (0.0, 1.0, 1.5, -0.1):
        with pytest.raises(ValueError):
            mean_ci(A, confidence=bad)


def test_mean_ci_coverage_on_normal_data() -> None:
    rng = np.random.default_rng(20240601)
    true_mean, reps, n = 5.0, 2000, 10
    data = rng.normal(true_mean, 2.0, size=(reps, n))
    hits = 0
    for row in data:
        out = mean_ci(row)
        hits += out["ci_low"] <= true_mean <= out["ci_high"]
    assert 0.93 <= hits / reps <= 0.97


# --- paired_difference -------------------------------------------------------------------


def test_paired_difference_matches_ttest_rel() -> None:
    a, b = np.array(A), np.array(B)
    d = b - a
    expected = stats.ttest_rel(b, a)
    low, high = stats.t.interval(0.95, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    out = paired_difference(A, B)
    assert out["n"] == 6
    assert out["mean"] == pytest.approx(d.mean())
    assert (out["ci_low"], out["ci_high"]) == pytest.approx((low, high))
    assert out["p_value"] == pytest.approx(expected.pvalue)
    # direction: b - a, and the p-value is symmetric
    assert paired_difference(B, A)["mean"] == pytest.approx(-d.mean())
    assert paired_difference(B, A)["p_value"] == pytest.approx(out["p_value"])


def test_paired_difference_bonferroni_widening() -> None:
    d = np.array(B) - np.array(A)
    level = 1 - 0.05 / 4
    low, high = stats.t.interval(level, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    out = paired_difference(A, B, n_comparisons=4)
    assert (out["ci_low"], out["ci_high"]) == pytest.approx((low, high))
    single = paired_difference(A, B)
    assert out["ci_low"] < single["ci_low"] and out["ci_high"] > single["ci_high"]
    assert out["p_value"] == single["p_value"]  # adjustment of p is Holm's job


def test_paired_difference_drops_pairs_with_nan() -> None:
    a = [*A, math.nan, 1.0]
    b = [*B, 2.0, math.nan]
    assert paired_difference(a, b) == paired_difference(A, B)


def test_paired_difference_constant_differences() -> None:
    same = paired_difference(A, A)
    assert same["mean"] == same["ci_low"] == same["ci_high"] == 0.0
    assert same["p_value"] == 1.0
    shifted = paired_difference([1.0, 2.0, 3.0, 4.0], [3.0, 4.0, 5.0, 6.0])
    assert shifted["mean"] == shifted["ci_low"] == shifted["ci_high"] == 2.0
    assert shifted["p_value"] == 0.0


def test_paired_difference_edge_cases() -> None:
    assert paired_difference([], []) == {
        "mean": None,
        "ci_low": None,
        "ci_high": None,
        "n": 0,
        "p_value": None,
    }
    one = paired_difference([1.0], [3.0])
    assert one["mean"] == 2.0 and one["ci_low"] is None and one["p_value"] is None
    with pytest.raises(ValueError):
        paired_difference([1.0, 2.0], [1.0])
    with pytest.raises(ValueError):
        paired_difference(A, B, n_comparisons=0)


# --- holm_adjust -------------------------------------------------------------------------


def test_holm_hand_worked_example() -> None:
    # sorted: 0.005*4=0.02, 0.01*3=0.03, 0.03*2=0.06, 0.04*1=0.04 -> running max 0.06
    out = holm_adjust([0.01, 0.04, 0.03, 0.005])
    assert out == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_caps_at_one_and_single_value() -> None:
    assert holm_adjust([0.5, 0.6]) == pytest.approx([1.0, 1.0])
    assert holm_adjust([0.3, 0.8]) == pytest.approx([0.6, 0.8])
    assert holm_adjust([0.2]) == [0.2]
    assert holm_adjust([]) == []


def test_holm_is_monotone_in_p_order_and_never_below_raw() -> None:
    rng = np.random.default_rng(7)
    p = rng.uniform(0, 0.2, size=12)
    adj = np.array(holm_adjust(p))
    order = np.argsort(p)
    assert np.all(np.diff(adj[order]) >= 0)
    assert np.all(adj >= p) and np.all(adj <= 1.0)


def test_holm_rejects_invalid() -> None:
    for bad in ([1.2], [-0.1], [math.nan]):
        with pytest.raises(ValueError):
            holm_adjust(bad)


# --- compare_configurations --------------------------------------------------------------


def test_compare_configurations() -> None:
    rng = np.random.default_rng(11)
    base = rng.normal(10, 1, size=20)
    samples = {
        "upgrade": base + 1.0 + rng.normal(0, 0.3, size=20),
        "baseline": base,
        "noise": base + rng.normal(0, 0.3, size=20),
    }
    out = compare_configurations(samples, "baseline")
    assert [row["config"] for row in out] == ["upgrade", "noise"]
    assert all(row["baseline"] == "baseline" for row in out)
    for row in out:
        expected = paired_difference(samples["baseline"], samples[row["config"]], n_comparisons=2)
        assert {k: row[k] for k in expected} == expected
    assert [row["p_holm"] for row in out] == holm_adjust([row["p_value"] for row in out])
    assert out[0]["p_holm"] < 0.001 and out[0]["ci_low"] > 0
    json.dumps(out)


def test_compare_configurations_edge_cases() -> None:
    assert compare_configurations({"base": [1.0, 2.0]}, "base") == []
    with pytest.raises(KeyError):
        compare_configurations({"a": [1.0]}, "missing")
    out = compare_configurations({"base": [1.0], "x": [2.0]}, "base")
    assert out[0]["p_value"] is None and out[0]["p_holm"] is None


def test_cis_of_shares_and_of_their_differences_stay_in_range() -> None:
    from chainsim.experiments.units import bounds, difference_bounds

    near_one = [1.0, 1.0, 0.97, 1.0, 0.9]
    free = mean_ci(near_one)
    assert free["ci_high"] > 1.0  # the plain t interval escapes [0, 1]
    share = mean_ci(near_one, bounds=bounds("cluster.sinos.quasi_hierarchy_share"))
    assert share["ci_high"] == 1.0 and share["ci_low"] == free["ci_low"]
    assert share["mean"] == free["mean"]
    d = paired_difference([0.0, 0.0, 0.1, 0.0, 0.3], near_one,
                          bounds=difference_bounds("links.quasi_hierarchy_share"))
    assert -1.0 <= d["ci_low"] <= d["ci_high"] == 1.0
    assert bounds("cluster.sinos.units") == (float("-inf"), float("inf"))
    assert bounds("cluster.sinos=italy.process_gain") == (-1.0, 1.0)
