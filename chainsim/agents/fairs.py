"""Trade fairs (H&S 4.2-4.3): exhibiting is costly, must be repeated, builds marketing
capability, brings contacts with new buyers, and may provoke the main buyer."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from chainsim.agents.clusters import SEVERITY
from chainsim.rules.fairs import FairView, attractiveness
from chainsim.technology import (
    DESIGN,
    MARKETING,
    PRODUCT,
    YEAR,
    shortfall_probabilities,
    shortfall_probability,
)

if TYPE_CHECKING:
    from chainsim.engine.world import World
    from chainsim.scenario.model import Fair

NEW_BUYER_MARGIN = 0.15
NEW_BUYER_YEARS = 3.0


class FairAgent:
    def __init__(self, world: World, index: int, spec: Fair):
        self.w = world
        self.index = index
        self.spec = spec
        self.id = spec.id
        self.history: deque[np.ndarray] = deque(maxlen=spec.repeat_memory)
        self.fair_buyers = [b for b in world.buyers if b.spec.arrival == "fair"]
        self.buyer_index = [b.index for b in self.fair_buyers]
        self.requirements = np.array([b.spec.quality_requirement for b in self.fair_buyers])

    def start(self) -> None:
        self.w.env.process(self.calendar())

    def calendar(self):
        """Hold the fair in each of its months, every year (twice a year by default)."""
        w = self.w
        start = w.scenario.simulation.start_year
        first = 0.0 if self.spec.from_year is None else (self.spec.from_year - start) * YEAR
        year = 0
        while True:
            for month in sorted(self.spec.months):
                when = year * YEAR + (month - 1) * YEAR / 12
                if when < first or when < w.env.now:
                    continue
                yield w.env.timeout(when - w.env.now)
                self.hold()
            year += 1

    def buyer_worth(self) -> np.ndarray:
        """What a new relationship with each fair buyer is worth to a supplier: its
        purchases shared with its other suppliers, at a margin, for a few years."""
        return np.array([b.spec.demand * b.spec.price / (1 + sum(lk.active for lk in b.links))
                         * NEW_BUYER_MARGIN * NEW_BUYER_YEARS for b in self.fair_buyers])

    def value_per_contact(self, firm: int, worth: np.ndarray) -> float:
        """Expected worth of one contact for this firm: only buyers it does not sell to yet
        are new, and a buyer whose requirement it cannot meet will not order."""
        if not self.fair_buyers:
            return 0.0
        w = self.w
        linked = {link.buyer for link in w.firm_links[firm] if link.active}
        tech = w.scenario.technology
        short = shortfall_probabilities(w.firms.caps[firm, PRODUCT], self.requirements, tech)
        value = 0.0  # summed in buyer order, as one buyer at a time would
        for index, v in zip(self.buyer_index, (worth * (1.0 - short)).tolist(), strict=True):
            if index not in linked:
                value += v
        return value / len(self.fair_buyers)

    def hold(self) -> None:
        w, f, spec = self.w, self.w.firms, self.spec
        recent = np.zeros(len(f), dtype=np.int32)
        for past in self.history:
            recent[past] += 1
        worth = self.buyer_worth()
        rule = w.rules.fair_entry
        exhibitors: list[int] = []
        by_cluster = np.zeros(len(w.clusters), dtype=np.int64)
        for cluster in w.clusters:
            if not cluster.active:
                continue
            discount = (spec.collective_discount
                        * max(cluster.spec.institutions.business_association, 0.5)
                        if cluster.collective_stand else 0.0)
            cost = spec.stand_cost * (1.0 - discount)
            for i in cluster.leads:
                i = int(i)
                main, share, _, _ = w.sales_profile(i)
                reaction = (w.buyers[main.buyer].reaction_probability(main, SEVERITY["fair"])
                            if main is not None else 0.0)
                decision = rule(FairView(
                    design=float(f.caps[i, DESIGN]), marketing=float(f.caps[i, MARKETING]),
                    recent_exhibitions=int(recent[i]), memory=spec.repeat_memory,
                    contact_rate=spec.contact_rate,
                    value_per_contact=self.value_per_contact(i, worth), stand_cost=cost,
                    reaction_probability=reaction, main_buyer_share=share,
                    annual_revenue=w.annual_revenue(i),
                    cash_available=float(f.cash[i] + w.scenario.technology.credit_line)))
                if not decision.exhibit:
                    continue
                exhibitors.append(i)
                by_cluster[cluster.index] += 1
                w.ledger.firm_to_world("fair", i, cost)
                w.log.add(w.env.now, "fair_entry", f.ids[i], w.scenario.rules.fair_entry,
                          fair=self.id, **decision.record())
                self._exhibit(i, int(recent[i]), decision.expected_contacts)
        self.history.append(np.asarray(exhibitors, dtype=np.int64))
        self._lapse()
        total = spec.background_exhibitors + int(by_cluster.sum())
        for cluster in w.clusters:
            w.recorder.fair_rows.append({
                "time": w.env.now, "fair": self.id, "cluster": cluster.index,
                "exhibitors": int(by_cluster[cluster.index]), "total": total})

    def _lapse(self) -> None:
        """Buyers met at this fair drift away from firms no longer seen there: presence
        must be repeated to count (H&S 4.3, "the investment is not a one-off")."""
        if len(self.history) < self.spec.repeat_memory:
            return
        seen = set(np.concatenate(list(self.history)).tolist())
        w = self.w
        for buyer in self.fair_buyers:
            for link in buyer.links:
                if link.active and link.met_at == self.id and link.firm not in seen:
                    link.active = False
                    link.share = 0.0
                    w.log.add(w.env.now, "link_lapsed", buyer.id, "fair_presence",
                              firm=w.firms.ids[link.firm], fair=self.id)

    def _exhibit(self, i: int, recent: int, expected: float) -> None:
        """Marketing capability grows with regular presence; contacts arrive; buyers watch."""
        w, f = self.w, self.w.firms
        spec = self.spec
        regular = attractiveness(1.0, 1.0, recent + 1, spec.repeat_memory)
        f.caps[i, MARKETING] = min(1.0, f.caps[i, MARKETING]
                                   + spec.marketing_gain * regular * (1.0 - f.caps[i, MARKETING]))
        for link in list(w.firm_links[i]):
            if link.active and w.buyers[link.buyer].spec.arrival != "fair":
                w.buyers[link.buyer].react(link, SEVERITY["fair"], "fair")
        if not self.fair_buyers:
            return
        rng = w.streams.get(f.ids[i], "fair_contacts")
        contacts = int(rng.poisson(expected))
        linked = {link.buyer for link in w.firm_links[i] if link.active}
        for _ in range(contacts):
            buyer = self.fair_buyers[int(rng.integers(len(self.fair_buyers)))]
            if buyer.index in linked:
                continue
            short = shortfall_probability(f.caps[i, PRODUCT], buyer.spec.quality_requirement,
                                          w.scenario.technology)
            if rng.random() < short:
                continue  # the buyer saw the collection and found it short of its needs
            linked.add(buyer.index)
            buyer.active = True
            link = w.add_link(buyer.index, i, "market", 1.0, buyer.spec.price, origin="fair")
            link.met_at = self.id
            w.log.add(w.env.now, "fair_contact", buyer.id, w.scenario.rules.fair_entry,
                      firm=f.ids[i], fair=self.id)
