"""A lead firm's season: its capacity shared among the chains it sells into.

H&S 2.2: "firms may be inserted into different chains simultaneously"; 4.3: Sinos Valley
firms that "favour the Latin American market" beside the quasi-hierarchical chains to the
USA and Europe. When what its buyers want in a season exceeds what a firm can make, the
firm decides who is served: the allocation rule (`rules/chains.py`, `[rules] allocation`)
puts committed links (quasi-hierarchy, hierarchy) first, H&S 4.4: "long-term relationships
may be more frequent in quasi-hierarchical chains with their high degree of transactional
dependence", and the others by margin per unit. Each link then gets a quota of whole
orders for the season; an order beyond it is refused with the reason "allocation".

The plan is made once per firm and season, at the first order the firm receives in it
(buyers all order at the season's start), from what each buyer will order (its
`season_request`). When the season's requests fit the firm's capacity no quota is set and
the order path is as before: the firm's schedule alone accepts or refuses.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from chainsim import technology as tech_fn
from chainsim.rules.chains import ChainRequest, chain_name
from chainsim.technology import PROCESS

if TYPE_CHECKING:
    from collections.abc import Callable

    from chainsim.agents.links import Link, Links
    from chainsim.agents.roles import Customer
    from chainsim.journal import Journal

INF = math.inf
COMMITTED = frozenset({"quasi_hierarchy", "hierarchy"})


class SeasonShares:
    """Per lead firm, the season it last planned; per link, its quota (on the link)."""

    def __init__(self, lead_firms, links: Links, buyers: list[Customer], rule: Callable,
                 rule_name: str, season_days: float, journal: Journal):
        self.lead_firms = lead_firms
        self.links = links
        self.buyers = buyers  # filled by the world once the buyers exist
        self.rule, self.rule_name = rule, rule_name
        self.season_days = season_days
        self.journal = journal
        self.planned = [-1] * len(lead_firms.capacity)

    def quota(self, link: Link) -> float:
        """Units the link may still place with its firm this season (inf: no quota)."""
        season = int(self.lead_firms.env.now / self.season_days + 0.5)
        if self.planned[link.firm] != season:
            self.planned[link.firm] = season
            self._plan(link.firm, season)
        return link.quota if link.quota_season == season else INF

    def _plan(self, i: int, season: int) -> None:
        """Share firm i's capacity for the season among its links' requests, if they do
        not all fit."""
        wanted: list[tuple[Link, float, int]] = []
        total = 0.0
        for link in self.links.of_firm[i]:
            if link.active and link.share > 0.0:
                units, n = self.buyers[link.buyer].season_request(link)
                if units > 0.0:
                    wanted.append((link, units, n))
                    total += units
        if len(wanted) < 2:
            return  # one link: nothing to share, the schedule decides
        lead_time = max(self.buyers[link.buyer].lead_time(link) for link, _, _ in wanted)
        capacity = self.lead_firms.season_capacity(i, lead_time)
        if total <= capacity:
            return
        groups, requests = self._requests(i, wanted)
        allocation = self.rule(capacity, tuple(requests))
        if not allocation.binds:
            return
        self.journal.decided("allocation", self.lead_firms.firms.ids[i], self.rule_name,
                             allocation, requested=float(total))
        for members, served in zip(groups, allocation.served, strict=True):
            left = served
            for link, units, n in members:
                qty = units / n
                fits = n if left >= units else min(n, int(left / qty + 1e-9))
                link.quota, link.quota_season = fits * qty, season
                left -= fits * qty

    def _requests(self, i: int, wanted: list[tuple[Link, float, int]]
                  ) -> tuple[list[list[tuple[Link, float, int]]], list[ChainRequest]]:
        """The firm's links grouped by chain (the buyer's market) and commitment, in the
        order first seen, each group one request with its units-weighted margin per unit:
        price less the firm's unit cost and the transport to that buyer."""
        lf = self.lead_firms
        site = lf.cluster_of[i]
        cost = tech_fn.unit_cost(site.wage, lf.firms.caps.item(i, PROCESS), lf.tech)
        keys: dict[tuple[str, bool], int] = {}
        groups: list[list[tuple[Link, float, int]]] = []
        sums: list[list[float]] = []  # units, units x margin
        for item in wanted:
            link, units, _ = item
            buyer = self.buyers[link.buyer]
            key = (chain_name(buyer.spec.market), link.governance in COMMITTED)
            if key not in keys:
                keys[key] = len(groups)
                groups.append([])
                sums.append([0.0, 0.0])
            g = keys[key]
            groups[g].append(item)
            margin = buyer.unit_price(link) - cost - buyer.transport(site)
            sums[g][0] += units
            sums[g][1] += units * margin
        requests = [ChainRequest(chain, s[0], s[1] / s[0], committed)
                    for (chain, committed), s in zip(keys, sums, strict=True)]
        return groups, requests
