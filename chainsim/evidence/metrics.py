"""Pattern metrics: pure functions of one run's tables over a window of years.

The headline metrics (`chainsim.results.metrics`) summarise a whole run; the stylised
facts of H&S 4.2-4.4 are dated ("close to 40 per cent of the cluster's output" before the
Chinese entry, "in March 1997, of the total of 1,612 exhibitors, only seven came from
Brazil"). Each function here takes a `RunTables` (the tables of `RunResult.tables` plus
the ids and the calendar needed to read them) and returns one float, NaN where the window
holds no data. A period belongs to the calendar year of its midpoint; a window
`(y0, y1)` holds the years y0..y1 inclusive.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from chainsim.results import metrics as m
from chainsim.technology import YEAR
from chainsim.vocabulary import LADDERS

NAN = float("nan")
Years = Sequence[float]


@dataclass(frozen=True)
class RunTables:
    """A run's tables and what is needed to read them by id and by calendar year."""

    tables: dict[str, pd.DataFrame]
    clusters: tuple[str, ...]  # cluster ids in index order
    buyers: tuple[str, ...]  # the scenario buyer id of each buyer agent (groups repeat)
    start_year: float
    period_days: float
    ladder: str = "shoe"  # the scenario's `technology.ladder`: what rung names mean

    @classmethod
    def of(cls, result: Any) -> RunTables:
        sim = result.scenario.simulation
        # Buyer agents are built group by group, each group's members in a row.
        groups = tuple(b.id for b in result.scenario.buyers for _ in range(b.count))
        return cls(result.tables, tuple(c.id for c in result.scenario.clusters),
                   groups, float(sim.start_year), float(sim.period_days),
                   result.scenario.technology.ladder)

    def cluster(self, cluster_id: str) -> int:
        try:
            return self.clusters.index(cluster_id)
        except ValueError:
            raise KeyError(f"no cluster {cluster_id!r}; clusters: "
                           f"{', '.join(self.clusters)}") from None

    def buyer_agents(self, buyer_ids: Sequence[str]) -> list[int]:
        unknown = sorted(set(buyer_ids) - set(self.buyers))
        if unknown:
            raise KeyError(f"no buyer {', '.join(map(repr, unknown))}; buyers: "
                           f"{', '.join(dict.fromkeys(self.buyers))}")
        wanted = set(buyer_ids)
        return [i for i, b in enumerate(self.buyers) if b in wanted]

    def period_year(self) -> pd.Series:
        """Calendar year of each recorded period's midpoint, indexed by period."""
        flows = self.tables["clusters"].drop_duplicates("period")
        mid = self.start_year + (flows["time"].to_numpy(float) - self.period_days / 2) / YEAR
        return pd.Series(np.floor(mid + 1e-9), index=flows["period"].to_numpy())

    def periods_in(self, years: Years) -> np.ndarray:
        year = self.period_year()
        return year.index[(year >= years[0]) & (year <= years[-1])].to_numpy()


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den > 0 else NAN


def buyer_output_share(rt: RunTables, cluster: str, buyers: Sequence[str],
                       years: Years) -> float:
    """Share of a cluster's output (units) in the window that went to the named buyers
    (H&S 4.2: the main buyer took "close to 40 per cent of the cluster's output")."""
    links = rt.tables["links"]
    rows = links[(links["cluster"] == rt.cluster(cluster))
                 & links["period"].isin(rt.periods_in(years))]
    mine = rows["buyer"].isin(rt.buyer_agents(buyers))
    return _ratio(rows.loc[mine, "units"].sum(), rows["units"].sum())


