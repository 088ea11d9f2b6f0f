"""Proposition metrics: a headline metric by name, or a dated figure read from a run's
per-period series (`chainsim.experiments.series`), written as a short spec string.

    cluster.sinos.process_gain            a headline metric (docs/metrics.md)
    mean:sinos.quasi_hierarchy@1975-1995  mean of a cluster series column over the periods
                                          of the years 1975..1995
    mean:sinos.quasi_hierarchy[US+EU]@1985-1999
                                          the same over the cluster's links with the
                                          buyers of those markets only (the markets
                                          series: each period's share of their links
                                          together, then the mean over the periods)
    change:sinos.price_index@1990-1998    relative fall from the 1990 mean to the 1998 mean
    fair:sinos@1997-03                    the cluster's share of the exhibitors at the fair
                                          held in March 1997
    exhibiting:sinos@1997-03              its exhibitors there per lead firm it started with

The same function reads an experiment's stored series (`chainsim propositions`) and a
worker's fresh run (`chainsim robustness`), so both report the same numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

SPEC = re.compile(r"^(?P<kind>mean|change|fair|exhibiting):(?P<cluster>[^.@\[]+)"
                  r"(?:\.(?P<column>[a-z_]+))?(?:\[(?P<markets>[^\]@]+)\])?"
                  r"@(?P<a>\d{4})-(?P<b>\d{2,4})$")


def parse(spec: str) -> dict[str, Any] | None:
    """The parts of a series spec; None for a headline metric name."""
    m = SPEC.match(spec)
    if m is None:
        return None
    out = m.groupdict()
    out["a"], out["b"] = int(out["a"]), int(out["b"])
    if out["markets"] is not None:
        if out["kind"] != "mean" or out["column"] is None:
            return None  # only a mean of a governance column reads the markets series
        out["markets"] = tuple(out["markets"].split("+"))
    return out


def needs_markets(spec: str) -> bool:
    """Whether the spec reads the markets series (`chainsim.experiments.series`)."""
    p = parse(spec)
    return p is not None and p["markets"] is not None


def _year(rows: pd.DataFrame) -> np.ndarray:
    """Calendar year of each period (the year it closes in, a close on 1 January counting
    for the year before, as the period's midpoint does)."""
    return np.floor(rows["year"].to_numpy(float) - 1e-9)


def _in_years(rows: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    y = _year(rows)
    return rows[(y >= first) & (y <= last)]


def _fair_row(rows: pd.DataFrame, year: int, month: int) -> pd.Series | None:
    """The period holding the fair: the first that closes on or after its day."""
    when = year + (month - 1) / 12
    after = rows[rows["year"].to_numpy(float) >= when - 1e-9]
    return after.sort_values("year").iloc[0] if not after.empty else None


def lead_firms(scenario: Any, cluster: str) -> int:
    for c in scenario.clusters:
        if c.id == cluster:
            return sum(f.count for f in c.firms if f.role == "lead")
    return 0


def value(spec: str, head: Mapping[str, float], clusters: pd.DataFrame,
          scenario: Any = None, markets: pd.DataFrame | None = None) -> float:
    """The spec's value for one run: `head` its headline metrics, `clusters` its cluster
    series (one row per period and cluster), `markets` its markets series (one row per
    period, cluster and buyers' market; needed only by a spec naming markets)."""
    p = parse(spec)
    if p is None:
        return float(head.get(spec, math.nan))
    if p["markets"] is not None:
        return _market_mean(p, markets)
    rows = clusters[clusters["cluster"] == p["cluster"]]
    if p["kind"] == "mean":
        window = _in_years(rows, p["a"], p["b"])[p["column"]]
        return float(window.mean()) if window.notna().any() else math.nan
    if p["kind"] == "change":
        first = _in_years(rows, p["a"], p["a"])[p["column"]].mean()
        last = _in_years(rows, p["b"], p["b"])[p["column"]].mean()
        return float(1.0 - last / first) if first and math.isfinite(first) else math.nan
    row = _fair_row(rows, p["a"], p["b"])
    if row is None:
        return math.nan
    if p["kind"] == "fair":
        return float(row["fair_share"])
    # The lead firms in business then (firms exit, agents/demography.py); the scenario's
    # count for series recorded without it.
    alive = row.get("leads_alive", math.nan)
    leads = (alive if alive == alive and alive > 0
             else lead_firms(scenario, p["cluster"]) if scenario is not None else 0)
    return float(row["exhibitors"]) / leads if leads else math.nan


def _market_mean(p: dict[str, Any], markets: pd.DataFrame | None) -> float:
    """Mean over the window's periods of the share of the cluster's links with buyers of
    the named markets under one governance form (links of all those markets pooled)."""
    if markets is None or markets.empty:
        return math.nan
    rows = markets[(markets["cluster"] == p["cluster"])
                   & markets["buyer_market"].isin(p["markets"])]
    rows = _in_years(rows, p["a"], p["b"])
    if rows.empty:
        return math.nan
    held = (rows[p["column"]] * rows["links"]).groupby(rows["period"]).sum()
    share = held / rows.groupby("period")["links"].sum()
    return float(share.mean())


def last_year(spec: str) -> float | None:
    """The last (fractional) year a series spec reads; None for a headline metric."""
    p = parse(spec)
    if p is None:
        return None
    if p["kind"] in ("fair", "exhibiting"):
        return p["a"] + p["b"] / 12
    return float(p["b"] + 1)
