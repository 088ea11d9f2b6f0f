"""Build everything a run needs from a validated scenario, and wire it together."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import simpy

from chainsim.agents.buyers import PAID_RUNG, BuyerAgent
from chainsim.agents.clusters import ClusterAgent
from chainsim.agents.fairs import FairAgent
from chainsim.agents.firms import FirmTable, expand_firms, spoke_map
from chainsim.agents.ledger import Ledger
from chainsim.agents.links import Link
from chainsim.agents.orders import OrderBook
from chainsim.agents.production import Production
from chainsim.randomness import Streams
from chainsim.results.records import DecisionLog, Recorder
from chainsim.rules import RULES
from chainsim.scenario.model import Buyer, Scenario


@dataclass(eq=False)
class World:
    scenario: Scenario
    env: simpy.Environment
    streams: Streams
    firms: FirmTable
    groups: dict[str, list[int]]
    spokes: list[list[int]]
    book: OrderBook
    ledger: Ledger
    log: DecisionLog
    recorder: Recorder

    def __post_init__(self) -> None:
        s = self.scenario
        # Set to a list to record (time, stage, order id, agent) for every order event;
        # the tests read it, runs leave it off.
        self.trace: list[tuple[float, str, int, str]] | None = None
        self.effects = dict(s.governance)
        self.rules = SimpleNamespace(**{field: RULES[field][name] for field, name in s.rules})
        self.links: list[Link] = []
        self.firm_links: list[list[Link]] = [[] for _ in range(len(self.firms))]
        entrants = {sh.cluster for sh in s.shocks if sh.kind == "entrant"}
        self.clusters = [ClusterAgent(self, c, spec, spec.id in entrants)
                         for c, spec in enumerate(s.clusters)]
        self.buyers: list[BuyerAgent] = []
        self.buyer_groups: dict[str, list[int]] = {}
        for spec in s.buyers:
            members = expand_buyers(spec)
            self.buyer_groups[spec.id] = list(range(len(self.buyers),
                                                    len(self.buyers) + len(members)))
            self.buyers += [BuyerAgent(self, len(self.buyers) + k, m)
                            for k, m in enumerate(members)]
        self.production = Production(self)
        for spec in s.links:
            firms = [i for target in spec.firms for i in self.groups[target]]
            for b in self.buyer_groups[spec.buyer]:
                for i in firms:
                    self.add_link(b, i, spec.governance, spec.share / len(firms),
                                  self.buyers[b].spec.price, origin="initial")
        self.fairs = [FairAgent(self, k, spec) for k, spec in enumerate(s.fairs)]

    def add_link(self, buyer: int, firm: int, governance: str, share: float, price: float,
                 origin: str) -> Link:
        """Start buying from a firm: a new link, or the old one revived if the pair has
        traded before (one relationship, so one governance type, per buyer and firm).
        Links are only ever added here, never removed (`ClusterAgent.linked` relies on it)."""
        for link in self.firm_links[firm]:
            if link.buyer == buyer:
                link.active, link.governance, link.share, link.price = (True, governance,
                                                                        share, price)
                link.origin, link.since = origin, self.env.now
                return link
        link = Link(len(self.links), buyer, firm, governance, share, price, self.env.now,
                    origin=origin)
        self.links.append(link)
        self.buyers[buyer].links.append(link)
        self.firm_links[firm].append(link)
        return link

    def annual_revenue(self, firm: int) -> float:
        """Sales over the last full year (the running year's, until one has passed)."""
        last = self.firms.revenue_last[firm]
        return float(last if last > 0.0 else self.firms.revenue_year[firm])

    def exporters(self) -> list[int]:
        """Lead firms of the clusters that are open for business: the scouting pool."""
        return [int(i) for c in self.clusters if c.active for i in c.leads]

    def sales_profile(self, firm: int) -> tuple[Link | None, float, float, float]:
        """The firm's main buyer link and its share of the firm's sales this year, and the
        shares of sales to chains that pay for supplier design and for own brands."""
        links = [link for link in self.firm_links[firm] if link.active]
        if not links:
            return None, 0.0, 0.0, 0.0
        revenue = [link.revenue_last for link in links]
        total = sum(revenue)
        if total <= 0.0:
            revenue = [link.revenue_year for link in links]
            total = sum(revenue)
        if total <= 0.0:
            weights = [link.share for link in links]
            total = sum(weights) or 1.0
            revenue = weights
        main = max(range(len(links)), key=revenue.__getitem__)
        design = brand = 0.0
        buyers = self.buyers
        for link, rev in zip(links, revenue, strict=True):
            paid = PAID_RUNG[buyers[link.buyer].spec.product_definition]
            if paid >= 2:  # the chain pays for supplier design (ODM) ...
                design += rev
                if paid >= 3:  # ... and buys own brands (OBM)
                    brand += rev
        return links[main], revenue[main] / total, design / total, brand / total


def expand_buyers(spec: Buyer) -> list[Buyer]:
    """A buyer group as its members, each with an equal part of the group's demand."""
    if spec.count == 1:
        return [spec]
    width = len(str(spec.count))
    return [spec.model_copy(update={"id": f"{spec.id}-{k + 1:0{width}d}", "count": 1,
                                    "demand": spec.demand / spec.count})
            for k in range(spec.count)]


def build_world(scenario: Scenario, replication: int = 0, seed: int | None = None) -> World:
    seed = scenario.simulation.seed if seed is None else seed
    streams = Streams(seed, replication)
    firms, groups = expand_firms(scenario, streams)
    env = simpy.Environment()
    n_buyers = sum(b.count for b in scenario.buyers)
    return World(
        scenario=scenario, env=env, streams=streams, firms=firms, groups=groups,
        spokes=spoke_map(scenario, firms, groups), book=OrderBook(),
        ledger=Ledger(firms.cash, n_buyers), log=DecisionLog(),
        recorder=Recorder(len(firms), len(scenario.clusters), n_buyers),
    )
