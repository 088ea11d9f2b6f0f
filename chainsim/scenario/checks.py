"""Checks across a scenario: ids, references, links, firms and buyers, fairs, shocks.

Pydantic has checked each field on its own; these checkers look across the file. Each is
a small function of the scenario and its `Index` (the facts several checkers need, built
once) that yields `(location, message)` findings; `chainsim.scenario.validate` runs them
all, together with the size limits of `chainsim.scenario.sizes`, so every problem of a
file is reported in one pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from pydantic import BaseModel

from chainsim.limits import MAX_BUYERS, MAX_MAGNITUDE, MAX_TOTAL_FIRMS
from chainsim.scenario.model import Buyer, Cluster, Distribution, Fair, Firm, Scenario, Shock
from chainsim.scenario.paths import Loc
from chainsim.vocabulary import LADDERS, member_ids

Finding = tuple[Loc, str]
Checker = Callable[[Scenario, "Index"], Iterator[Finding]]
DISTRIBUTED = ("capacity", "process", "product", "design", "marketing", "strategic_intent",
               "cash")  # the firm fields that may be drawn from a distribution




@dataclass
class Group:
    """A firm group as links and supplies see it."""

    role: str
    cluster: str
    count: int


@dataclass
class Index:
    """Facts about a scenario that several checkers need; the first of duplicate ids
    counts (the duplicates themselves are the ids checker's finding)."""

    scenario: Scenario
    origin: dict[int, Loc]
    groups: dict[str, Group] = field(default_factory=dict)
    clusters: set[str] = field(default_factory=set)
    buyers: dict[str, int] = field(default_factory=dict)  # buyer (group) id -> count

    def __post_init__(self) -> None:
        for cluster in self.scenario.clusters:
            self.clusters.add(cluster.id)
            for firm in cluster.firms:
                self.groups.setdefault(firm.id, Group(firm.role, cluster.id, firm.count))
        for buyer in self.scenario.buyers:
            self.buyers.setdefault(buyer.id, buyer.count)

    def at(self, item: BaseModel, *parts: str | int) -> Loc:
        """The location of a field of a cluster, firm group, buyer, link, fair or shock."""
        return (*self.origin[id(item)], *parts)

    @cached_property
    def total_firms(self) -> int:
        return sum(f.count for c in self.scenario.clusters for f in c.firms)

    @cached_property
    def entrants(self) -> dict[str, float]:
        """Clusters that enter by an entrant shock -> the year they enter."""
        return {sh.cluster: sh.year for sh in self.scenario.shocks
                if sh.kind == "entrant" and sh.cluster is not None}

    @cached_property
    def linked(self) -> dict[tuple[str, str], int]:
        """(buyer, firm group) -> the first entry of [[links]] that links them validly."""
        out: dict[tuple[str, str], int] = {}
        for k, link in enumerate(self.scenario.links):
            for target in link.firms:
                if (link.buyer, target) not in out and _link_problem(self, link.buyer,
                                                                     target) is None:
                    out[link.buyer, target] = k
        return out

    @cached_property
    def links_of(self) -> dict[str, int]:
        """Buyer (group) id -> buyer-firm links it starts with, after expanding groups."""
        out = dict.fromkeys(self.buyers, 0)
        for buyer, target in self.linked:
            if buyer in out:
                out[buyer] += self.groups[target].count * self.buyers[buyer]
        return out


# -- ids --------------------------------------------------------------------------------------


def check_ids(s: Scenario, ix: Index) -> Iterator[Finding]:
    """Cluster, firm, buyer and fair ids are unique; the ids a group gives its members
    clash with no other agent's: agent ids key the random streams."""
    yield from _duplicates(ix, s.clusters, "cluster")
    yield from _duplicates(ix, [f for c in s.clusters for f in c.firms], "firm")
    yield from _duplicates(ix, s.buyers, "buyer")
    yield from _duplicates(ix, s.fairs, "fair")
    if ix.total_firms > MAX_TOTAL_FIRMS:
        return  # the sizes checker refuses it; expanding would cost what it guards
    firm_ids = _firm_ids(s)
    for firm_id, group in firm_ids.items():
        if group is None:
            yield ("clusters",), (f"firm id {firm_id!r} is used twice: a group of several "
                                  "firms numbers its firms id-1, id-2, ...; rename one of them")
    if sum(b.count for b in s.buyers) <= MAX_BUYERS:
        yield from _buyer_clashes(s, ix, firm_ids)


def _duplicates(ix: Index, items: Sequence[Cluster | Firm | Buyer | Fair],
                kind: str) -> Iterator[Finding]:
    seen: set[str] = set()
    for item in items:
        ident = item.id
        if ident in seen:
            yield ix.at(item, "id"), f"duplicate {kind} id {ident!r}"
        seen.add(ident)


def _firm_ids(s: Scenario) -> dict[str, str | None]:
    """Firm id -> its group, as `chainsim.agents.firms.expand_firms` names firms; None
    marks an id given to two firms."""
    out: dict[str, str | None] = {}
    for cluster in s.clusters:
        for spec in cluster.firms:
            for firm_id in member_ids(spec.id, spec.count):
                out[firm_id] = None if firm_id in out else spec.id
    return out


def _buyer_clashes(s: Scenario, ix: Index,
                   firm_ids: dict[str, str | None]) -> Iterator[Finding]:
    member_of: dict[str, str] = {}  # a buyer group's member id -> the group
    seen: set[str] = set()
    for buyer in s.buyers:
        if buyer.id in seen:
            continue
        seen.add(buyer.id)
        clash = _member_clash(buyer, firm_ids, member_of)
        if clash is not None:
            yield ix.at(buyer, "id"), clash
        for member in member_ids(buyer.id, buyer.count):
            member_of.setdefault(member, buyer.id)


def _member_clash(buyer: Buyer, firm_ids: dict[str, str | None],
                  member_of: dict[str, str]) -> str | None:
    """Why a buyer group's member ids cannot be used, or None."""
    for member in member_ids(buyer.id, buyer.count):
        if member in firm_ids:
            return (f"buyer {member!r} has a firm's id; agent ids key their random streams, "
                    "so buyers and firms need distinct ids")
        if member in member_of:
            return (f"buyer {member!r} is also a member of buyer group {member_of[member]!r}; "
                    "a group of several buyers numbers them id-1, id-2, ...")
    return None


# -- references ---------------------------------------------------------------------------


def check_references(s: Scenario, ix: Index) -> Iterator[Finding]:
    """Rule names are registered; spokes supply lead firms of their own cluster; shocks
    name existing clusters and buyers; links name existing buyers."""
    from chainsim.rules import RULES  # the registry imports the rules, not the engine

    for name, rule in s.rules:
        if rule not in RULES[name]:
            known = ", ".join(sorted(RULES[name]))
            yield ("rules", name), f"unknown rule {rule!r}; known: {known}"
    for cluster in s.clusters:
        for firm in cluster.firms:
            yield from _supplies(ix, cluster, firm)
    for link in s.links:
        if link.buyer not in ix.buyers:
            yield ix.at(link, "buyer"), f"no buyer with id {link.buyer!r}"
    for shock in s.shocks:
        if shock.cluster is not None and shock.cluster not in ix.clusters:
            yield ix.at(shock, "cluster"), f"no cluster with id {shock.cluster!r}"
        if shock.buyer is not None and shock.buyer not in ix.buyers:
            yield ix.at(shock, "buyer"), f"no buyer with id {shock.buyer!r}"


def _supplies(ix: Index, cluster: Cluster, firm: Firm) -> Iterator[Finding]:
    for k, target in enumerate(firm.supplies):
        where = ix.at(firm, "supplies", k)
        group = ix.groups.get(target)
        if firm.role != "spoke":
            yield where, "only spoke firms supply lead firms"
        elif group is None or group.cluster != cluster.id or group.role != "lead":
            yield where, f"{target!r} is not a lead firm of cluster {cluster.id!r}"
        elif target in firm.supplies[:k]:
            yield where, f"{target!r} is listed twice"


# -- links ----------------------------------------------------------------------------------


def check_links(s: Scenario, ix: Index) -> Iterator[Finding]:
    """Buyers order from lead firms of clusters open at the start, one link per buyer and
    firm (a relationship has one governance type at a time)."""
    for k, link in enumerate(s.links):
        for j, target in enumerate(link.firms):
            problem = _link_problem(ix, link.buyer, target)
            first = ix.linked.get((link.buyer, target), k)
            if problem is None and (first != k or target in link.firms[:j]):
                where = ".".join(map(str, ix.at(s.links[first])))
                problem = (f"buyer {link.buyer!r} already links to {target!r} in {where}; a "
                           "buyer-firm link has one governance type")
            if problem is not None:
                yield ix.at(link, "firms", j), problem


def _link_problem(ix: Index, buyer: str, target: str) -> str | None:
    """Why a buyer may not start linked to a firm group, or None."""
    group = ix.groups.get(target)
    if group is None:
        return f"no firm with id {target!r}"
    if group.role != "lead":
        return f"{target!r} is a spoke; buyers order from lead firms"
    if group.cluster in ix.entrants:
        return (f"{target!r} belongs to cluster {group.cluster!r}, which only enters in "
                f"{ix.entrants[group.cluster]:g} (entrant shock)")
    return None


# -- firms and buyers ------------------------------------------------------------------------


def check_firms(s: Scenario, ix: Index) -> Iterator[Finding]:
    """Every cluster has a lead firm to take orders; capacities are positive; lognormal
    draws stay below the magnitude limit."""
    rungs = LADDERS[s.technology.ladder]
    for cluster in s.clusters:
        if not any(firm.role == "lead" for firm in cluster.firms):
            yield ix.at(cluster, "firms"), "a cluster needs at least one lead firm to take orders"
        for firm in cluster.firms:
            if firm.rung is not None and firm.rung not in rungs:
                yield ix.at(firm, "rung"), (f"{firm.rung!r} is not a rung of the "
                                            f"{s.technology.ladder} ladder "
                                            f"(technology.ladder); rungs: {', '.join(rungs)}")
            if isinstance(firm.capacity, float | int) and firm.capacity <= 0:
                yield ix.at(firm, "capacity"), (f"must be positive (units per day), got "
                                                f"{firm.capacity:g}")
            for name in DISTRIBUTED:
                if _unbounded_lognormal(getattr(firm, name)):
                    yield ix.at(firm, name), (f"lognormal draws would exceed {MAX_MAGNITUDE:g};"
                                              " lower mean or sd, or set high")


def _unbounded_lognormal(value: object) -> bool:
    if not isinstance(value, Distribution) or value.dist != "lognormal" or value.high is not None:
        return False
    if value.mean is None or value.sd is None:
        return False  # already reported: a lognormal needs both
    return value.mean + 10 * value.sd > math.log(MAX_MAGNITUDE)


def check_buyers(s: Scenario, ix: Index) -> Iterator[Finding]:
    """Seasonal weights, one per season, not all zero; a buyer of the suppliers' own
    collections pays for their design (Table 4: "the supplier defines it")."""
    seasons = s.simulation.seasons_per_year
    for buyer in s.buyers:
        if buyer.product_definition == "supplier" and buyer.buys_designs == 0.0:
            yield ix.at(buyer, "buys_designs"), (
                "is 0 but product_definition is \"supplier\": a buyer of the suppliers' own "
                "collections pays for their design")
        if buyer.seasonality and len(buyer.seasonality) != seasons:
            yield ix.at(buyer, "seasonality"), (
                f"has {len(buyer.seasonality)} entries but simulation.seasons_per_year is "
                f"{seasons}")
        elif buyer.seasonality and sum(buyer.seasonality) <= 0:
            yield ix.at(buyer, "seasonality"), "must not be all zero"


# -- fairs and shocks -----------------------------------------------------------------------


def check_fairs(s: Scenario, ix: Index) -> Iterator[Finding]:
    """A fair is held in at least one month, each month once."""
    for fair in s.fairs:
        if not fair.months:
            yield ix.at(fair, "months"), "a fair needs at least one month"
        for j, month in enumerate(fair.months):
            if month in fair.months[:j]:
                yield ix.at(fair, "months", j), f"month {month} is listed twice"


def check_shocks(s: Scenario, ix: Index) -> Iterator[Finding]:
    """Shocks happen after the start (one after the end is allowed: a shorter --horizon
    simply stops before it), and devaluations leave every wage a finite number: the
    factors of a cluster multiply, so each within the limits may still overflow."""
    start = s.simulation.start_year
    for shock in s.shocks:
        if shock.year < start:
            yield ix.at(shock, "year"), f"{shock.year:g} is before the start year {start}"
    wages = {c.id: c.wage for c in s.clusters}
    log_wage = {cid: math.log(w) for cid, w in wages.items()}
    for shock in sorted(s.shocks, key=lambda sh: sh.year):  # in the order they happen
        if shock.kind != "devaluation" or shock.cluster not in log_wage or not shock.factor:
            continue  # a devaluation without a factor is already reported
        log_wage[shock.cluster] += math.log(shock.factor)
        if abs(log_wage[shock.cluster]) > math.log(MAX_MAGNITUDE):
            wage, power = wages[shock.cluster], log_wage[shock.cluster] / math.log(10)
            yield ix.at(shock, "factor"), (
                f"the devaluations of cluster {shock.cluster!r} up to this one multiply its "
                f"wage of {wage:g} to about 10^{power:.0f}, outside "
                f"[1/{MAX_MAGNITUDE:g}, {MAX_MAGNITUDE:g}]: each factor is within the "
                "limits but their product is not")
            del log_wage[shock.cluster]  # one finding per cluster


def check_standards(s: Scenario, ix: Index) -> Iterator[Finding]:
    """A standard binds a buyer group or a market (one of them), sets a quality or a
    process floor, and has a name of its own; other shocks take no standard's fields."""
    markets = {b.market for b in s.buyers}
    names: set[str] = set()
    for shock in s.shocks:
        if shock.kind != "standard":
            for name in ("name", "market", "quality", "process"):
                if getattr(shock, name) is not None:
                    yield ix.at(shock, name), f"only a standard shock takes {name}"
            continue
        yield from _standard_target(ix, shock, markets)
        if shock.quality is None and shock.process is None:
            yield ix.at(shock, "quality"), "a standard needs a quality or a process floor"
        if shock.name is not None and shock.name in names:
            yield ix.at(shock, "name"), f"standard {shock.name!r} is imposed twice"
        names.add(shock.name or "")


def _standard_target(ix: Index, shock: Shock, markets: set[str]) -> Iterator[Finding]:
    """Whom a standard binds: a buyer group or every buyer of a market, one of them."""
    if shock.buyer is not None and shock.market is not None:
        yield ix.at(shock, "market"), "a standard binds a buyer or a market, not both"
    elif shock.buyer is None and shock.market is None:
        yield ix.at(shock, "buyer"), "a standard needs a buyer (group) or a market"
    elif shock.market is not None and shock.market not in markets:
        known = ", ".join(sorted(repr(m) for m in markets if m))
        yield ix.at(shock, "market"), (f"no buyer sells in market {shock.market!r}; "
                                       f"markets: {known}")


def check_growth(s: Scenario, ix: Index) -> Iterator[Finding]:
    """A firm cannot be both busy enough to grow and idle enough to shrink."""
    tech = s.technology
    if tech.shrink_below >= tech.grow_above:
        yield ("technology", "shrink_below"), (
            f"{tech.shrink_below:g} must be below technology.grow_above "
            f"({tech.grow_above:g})")


CHECKERS: tuple[Checker, ...] = (check_ids, check_references, check_links, check_firms,
                                 check_buyers, check_fairs, check_shocks, check_standards,
                                 check_growth)