def buyer_share_of_largest(rt: RunTables, cluster: str, buyer: str, years: Years,
                           largest: float = 0.25) -> float:
    """The buyer's share of the combined output (units) in the window of the cluster's
    largest lead firms: the `largest` share of the lead firms that sold anything in the
    window (at least one), ranked by their total output there, ties to the lower firm id.

    H&S 4.2: the proposals failed because "a small number of very influential export
    manufacturers did not support them ... their main buyer who accounted for over 80 per
    cent of their output". The firms are chosen by their size alone, as the model's vote
    picks the influential exporters (`policy_network.influential_share`, 0.25), not by
    what they sell to the buyer: a scenario that starts the main buyer's suppliers
    selling to it alone does not make the share 1 by itself; it comes out only if those
    suppliers are the ones that grow largest."""
    links = rt.tables["links"]
    rows = links[(links["cluster"] == rt.cluster(cluster))
                 & links["period"].isin(rt.periods_in(years)) & (links["units"] > 0)]
    leads = rt.tables["firms"]
    leads = leads.loc[(leads["cluster"] == rt.cluster(cluster)) & leads["lead"], "firm"]
    rows = rows[rows["firm"].isin(leads.unique())]
    agents = rt.buyer_agents([buyer])
    if rows.empty:
        return NAN
    total = rows.groupby("firm")["units"].sum()
    ranked = sorted(total.index, key=lambda f: (-float(total[f]), f))
    top = ranked[:max(1, round(largest * len(ranked)))]
    mine = rows[rows["firm"].isin(top)]
    return _ratio(float(mine.loc[mine["buyer"].isin(agents), "units"].sum()),
                  float(mine["units"].sum()))


def governance_share(rt: RunTables, cluster: str, kind: str, years: Years,
                     buyers: Sequence[str] | None = None) -> float:
    """Mean over the window's periods of the share of the cluster's active links (with
    the named buyers, default all) under one governance type (H&S 3, Table 4)."""
    links = rt.tables["links"]
    rows = links[(links["cluster"] == rt.cluster(cluster)) & links["active"]
                 & links["period"].isin(rt.periods_in(years))]
    if buyers:
        rows = rows[rows["buyer"].isin(rt.buyer_agents(buyers))]
    if rows.empty:
        return NAN
    return float((rows["governance"] == kind).groupby(rows["period"]).mean().mean())


def price_level(rt: RunTables, cluster: str, year: float) -> float:
    """Mean of the cluster's price index (agreed base price per unit) over a year."""
    index = m.price_index(rt.tables["links"])
    rows = index[(index["cluster"] == rt.cluster(cluster))
                 & index["period"].isin(rt.periods_in((year, year)))]
    return float(rows["price_index"].mean()) if not rows.empty else NAN


def price_change(rt: RunTables, cluster: str, year_from: float, year_to: float) -> float:
    """Relative fall of the price index from one year to another: 0.2 means a fifth
    lower (H&S 4.2: "sharply declining prices" after the Chinese entry)."""
    before, after = price_level(rt, cluster, year_from), price_level(rt, cluster, year_to)
    return float(1.0 - after / before) if before > 0 else NAN


Sellers = Mapping[str, Any] | None  # {buyers = [...], years = [y0, y1]}


def _leads(rt: RunTables, cluster: str, sellers: Sellers = None) -> pd.DataFrame:
    """The cluster's lead-firm rows; with `sellers`, only the firms that sold to those
    buyers in those years (the firms of one chain, e.g. the export chain of H&S 4.2)."""
    firms = rt.tables["firms"]
    rows = firms[(firms["cluster"] == rt.cluster(cluster)) & firms["lead"]]
    if sellers is None:
        return rows
    links = rt.tables["links"]
    sold = links[links["buyer"].isin(rt.buyer_agents(sellers["buyers"]))
                 & links["period"].isin(rt.periods_in(sellers["years"]))
                 & (links["cluster"] == rt.cluster(cluster)) & (links["units"] > 0)]
    return rows[rows["firm"].isin(sold["firm"].unique())]


def _lead_means(rt: RunTables, cluster: str, column: str,
                sellers: Sellers = None) -> pd.Series:
    return _leads(rt, cluster, sellers).groupby("period")[column].mean()


def capability_at(rt: RunTables, cluster: str, kind: str, year: float,
                  sellers: Sellers = None) -> float:
    """Lead firms' mean capability (0-1) at the end of a year; before the first recorded
    year, the first period's."""
    means = _lead_means(rt, cluster, kind, sellers)
    if means.empty:
        return NAN
    year_of = rt.period_year().reindex(means.index)
    upto = means[year_of <= year]
    return float(upto.iloc[-1]) if not upto.empty else float(means.iloc[0])


def capability_rate(rt: RunTables, cluster: str, kind: str, years: Years,
                    sellers: Sellers = None) -> float:
    """Lead firms' capability gain per year over the window (H&S 1: process, product,
    design and marketing as the grounds of the three kinds of upgrading)."""
    span = years[-1] - years[0] + 1
    return (capability_at(rt, cluster, kind, years[-1], sellers)
            - capability_at(rt, cluster, kind, years[0] - 1, sellers)) / span


