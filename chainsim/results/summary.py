"""From a run's records to its headline metrics and its JSON summary."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from functools import cache, cached_property
from typing import Any

import pandas as pd

from chainsim.results import metrics as m
from chainsim.vocabulary import LADDERS, chain_name

CLUSTER_METRICS = (
    "units", "revenue", "unit_value", "price_index_start", "price_index_end", "price_decline",
    "retail_share", "process_gain", "product_gain", "design_gain", "marketing_gain",
    "process", "product", "design", "marketing", "functional_upgrading", "full_package",
    "fair_share", "exhibitors_per_fair", "main_buyer_share", "firm_main_buyer_share", "hhi",
    "lock_in", "quasi_hierarchy_share", "market_share_of_links", "network_share",
    "failed_orders", "refused_orders", "buyer_investment", "project_support",
    "projects_funded", "backing_share", "leads_alive", "large_firms",
)


class ClusterTables:
    """What every cluster's metrics read, computed once per run and only when first read:
    price index, lead firms' final capabilities and rung shares, all clusters together."""

    def __init__(self, tables: dict[str, pd.DataFrame], ladder: str = "shoe"):
        self.tables, self.ladder = tables, ladder  # ladder: the scenario's technology.ladder

    @classmethod
    def of(cls, tables: dict[str, pd.DataFrame], ladder: str = "shoe") -> ClusterTables:
        return cls(tables, ladder)

    @cached_property
    def index(self) -> pd.DataFrame:
        return m.price_index(self.tables["links"])

    @cached_property
    def caps(self) -> pd.DataFrame:
        return m.capability_means(self.tables["firms"], leads_only=True)

    @cached_property
    def rungs(self) -> pd.DataFrame:
        return m.rung_shares(self.tables["firms"], ladder=self.ladder)


def cluster_metrics(result: Any, c: int, shared: ClusterTables | None = None,
                    names: Collection[str] | None = None) -> dict[str, float]:
    """The cluster's metrics (`CLUSTER_METRICS`, or those of them in `names`): each is
    worked out only if asked for, so a replication that reads two of them does not pay
    for thirty-five."""
    t = result.tables
    firms, clusters, links, fairs = t["firms"], t["clusters"], t["links"], t["fairs"]
    shared = ClusterTables.of(t, result.scenario.technology.ladder) if shared is None else shared
    ladder = shared.ladder
    rows = clusters[clusters["cluster"] == c]
    units = float(rows["units"].sum())

    @cache
    def series() -> pd.Series:
        index = shared.index
        return index[index["cluster"] == c].sort_values("period")["price_index"]

    @cache
    def caps() -> pd.DataFrame:
        return shared.caps[shared.caps["cluster"] == c]

    def cap(kind: str) -> float:
        return float(caps()[kind].iloc[0]) if not caps().empty else math.nan

    gains = cache(lambda: m.capability_gains(firms, c))
    concentration = cache(lambda: m.buyer_concentration(links, c))
    lazy: dict[str, Callable[[], float]] = {
        "units": lambda: units,
        "revenue": lambda: float(rows["value"].sum()),
        "unit_value": lambda: float(rows["value"].sum() / units) if units > 0 else math.nan,
        "price_index_start": lambda: float(series().iloc[0]) if len(series()) else math.nan,
        "price_index_end": lambda: float(series().iloc[-1]) if len(series()) else math.nan,
        "price_decline": lambda: m.price_decline(shared.index, c),
        "retail_share": lambda: m.retail_share(clusters, c),
        "functional_upgrading": lambda: m.functional_upgrading(firms, c, shared.rungs, ladder),
        "full_package": lambda: m.past_bottom(shared.rungs, c, ladder),
        "fair_share": lambda: m.fair_share(fairs, c),
        "exhibitors_per_fair": lambda: m.exhibitors_per_fair(fairs, c),
        "lock_in": lambda: m.lock_in(links, firms, c, ladder),
        "quasi_hierarchy_share": lambda: m.governance_share(links, "quasi_hierarchy", c),
        "market_share_of_links": lambda: m.governance_share(links, "market", c),
        "network_share": lambda: m.governance_share(links, "network", c),
        "failed_orders": lambda: float(rows["failed"].sum()),
        "refused_orders": lambda: float(rows["refused"].sum()),
        "buyer_investment": lambda: m.buyer_investment(links, c),
        "project_support": lambda: m.project_support(t["projects"], c),
        "projects_funded": lambda: m.projects_funded(t["projects"], c),
        "backing_share": lambda: m.backing_share(t["votes"], c),
        "leads_alive": lambda: float(rows["leads_alive"].iloc[-1])
        if "leads_alive" in rows.columns and len(rows) else math.nan,
        "large_firms": lambda: m.large_firm_share(firms, c),
    }
    for kind in m.CAPABILITIES:
        lazy[f"{kind}_gain"] = lambda kind=kind: gains()[kind]
        lazy[kind] = lambda kind=kind: cap(kind)
    for key in ("main_buyer_share", "firm_main_buyer_share", "hhi"):
        lazy[key] = lambda key=key: concentration()[key]
    return {k: lazy[k]() for k in CLUSTER_METRICS if names is None or k in names}


