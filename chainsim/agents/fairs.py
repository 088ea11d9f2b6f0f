"""Trade fairs (H&S 4.2-4.3): exhibiting is costly, must be repeated, builds marketing
capability, brings contacts with new buyers, and may provoke the main buyer."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from chainsim.journal import WORLD, firm_account
from chainsim.rules.encroachment import SEVERITY, years_to_replace
from chainsim.rules.fairs import (
    Exposure,
    FairView,
    attractiveness,
    contact_worth,
    replacement_allowance,
)
from chainsim.technology import (
    DESIGN,
    MARKETING,
    PRODUCT,
    YEAR,
    shortfall_probabilities,
    shortfall_probability,
)

if TYPE_CHECKING:
    from types import SimpleNamespace

    import simpy

    from chainsim.agents.clusters import ClusterAgent
    from chainsim.agents.firms import FirmTable
    from chainsim.agents.links import Links
    from chainsim.agents.roles import Customer
    from chainsim.journal import Journal
    from chainsim.randomness import Streams
    from chainsim.scenario.model import Fair, Scenario

NEW_BUYER_MARGIN = 0.15
NEW_BUYER_YEARS = 3.0


class FairAgent:
    """A trade fair held in its months every year, with the buyers who come to it."""

    def __init__(self, index: int, spec: Fair, *, env: simpy.Environment, scenario: Scenario,
                 rules: SimpleNamespace, streams: Streams, firms: FirmTable, links: Links,
                 buyers: list[Customer], clusters: list[ClusterAgent], journal: Journal):
        self.index = index
        self.spec = spec
        self.id = spec.id
        self.env, self.scenario, self.rules, self.streams = env, scenario, rules, streams
        self.tech = scenario.technology
        self.firms, self.links, self.buyers, self.clusters = firms, links, buyers, clusters
        self.journal = journal
        self.history: deque[np.ndarray] = deque(maxlen=spec.repeat_memory)
        self.fair_buyers = [b for b in buyers if b.spec.arrival == "fair"]
        self.position = {b.index: k for k, b in enumerate(self.fair_buyers)}
        self.requirements = np.array([b.spec.quality_requirement for b in self.fair_buyers])
        # While a fair is held: each buyer's sum of active shares (Customer.active_share),
        # by buyer index, kept until the buyer cuts or ends a link in reaction to an
        # exhibitor (the only change to its links before the fair's contacts are taken
        # on), so the sum over a buyer's links is not redone for every exhibitor.
        self._totals: dict[int, float] | None = None

    def start(self) -> None:
        self.env.process(self.calendar())

    def calendar(self):
        """Hold the fair in each of its months, every year (twice a year by default)."""
        env = self.env
        start = self.scenario.simulation.start_year
        first = 0.0 if self.spec.from_year is None else (self.spec.from_year - start) * YEAR
        year = 0
        while True:
            for month in sorted(self.spec.months):
                when = year * YEAR + (month - 1) * YEAR / 12
                if when < first or when < env.now:
                    continue
                yield env.timeout(when - env.now)
                self.hold()
            year += 1

    def buyer_worth(self) -> np.ndarray:
        """What a new relationship with each fair buyer is worth to a supplier: the chance
        it takes the firm on (free slots and yearly turnover), its purchases through one
        supplier slot, at a margin, for a few years (rules/fairs.contact_worth)."""
        return np.array([contact_worth(b.spec.demand, b.spec.price,
                                       sum(lk.active for lk in b.links), NEW_BUYER_MARGIN,
                                       NEW_BUYER_YEARS, b.spec.supplier_slots, b.spec.turnover)
                         for b in self.fair_buyers])

    def value_per_contact(self, firm: int, worth: np.ndarray) -> float:
        """Expected worth of one contact for this firm: only buyers it does not sell to yet
        are new, and a buyer whose requirement it cannot meet will not order."""
        if not self.fair_buyers:
            return 0.0
        short = shortfall_probabilities(self.firms.caps[firm, PRODUCT], self.requirements,
                                        self.tech)
        value = worth * (1.0 - short)
        for link in self.links.of_firm[firm]:
            if link.active and link.buyer in self.position:
                value[self.position[link.buyer]] = 0.0
        return float(value.sum()) / len(self.fair_buyers)

    def hold(self) -> None:
        """Each open cluster's lead firms decide whether to exhibit (H&S 4.2-4.3)."""
        recent = np.zeros(len(self.firms), dtype=np.int32)
        for past in self.history:
            recent[past] += 1
        worth = self.buyer_worth()
        exhibitors: list[int] = []
        by_cluster = [0] * len(self.clusters)
        met: list[tuple[int, int]] = []
        self._totals = {}
        for cluster in self.clusters:
            if not cluster.active:
                continue
            cost = self.stand_cost(cluster)
            for i in cluster.exporters().tolist():
                if self._decide(i, int(recent[i]), cost, worth, cluster.index, met):
                    exhibitors.append(i)
                    by_cluster[cluster.index] += 1
        self._totals = None
        self._take_on(met)
        self.history.append(np.asarray(exhibitors, dtype=np.int64))
        self._lapse()
        self.journal.fair_held(self.id, by_cluster,
                               self.spec.background_exhibitors + sum(by_cluster))

    def _total(self, buyer: Customer) -> float:
        """The buyer's sum of active shares now (from `_totals` while the fair is held)."""
        totals = self._totals
        if totals is None:
            return buyer.active_share()
        total = totals.get(buyer.index)
        if total is None:
            total = totals[buyer.index] = buyer.active_share()
        return total

    def stand_cost(self, cluster: ClusterAgent) -> float:
        """A stand's cost, lower on the business association's collective stand (H&S 4.3:
        many firms "only manage to have a presence because their local business
        associations organise the operation")."""
        spec = self.spec
        discount = (spec.collective_discount
                    * max(cluster.spec.institutions.business_association, 0.5)
                    if cluster.collective_stand else 0.0)
        return spec.stand_cost * (1.0 - discount)

    def exposures(self, i: int) -> tuple[Exposure, ...]:
        """Each of the firm's buyers as it weighs a stand: the chance the buyer reacts (its
        link's governance now, its stake and the firm's dependence: rules/encroachment) and
        the firm's yearly sales to it. Buyers met at fairs buy the collections shown there
        and do not react."""
        out = []
        dependence = self.links.dependences(i)
        for link in self.links.of_firm[i]:
            if not link.active:
                continue
            buyer = self.buyers[link.buyer]
            p = (0.0 if buyer.spec.arrival == "fair"
                 else buyer.reaction_probability(link, SEVERITY["fair"], self._total(buyer),
                                                 dependence[link.id]))
            out.append(Exposure(p, link.revenue_last or link.revenue_year))
        return tuple(out)

    def presence_value(self, i: int) -> float:
        """The margin on a season's orders from the buyers the firm met at this fair (their
        demand, by the firm's share of it, at the link's price): they buy the collections
        shown on its stand (H&S 4.3), so showing the next one keeps them."""
        orders = 0.0
        for link in self.links.of_firm[i]:
            if link.active and link.met_at == self.id:
                buyer = self.buyers[link.buyer]
                orders += buyer.spec.demand * link.share / self._total(buyer) * link.price
        return orders * NEW_BUYER_MARGIN / len(self.spec.months)

    def _decide(self, i: int, recent: int, cost: float, worth: np.ndarray, cluster: int,
                met: list[tuple[int, int]]) -> bool:
        """One lead firm weighs a stand: the rule decides; an exhibitor pays and shows."""
        f, spec = self.firms, self.spec
        _, share, _, _ = self.links.sales_profile(i)
        marketing = float(f.caps[i, MARKETING])
        decision = self.rules.fair_entry(FairView(
            design=float(f.caps[i, DESIGN]), marketing=marketing,
            recent_exhibitions=recent, memory=spec.repeat_memory,
            contact_rate=spec.contact_rate,
            value_per_contact=self.value_per_contact(i, worth), stand_cost=cost,
            cash_available=float(f.cash[i] + self.tech.credit_line),
            exposures=self.exposures(i), margin=self.tech.supplier_margin,
            years_to_replace=years_to_replace(share, marketing),
            annual_revenue=f.annual_revenue(i), presence_value=self.presence_value(i)))
        if not decision.exhibit:
            return False
        self.journal.paid("fair", firm_account(i), WORLD, cost)
        self.journal.exhibited(self.id, i, cluster, self.scenario.rules.fair_entry, decision)
        self._exhibit(i, recent, decision.expected_contacts, met)
        return True

    def _lapse(self) -> None:
        """Buyers met at this fair drift away from firms no longer seen there: presence
        must be repeated to count (H&S 4.3, "the investment is not a one-off")."""
        if len(self.history) < self.spec.repeat_memory:
            return
        seen = set(np.concatenate(list(self.history)).tolist())
        for buyer in self.fair_buyers:
            for link in buyer.links:
                if link.active and link.met_at == self.id and link.firm not in seen:
                    link.active = False
                    link.share = 0.0
                    self.journal.decided("link_lapsed", buyer.id, "fair_presence",
                                         firm=self.firms.ids[link.firm], fair=self.id)

    def _exhibit(self, i: int, recent: int, expected: float,
                 met: list[tuple[int, int]]) -> None:
        """Marketing capability grows with regular presence; contacts arrive; buyers watch."""
        f, spec = self.firms, self.spec
        regular = attractiveness(1.0, 1.0, recent + 1, spec.repeat_memory)
        f.caps[i, MARKETING] = min(1.0, f.caps[i, MARKETING]
                                   + spec.marketing_gain * regular * (1.0 - f.caps[i, MARKETING]))
        # ... and so does the firm's own brand, which stays its own (agents/firms.py).
        f.brand[i] = min(1.0, f.brand[i] + spec.marketing_gain * regular * (1.0 - f.brand[i]))
        dependence = self.links.dependences(i)
        for link in list(self.links.of_firm[i]):
            buyer = self.buyers[link.buyer]
            if link.active and buyer.spec.arrival != "fair":
                before = (link.share, link.active)
                buyer.react(link, SEVERITY["fair"], "fair", self._total(buyer),
                            dependence[link.id])
                if (link.share, link.active) != before:  # the buyer cut or ended the link
                    if self._totals is not None:
                        self._totals.pop(buyer.index, None)
                    dependence = self.links.dependences(i)
        if self.fair_buyers:
            met.extend(self._meet_buyers(i, expected))

    def _meet_buyers(self, i: int, expected: float) -> list[tuple[int, int]]:
        """Contacts with the fair's buyers: the new buyers (position in `fair_buyers`, firm)
        that saw the firm's collection and found it meets their needs (H&S 4.3)."""
        f = self.firms
        rng = self.streams.get(f.ids[i], "fair_contacts")
        contacts = int(rng.poisson(expected))
        linked = {link.buyer for link in self.links.of_firm[i] if link.active}
        fits = []
        for _ in range(contacts):
            k = int(rng.integers(len(self.fair_buyers)))
            buyer = self.fair_buyers[k]
            if buyer.index in linked:
                continue
            short = shortfall_probability(f.caps[i, PRODUCT], buyer.spec.quality_requirement,
                                          self.tech)
            if rng.random() < short:
                continue  # the buyer saw the collection and found it short of its needs
            linked.add(buyer.index)
            fits.append((k, i))
        return fits

    def _take_on(self, met: list[tuple[int, int]]) -> None:
        """Each fair buyer takes on the suppliers it met at this fair whose collections
        fit, the best product first, while it has room (`_room`), and buys from them at
        arm's length. H&S 4.3 (after Tewari 1999): the Ludhiana exporters who found
        customers in Europe, East Asia and the US were those that "had developed
        capabilities to produce for these markets"; a buyer with room for a few newcomers
        chooses among all the collections it saw, not the first shown, so who gets the
        room does not depend on the order the firms are listed in."""
        f = self.firms
        by_buyer: dict[int, list[int]] = {}
        for k, i in met:
            by_buyer.setdefault(k, []).append(i)
        for k, firms in sorted(by_buyer.items()):
            buyer = self.fair_buyers[k]
            for i in sorted(firms, key=lambda i: (-float(f.caps[i, PRODUCT]), i)):
                if not self._room(buyer):
                    break  # its list is full and it has changed enough suppliers this year
                buyer.active = True
                link = self.links.add(buyer.index, i, "market", 1.0, buyer.spec.price,
                                      origin="fair")
                link.met_at = self.id
                link.since = self.env.now
                self.journal.decided("fair_contact", buyer.id, self.scenario.rules.fair_entry,
                                     firm=f.ids[i], fair=self.id)

    def _room(self, buyer: Customer) -> bool:
        """Whether a fair buyer takes on one more supplier. It spreads its purchases over
        at most `supplier_slots`; with the list full it replaces up to `turnover` of it a
        year, dropping the supplier it has had longest, so its orders are not split ever
        thinner as it meets more firms (H&S 4.3: collections change every season)."""
        spec = buyer.spec
        active = [link for link in buyer.links if link.active]
        if len(active) < spec.supplier_slots:
            return True
        now = self.env.now
        buyer.replacements = replacement_allowance(
            buyer.replacements, (now - buyer.replacements_at) / YEAR, spec.supplier_slots,
            spec.turnover)
        buyer.replacements_at = now
        if buyer.replacements < 1.0:
            return False
        buyer.replacements -= 1.0
        oldest = min(active, key=lambda link: (link.since, link.id))
        oldest.active = False
        oldest.share = 0.0
        self.journal.decided("supplier_replaced", buyer.id, "supplier_slots",
                             firm=self.firms.ids[oldest.firm], fair=self.id)
        return True