def rate_change(rt: RunTables, cluster: str, kind: str, before: Years, after: Years,
                sellers: Sellers = None) -> float:
    """Capability gain per year after minus before (H&S 4.2: after the Chinese entry
    "the Brazilian producers made enormous progress" in production)."""
    return (capability_rate(rt, cluster, kind, after, sellers)
            - capability_rate(rt, cluster, kind, before, sellers))


def rung_share(rt: RunTables, cluster: str, year: float, rungs: Sequence[str],
               sellers: Sellers = None) -> float:
    """Share of the cluster's lead firms (with `sellers`, of those selling to the named
    buyers) on the named rungs of the functional ladder (the run's ladder: assembly,
    full_package, odm, obm; or grower ... own_label) at the end of a year (H&S 2.2, 4.5)."""
    rows = _leads(rt, cluster, sellers)
    if rows.empty:
        return NAN
    year_of = rt.period_year()
    periods = [p for p in rows["period"].unique() if year_of.get(p, math.inf) <= year]
    if not periods:
        return NAN
    last = rows[rows["period"] == max(periods)]
    names = LADDERS[rt.ladder]
    unknown = [r for r in rungs if r not in names]
    if unknown:
        raise KeyError(f"no rung {', '.join(map(repr, unknown))} on the {rt.ladder} ladder; "
                       f"rungs: {', '.join(names)}")
    wanted = [names.index(r) for r in rungs]
    return float(last["rung"].isin(wanted).mean())


def fair_share(rt: RunTables, cluster: str, fair: str, year: int, month: int) -> float:
    """The cluster's share of the exhibitors at one fair (H&S 4.2: "In March 1997, of
    the total of 1,612 exhibitors, only seven came from Brazil, that is 0.43 per cent")."""
    when = (year - rt.start_year) * YEAR + (month - 1) * YEAR / 12
    return m.exhibitors_at(rt.tables["fairs"], rt.cluster(cluster), when, fair)


def exhibitions_per_year(rt: RunTables, cluster: str, years: Years) -> float:
    """Exhibitions a year per firm of the cluster that exhibited in the window (H&S 4.3:
    "the investment is not a one-off, they need to exhibit regularly (twice a year)").
    NaN if none exhibited."""
    shown = rt.tables["exhibitions"]
    year = np.floor(rt.start_year + shown["time"].to_numpy(float) / YEAR + 1e-9)
    mine = shown[(shown["cluster"] == rt.cluster(cluster)) & (year >= years[0])
                 & (year <= years[-1])]
    span = years[-1] - years[0] + 1
    return _ratio(float(len(mine)), float(mine["firm"].nunique()) * span)


def _projects(rt: RunTables, cluster: str, years: Years) -> pd.DataFrame:
    projects = rt.tables["projects"]
    year = rt.start_year + projects["time"] / YEAR
    return projects[(projects["cluster"] == rt.cluster(cluster))
                    & (year >= years[0]) & (year < years[-1] + 1)]


def projects_proposed(rt: RunTables, cluster: str, years: Years) -> float:
    """Repositioning projects the policy network put to the lead firms in the window
    (H&S 4.2: the collective image, design and fair programme)."""
    return float(len(_projects(rt, cluster, years)))


def projects_funded(rt: RunTables, cluster: str, years: Years) -> float:
    """Of those, the projects backed enough to be funded (H&S 4.2: "not put into
    practice"; 4.3: CODEVASF's collective action in the Sao Francisco valley)."""
    return float(_projects(rt, cluster, years)["funded"].sum())


def failure_share(rt: RunTables, cluster: str, years: Years) -> float:
    """Share of the cluster's orders in the window that failed the buyer's inspection:
    how far the cluster meets its buyers' standards (H&S 3; 4.3, fruit)."""
    flows = rt.tables["clusters"]
    rows = flows[(flows["cluster"] == rt.cluster(cluster))
                 & flows["period"].isin(rt.periods_in(years))]
    failed = float(rows["failed"].sum())
    return _ratio(failed, failed + float(rows["delivered"].sum()))


METRICS = {f.__name__: f for f in (
    buyer_output_share, buyer_share_of_largest, governance_share, price_level,
    price_change, capability_at, capability_rate, rate_change, rung_share, fair_share,
    exhibitions_per_year, projects_proposed, projects_funded, failure_share)}
