"""Metrics: pure functions of a run's tables (docs/odd.md; documented in docs/metrics.md).

Each function takes the DataFrames a run records (`firms`, `clusters`, `buyers`, `links`,
`fairs`; see `chainsim.results.records`) and returns numbers or small frames. None of them
runs a simulation, so each is unit-tested on hand-made tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainsim.vocabulary import GOVERNANCE_TYPES as GOVERNANCE
from chainsim.vocabulary import LADDERS, STRATEGIC_FROM, YEAR_DAYS, chains_of
from chainsim.vocabulary import RUNGS as RUNGS  # the shoe ladder's names, for the series

CAPABILITIES = ("process", "product", "design", "marketing")


def price_index(links: pd.DataFrame) -> pd.DataFrame:
    """Units-weighted mean agreed (base) price per cluster and period.

    The agreed price leaves out rung and quality premiums, so it measures price pressure,
    not product upgrading (H&S 4.2: "sharply declining prices"). Unit: money per unit.
    """
    sold = links[links["units"] > 0]
    if sold.empty:
        return pd.DataFrame(columns=["period", "cluster", "price_index"])
    weighted = (sold["price"] * sold["units"]).groupby([sold["period"], sold["cluster"]]).sum()
    units = sold.groupby(["period", "cluster"])["units"].sum()
    return (weighted / units).rename("price_index").reset_index()


def price_decline(index: pd.DataFrame, cluster: int, window: int = 4) -> float:
    """Relative fall of a cluster's price index: mean of the first `window` priced periods
    against the last `window`. 0.2 means prices fell by a fifth. NaN without prices."""
    series = index[index["cluster"] == cluster].sort_values("period")["price_index"]
    if len(series) < 2:
        return float("nan")
    w = max(1, min(window, len(series) // 2))
    first, last = series.iloc[:w].mean(), series.iloc[-w:].mean()
    return float(1.0 - last / first)


def unit_value(clusters: pd.DataFrame) -> pd.DataFrame:
    """Value per unit delivered, per cluster and period: product upgrading raises it
    (H&S 1: "increased unit values"). Unit: money per unit."""
    out = clusters[["period", "cluster"]].copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["unit_value"] = np.where(clusters["units"] > 0,
                                     clusters["value"] / clusters["units"], np.nan)
    return out


def retail_share(clusters: pd.DataFrame, cluster: int) -> float:
    """Share of the retail value of the cluster's deliveries that the cluster captured."""
    rows = clusters[clusters["cluster"] == cluster]
    retail = rows["retail_value"].sum()
    return float(rows["value"].sum() / retail) if retail > 0 else float("nan")


