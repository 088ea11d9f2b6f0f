"""Scheduled shocks from the scenario file: a low-wage entrant, the loss of a
market, a devaluation, a change in macro volatility, a codification scheme, a standard."""

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
        journal.decided("shock", shock.cluster or shock.buyer or shock.market or "", shock.kind,
                        **details)


def apply(shock: Shock, clusters: list[ClusterAgent], buyer_groups: dict[str, list[BuyerAgent]]
          ) -> dict[str, float | str]:
    """Apply one shock; return the numbers worth recording with it."""
    return APPLY[shock.kind](shock, {c.id: c for c in clusters}, clusters, buyer_groups)


def _entrant(shock, by_id, clusters, buyer_groups) -> dict[str, float | str]:
    by_id[shock.cluster].enter()
    for cluster in clusters:
        if cluster.id != shock.cluster:
            cluster.shock()
    return {}


def _market_loss(shock, by_id, clusters, buyer_groups) -> dict[str, float | str]:
    hit = set()
    for buyer in buyer_groups[shock.buyer]:
        buyer.demand_factor = 0.0
        hit |= {buyer.firms.cluster_of[link.firm] for link in buyer.links}
    for c in sorted(hit):
        clusters[c].shock()
    return {}


def _devaluation(shock, by_id, clusters, buyer_groups) -> dict[str, float | str]:
    cluster = by_id[shock.cluster]
    old = cluster.wage
    cluster.wage *= shock.factor
    return {"old_wage": old}


def _volatility(shock, by_id, clusters, buyer_groups) -> dict[str, float | str]:
    by_id[shock.cluster].volatility = shock.level
    return {}


def _codification(shock, by_id, clusters, buyer_groups) -> dict[str, float | str]:
    for buyer in buyer_groups[shock.buyer]:
        buyer.codifiability = shock.level
    return {}


def _standard(shock, by_id, clusters, buyer_groups) -> dict[str, float | str]:
    bound = imposing(shock, buyer_groups)
    for buyer in bound:
        buyer.impose_standard(shock.name, shock.quality or 0.0, shock.process or 0.0)
    return {"standard": shock.name or "", "buyers": float(len(bound))}


APPLY = {"entrant": _entrant, "market_loss": _market_loss, "devaluation": _devaluation,
         "volatility": _volatility, "codification": _codification, "standard": _standard}


def imposing(shock: Shock, buyer_groups: dict[str, list[BuyerAgent]]) -> list[BuyerAgent]:
    """The buyers a standard binds: a buyer group, or every buyer of a market."""
    if shock.buyer is not None:
        return buyer_groups[shock.buyer]
    return [b for group in buyer_groups.values() for b in group if b.spec.market == shock.market]
