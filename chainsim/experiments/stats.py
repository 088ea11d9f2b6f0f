"""Replication statistics: Student-t confidence intervals and paired (CRN) comparisons.

A metric with a known range (a share lies in [0, 1], a difference of shares in [-1, 1];
`chainsim.experiments.units`) gets its t interval intersected with that range: the true
mean lies in the range, so the intersection covers it exactly as often as the t interval
does, and it agrees with the t-test p-value shown beside it (docs/metrics.md says why
this and not a bootstrap).

All results are plain dicts of Python floats/ints/None so they serialise to JSON directly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TypedDict

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats


class MeanCI(TypedDict):
    """Sample mean with a two-sided Student-t confidence interval."""

    mean: float | None
    ci_low: float | None
    ci_high: float | None
    n: int


class PairedDifference(MeanCI):
    """Mean paired difference (b - a) with its CI and two-sided paired t-test p-value."""

    p_value: float | None


class Comparison(PairedDifference):
    """One configuration compared against the baseline, with Holm-adjusted p-value."""

    config: str
    baseline: str
    p_holm: float | None


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")


def _interval(x: np.ndarray, confidence: float) -> MeanCI:
    """Student-t interval for the mean of a NaN-free 1-D sample."""
    n = int(x.size)
    if n == 0:
        return {"mean": None, "ci_low": None, "ci_high": None, "n": 0}
    mean = float(x.mean())
    if n < 2:
        return {"mean": mean, "ci_low": None, "ci_high": None, "n": n}
    if np.all(x == x[0]):
        # Exact check rather than std == 0: rounding in the mean can leave a tiny spread.
        return {"mean": mean, "ci_low": mean, "ci_high": mean, "n": n}
    sem = float(x.std(ddof=1)) / np.sqrt(n)
    low, high = stats.t.interval(confidence, n - 1, loc=mean, scale=sem)
    return {"mean": mean, "ci_low": float(low), "ci_high": float(high), "n": n}


Bounds = tuple[float, float]
UNBOUNDED: Bounds = (-math.inf, math.inf)


def _within(ci: MeanCI, bounds: Bounds) -> MeanCI:
    """The interval intersected with the range the mean can take."""
    low, high = bounds
    if ci["ci_low"] is not None and ci["ci_high"] is not None:
        ci["ci_low"] = min(max(ci["ci_low"], low), high)
        ci["ci_high"] = max(min(ci["ci_high"], high), low)
    return ci


def mean_ci(values: ArrayLike, confidence: float = 0.95,
            bounds: Bounds = UNBOUNDED) -> MeanCI:
    """Mean and Student-t CI of replication outputs, inside `bounds`; NaNs (failed
    replications) are dropped."""
    _check_confidence(confidence)
    x = np.asarray(values, dtype=float).ravel()
    return _within(_interval(x[~np.isnan(x)], confidence), bounds)


def paired_difference(
    a: ArrayLike,
    b: ArrayLike,
    confidence: float = 0.95,
    n_comparisons: int = 1,
    bounds: Bounds = UNBOUNDED,
) -> PairedDifference:
    """Paired comparison of b - a where a[i], b[i] share replication i's random numbers.

    Pairing removes the common-random-number noise shared by both runs. With
    ``n_comparisons > 1`` the CI is Bonferroni-widened to level 1 - (1 - confidence) / m.
    Pairs with a NaN on either side are dropped; the CI stays inside `bounds`, the range
    a difference can take.
    """
    _check_confidence(confidence)
    if n_comparisons < 1:
        raise ValueError(f"n_comparisons must be >= 1, got {n_comparisons!r}")
    xa = np.asarray(a, dtype=float).ravel()
    xb = np.asarray(b, dtype=float).ravel()
    if xa.shape != xb.shape:
        raise ValueError(f"paired samples differ in length: {xa.size} != {xb.size}")
    keep = ~(np.isnan(xa) | np.isnan(xb))
    d = xb[keep] - xa[keep]
    level = 1.0 - (1.0 - confidence) / n_comparisons
    ci = _within(_interval(d, level), bounds)
    return {**ci, "p_value": _paired_p_value(d)}


def _paired_p_value(d: np.ndarray) -> float | None:
    """Two-sided one-sample t-test of mean(d) == 0; None when n < 2."""
    n = d.size
    if n < 2:
        return None
    if np.all(d == d[0]):
        # Degenerate t statistic (0/0 or x/0): define the limits explicitly.
        return 1.0 if d[0] == 0 else 0.0
    t_stat = d.mean() / (d.std(ddof=1) / np.sqrt(n))
    return float(2.0 * stats.t.sf(abs(t_stat), n - 1))


def holm_adjust(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni step-down adjusted p-values, in input order, monotone and capped at 1."""
    p = np.asarray(p_values, dtype=float).ravel()
    if np.any(np.isnan(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError("p-values must be in [0, 1] and not NaN")
    m = p.size
    order = np.argsort(p, kind="stable")
    scaled = (m - np.arange(m)) * p[order]
    adjusted_sorted = np.minimum(np.maximum.accumulate(scaled), 1.0)
    adjusted = np.empty(m)
    adjusted[order] = adjusted_sorted
    return [float(v) for v in adjusted]


def compare_configurations(
    samples: Mapping[str, Sequence[float]],
    baseline: str,
    confidence: float = 0.95,
    bounds: Bounds = UNBOUNDED,
) -> list[Comparison]:
    """Compare every configuration with ``baseline`` on CRN-paired replications.

    CIs are Bonferroni-widened over the m comparisons and p-values are Holm-adjusted
    (over those comparisons with a defined p-value), so the family-wise error is controlled.
    """
    if baseline not in samples:
        raise KeyError(f"baseline {baseline!r} not in samples {sorted(samples)}")
    others = [name for name in samples if name != baseline]
    diffs = [
        paired_difference(samples[baseline], samples[name], confidence,
                          n_comparisons=len(others), bounds=bounds)
        for name in others
    ]
    defined = {i: p for i, d in enumerate(diffs) if (p := d["p_value"]) is not None}
    holm = dict(zip(defined, holm_adjust(list(defined.values())), strict=True))
    return [
        {"config": name, "baseline": baseline, **diff, "p_holm": holm.get(i)}
        for i, (name, diff) in enumerate(zip(others, diffs, strict=True))
    ]