BUYER_METRICS = ("units", "spend", "mean_price", "failed_orders", "scouted_share",
                 "suppliers", "quasi_hierarchy_links")


def buyer_metrics(result: Any, b: int) -> dict[str, float]:
    """Metrics of the scenario's b-th buyer, summed over its members if it is a group."""
    t = result.tables
    spec = result.scenario.buyers[b]
    members = result.buyer_groups.get(spec.id, [b])
    rows = t["buyers"][t["buyers"]["buyer"].isin(members)]
    links = t["links"]
    last = links[links["buyer"].isin(members) & links["active"]]
    last = last[last["period"] == links["period"].max()] if not links.empty else last
    units = float(rows["units"].sum())
    return {
        "units": units,
        "spend": float(rows["value"].sum()),
        "mean_price": float(rows["value"].sum() / units) if units > 0 else math.nan,
        "failed_orders": float(rows["failed"].sum()),
        "scouted_share": float(rows["scouted_units"].sum() / units) if units > 0 else math.nan,
        "suppliers": float(len(last)),
        "quasi_hierarchy_links": float((last["governance"] == "quasi_hierarchy").sum()),
    }


def headline(result: Any) -> dict[str, float]:
    """Flat metric name -> value: what replications, comparisons and sweeps aggregate."""
    out: dict[str, float] = {}
    shared = ClusterTables.of(result.tables, result.scenario.technology.ladder)
    for c, cluster in enumerate(result.scenario.clusters):
        for k, v in cluster_metrics(result, c, shared).items():
            out[f"cluster.{cluster.id}.{k}"] = v
    for b, buyer in enumerate(result.scenario.buyers):
        for k, v in buyer_metrics(result, b).items():
            out[f"buyer.{buyer.id}.{k}"] = v
    for k, v in result.orders.items():
        out[f"orders.{k}"] = float(v)
    out["links.quasi_hierarchy_share"] = m.governance_share(result.tables["links"],
                                                            "quasi_hierarchy")
    return out


def summarize(result: Any) -> dict[str, Any]:
    """The JSON summary of one run: scenario, seed, version, events, wall time, results."""
    h = headline(result)
    clusters = {c.id: {k: _clean(h[f"cluster.{c.id}.{k}"]) for k in CLUSTER_METRICS}
                for c in result.scenario.clusters}
    buyers = {b.id: {k: _clean(h[f"buyer.{b.id}.{k}"]) for k in BUYER_METRICS}
              for b in result.scenario.buyers}
    return {
        "scenario": result.scenario.simulation.name,
        "seed": result.seed,
        "replication": result.replication,
        "start_year": result.scenario.simulation.start_year,
        "horizon_years": result.horizon_years,
        "version": result.version,
        "events": result.events,
        "wall_seconds": round(result.wall_seconds, 4),
        "orders": result.orders,
        "payments": {k: round(v, 2) for k, v in sorted(result.money.items())},
        "money_imbalance": round(result.imbalance, 6),
        "decisions": dict(sorted(result.decision_counts.items())),
        "clusters": clusters,
        "buyers": buyers,
        "links": {"quasi_hierarchy_share": _clean(h["links.quasi_hierarchy_share"])},
        "chains": chain_summary(result),
    }


def buyer_markets(result: Any) -> list[str]:
    """The chain (market) of each buyer agent, in agent order."""
    out: list[str] = []
    for spec in result.scenario.buyers:
        out += [chain_name(spec.market)] * len(result.buyer_groups.get(spec.id, [0]))
    return out


def chain_summary(result: Any) -> dict[str, list[dict[str, Any]]]:
    """Upgrading by chain set (`metrics.upgrading_by_chains`), per cluster: for each set
    of markets its lead firms sell into, the firms, their capability gains and the shares
    on each rung at the end."""
    t, ladder = result.tables, result.scenario.technology.ladder
    frame = m.upgrading_by_chains(t["firms"], t["links"], buyer_markets(result), ladder)
    rungs = list(LADDERS[ladder])
    out: dict[str, list[dict[str, Any]]] = {}
    for row in frame.to_dict("records"):
        cluster = result.scenario.clusters[int(row["cluster"])].id
        out.setdefault(cluster, []).append({
            "chains": row["chains"], "firms": int(row["firms"]),
            **{f"{k}_gain": _clean(row[f"{k}_gain"]) for k in m.CAPABILITIES},
            "rungs": {name: _clean(row[name]) for name in rungs}})
    return out


def _clean(value: float) -> float | None:
    """JSON has no NaN: missing figures become null."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return round(float(value), 6)
