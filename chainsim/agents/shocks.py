"""Scheduled shocks from the scenario file (MODEL.md 4): a low-wage entrant, the loss of a
market, a devaluation, a change in macro volatility, a codification scheme."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chainsim.technology import YEAR

if TYPE_CHECKING:
    from chainsim.engine.world import World


def shocks(world: World):
    """One process applying every shock at its date, in date order."""
    w = world
    start = w.scenario.simulation.start_year
    clusters = {c.id: c for c in w.clusters}
    groups = {bid: [w.buyers[b] for b in members] for bid, members in w.buyer_groups.items()}
    for shock in sorted(w.scenario.shocks, key=lambda s: s.year):
        yield w.env.timeout(max(0.0, (shock.year - start) * YEAR - w.env.now))
        details: dict[str, float | str] = {}
        if shock.kind == "entrant":
            clusters[shock.cluster].enter()
            for cluster in w.clusters:
                if cluster.id != shock.cluster:
                    cluster.shock()
        elif shock.kind == "market_loss":
            hit = set()
            for buyer in groups[shock.buyer]:
                buyer.demand_factor = 0.0
                hit |= {int(w.firms.cluster[link.firm]) for link in buyer.links}
            for c in sorted(hit):
                w.clusters[c].shock()
        elif shock.kind == "devaluation":
            cluster = clusters[shock.cluster]
            details["old_wage"] = cluster.wage
            cluster.wage *= shock.factor
        elif shock.kind == "volatility":
            clusters[shock.cluster].volatility = shock.level
        elif shock.kind == "codification":
            for buyer in groups[shock.buyer]:
                buyer.codifiability = shock.level
        w.log.add(w.env.now, "shock", shock.cluster or shock.buyer or "", shock.kind,
                  **details)