def in_business(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of firms still in business (`alive`; agents/demography.py): the firms a
    cluster counts are those the scenario and the run leave it, not a fixed number."""
    return rows[rows["alive"]] if "alive" in rows.columns else rows


def capability_means(firms: pd.DataFrame, period: int | None = None,
                     leads_only: bool = False) -> pd.DataFrame:
    """Mean capability of each kind per cluster (0-1), at `period` (default: the last)."""
    if firms.empty:
        return pd.DataFrame(columns=["cluster", *CAPABILITIES])
    period = int(firms["period"].max()) if period is None else period
    rows = in_business(firms[firms["period"] == period])
    if leads_only:
        rows = rows[rows["lead"]]
    return rows.groupby("cluster")[list(CAPABILITIES)].mean().reset_index()


def capability_gain(firms: pd.DataFrame, cluster: int, kind: str,
                    leads_only: bool = True) -> float:
    """Rise of a cluster's mean capability from the first to the last period (0-1 scale):
    process, product, or design/marketing as the ground of functional upgrading."""
    rows = in_business(firms[firms["cluster"] == cluster])
    if leads_only:
        rows = rows[rows["lead"]]
    if rows.empty:
        return float("nan")
    means = rows.groupby("period")[kind].mean()
    return float(means.iloc[-1] - means.iloc[0])


def capability_gains(firms: pd.DataFrame, cluster: int,
                     leads_only: bool = True) -> dict[str, float]:
    """`capability_gain` of every kind at once (one filter and one group-by)."""
    rows = in_business(firms[firms["cluster"] == cluster])
    if leads_only:
        rows = rows[rows["lead"]]
    if rows.empty:
        return {kind: float("nan") for kind in CAPABILITIES}
    means = rows.groupby("period")[list(CAPABILITIES)].mean()
    return {kind: float(means[kind].iloc[-1] - means[kind].iloc[0]) for kind in CAPABILITIES}


def rung_shares(firms: pd.DataFrame, period: int | None = None,
                leads_only: bool = True, ladder: str = "shoe") -> pd.DataFrame:
    """Share of firms on each rung of the functional ladder (`ladder`: the scenario's
    `technology.ladder`, whose rung names are the columns), per cluster."""
    names = LADDERS[ladder]
    if firms.empty:
        return pd.DataFrame(columns=["cluster", *names])
    period = int(firms["period"].max()) if period is None else period
    rows = in_business(firms[firms["period"] == period])
    if leads_only:
        rows = rows[rows["lead"]]
    counts = pd.crosstab(rows["cluster"], rows["rung"], normalize="index")
    counts = counts.reindex(columns=range(len(names)), fill_value=0.0)
    counts.columns = list(names)
    return counts.reset_index()


def functional_upgrading(firms: pd.DataFrame, cluster: int,
                         shares: pd.DataFrame | None = None, ladder: str = "shoe") -> float:
    """Share of a cluster's lead firms on a strategic rung at the end: own design (ODM) or
    own brand (OBM) on the shoe ladder, own label on the fruit ladder.
    `shares`: `rung_shares(firms, ladder=ladder)` when the caller has it already."""
    shares = rung_shares(firms, ladder=ladder) if shares is None else shares
    row = shares[shares["cluster"] == cluster]
    if row.empty:
        return float("nan")
    strategic = list(LADDERS[ladder][STRATEGIC_FROM[ladder]:])
    return float(row[strategic].iloc[0].sum())


def past_bottom(shares: pd.DataFrame, cluster: int, ladder: str = "shoe") -> float:
    """Share of a cluster's lead firms above the bottom rung of the ladder at the end
    (full package or more on the shoe ladder, grading and packing or more on fruit)."""
    row = shares[shares["cluster"] == cluster]
    if row.empty:
        return float("nan")
    return float(row[list(LADDERS[ladder][1:])].iloc[0].sum())


def first_time_at_rung(firms: pd.DataFrame, cluster: int, rung: int) -> float:
    """Time (days) when the first firm of a cluster reached `rung`; NaN if none did."""
    rows = firms[(firms["cluster"] == cluster) & (firms["rung"] >= rung)]
    return float(rows["time"].min()) if not rows.empty else float("nan")


def fair_share(fairs: pd.DataFrame, cluster: int) -> float:
    """The cluster's exhibitors as a share of all exhibitors, summed over fairs held
    (H&S 4.2-4.3: Brazil 7 of 1,612 at Duesseldorf, Italy 575)."""
    if fairs.empty:
        return float("nan")
    mine = fairs.loc[fairs["cluster"] == cluster, "exhibitors"].sum()
    totals = fairs.drop_duplicates(["time", "fair"])["total"].sum()
    return float(mine / totals) if totals > 0 else float("nan")


def exhibitors_per_fair(fairs: pd.DataFrame, cluster: int) -> float:
    rows = fairs[fairs["cluster"] == cluster]
    return float(rows["exhibitors"].mean()) if not rows.empty else float("nan")


def exhibitors_at(fairs: pd.DataFrame, cluster: int, time: float, fair: str | None = None,
                  tolerance: float = 1.0) -> float:
    """The cluster's share of the exhibitors at one fair, the one held at `time` (days;
    within `tolerance`), optionally named (H&S 4.2: "In March 1997, of the total of 1,612
    exhibitors, only seven came from Brazil, that is 0.43 per cent"). NaN if none was
    held then."""
    rows = fairs[(fairs["time"] - time).abs() < tolerance]
    if fair is not None:
        rows = rows[rows["fair"] == fair]
    if rows.empty:
        return float("nan")
    totals = rows.drop_duplicates(["time", "fair"])["total"].sum()
    mine = rows.loc[rows["cluster"] == cluster, "exhibitors"].sum()
    return float(mine / totals) if totals > 0 else float("nan")


def exhibitions_per_firm(exhibitions: pd.DataFrame, firms: pd.DataFrame, cluster: int
                         ) -> pd.Series:
    """How many times each lead firm of the cluster exhibited over the run, firms that
    never did included (H&S 4.3: "the investment is not a one-off, they need to exhibit
    regularly"). Indexed by firm."""
    leads = firms.loc[(firms["cluster"] == cluster) & firms["lead"], "firm"].unique()
    mine = exhibitions[exhibitions["cluster"] == cluster]
    counts = mine.groupby("firm").size()
    return counts.reindex(sorted(leads), fill_value=0).rename("exhibitions")


def governance_mix(links: pd.DataFrame) -> pd.DataFrame:
    """Share of active links of each governance type, per period."""
    active = links[links["active"]]
    if active.empty:
        return pd.DataFrame(columns=["period", *GOVERNANCE])
    mix = pd.crosstab(active["period"], active["governance"], normalize="index")
    return mix.reindex(columns=list(GOVERNANCE), fill_value=0.0).reset_index()


def governance_share(links: pd.DataFrame, kind: str, cluster: int | None = None,
                     period: int | None = None) -> float:
    """Share of a cluster's active links under one governance type at a period (last)."""
    rows = links[links["active"]]
    if cluster is not None:
        rows = rows[rows["cluster"] == cluster]
    if rows.empty:
        return float("nan")
    period = int(rows["period"].max()) if period is None else period
    rows = rows[rows["period"] == period]
    return float((rows["governance"] == kind).mean()) if not rows.empty else float("nan")


def buyer_concentration(links: pd.DataFrame, cluster: int) -> dict[str, float]:
    """Main buyer's share of the cluster's output, the mean of each lead firm's main-buyer
    share, and the Herfindahl index of the cluster's buyers (all over the whole run)."""
    rows = links[(links["cluster"] == cluster) & (links["units"] > 0)]
    if rows.empty:
        nan = float("nan")
        return {"main_buyer_share": nan, "firm_main_buyer_share": nan, "hhi": nan}
    by_buyer = rows.groupby("buyer")["units"].sum()
    shares = by_buyer / by_buyer.sum()
    per_firm = rows.groupby(["firm", "buyer"])["units"].sum()
    firm_main = (per_firm.groupby(level=0).max() / per_firm.groupby(level=0).sum()).mean()
    return {"main_buyer_share": float(shares.max()), "firm_main_buyer_share": float(firm_main),
            "hhi": float((shares ** 2).sum())}


def lock_in(links: pd.DataFrame, firms: pd.DataFrame, cluster: int,
            ladder: str = "shoe") -> float:
    """Share of the cluster's lead firms locked into one buyer's chain: over 80% of their
    output to one buyer across the run, and below own design (ODM) at the end (H&S 4.2:
    the main buyer "accounted for over 80 per cent of their output")."""
    rows = links[(links["cluster"] == cluster) & (links["units"] > 0)]
    last = firms[(firms["cluster"] == cluster) & firms["lead"]]
    if rows.empty or last.empty:
        return float("nan")
    last = in_business(last[last["period"] == last["period"].max()]).set_index("firm")
    if last.empty:
        return float("nan")
    per = rows.groupby(["firm", "buyer"])["units"].sum()
    top_share = per.groupby(level=0).max() / per.groupby(level=0).sum()
    below_odm = last["rung"] < STRATEGIC_FROM[ladder]
    locked = top_share[top_share > 0.8].index.intersection(below_odm[below_odm].index)
    return len(locked) / len(last)


def large_firm_share(firms: pd.DataFrame, cluster: int, threshold: float = 2_000.0,
                     period: int | None = None) -> float:
    """Share of a cluster's lead firms in business whose capacity exceeds `threshold`
    units a day, at `period` (default: the last). H&S 4.2: "By the late 1980s, a
    significant number of firms were large by shoe industry standards, employing more
    than 500 people" (some 2,000 pairs a day)."""
    rows = firms[(firms["cluster"] == cluster) & firms["lead"]]
    if rows.empty or "capacity" not in rows.columns:
        return float("nan")
    period = int(rows["period"].max()) if period is None else period
    rows = in_business(rows[rows["period"] == period])
    return float((rows["capacity"] > threshold).mean()) if not rows.empty else float("nan")


def scouted_share(clusters: pd.DataFrame, entrant_clusters: list[int]) -> float:
    """Share of all units delivered that came from entrant clusters (orders moved)."""
    total = clusters["units"].sum()
    moved = clusters.loc[clusters["cluster"].isin(entrant_clusters), "units"].sum()
    return float(moved / total) if total > 0 else float("nan")


def buyer_investment(links: pd.DataFrame, cluster: int) -> float:
    """What buyers have invested in the cluster's firms by the end (money): under tight
    governance buyers build up suppliers (H&S 3; 4.2: US buyers "helped to build up
    Chinese export capability")."""
    rows = links[links["cluster"] == cluster]
    if rows.empty:
        return 0.0
    last = rows.sort_values("period").groupby("link")["sunk"].last()
    return float(last.sum())


def project_support(projects: pd.DataFrame, cluster: int) -> float:
    """Mean output-weighted support for the policy network's projects (0-1; H&S 5)."""
    rows = projects[projects["cluster"] == cluster]
    return float(rows["support"].mean()) if not rows.empty else float("nan")


def projects_funded(projects: pd.DataFrame, cluster: int) -> float:
    """Number of repositioning projects the lead firms backed enough to fund."""
    rows = projects[projects["cluster"] == cluster]
    return float(rows["funded"].sum()) if not rows.empty else 0.0


def backing_share(votes: pd.DataFrame, cluster: int) -> float:
    """Share of lead-firm votes in favour of repositioning projects (0-1)."""
    rows = votes[votes["cluster"] == cluster]
    return float(rows["back"].mean()) if not rows.empty else float("nan")


def cooperation(clusters: pd.DataFrame, cluster: int, start_year: float = 0.0) -> pd.DataFrame:
    """Capability passed on to a cluster's firms each year, by kind of co-operation (0-1
    capability points summed over firms): `bilateral`, by buyers to their suppliers and by
    lead firms to their spokes (vertical); `multilateral`, by the cluster's collective
    action (a funded repositioning project, the technology centre). H&S 2.1: in crisis
    "vertical co-operation (between manufacturers and suppliers) was much more pronounced
    than horizontal co-operation". Years count from `start_year` (the run's first year);
    a period belongs to the year in which it ends."""
    columns = ["year", "bilateral", "multilateral"]
    if clusters.empty or "bilateral" not in clusters:
        return pd.DataFrame(columns=columns)
    rows = clusters[clusters["cluster"] == cluster]
    year = start_year + np.ceil(rows["time"] / YEAR_DAYS - 1e-9) - 1.0
    out = rows.groupby(year)[["bilateral", "multilateral"]].sum()
    out.index.name = "year"
    return out.reset_index()[columns]


def chain_sets(firms: pd.DataFrame, links: pd.DataFrame, markets: list[str],
               window_days: float = 360.0) -> pd.Series:
    """Each lead firm's chain set: the sorted markets of the buyers it sold to over the
    run's last `window_days` ("BR+LatAm"; "none" without sales then), by firm (H&S 2.2:
    "firms may be inserted into different chains simultaneously"). `markets`: the chain
    of each buyer (agent index), as `rules.chains.chain_name` names it."""
    leads = firms.loc[firms["lead"], ["period", "time", "firm"]]
    if leads.empty:
        return pd.Series(dtype=object)
    times = leads.drop_duplicates("period").set_index("period")["time"]
    recent = times.index[times > times.max() - window_days]
    sold = links[(links["units"] > 0) & links["period"].isin(recent)]
    names = np.asarray(markets, dtype=object)
    chosen = pd.DataFrame({"firm": sold["firm"].to_numpy(),
                           "market": names[sold["buyer"].to_numpy(dtype=np.intp)]})
    labels = chosen.groupby("firm")["market"].agg(chains_of)
    ids = pd.Index(sorted(leads["firm"].unique()), name="firm")
    return labels.reindex(ids, fill_value="none").rename("chains")


def upgrading_by_chains(firms: pd.DataFrame, links: pd.DataFrame, markets: list[str],
                        ladder: str = "shoe") -> pd.DataFrame:
    """Upgrading per lead firm by the chains it sells into (H&S 4.3: "A number of Sinos
    Valley firms, who favour the Latin American market, have developed their own design,
    brands and marketing channels"): per cluster and chain set (`chain_sets`), the number
    of firms, their mean capability gains from the first period to the last (0-1 scale),
    and the share of them on each rung of the ladder at the end."""
    names = list(LADDERS[ladder])
    columns = ["cluster", "chains", "firms", *(f"{k}_gain" for k in CAPABILITIES), *names]
    labels = chain_sets(firms, links, markets)
    if labels.empty:
        return pd.DataFrame(columns=columns)
    leads = firms[firms["lead"]]
    first = leads[leads["period"] == leads["period"].min()].set_index("firm")
    last = leads[leads["period"] == leads["period"].max()].set_index("firm")
    frame = pd.DataFrame({"cluster": last["cluster"], "chains": labels.reindex(last.index),
                          "rung": last["rung"]})
    for kind in CAPABILITIES:
        frame[f"{kind}_gain"] = last[kind] - first[kind].reindex(last.index)
    groups = frame.groupby(["cluster", "chains"])
    out = groups[[f"{k}_gain" for k in CAPABILITIES]].mean()
    out.insert(0, "firms", groups.size())
    shares = pd.crosstab([frame["cluster"], frame["chains"]], frame["rung"], normalize="index")
    shares = shares.reindex(columns=range(len(names)), fill_value=0.0)
    shares.columns = names
    return out.join(shares).reset_index()[columns]
