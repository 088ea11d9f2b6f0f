"""Scheduled shocks from the scenario file: a low-wage entrant, the loss of a
market, a devaluation, a change in macro volatility, a codification scheme."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chainsim.technology import YEAR

if TYPE_CHECKING:
    import simpy

    from chainsim.agents.buyers import BuyerAgent
    from chainsim.agents.clusters import ClusterAgent
    from chainsim.journal import Journal
    from chainsim.scenario.model import Scenario, Shock


def shocks(env: simpy.Environment, scenario: Scenario, clusters: list[ClusterAgent],
           buyer_groups: dict[str, list[BuyerAgent]], journal: Journal):
    """One process applying every shock at its date, in date order."""
    start = scenario.simulation.start_year
    for shock in sorted(scenario.shocks, key=lambda s: s.year):
        yield env.timeout(max(0.0, (shock.year - start) * YEAR - env.now))
        details = apply(shock, clusters, buyer_groups)
        journal.decided("shock", shock.cluster or shock.buyer or "", shock.kind, **details)


def apply(shock: Shock, clusters: list[ClusterAgent], buyer_groups: dict[str, list[BuyerAgent]]
          ) -> dict[str, float | str]:
    """Apply one shock; return the numbers worth recording with it."""
    by_id = {c.id: c for c in clusters}
    details: dict[str, float | str] = {}
    if shock.kind == "entrant":
        by_id[shock.cluster].enter()
        for cluster in clusters:
            if cluster.id != shock.cluster:
                cluster.shock()
    elif shock.kind == "market_loss":
        hit = set()
        for buyer in buyer_groups[shock.buyer]:
            buyer.demand_factor = 0.0
            hit |= {buyer.firms.cluster_of[link.firm] for link in buyer.links}
        for c in sorted(hit):
            clusters[c].shock()
    elif shock.kind == "devaluation":
        cluster = by_id[shock.cluster]
        details["old_wage"] = cluster.wage
        cluster.wage *= shock.factor
    elif shock.kind == "volatility":
        by_id[shock.cluster].volatility = shock.level
    elif shock.kind == "codification":
        for buyer in buyer_groups[shock.buyer]:
            buyer.codifiability = shock.level
    return details
