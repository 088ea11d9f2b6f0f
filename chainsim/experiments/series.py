"""Per-period time series of one run, small enough to ship back from a worker.

A replication worker returns these tables instead of the full records: a few hundred rows
per run (periods x clusters, periods x buyers, periods), so memory and transfer grow with
periods x agents, never with orders or firms. They are pure functions of the tables a run
records (`chainsim.results.records`), built from the metric functions of
`chainsim.results.metrics`, and documented column by column in docs/metrics.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainsim.results import metrics as m
from chainsim.technology import YEAR
from chainsim.vocabulary import LADDERS

# Every ladder's rung names (shoe first, then the fruit ladder's): a run fills its own
# ladder's columns and leaves the others empty (NaN).
ALL_RUNGS = tuple(dict.fromkeys(name for names in LADDERS.values() for name in names))

CLUSTER_SERIES = (
    "units", "value", "unit_value", "retail_share", "price_index",
    *m.CAPABILITIES, *ALL_RUNGS, *m.GOVERNANCE,
    "exhibitors", "fair_share", "main_buyer_share", "leads_alive",
)
BUYER_SERIES = ("units", "value", "mean_price", "scouted_share", "delivered", "failed")
GOVERNANCE_SERIES = (*m.GOVERNANCE, "links")
MARKET_SERIES = (*m.GOVERNANCE, "links")


def _ratio(num: pd.Series | np.ndarray, den: pd.Series | np.ndarray) -> np.ndarray:
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _frame(periods: np.ndarray, times: np.ndarray, agents: list[str], key: str,
           start_year: float) -> pd.DataFrame:
    """The (period, agent) skeleton every series table is aligned on."""
    n = len(agents)
    return pd.DataFrame({
        "period": np.repeat(periods, n).astype("int64"),
        "time": np.repeat(times, n).astype(float),
        "year": start_year + np.repeat(times, n).astype(float) / YEAR,
        key: np.tile(np.asarray(agents, dtype=object), len(periods)),
        f"{key}_index": np.tile(np.arange(n), len(periods)).astype("int64"),
    })


def _empty(columns: list[str]) -> pd.DataFrame:
    """A table with no rows and the usual column types."""
    types = {"period": "int64", "cluster": object, "buyer": object}
    return pd.DataFrame({c: pd.Series(dtype=types.get(c, float)) for c in columns})


def period_times(tables: dict[str, pd.DataFrame]) -> tuple[np.ndarray, np.ndarray]:
    """The recorded periods and the day each one closed."""
    flows = tables["clusters"]
    if flows.empty:
        return np.zeros(0, dtype="int64"), np.zeros(0)
    first = flows.drop_duplicates("period").sort_values("period")
    return first["period"].to_numpy("int64"), first["time"].to_numpy(float)


def fair_periods(fairs: pd.DataFrame, times: np.ndarray) -> pd.Series:
    """The period each fair falls in: the first period closing on or after its day
    (fairs after the last recorded period get -1 and are left out of the series)."""
    idx = np.searchsorted(times, fairs["time"].to_numpy(float), side="left")
    idx = np.where(idx < len(times), idx, -1)
    return pd.Series(idx, index=fairs.index, dtype="int64")


KEY = ["period", "cluster_index"]


def cluster_series(tables: dict[str, pd.DataFrame], clusters: list[str],
                   start_year: float = 0.0, ladder: str = "shoe") -> pd.DataFrame:
    """One row per period and cluster: flows, prices, lead-firm capabilities, rung shares
    (named by the run's `ladder`), governance mix of the cluster's active links, fair
    exhibitors and main-buyer share."""
    periods, times = period_times(tables)
    if not len(periods):  # a run shorter than one period records nothing
        return _empty(["period", "time", "year", "cluster", *CLUSTER_SERIES])
    out = _frame(periods, times, clusters, "cluster", start_year)
    flows = tables["clusters"].rename(columns={"cluster": "cluster_index"})
    alive = ["leads_alive"] if "leads_alive" in flows.columns else []
    out = out.merge(flows[[*KEY, "units", "value", "retail_value", *alive]], on=KEY, how="left")
    if not alive:  # tables recorded before firms could exit
        out["leads_alive"] = np.nan
    out["unit_value"] = _ratio(out["value"], out["units"])
    out["retail_share"] = _ratio(out["value"], out["retail_value"])
    out = out.drop(columns="retail_value")
    links = tables["links"]
    index = m.price_index(links).rename(columns={"cluster": "cluster_index"})
    out = out.merge(index.astype({"period": "int64", "cluster_index": "int64"}), on=KEY,
                    how="left")
    out = _with_lead_capabilities(out, tables["firms"], LADDERS[ladder])
    out = _with_governance_mix(out, links)
    out = _with_exhibitors(out, tables["fairs"], times)
    out = _with_main_buyer_share(out, links)
    cols = ["period", "time", "year", "cluster", *CLUSTER_SERIES]
    return out[cols].astype({c: float for c in CLUSTER_SERIES}).reset_index(drop=True)


def _with_lead_capabilities(out: pd.DataFrame, firms: pd.DataFrame,
                            names: tuple[str, ...]) -> pd.DataFrame:
    """Lead firms' mean capabilities and their shares on each rung of the run's ladder
    (`names`); the other ladders' rung columns stay empty."""
    leads = m.in_business(firms[firms["lead"]]) if not firms.empty else firms
    for col in ALL_RUNGS:
        if col not in names:
            out[col] = np.nan
    if leads.empty:
        for col in (*m.CAPABILITIES, *names):
            out[col] = np.nan
        return out
    caps = leads.groupby(["period", "cluster"])[list(m.CAPABILITIES)].mean()
    caps = caps.astype(float).reset_index().rename(columns={"cluster": "cluster_index"})
    out = out.merge(caps, on=KEY, how="left")
    rungs = pd.crosstab([leads["period"], leads["cluster"]], leads["rung"], normalize="index")
    rungs = rungs.reindex(columns=range(len(names)), fill_value=0.0)
    rungs.columns = list(names)
    rungs.index.names = KEY
    return out.merge(rungs.reset_index(), on=KEY, how="left")


def _with_governance_mix(out: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Shares of the cluster's active links under each governance type."""
    active = links[links["active"]] if not links.empty else links
    if active.empty:
        for col in m.GOVERNANCE:
            out[col] = np.nan
        return out
    mix = pd.crosstab([active["period"], active["cluster"]], active["governance"],
                      normalize="index")
    mix = mix.reindex(columns=list(m.GOVERNANCE), fill_value=0.0)
    mix.index.names = KEY
    return out.merge(mix.reset_index(), on=KEY, how="left")


def _with_exhibitors(out: pd.DataFrame, fairs: pd.DataFrame, times) -> pd.DataFrame:
    """The cluster's exhibitors at the period's fairs, and their share of all exhibitors."""
    if fairs.empty or not len(times):
        out["exhibitors"] = np.nan
        out["fair_share"] = np.nan
        return out
    held = fairs.assign(period=fair_periods(fairs, times))
    held = held[held["period"] >= 0]
    mine = held.groupby(["period", "cluster"])["exhibitors"].sum()
    totals = held.drop_duplicates(["time", "fair"]).groupby("period")["total"].sum()
    ex = mine.rename("exhibitors").reset_index().rename(columns={"cluster": "cluster_index"})
    ex = ex.astype({"period": "int64", "cluster_index": "int64"})
    out = out.merge(ex, on=KEY, how="left")
    out["exhibitors"] = out["exhibitors"].astype(float)
    out["fair_share"] = _ratio(out["exhibitors"], out["period"].map(totals).astype(float))
    return out


def _with_main_buyer_share(out: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """The main buyer's share of the cluster's units sold in the period."""
    sold = links[links["units"] > 0] if not links.empty else links
    if sold.empty:
        out["main_buyer_share"] = np.nan
        return out
    per = sold.groupby(["period", "cluster", "buyer"])["units"].sum()
    main = per.groupby(level=[0, 1]).max() / per.groupby(level=[0, 1]).sum()
    main.index.names = KEY
    return out.merge(main.rename("main_buyer_share").reset_index(), on=KEY, how="left")


def buyer_series(tables: dict[str, pd.DataFrame], buyers: list[str],
                 start_year: float = 0.0) -> pd.DataFrame:
    """One row per period and buyer: units bought, spend, mean price paid, share of units
    from scouted (entrant) sources, deliveries and failures."""
    periods, times = period_times(tables)
    if not len(periods):
        return _empty(["period", "time", "year", "buyer", *BUYER_SERIES])
    out = _frame(periods, times, buyers, "buyer", start_year)
    key = ["period", "buyer_index"]
    flows = tables["buyers"].rename(columns={"buyer": "buyer_index"})
    cols = ["units", "value", "scouted_units", "delivered", "failed"]
    out = out.merge(flows[[*key, *cols]], on=key, how="left")
    out["mean_price"] = _ratio(out["value"], out["units"])
    out["scouted_share"] = _ratio(out["scouted_units"], out["units"])
    return out[["period", "time", "year", "buyer", *BUYER_SERIES]].astype(
        {c: float for c in BUYER_SERIES}).reset_index(drop=True)


def governance_series(tables: dict[str, pd.DataFrame], start_year: float = 0.0
                      ) -> pd.DataFrame:
    """One row per period: share of all active links under each governance form, and how
    many links were active."""
    periods, times = period_times(tables)
    out = pd.DataFrame({"period": periods.astype("int64"), "time": times.astype(float),
                        "year": start_year + times.astype(float) / YEAR})
    links = tables["links"]
    active = links[links["active"]] if not links.empty else links
    if active.empty:
        for col in GOVERNANCE_SERIES:
            out[col] = np.nan
        return out
    mix = m.governance_mix(active).astype({"period": "int64"})
    count = active.groupby("period").size().rename("links").reset_index()
    out = out.merge(mix, on="period", how="left").merge(count, on="period", how="left")
    out["links"] = out["links"].fillna(0.0)
    return out[["period", "time", "year", *GOVERNANCE_SERIES]].astype(
        {c: float for c in GOVERNANCE_SERIES})


def buyer_markets(scenario) -> list[str]:
    """The market of each buyer agent, in agent order (groups are built member by member,
    as `chainsim.evidence.metrics.RunTables` reads them)."""
    return [b.market for b in scenario.buyers for _ in range(b.count)]


def market_series(tables: dict[str, pd.DataFrame], clusters: list[str], markets: list[str],
                  start_year: float = 0.0) -> pd.DataFrame:
    """One row per period, cluster and buyers' market (`buyer_market`) with active links:
    the share of those links under each governance form, and how many there are. It sets
    a cluster's export chains apart from its other links (H&S 4.3: "the
    quasi-hierarchical chains, which lead from the Sinos Valley to the USA and Europe";
    its domestic and Latin American links are market)."""
    columns = ["period", "time", "year", "cluster", "buyer_market", *MARKET_SERIES]
    links = tables["links"]
    active = links[links["active"]] if not links.empty else links
    periods, times = period_times(tables)
    if active.empty or not len(periods):
        return _empty(columns)
    names = np.asarray(markets, dtype=object)
    rows = pd.DataFrame({"period": active["period"].to_numpy("int64"),
                         "cluster": np.asarray(clusters, dtype=object)[
                             active["cluster"].to_numpy("int64")],
                         "buyer_market": names[active["buyer"].to_numpy("int64")],
                         "governance": active["governance"].to_numpy()})
    key = ["period", "cluster", "buyer_market"]
    mix = pd.crosstab([rows[k] for k in key], rows["governance"], normalize="index")
    mix = mix.reindex(columns=list(m.GOVERNANCE), fill_value=0.0)
    mix["links"] = rows.groupby(key).size().reindex(mix.index).astype(float)
    mix.columns.name = None
    out = mix.reset_index()
    closes = pd.Series(times, index=periods)
    out["time"] = out["period"].map(closes).astype(float)
    out["year"] = start_year + out["time"] / YEAR
    out = out.astype({"period": "int64", **{c: float for c in MARKET_SERIES}})
    return out[columns].sort_values(key).reset_index(drop=True)


def run_series(result) -> dict[str, pd.DataFrame]:
    """All per-period series of a run, keyed by table name (clusters, buyers, governance,
    markets)."""
    sc = result.scenario
    start = float(sc.simulation.start_year)
    return {
        "clusters": cluster_series(result.tables, [c.id for c in sc.clusters], start,
                                   sc.technology.ladder),
        "buyers": buyer_series(result.tables, result.buyer_ids or [b.id for b in sc.buyers],
                               start),
        "governance": governance_series(result.tables, start),
        "markets": market_series(result.tables, [c.id for c in sc.clusters],
                                 buyer_markets(sc), start),
    }
