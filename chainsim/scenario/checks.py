"""Checks across a validated scenario: references, duplicates, limits, impossible combinations."""

from __future__ import annotations

from chainsim.limits import MAX_BUYERS, MAX_ORDERS, MAX_TOTAL_FIRMS
from chainsim.scenario.load import Problem
from chainsim.scenario.model import Scenario


def check_scenario(s: Scenario, source: str) -> list[Problem]:
    problems: list[Problem] = []

    def bad(path: str, message: str) -> None:
        problems.append(Problem(source, path, message))

    from chainsim.rules import RULES

    for field, name in s.rules:
        if name not in RULES[field]:
            known = ", ".join(sorted(RULES[field]))
            bad(f"rules.{field}", f"unknown rule {name!r}; known: {known}")

    group_role: dict[str, str] = {}
    group_cluster: dict[str, str] = {}
    seen_clusters: set[str] = set()
    total_firms = 0
    for c, cluster in enumerate(s.clusters):
        if cluster.id in seen_clusters:
            bad(f"clusters.{c}.id", f"duplicate cluster id {cluster.id!r}")
        seen_clusters.add(cluster.id)
        for f, firm in enumerate(cluster.firms):
            if firm.id in group_role:
                bad(f"clusters.{c}.firms.{f}.id", f"duplicate firm id {firm.id!r}")
            group_role[firm.id] = firm.role
            group_cluster[firm.id] = cluster.id
            total_firms += firm.count
        if not any(firm.role == "lead" for firm in cluster.firms):
            bad(f"clusters.{c}.firms", "a cluster needs at least one lead firm to take orders")
        for f, firm in enumerate(cluster.firms):
            for k, target in enumerate(firm.supplies):
                path = f"clusters.{c}.firms.{f}.supplies.{k}"
                if firm.role != "spoke":
                    bad(path, "only spoke firms supply lead firms")
                elif group_cluster.get(target) != cluster.id or group_role.get(target) != "lead":
                    bad(path, f"{target!r} is not a lead firm of cluster {cluster.id!r}")
    if total_firms > MAX_TOTAL_FIRMS:
        bad("clusters", f"{total_firms:,} firms exceed the limit of {MAX_TOTAL_FIRMS:,}")

    if len(s.buyers) > MAX_BUYERS:
        bad("buyers", f"{len(s.buyers):,} buyers exceed the limit of {MAX_BUYERS:,}")
    buyer_ids: set[str] = set()
    orders = 0.0
    for b, buyer in enumerate(s.buyers):
        if buyer.id in buyer_ids:
            bad(f"buyers.{b}.id", f"duplicate buyer id {buyer.id!r}")
        buyer_ids.add(buyer.id)
        if buyer.seasonality and len(buyer.seasonality) != s.simulation.seasons_per_year:
            bad(
                f"buyers.{b}.seasonality",
                f"has {len(buyer.seasonality)} entries but simulation.seasons_per_year is "
                f"{s.simulation.seasons_per_year}",
            )
        elif buyer.seasonality and sum(buyer.seasonality) <= 0:
            bad(f"buyers.{b}.seasonality", "must not be all zero")
        orders += buyer.demand / buyer.order_size * s.simulation.horizon_years
    if orders > MAX_ORDERS:
        bad("buyers", f"about {orders:,.0f} orders over the horizon exceed the limit of "
            f"{MAX_ORDERS:,}; raise order_size or shorten the horizon")

    entrants = {sh.cluster: sh.year for sh in s.shocks if sh.kind == "entrant"}
    for k, link in enumerate(s.links):
        if link.buyer not in buyer_ids:
            bad(f"links.{k}.buyer", f"no buyer with id {link.buyer!r}")
        for j, target in enumerate(link.firms):
            path = f"links.{k}.firms.{j}"
            if target not in group_role:
                bad(path, f"no firm with id {target!r}")
            elif group_role[target] != "lead":
                bad(path, f"{target!r} is a spoke; buyers order from lead firms")
            elif group_cluster[target] in entrants:
                bad(path, f"{target!r} belongs to cluster {group_cluster[target]!r}, which only "
                    f"enters in {entrants[group_cluster[target]]:g} (entrant shock)")

    fair_ids: set[str] = set()
    for k, fair in enumerate(s.fairs):
        if fair.id in fair_ids:
            bad(f"fairs.{k}.id", f"duplicate fair id {fair.id!r}")
        fair_ids.add(fair.id)

    start = s.simulation.start_year
    for k, shock in enumerate(s.shocks):
        # A shock after the end is allowed: a shorter --horizon simply stops before it.
        if shock.year < start:
            bad(f"shocks.{k}.year", f"{shock.year:g} is before the start year {start}")
        if shock.cluster is not None and shock.cluster not in seen_clusters:
            bad(f"shocks.{k}.cluster", f"no cluster with id {shock.cluster!r}")
        if shock.buyer is not None and shock.buyer not in buyer_ids:
            bad(f"shocks.{k}.buyer", f"no buyer with id {shock.buyer!r}")
    return problems
