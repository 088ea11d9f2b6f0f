"""Checks across a validated scenario: references, duplicates, limits, impossible combinations.

Pydantic has checked each field on its own; this pass looks across the file. It also refuses,
before anything is built, scenarios whose size would exhaust memory or time: every limit
comes from `chainsim.limits` and the message states it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from chainsim.limits import (
    MAX_BUYERS,
    MAX_DECISIONS,
    MAX_FIRM_PERIODS,
    MAX_LINK_PERIODS,
    MAX_LINKS,
    MAX_MAGNITUDE,
    MAX_ORDERS,
    MAX_SCOUTING_NOISE,
    MAX_TOTAL_FIRMS,
    MIN_INTERVAL_DAYS,
)
from chainsim.scenario.load import Problem
from chainsim.scenario.model import Distribution, Scenario

YEAR_DAYS = 360.0  # chainsim.technology.YEAR; not imported, so checks stay engine-free
# Numbers that may exceed MAX_MAGNITUDE: identifiers of a run rather than quantities.
UNBOUNDED = {"simulation.seed"}


def check_scenario(s: Scenario, source: str) -> list[Problem]:
    problems: list[Problem] = []

    def bad(path: str, message: str) -> None:
        problems.append(Problem(source, path, message))

    from chainsim.rules import RULES

    for field, name in s.rules:
        if name not in RULES[field]:
            known = ", ".join(sorted(RULES[field]))
            bad(f"rules.{field}", f"unknown rule {name!r}; known: {known}")

    for path, value in _numbers(s):
        if path in UNBOUNDED:
            continue
        if isinstance(value, float) and not math.isfinite(value):
            bad(path, f"must be a finite number, got {value}")
        elif abs(value) > MAX_MAGNITUDE:
            bad(path, f"{value:g} exceeds the limit of {MAX_MAGNITUDE:g} in absolute value")
    if problems:
        return problems  # the estimates below need finite numbers

    sim = s.simulation
    horizon = sim.horizon_years
    periods = math.ceil(horizon * YEAR_DAYS / sim.period_days)

    group_role: dict[str, str] = {}
    group_cluster: dict[str, str] = {}
    group_count: dict[str, int] = {}
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
            group_count[firm.id] = firm.count
            total_firms += firm.count
            _check_firm(firm, f"clusters.{c}.firms.{f}", bad)
        if not any(firm.role == "lead" for firm in cluster.firms):
            bad(f"clusters.{c}.firms", "a cluster needs at least one lead firm to take orders")
        for f, firm in enumerate(cluster.firms):
            for k, target in enumerate(firm.supplies):
                path = f"clusters.{c}.firms.{f}.supplies.{k}"
                if firm.role != "spoke":
                    bad(path, "only spoke firms supply lead firms")
                elif group_cluster.get(target) != cluster.id or group_role.get(target) != "lead":
                    bad(path, f"{target!r} is not a lead firm of cluster {cluster.id!r}")
                elif target in firm.supplies[:k]:
                    bad(path, f"{target!r} is listed twice")
        policy = cluster.policy_network
        if policy.enabled and policy.proposal_interval_years * YEAR_DAYS < MIN_INTERVAL_DAYS:
            bad(f"clusters.{c}.policy_network.proposal_interval_years",
                _interval_message(policy.proposal_interval_years))
    if total_firms > MAX_TOTAL_FIRMS:
        bad("clusters", f"{total_firms:,} firms exceed the limit of {MAX_TOTAL_FIRMS:,}")
    elif total_firms * periods > MAX_FIRM_PERIODS:
        bad("clusters", f"{total_firms:,} firms over {periods:,} periods make "
            f"{total_firms * periods:,} firm records, above the limit of "
            f"{MAX_FIRM_PERIODS:,}; use fewer firms, a shorter horizon or a longer "
            "simulation.period_days")
    firm_ids = _firm_ids(s) if total_firms <= MAX_TOTAL_FIRMS else {}
    for firm_id, group in firm_ids.items():
        if group is None:
            bad("clusters", f"firm id {firm_id!r} is used twice: a group of several firms "
                "numbers its firms id-1, id-2, ...; rename one of them")

    n_buyers = sum(b.count for b in s.buyers)
    if n_buyers > MAX_BUYERS:
        bad("buyers", f"{n_buyers:,} buyers exceed the limit of {MAX_BUYERS:,}")
    buyer_ids: set[str] = set()
    member_of: dict[str, str] = {}  # buyer id (of a group's member) -> its group
    for b, buyer in enumerate(s.buyers):
        if buyer.id in buyer_ids:
            bad(f"buyers.{b}.id", f"duplicate buyer id {buyer.id!r}")
        elif n_buyers <= MAX_BUYERS:
            clash = _member_clash(buyer.id, buyer.count, firm_ids, member_of)
            if clash is not None:
                bad(f"buyers.{b}.id", clash)
            for member in member_ids(buyer.id, buyer.count):
                member_of.setdefault(member, buyer.id)
        buyer_ids.add(buyer.id)
        if buyer.seasonality and len(buyer.seasonality) != sim.seasons_per_year:
            bad(
                f"buyers.{b}.seasonality",
                f"has {len(buyer.seasonality)} entries but simulation.seasons_per_year is "
                f"{sim.seasons_per_year}",
            )
        elif buyer.seasonality and sum(buyer.seasonality) <= 0:
            bad(f"buyers.{b}.seasonality", "must not be all zero")
        if buyer.review_interval_years * YEAR_DAYS < MIN_INTERVAL_DAYS:
            bad(f"buyers.{b}.review_interval_years",
                _interval_message(buyer.review_interval_years))
        if buyer.scouting.enabled:
            if buyer.scouting.interval_years * YEAR_DAYS < MIN_INTERVAL_DAYS:
                bad(f"buyers.{b}.scouting.interval_years",
                    _interval_message(buyer.scouting.interval_years))
            if buyer.scouting.noise > MAX_SCOUTING_NOISE:
                bad(f"buyers.{b}.scouting.noise", f"{buyer.scouting.noise:g} exceeds the limit "
                    f"of {MAX_SCOUTING_NOISE:g} (standard deviation of the log error)")

    entrants = {sh.cluster: sh.year for sh in s.shocks if sh.kind == "entrant"}
    links_of: dict[str, int] = {b.id: 0 for b in s.buyers}
    buyer_count = {b.id: b.count for b in s.buyers}
    linked: dict[tuple[str, str], int] = {}
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
            elif (link.buyer, target) in linked:
                # One relationship, one governance type (MODEL.md 6).
                bad(path, f"buyer {link.buyer!r} already links to {target!r} in "
                    f"links.{linked[link.buyer, target]}; a buyer-firm link has one "
                    "governance type")
            else:
                linked[link.buyer, target] = k
                if link.buyer in links_of:  # a buyer group links each member to the firms
                    links_of[link.buyer] += group_count[target] * buyer_count[link.buyer]
    n_links = sum(links_of.values())
    if n_links > MAX_LINKS:
        bad("links", f"{n_links:,} buyer-firm links exceed the limit of {MAX_LINKS:,}")
    elif n_links * periods > MAX_LINK_PERIODS:
        bad("links", f"{n_links:,} links over {periods:,} periods make {n_links * periods:,} "
            f"link records, above the limit of {MAX_LINK_PERIODS:,}; shorten the horizon or "
            "lengthen simulation.period_days")

    orders = sum((buyer.demand / buyer.order_size + links_of[buyer.id] * sim.seasons_per_year)
                 * horizon for buyer in s.buyers)
    if orders > MAX_ORDERS:
        bad("buyers", f"about {orders:,.0f} orders over the horizon exceed the limit of "
            f"{MAX_ORDERS:,}; raise order_size, link fewer firms or shorten the horizon")
    decisions = _decisions(s, links_of, total_firms)
    if decisions > MAX_DECISIONS and not problems:
        bad("simulation.horizon_years", f"about {decisions:,.0f} decisions would be logged, "
            f"above the limit of {MAX_DECISIONS:,}; shorten the horizon, review and scout "
            "less often, or use fewer firms and links")

    fair_ids: set[str] = set()
    for k, fair in enumerate(s.fairs):
        if fair.id in fair_ids:
            bad(f"fairs.{k}.id", f"duplicate fair id {fair.id!r}")
        fair_ids.add(fair.id)
        if not fair.months:
            bad(f"fairs.{k}.months", "a fair needs at least one month")
        for j, month in enumerate(fair.months):
            if month in fair.months[:j]:
                bad(f"fairs.{k}.months.{j}", f"month {month} is listed twice")

    start = sim.start_year
    for k, shock in enumerate(s.shocks):
        # A shock after the end is allowed: a shorter --horizon simply stops before it.
        if shock.year < start:
            bad(f"shocks.{k}.year", f"{shock.year:g} is before the start year {start}")
        if shock.cluster is not None and shock.cluster not in seen_clusters:
            bad(f"shocks.{k}.cluster", f"no cluster with id {shock.cluster!r}")
        if shock.buyer is not None and shock.buyer not in buyer_ids:
            bad(f"shocks.{k}.buyer", f"no buyer with id {shock.buyer!r}")
    return problems


def _check_firm(firm: Any, path: str, bad: Any) -> None:
    if isinstance(firm.capacity, float | int) and firm.capacity <= 0:
        bad(f"{path}.capacity", f"must be positive (units per day), got {firm.capacity:g}")
    for name in ("capacity", "process", "product", "design", "marketing", "strategic_intent",
                 "cash"):
        value = getattr(firm, name)
        if isinstance(value, Distribution) and value.dist == "lognormal" and value.high is None:
            assert value.mean is not None and value.sd is not None
            if value.mean + 10 * value.sd > math.log(MAX_MAGNITUDE):
                bad(f"{path}.{name}", f"lognormal draws would exceed {MAX_MAGNITUDE:g}; "
                    "lower mean or sd, or set high")


def _interval_message(years: float) -> str:
    return (f"{years:g} years is shorter than the limit of {MIN_INTERVAL_DAYS:g} day "
            f"({MIN_INTERVAL_DAYS / YEAR_DAYS:.4g} years)")


def member_ids(group: str, count: int) -> list[str]:
    """The ids of a group's members, as the engine names them: the group's own id for a
    group of one, else `id-1`, `id-2`, ... zero-padded to the width of the count."""
    if count == 1:
        return [group]
    width = len(str(count))
    return [f"{group}-{k + 1:0{width}d}" for k in range(count)]


def _firm_ids(s: Scenario) -> dict[str, str | None]:
    """Firm id -> its group, as `chainsim.agents.firms.expand_firms` names firms; None
    marks an id given to two firms."""
    out: dict[str, str | None] = {}
    for cluster in s.clusters:
        for spec in cluster.firms:
            for firm_id in member_ids(spec.id, spec.count):
                out[firm_id] = None if firm_id in out else spec.id
    return out


def _member_clash(group: str, count: int, firm_ids: dict[str, str | None],
                  member_of: dict[str, str]) -> str | None:
    """Why a buyer group's member ids cannot be used, or None: agent ids key the random
    streams, so no buyer may share an id with a firm or another buyer."""
    for member in member_ids(group, count):
        if member in firm_ids:
            return (f"buyer {member!r} has a firm's id; agent ids key their random streams, "
                    "so buyers and firms need distinct ids")
        if member in member_of:
            return (f"buyer {member!r} is also a member of buyer group {member_of[member]!r}; "
                    "a group of several buyers numbers them id-1, id-2, ...")
    return None


def _decisions(s: Scenario, links_of: dict[str, int], total_firms: int) -> float:
    """A generous estimate of the periodic decisions a run logs (about 1 kB each)."""
    horizon = s.simulation.horizon_years
    total = total_firms * horizon  # investments, at most one start and result a year
    for buyer in s.buyers:
        total += links_of[buyer.id] * horizon / buyer.review_interval_years
        if buyer.scouting.enabled:
            total += ((buyer.count + links_of[buyer.id]) * horizon
                      / buyer.scouting.interval_years)
    for cluster in s.clusters:
        if cluster.policy_network.enabled:
            leads = sum(f.count for f in cluster.firms if f.role == "lead")
            total += (leads + 1) * horizon / cluster.policy_network.proposal_interval_years
    return total


def _numbers(node: Any, path: str = "") -> Iterator[tuple[str, float | int]]:
    """Every number in a validated scenario, with its dotted path."""
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _numbers(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, tuple | list):
        for k, item in enumerate(node):
            yield from _numbers(item, f"{path}.{k}")
    elif isinstance(node, float | int) and not isinstance(node, bool):
        yield path, node
