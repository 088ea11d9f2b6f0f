"""Global buyers: seasonal ordering, scouting and price pressure, governance of their links.

A buyer's life is three processes that read like the paper: each season it orders from its
suppliers (MODEL.md 4); every scouting interval it searches other clusters for cheaper
sources and squeezes its incumbents' prices (H&S 3, 4.2); every review interval it
re-chooses the governance of each link and reallocates its orders (H&S 3, Table 4).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from chainsim import technology as tech_fn
from chainsim.agents.links import Link
from chainsim.randomness import uniform_draws
from chainsim.rules.encroachment import EncroachmentView
from chainsim.rules.governance import LinkView
from chainsim.rules.sourcing import Candidate
from chainsim.technology import DESIGN, PROCESS, PRODUCT, YEAR

if TYPE_CHECKING:
    from chainsim.agents.orders import Order
    from chainsim.engine.world import World
    from chainsim.scenario.model import Buyer

# The highest rung whose premium a buyer pays, by who defines the product: a buyer that
# defines the product buys production (full package), not the supplier's design or brand.
PAID_RUNG = {"buyer": 1, "joint": 2, "supplier": 3}
TEACH_TARGET_MARGIN = 0.2
# How strongly the buyer's target shares favour the cheapest effective cost: a supplier
# whose price-plus-expected-failure cost is 10% above the best gets e^-2 of its weight.
REALLOCATION_SPREAD = 0.05
DESIGN_TARGET = 0.8


class BuyerAgent:
    def __init__(self, world: World, index: int, spec: Buyer):
        self.w = world
        self.index = index
        self.spec = spec
        self.id = spec.id
        self.links: list[Link] = []
        self.active = spec.arrival == "initial"
        self.demand_factor = 1.0
        self.codifiability = spec.codifiability
        self.loss_total = 0.0
        self._inspection: Iterator[float] | None = None  # the inspection stream, on first use

    def start(self) -> None:
        env = self.w.env
        env.process(self.ordering())
        env.process(self.reviewing())
        if self.spec.scouting.enabled:
            env.process(self.sourcing())

    # -- seasonal ordering ------------------------------------------------------------

    def ordering(self):
        """Each season: split the season's demand over the active links, in orders."""
        w, spec = self.w, self.spec
        seasons = w.scenario.simulation.seasons_per_year
        weights = np.asarray(spec.seasonality or (1.0,) * seasons, dtype=float)
        weights = (weights / weights.sum()).tolist()
        season_days = YEAR / seasons
        season = 0
        while True:
            demand = spec.demand * self.demand_factor * weights[season]
            if self.active and demand > 0.0:
                self._place_orders(demand)
                self._govern(1.0 / seasons)
            season = (season + 1) % seasons
            yield w.env.timeout(season_days)

    def _place_orders(self, demand: float) -> None:
        spec, f = self.spec, self.w.firms
        links = [link for link in self.links if link.active and link.share > 0.0]
        total = sum(link.share for link in links)
        if total <= 0.0:
            return
        receive = self.w.production.receive
        tech = self.w.scenario.technology
        premium, services_premium = tech.rung_premium, tech.services_premium
        paid_rung = PAID_RUNG[spec.product_definition]
        order_size, requirement, lead_time = (spec.order_size, spec.quality_requirement,
                                              spec.lead_time_days)
        caps, rungs, services = f.caps, f.rung, f.services
        for link in links:
            qty = demand * link.share / total
            n = max(1, round(qty / order_size))
            i = link.firm
            extra = premium[min(int(rungs[i]), paid_rung)] + (services_premium if services[i]
                                                             else 0.0)
            price = tech_fn.unit_value(link.price, caps.item(i, PRODUCT), requirement, extra,
                                       tech)
            link.placed += n
            receive(link, qty / n, price, lead_time, n)

    def _govern(self, year_fraction: float) -> None:
        """Pay for monitoring and invest in suppliers as each link's governance requires.

        The buyer teaches what it needs from the supplier (H&S 2.2, 4.2): process and
        product up to its requirements; design only where it defines the product jointly.
        """
        w, spec, f = self.w, self.spec, self.w.firms
        for link in self.links:
            if not link.active:
                continue
            effects = w.effects[link.governance]
            if effects.monitoring > 0.0:
                w.ledger.buyer_to_world("monitoring", self.index,
                                        effects.monitoring * spec.monitoring_cost * year_fraction)
            if effects.investment <= 0.0 or not effects.teaches:
                continue
            i = link.firm
            gaps = {}
            if "process" in effects.teaches:
                gaps[PROCESS] = spec.process_requirement + TEACH_TARGET_MARGIN - f.caps[i, PROCESS]
            if "product" in effects.teaches:
                gaps[PRODUCT] = spec.quality_requirement + TEACH_TARGET_MARGIN - f.caps[i, PRODUCT]
            if "design" in effects.teaches:
                gaps[DESIGN] = DESIGN_TARGET - f.caps[i, DESIGN]
            gaps = {k: g for k, g in gaps.items() if g > 0.0}
            if not gaps:
                continue
            money = spec.capability_investment * effects.investment * year_fraction
            w.ledger.buyer_to_world("buyer_investment", self.index, money)
            link.sunk += money
            closed = 1.0 - math.exp(-w.scenario.technology.absorption * money)
            for k, gap in gaps.items():
                f.caps[i, k] = min(1.0, f.caps[i, k] + closed * gap)

    # -- inspection on arrival ----------------------------------------------------------

    def inspect(self, order: Order) -> None:
        """Inspect a shipment: pay for it, or book the loss and charge the supplier a penalty."""
        w, spec = self.w, self.spec
        link = order.link
        i = link.firm
        tech = w.scenario.technology
        if self._inspection is None:
            self._inspection = uniform_draws(w.streams.get(self.id, "inspection"))
        short = tech_fn.shortfall_probability(w.firms.caps.item(i, PRODUCT),
                                              spec.quality_requirement, tech)
        lateness = w.env.now - order.due
        failed = (order.defective or next(self._inspection) < short
                  or lateness > tech.late_tolerance_days)
        book = w.book
        if lateness > 0:
            book.late += 1
        link.inspected(failed, min(0.95, w.effects[link.governance].failure_prevention))
        c = w.firms.cluster_of[i]
        b = self.index
        qty = order.qty
        value = qty * order.price
        flows = w.recorder.cluster_flows
        bflows = w.recorder.buyer_flows
        if w.trace is not None:
            w.trace.append((w.env.now, "failed" if failed else "delivered", order.id, self.id))
        if failed:
            book.failed += 1
            flows["failed"][c] += 1
            bflows["failed"][b] += 1
            w.ledger.buyer_to_world("failure_loss", b, spec.loss_per_failed_order)
            w.ledger.firm_to_buyer("penalty", i, b, tech.penalty_rate * value)
            self.loss_total += spec.loss_per_failed_order
            return
        book.delivered += 1
        retail = qty * spec.retail_price
        w.ledger.world_to_buyer("retail_sales", b, retail)
        w.ledger.buyer_to_firm("buyer_payment", b, i, value)
        f = w.firms
        f.units_period[i] += qty
        f.units_year[i] += qty
        f.cum_units[i] += qty
        f.revenue_period[i] += value
        f.revenue_year[i] += value
        link.units_period += qty
        link.value_period += value
        link.revenue_year += value
        flows["units"][c] += qty
        flows["value"][c] += value
        flows["delivered"][c] += 1
        flows["retail_value"][c] += retail
        bflows["units"][b] += qty
        bflows["value"][b] += value
        bflows["delivered"][b] += 1
        if link.origin == "scouting":
            flows["scouted_units"][c] += qty
            bflows["scouted_units"][b] += qty

    # -- scouting and price pressure ----------------------------------------------------

    def sourcing(self):
        """Scout other clusters, build up cheaper sources, squeeze incumbents (H&S 3, 4.2)."""
        w, spec = self.w, self.spec
        scouting = spec.scouting
        rule = w.rules.sourcing
        rng = w.streams.get(self.id, "scouting")
        while True:
            yield w.env.timeout(scouting.interval_years * YEAR)
            if not self.active or self.demand_factor <= 0.0:
                continue
            w.ledger.buyer_to_world("scouting", self.index, scouting.cost)
            reference = self.reference_price()
            candidates = self._candidates(rng)
            decision = rule.scout(candidates, reference, scouting.noise, scouting.threshold, rng)
            w.log.add(w.env.now, "scouting", self.id, w.scenario.rules.sourcing,
                      **decision.record())
            if decision.firm is not None and decision.adopt:
                self._adopt(decision.firm, decision.observed_cost)
            scouted = None if decision.firm is None else (
                decision.observed_cost,
                w.production.failure_probability(decision.firm, spec.quality_requirement))
            self._renegotiate(rule, scouted)

    def reference_price(self) -> float:
        links = [link for link in self.links if link.active and link.share > 0.0]
        if not links:
            return self.spec.price
        return sum(link.price * link.share for link in links) / sum(link.share for link in links)

    def landed_cost(self, firm: int) -> float:
        """The base price at which a firm could supply this buyer and cover its costs."""
        w, f = self.w, self.w.firms
        cluster = w.clusters[f.cluster[firm]]
        tech = w.scenario.technology
        rung = min(int(f.rung[firm]), PAID_RUNG[self.spec.product_definition])
        cost = tech_fn.unit_cost(cluster.wage, f.caps[firm, PROCESS], tech)
        cost = (cost + cluster.transport_cost) * (1.0 + tech.supplier_margin)
        return cost / (1.0 + tech.rung_premium[rung])

    def _candidates(self, rng: np.random.Generator) -> list[Candidate]:
        """Exporting firms in clusters the buyer does not yet source from (H&S 3, 4.2)."""
        w = self.w
        home = {int(w.firms.cluster[link.firm]) for link in self.links if link.active}
        pool = [i for i in w.exporters() if int(w.firms.cluster[i]) not in home]
        n = self.spec.scouting.candidates
        if n < len(pool):
            pool = sorted(rng.choice(pool, size=n, replace=False).tolist())
        req = self.spec.quality_requirement
        return [Candidate(i, self.landed_cost(i), w.production.failure_probability(i, req))
                for i in pool]

    def _adopt(self, firm: int, cost: float) -> None:
        """Start buying from a new source: a pilot share, governance by the buyer's rule."""
        w = self.w
        # A new supplier starts under the buyer's usual governance; the rule then decides.
        usual = [link.governance for link in self.links if link.active]
        start = max(set(usual), key=usual.count) if usual else "market"
        link = w.add_link(self.index, firm, start, self.spec.scouting.pilot_share, cost,
                          origin="scouting")
        decision = self.choose_governance(link)
        link.governance = decision.governance
        w.log.add(w.env.now, "supplier_added", self.id, w.scenario.rules.sourcing,
                  firm=w.firms.ids[firm], price=cost, governance=decision.governance,
                  expected_loss=decision.expected_loss)

    def estimated_failure(self, link: Link) -> float:
        return link.failure_record(self.w.production.failure_probability(
            link.firm, self.spec.quality_requirement))

    def _best_alternative(self, scouted: tuple[float, float] | None) -> tuple[float, float]:
        """The cheapest source outside the incumbents, failures priced in: a candidate just
        scouted, or a supplier the buyer has been building up."""
        loss_per_unit = self.spec.loss_per_failed_order / self.spec.order_size
        options = [(link.price, self.estimated_failure(link)) for link in self.links
                   if link.active and link.origin == "scouting"]
        if scouted is not None:
            options.append(scouted)
        if not options:
            return math.inf, 0.0
        return min(options, key=lambda o: o[0] + loss_per_unit * o[1])

    def _renegotiate(self, rule, scouted: tuple[float, float] | None) -> None:
        """Offer incumbents the best alternative's landed cost plus a reliability premium."""
        w, spec = self.w, self.spec
        loss_per_unit = spec.loss_per_failed_order / spec.order_size
        alt_cost, alt_failure = self._best_alternative(scouted)
        if not math.isfinite(alt_cost):
            return
        for link in self.links:
            if not link.active or link.origin == "scouting" or link.share <= 0.0:
                continue
            offer = rule.offer_price(link.price, alt_cost, self.estimated_failure(link),
                                     alt_failure, loss_per_unit,
                                     spec.scouting.reliability_premium)
            if offer.price >= link.price:
                continue
            floor = self.landed_cost(link.firm) / (1.0 + w.scenario.technology.supplier_margin)
            # The incumbent accepts down to its cost; below that it holds at cost and the
            # buyer moves part of its orders elsewhere ("accept less or lose share").
            accepted = offer.price >= floor
            new_price = max(offer.price, min(floor, link.price))
            w.log.add(w.env.now, "price_renegotiation", self.id, w.scenario.rules.sourcing,
                      firm=w.firms.ids[link.firm], old_price=link.price, new_price=new_price,
                      accepted=accepted, floor=floor, **offer.record())
            link.price = new_price
            if not accepted:
                cut = w.effects[link.governance].share_flexibility * link.share
                link.share -= cut
                w.log.add(w.env.now, "share_shift", self.id, w.scenario.rules.sourcing,
                          firm=w.firms.ids[link.firm], cut=cut, reason="price below cost")

    # -- governance review --------------------------------------------------------------

    def reviewing(self):
        """Periodically re-choose each link's governance and reallocate order shares."""
        w = self.w
        while True:
            yield w.env.timeout(self.spec.review_interval_years * YEAR)
            if not self.active:
                continue
            for link in self.links:
                if not link.active:
                    continue
                decision = self.choose_governance(link)
                changed = decision.governance != link.governance
                w.log.add(w.env.now, "governance", self.id, w.scenario.rules.governance,
                          firm=w.firms.ids[link.firm], previous=link.governance,
                          changed=changed, **decision.record())
                link.governance = decision.governance
                link.design_seen = float(w.firms.caps[link.firm, DESIGN])
            self._reallocate()

    def choose_governance(self, link: Link):
        w, spec, f = self.w, self.spec, self.w.firms
        i = link.firm
        prior = w.production.failure_probability(i, spec.quality_requirement)
        cluster = w.clusters[f.cluster[i]]
        # A reputable cluster vouches for its firms (H&S Table 4, market relations).
        prior *= 1.0 - 0.5 * cluster.reputation
        effects = w.effects
        view = LinkView(
            product_definition=spec.product_definition,
            proprietary_technology=spec.proprietary_technology,
            failure_probability=link.failure_record(prior),
            orders_per_year=max(link.share, spec.scouting.pilot_share) * spec.demand
            * self.demand_factor / spec.order_size,
            loss_per_failed_order=spec.loss_per_failed_order,
            monitoring_cost=spec.monitoring_cost,
            capability_investment=spec.capability_investment,
            ownership_cost=spec.ownership_cost,
            failure_prevention_qh=effects["quasi_hierarchy"].failure_prevention,
            failure_prevention_network=effects["network"].failure_prevention,
            supplier_competence=float(min(f.caps[i, PROCESS], f.caps[i, PRODUCT])),
            supplier_design=float(f.caps[i, DESIGN]),
            design_advantage=float(f.caps[i, DESIGN] - cluster.typical_design),
            design_progress=float(f.caps[i, DESIGN] - link.design_seen),
            transaction_complexity=spec.transaction_complexity,
            codifiability=self.codifiability,
            current=link.governance,
        )
        return w.rules.governance(view)

    def _reallocate(self) -> None:
        """Move order share toward the cheapest supplier once failures are priced in."""
        w, spec = self.w, self.spec
        links = [link for link in self.links if link.active]
        if len(links) < 2:
            return
        loss_per_unit = spec.loss_per_failed_order / spec.order_size
        costs = np.array([link.price + loss_per_unit * self.estimated_failure(link)
                          for link in links])
        # Cheaper suppliers get more, in proportion to what they can make.
        size = np.array([w.firms.capacity[link.firm] for link in links])
        target = size * np.exp(-(costs - costs.min()) / (REALLOCATION_SPREAD * costs.min()))
        target /= target.sum()
        total = sum(link.share for link in links) or 1.0
        for link, goal, cost in zip(links, target, costs, strict=True):
            old = link.share / total
            if link.placed and link.refused / link.placed > 0.05:
                # A supplier that turns orders away cannot take more (capacity).
                goal = min(goal, old * (1.0 - 0.5 * link.refused / link.placed))
            new = old + w.effects[link.governance].share_flexibility * (goal - old)
            if abs(new - old) > 0.01:
                w.log.add(w.env.now, "share_shift", self.id, w.scenario.rules.sourcing,
                          firm=w.firms.ids[link.firm], old_share=old, new_share=new,
                          effective_cost=float(cost), refused=link.refused,
                          reason="reallocation")
            link.share = new
            link.placed = link.refused = 0

    # -- encroachment -------------------------------------------------------------------

    def react(self, link: Link, severity: float, what: str) -> None:
        """A supplier moved into design or branding: the buyer's rule decides the reaction."""
        w = self.w
        view = EncroachmentView(self.spec.product_definition,
                                self.spec.encroachment_sensitivity, link.sunk,
                                w.scenario.technology.stake_scale, severity)
        reaction = w.rules.encroachment(view, w.streams.get(self.id, "encroachment"))
        w.log.add(w.env.now, "encroachment", self.id, w.scenario.rules.encroachment,
                  firm=w.firms.ids[link.firm], trigger=what, **reaction.record())
        if reaction.action == "end_link":
            link.active = False
            link.share = 0.0
        elif reaction.action == "cut_share":
            link.share *= 1.0 - reaction.share_cut

    def reaction_probability(self, link: Link, severity: float) -> float:
        from chainsim.rules.encroachment import reaction_probability

        return reaction_probability(EncroachmentView(
            self.spec.product_definition, self.spec.encroachment_sensitivity, link.sunk,
            self.w.scenario.technology.stake_scale, severity))
