"""Global buyers: seasonal ordering, scouting and price pressure, governance of their links.

A buyer's life is three processes that read like the paper: each season it orders from its
suppliers (H&S 4.2); every scouting interval it searches other clusters for cheaper
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
from chainsim.journal import WORLD, buyer_account
from chainsim.randomness import uniform_draws
from chainsim.rules import requirements as req_fn
from chainsim.rules.chains import paid_premium
from chainsim.rules.encroachment import EncroachmentView, reaction_probability
from chainsim.rules.governance import LinkView, with_hysteresis
from chainsim.rules.ladder import brand_room
from chainsim.rules.sourcing import Candidate
from chainsim.rules.stake import depreciate
from chainsim.rules.teaching import TeachingPlan, TeachingView
from chainsim.rules.teaching import by_governance as teach
from chainsim.technology import CAPABILITIES, DESIGN, PROCESS, PRODUCT, YEAR

if TYPE_CHECKING:
    from types import SimpleNamespace

    import simpy

    from chainsim.agents.firms import FirmTable
    from chainsim.agents.lead_firms import LeadFirms
    from chainsim.agents.links import Links
    from chainsim.agents.orders import Order
    from chainsim.agents.roles import Site
    from chainsim.journal import Journal
    from chainsim.randomness import Streams
    from chainsim.scenario.model import Buyer, Scenario

CAPABILITY_INDEX = {name: k for k, name in enumerate(CAPABILITIES)}
NO_TEACHING = TeachingPlan(0.0, {})
# How strongly the buyer's target shares favour the cheapest effective cost: a supplier
# whose price-plus-expected-failure cost is 10% above the best gets e^-2 of its weight.
REALLOCATION_SPREAD = 0.05
# Kept lines' lead time and order size shrink at most to half the file's (a choice: a
# season's collection still needs some weeks and some volume per style).
PACE_FLOOR = 0.5


class BuyerAgent:
    """A global buyer (retailer, marketer or branded manufacturer) and its links."""

    def __init__(self, index: int, spec: Buyer, *, env: simpy.Environment, scenario: Scenario,
                 rules: SimpleNamespace, streams: Streams, firms: FirmTable, links: Links,
                 lead_firms: LeadFirms, clusters: list[Site], journal: Journal):
        self.index = index
        self.spec = spec
        self.id = spec.id
        self.env, self.scenario, self.rules, self.streams = env, scenario, rules, streams
        self.tech = scenario.technology
        self.effects = dict(scenario.governance)
        # Inspection credits governance with at most 95% of the failures it prevents.
        self._prevented = {g: min(0.95, e.failure_prevention) for g, e in self.effects.items()}
        self.firms, self.registry, self.lead_firms = firms, links, lead_firms
        self.clusters, self.journal = clusters, journal
        self.account = buyer_account(index)
        self.links: list[Link] = links.of_buyer[index]
        self.active = spec.arrival == "initial"
        self.demand_factor = 1.0
        self.codifiability = spec.codifiability
        self.loss_total = 0.0
        self.brands = spec.buys_brands
        self.designs = spec.buys_designs
        # A fair buyer replaces up to `turnover` of its supplier list a year (agents/fairs.py)
        self.replacements = max(1.0, spec.turnover * spec.supplier_slots)
        self.replacements_at = 0.0
        self.ladder = tech_fn.ladder_of(self.tech)
        # How many own brands this buyer's market takes (H&S 4.4, footnote 27): the demand
        # it resells under suppliers' brands over what a typical exporter sells a year.
        self.brand_slots = self._brand_slots()
        self.standards: dict[str, tuple[float, float]] = {}  # name -> quality, process floors
        # Requirements move (H&S 3, 4.2): on the lines kept with the incumbents they rise
        # with non-price competition and jump when competition arrives; the standard line,
        # on which the buyer buys from sources found by scouting, keeps the product's grade.
        self.standard = (spec.quality_requirement, spec.process_requirement)
        self.kept = self.standard
        # Kept lines' lead time and order size as a share of the file's: faster and
        # smaller batches (H&S 4.2: "reducing batch size and increasing speed").
        self.pace = 1.0
        self.competition = False
        self._inspection: Iterator[float] | None = None  # the inspection stream, on first use
        # Shipping to this buyer: its own cost where the supplier cluster's does not fit
        # (a domestic buyer), else the cluster's (`transport`).
        self.transport_cost = spec.transport_cost
        seasons = scenario.simulation.seasons_per_year
        weights = np.asarray(spec.seasonality or (1.0,) * seasons, dtype=float)
        self.weights = (weights / weights.sum()).tolist()
        self.season_days = YEAR / seasons
        self._plan: tuple[int, float, float] = (-1, 0.0, 0.0)  # season, demand, total share
        self.room = 1.0  # the own-brand room at its last orders (`_brand_room`)

    def start(self) -> None:
        self.env.process(self.ordering())
        self.env.process(self.reviewing())
        if self.spec.scouting.enabled:
            self.env.process(self.sourcing())

    # -- seasonal ordering ------------------------------------------------------------

    def ordering(self):
        """Each season: split the season's demand over the active links, in orders."""
        spec = self.spec
        seasons = self.scenario.simulation.seasons_per_year
        weights, season_days = self.weights, self.season_days
        season = 0
        while True:
            demand = spec.demand * self.growth() * self.demand_factor * weights[season]
            if self.active and demand > 0.0:
                self._place_orders(demand)
                self._govern(1.0 / seasons)
            season = (season + 1) % seasons
            yield self.env.timeout(season_days)

    def growth(self) -> float:
        """How far the buyer's volumes have grown since the start: `demand_growth` a year
        until `demand_growth_until` (H&S 4.2: "The external buyers looked for much larger
        volumes of standardised products, which led to the growth of large firms")."""
        rate = self.spec.demand_growth
        if rate == 0.0:
            return 1.0
        start = self.scenario.simulation.start_year
        until = self.spec.demand_growth_until
        years = self.env.now / YEAR
        if until is not None:
            years = min(years, max(0.0, until - start))
        return (1.0 + rate) ** years

    def _place_orders(self, demand: float) -> None:
        spec = self.spec
        links = [link for link in self.links if link.active and link.share > 0.0]
        total = sum(link.share for link in links)
        if total <= 0.0:
            return
        receive = self.lead_firms.receive
        self.room = room = self._brand_room(links) if self.brands > 0.0 else 1.0
        for link in links:
            pace = 1.0 if link.origin == "scouting" else self.pace
            order_size, lead_time = spec.order_size * pace, spec.lead_time_days * pace
            qty = demand * link.share / total
            n = max(1, round(qty / order_size))
            receive(link, qty / n, self.unit_price(link, room), lead_time, n)

    def unit_price(self, link: Link, room: float | None = None) -> float:
        """What this buyer pays a unit on the link now: the agreed price with the premium
        of the supplier's rung its governance pays for (an own brand's in the room its
        market leaves, `_brand_room`; by default as at its last orders), services, and
        quality above need."""
        f, tech = self.firms, self.tech
        i = link.firm
        room = self.room if room is None else room
        extra = paid_premium(link.governance, int(f.rung[i]), self.ladder, self.brands, room,
                             self.designs) + (
            tech.services_premium if f.services[i] else 0.0)
        return tech_fn.unit_value(link.price, f.caps.item(i, PRODUCT), self.requirement(link)[0],
                                  extra, tech)

    def season_request(self, link: Link) -> tuple[float, int]:
        """The units this buyer orders on the link in the season starting now, and in how
        many orders, as `_place_orders` will split them: what a supplier sharing its
        capacity among its chains plans with (H&S 2.2, 4.3)."""
        season = int(self.env.now / self.season_days + 0.5)
        if self._plan[0] != season:
            spec = self.spec
            demand = (spec.demand * self.demand_factor * self.weights[season % len(self.weights)]
                      if self.active else 0.0)
            total = sum(other.share for other in self.links if other.active and other.share > 0.0)
            self._plan = (season, demand, total)
        _, demand, total = self._plan
        if demand <= 0.0 or total <= 0.0 or not link.active or link.share <= 0.0:
            return 0.0, 0
        qty = demand * link.share / total
        pace = 1.0 if link.origin == "scouting" else self.pace
        return qty, max(1, round(qty / (self.spec.order_size * pace)))

    def lead_time(self, link: Link) -> float:
        """Days from order to due date on the link (kept lines speed up, `pace`)."""
        return self.spec.lead_time_days * (1.0 if link.origin == "scouting" else self.pace)

    def transport(self, site: Site) -> float:
        """Transport cost per unit from a cluster to this buyer."""
        own = self.transport_cost
        return site.transport_cost if own is None else own

    def _brand_slots(self) -> float:
        """Own brands the buyer's market takes: its branded demand (demand x buys_brands)
        over the median lead firm's yearly output at full capacity (a choice)."""
        f = self.firms
        capacity = f.capacity[f.lead] if f.lead.any() else f.capacity
        output = float(np.median(capacity)) * tech_fn.speed(1.0, 0.5) * YEAR
        return self.spec.demand * self.brands / max(output, 1e-9)

    def _brand_room(self, links: list[Link]) -> float:
        """The share of the own-brand premium each of the brands the buyer buys gets: the
        premium is shared once the brands outnumber the market's slots; a new brand's
        room is put where the firms weighing one can see it (`Links.brand_room`)."""
        top = self.ladder.brand_rung
        rungs = self.firms.rung
        brands = sum(1 for link in links if rungs[link.firm] >= top)
        self.registry.brand_room[self.index] = brand_room(brands, self.brand_slots)
        return brand_room(max(0, brands - 1), self.brand_slots)

    def _govern(self, year_fraction: float) -> None:
        """Pay for monitoring and teach suppliers as each link's governance now requires.

        What is taught and how hard is the teaching rule's (rules/teaching.py, H&S 2.2,
        3, 4.2): production up to the buyer's current requirements wherever the
        governance invests, design too in a network, more money when the gap is large.
        """
        spec, f, paid = self.spec, self.firms, self.journal.paid
        tech = self.tech
        for link in self.links:
            if not link.active:
                continue
            effects = self.effects[link.governance]
            if effects.monitoring > 0.0:
                paid("monitoring", self.account, WORLD,
                     effects.monitoring * spec.monitoring_cost * year_fraction)
            plan = (teach(self._teaching_view(link, effects.investment, year_fraction))
                    if effects.investment > 0.0 else NO_TEACHING)
            # What the buyer taught fades from its stake as it diffuses (H&S 4.1, 4.4).
            link.stake = depreciate(link.stake, plan.money, year_fraction,
                                    tech.stake_depreciation).stake
            if plan.money <= 0.0:
                continue
            paid("buyer_investment", self.account, WORLD, plan.money)
            link.sunk += plan.money
            i = link.firm
            taught = 0.0
            for name, gain in plan.gains.items():
                k = CAPABILITY_INDEX[name]
                before = f.caps[i, k]
                f.caps[i, k] = min(1.0, before + gain)
                taught += f.caps[i, k] - before
            # Buyer-supplier co-operation, bilateral (H&S 2.1: relationships with external
            # buyers "had become closer"), as capability passed on.
            self.journal.cooperated(f.cluster_of[i], bilateral=float(taught))

    def _teaching_view(self, link: Link, share: float, year_fraction: float) -> TeachingView:
        caps, i = self.firms.caps, link.firm
        quality, process = self.requirement(link)
        return TeachingView(link.governance, share, self.spec.capability_investment,
                            year_fraction, quality, process, float(caps[i, PROCESS]),
                            float(caps[i, PRODUCT]), float(caps[i, DESIGN]),
                            self.tech.absorption)

    # -- inspection on arrival ----------------------------------------------------------

    def inspect(self, order: Order) -> None:
        """Inspect a shipment: pay for it, or book the loss and charge the supplier a penalty."""
        spec, tech, journal = self.spec, self.tech, self.journal
        link = order.link
        i = link.firm
        if self._inspection is None:
            self._inspection = uniform_draws(self.streams.get(self.id, "inspection"))
        prevented = self._prevented[link.governance]
        caps = self.firms.caps
        quality, process = self.standard if link.origin == "scouting" else self.kept
        # The product short of the quality asked, or the process of the speed and batch.
        short = 1.0 - ((1.0 - tech_fn.shortfall_probability(caps.item(i, PRODUCT), quality, tech))
                       * (1.0 - tech_fn.process_shortfall_probability(caps.item(i, PROCESS),
                                                                      process, tech)))
        # A buyer-defined specification misread, unless tight governance averts it.
        short = req_fn.failure_with_specification(short, self.specification_risk(i), prevented)
        lateness = self.env.now - order.due
        failed = (order.defective or next(self._inspection) < short
                  or lateness > tech.late_tolerance_days)
        link.inspected(failed, prevented)
        c = self.firms.cluster_of[i]
        value = order.qty * order.price
        if failed:
            journal.failed(order, c, lateness, short, spec.loss_per_failed_order,
                           tech.penalty_rate * value)
            self.loss_total += spec.loss_per_failed_order
            return
        journal.delivered(order, c, lateness, value, order.qty * spec.retail_price)

    # -- scouting and price pressure ----------------------------------------------------

    def sourcing(self):
        """Scout other clusters, build up cheaper sources, squeeze incumbents (H&S 3, 4.2)."""
        spec = self.spec
        scouting = spec.scouting
        rule = self.rules.sourcing
        rng = self.streams.get(self.id, "scouting")
        while True:
            yield self.env.timeout(scouting.interval_years * YEAR)
            if not self.active or self.demand_factor <= 0.0:
                continue
            self.journal.paid("scouting", self.account, WORLD, scouting.cost)
            reference = self.reference_price()
            candidates = self._candidates(rng)
            decision = rule.scout(candidates, reference, scouting.noise, scouting.threshold, rng)
            self.journal.decided("scouting", self.id, self.scenario.rules.sourcing, decision)
            if decision.firm is not None and decision.adopt:
                self._adopt(decision.firm, decision.observed_cost)
            scouted = None if decision.firm is None else (
                decision.observed_cost,
                self.lead_firms.failure_probability(decision.firm, self.standard))
            self._renegotiate(rule, scouted)

    def reference_price(self) -> float:
        links = [link for link in self.links if link.active and link.share > 0.0]
        if not links:
            return self.spec.price
        return sum(link.price * link.share for link in links) / sum(link.share for link in links)

    def landed_cost(self, firm: int) -> float:
        """The base price at which a firm could supply this buyer and cover its costs: its
        cost, less the premium the buyer would pay it under its usual governance."""
        f, tech = self.firms, self.tech
        cluster = self.clusters[f.cluster[firm]]
        premium = paid_premium(self.usual_governance(), int(f.rung[firm]), self.ladder,
                               self.brands, buys_designs=self.designs)
        cost = tech_fn.unit_cost(cluster.wage, f.caps[firm, PROCESS], tech)
        cost = (cost + self.transport(cluster)) * (1.0 + tech.supplier_margin)
        return cost / (1.0 + premium)

    def _candidates(self, rng: np.random.Generator) -> list[Candidate]:
        """Exporting firms in clusters the buyer does not yet source from (H&S 3, 4.2)."""
        cluster_of = self.firms.cluster
        home = {int(cluster_of[link.firm]) for link in self.links if link.active}
        exporters = [int(i) for c in self.clusters if c.active for i in c.exporters()]
        pool = [i for i in exporters if int(cluster_of[i]) not in home]
        n = self.spec.scouting.candidates
        if n < len(pool):
            pool = sorted(rng.choice(pool, size=n, replace=False).tolist())
        req = self.standard
        return [Candidate(i, self.landed_cost(i), self.lead_firms.failure_probability(i, req))
                for i in pool]

    def _adopt(self, firm: int, cost: float) -> None:
        """Start buying from a new source: a pilot share, governance by the buyer's rule."""
        # A new supplier starts under the buyer's usual governance; the rule then decides.
        start = self.usual_governance()
        if self.clusters[self.firms.cluster_of[firm]].entrant and not self.competition:
            self._compete()
        link = self.registry.add(self.index, firm, start, self.spec.scouting.pilot_share, cost,
                                 origin="scouting")
        decision = self.choose_governance(link)
        link.governance = decision.governance
        self.journal.decided("supplier_added", self.id, self.scenario.rules.sourcing,
                             firm=self.firms.ids[firm], price=cost,
                             governance=decision.governance,
                             expected_loss=decision.expected_loss)

    def usual_governance(self) -> str:
        usual = [link.governance for link in self.links if link.active]
        return max(set(usual), key=usual.count) if usual else "market"

    def estimated_failure(self, link: Link, standard: bool = False) -> float:
        """The buyer's estimate of a supplier's failure chance at the link's requirements
        (at the standard line's, to compare sources on like terms)."""
        required = self.standard if standard else self.requirement(link)
        return link.failure_record(self.lead_firms.failure_probability(link.firm, required))

    def _best_alternative(self, scouted: tuple[float, float] | None) -> tuple[float, float]:
        """The cheapest source outside the incumbents, failures priced in: a candidate just
        scouted, or a supplier the buyer has been building up."""
        loss_per_unit = self.spec.loss_per_failed_order / self.spec.order_size
        options = [(link.price, self.estimated_failure(link, standard=True))
                   for link in self.links if link.active and link.origin == "scouting"]
        if scouted is not None:
            options.append(scouted)
        if not options:
            return math.inf, 0.0
        return min(options, key=lambda o: o[0] + loss_per_unit * o[1])

    def _renegotiate(self, rule, scouted: tuple[float, float] | None) -> None:
        """Offer incumbents the best alternative's landed cost plus a reliability premium."""
        spec = self.spec
        loss_per_unit = spec.loss_per_failed_order / spec.order_size
        alt_cost, alt_failure = self._best_alternative(scouted)
        if not math.isfinite(alt_cost):
            return
        for link in self.links:
            if not link.active or link.origin == "scouting" or link.share <= 0.0:
                continue
            offer = rule.offer_price(link.price, alt_cost,
                                     self.estimated_failure(link, standard=True),
                                     alt_failure, loss_per_unit,
                                     spec.scouting.reliability_premium)
            link.offered = offer.price  # what the incumbent must match (rules/crisis.py)
            if offer.price < link.price:
                self._squeeze(link, offer)

    def _squeeze(self, link: Link, offer) -> None:
        """The incumbent accepts down to its cost; below that it holds at cost and the
        buyer moves part of its orders elsewhere ("accept less or lose share", H&S 4.2)."""
        rule_name, firm = self.scenario.rules.sourcing, self.firms.ids[link.firm]
        floor = self.landed_cost(link.firm) / (1.0 + self.tech.supplier_margin)
        accepted = offer.price >= floor
        new_price = max(offer.price, min(floor, link.price))
        self.journal.decided("price_renegotiation", self.id, rule_name, offer, firm=firm,
                             old_price=link.price, new_price=new_price, accepted=accepted,
                             floor=floor)
        link.price = new_price
        if not accepted:
            cut = self.effects[link.governance].share_flexibility * link.share
            link.share -= cut
            self.journal.decided("share_shift", self.id, rule_name, firm=firm, cut=cut,
                                 reason="price below cost")

    # -- governance review --------------------------------------------------------------

    def reviewing(self):
        """Periodically re-choose each link's governance and reallocate order shares."""
        while True:
            yield self.env.timeout(self.spec.review_interval_years * YEAR)
            if not self.active:
                continue
            self._drift(self.spec.review_interval_years)
            tight_cost = self.spec.monitoring_cost + self.spec.capability_investment
            for link in self.links:
                if not link.active:
                    continue
                decision = with_hysteresis(self.choose_governance(link), link.governance,
                                           tight_cost, self.tech.governance_hysteresis)
                changed = decision.governance != link.governance
                self.journal.decided("governance", self.id, self.scenario.rules.governance,
                                     decision, firm=self.firms.ids[link.firm],
                                     previous=link.governance, changed=changed)
                link.governance = decision.governance
                link.design_seen = float(self.firms.caps[link.firm, DESIGN])
            self._reallocate()

    def choose_governance(self, link: Link):
        """The buyer's rule weighs its risk from this supplier (H&S 3, Table 4)."""
        spec, f = self.spec, self.firms
        i = link.firm
        prior = self.lead_firms.failure_probability(i, self.requirement(link))
        # Left to itself the supplier also misreads some of a buyer-defined specification
        # (H&S 3: "the buyer has to inform the supplier of what is required").
        prior = req_fn.failure_with_specification(prior, self.specification_risk(i), 0.0)
        cluster = self.clusters[f.cluster_of[i]]
        # A reputable cluster vouches for its firms (H&S Table 4, market relations).
        prior *= 1.0 - 0.5 * cluster.reputation
        effects = self.effects
        caps = f.caps
        design = caps.item(i, DESIGN)
        view = LinkView(
            product_definition=spec.product_definition,
            proprietary_technology=spec.proprietary_technology,
            failure_probability=link.failure_record(prior),
            orders_per_year=max(link.share, spec.scouting.pilot_share) * spec.demand
            * self.growth() * self.demand_factor / spec.order_size,
            loss_per_failed_order=spec.loss_per_failed_order,
            monitoring_cost=spec.monitoring_cost,
            capability_investment=spec.capability_investment,
            ownership_cost=spec.ownership_cost,
            failure_prevention_qh=effects["quasi_hierarchy"].failure_prevention,
            failure_prevention_network=effects["network"].failure_prevention,
            supplier_competence=min(caps.item(i, PROCESS), caps.item(i, PRODUCT)),
            supplier_design=design,
            design_advantage=float(design - cluster.typical_design),
            design_progress=design - link.design_seen,
            transaction_complexity=spec.transaction_complexity,
            codifiability=self.codifiability,
            current=link.governance,
        )
        return self.rules.governance(view)

    def _reallocate(self) -> None:
        """Move order share toward the cheapest supplier once failures are priced in."""
        spec = self.spec
        links = [link for link in self.links if link.active]
        if len(links) < 2:
            return
        loss_per_unit = spec.loss_per_failed_order / spec.order_size
        costs = np.array([link.price + loss_per_unit * self.estimated_failure(link)
                          for link in links])
        # Cheaper suppliers get more, in proportion to what they can make.
        size = np.array([self.firms.capacity[link.firm] for link in links])
        target = size * np.exp(-(costs - costs.min()) / (REALLOCATION_SPREAD * costs.min()))
        target /= target.sum()
        total = sum(link.share for link in links) or 1.0
        for link, goal, cost in zip(links, target, costs, strict=True):
            old = link.share / total
            if link.placed and link.refused / link.placed > 0.05:
                # A supplier that turns orders away cannot take more (capacity). Refusals
                # are counted among the orders placed, so this keeps at least half.
                goal = min(goal, old * (1.0 - 0.5 * link.refused / link.placed))
            new = old + self.effects[link.governance].share_flexibility * (goal - old)
            if abs(new - old) > 0.01:
                self.journal.decided("share_shift", self.id, self.scenario.rules.sourcing,
                                     firm=self.firms.ids[link.firm], old_share=old,
                                     new_share=new, effective_cost=float(cost),
                                     refused=link.refused, reason="reallocation")
            link.share = new
            link.placed = link.refused = 0

    # -- encroachment -------------------------------------------------------------------

    def active_share(self) -> float:
        """The sum of the shares of the buyer's active links."""
        return sum(other.share for other in self.links if other.active)

    def _encroachment_view(self, link: Link, severity: float, total: float | None = None,
                           dependence: float | None = None) -> EncroachmentView:
        """The link's governance now, the buyer's current stake, how much of the supplier's
        sales go to this buyer and how much of the buyer's purchases come from it
        (`total`: `active_share()`, `dependence`: `Links.dependence`, when the caller
        knows them)."""
        total = self.active_share() if total is None else total
        reliance = link.share / total if total > 0.0 else 1.0
        if dependence is None:
            dependence = self.registry.dependence(link)
        return EncroachmentView(link.governance, self.spec.encroachment_sensitivity,
                                link.stake, self.tech.stake_scale, dependence, reliance,
                                severity)

    def react(self, link: Link, severity: float, what: str, total: float | None = None,
              dependence: float | None = None) -> None:
        """A supplier moved into design or branding: the buyer's rule decides the reaction
        (H&S 2.2, 4.2: upgrading that "encroaches on their buyers' core competence")."""
        reaction = self.rules.encroachment(
            self._encroachment_view(link, severity, total, dependence),
            self.streams.get(self.id, "encroachment"))
        self.journal.decided("encroachment", self.id, self.scenario.rules.encroachment,
                             reaction, firm=self.firms.ids[link.firm], trigger=what)
        if reaction.action == "end_link":
            link.active = False
            link.share = 0.0
        elif reaction.action == "cut_share":
            link.share *= 1.0 - reaction.share_cut

    def reaction_probability(self, link: Link, severity: float, total: float | None = None,
                             dependence: float | None = None) -> float:
        """The chance this buyer reacts to an encroachment of the given severity (none
        without sensitivity or stake, which spares the view's sums at every fair)."""
        if link.stake <= 0.0 or self.spec.encroachment_sensitivity <= 0.0:
            return 0.0
        return reaction_probability(self._encroachment_view(link, severity, total,
                                                            dependence))

    # -- requirements that move --------------------------------------------------------

    def requirement(self, link: Link | None) -> tuple[float, float]:
        """Quality and process required on this link: the standard line's for sources
        found by scouting, else the line kept with the incumbents."""
        return self.standard if link is None or link.origin == "scouting" else self.kept

    def specification_risk(self, firm: int) -> float:
        """Chance per order that a supplier left to itself misses a spec the buyer
        defines (Table 4: who defines the product raises the buyer's risk)."""
        return req_fn.specification_risk(
            self.spec.product_definition, self.codifiability, self.firms.caps.item(firm, DESIGN),
            self.tech.specification_risk)

    def _drift(self, years: float) -> None:
        """Non-price competition tightens the requirements of the lines a buyer keeps with
        its suppliers a little each year (H&S 3: "quality, response time and reliability
        of delivery"); the standard line is the product's grade, which any source can be
        held to, and does not move."""
        if self.spec.arrival == "fair":
            return  # a buyer met at a fair buys the collection as it was shown
        keep = (1.0 - self.spec.requirement_drift) ** years
        ceiling = self.spec.requirement_ceiling
        quality, process = (v if v >= ceiling else ceiling - (ceiling - v) * keep
                            for v in self.kept)
        self.kept = (quality, process)
        self.pace = max(PACE_FLOOR, self.pace * (1.0 - self.spec.pace_drift) ** years)

    def impose_standard(self, name: str, quality: float, process: float) -> None:
        """A standard is imposed from today (scenario shock `standard`): both lines'
        requirements rise to its floors (H&S 3: "grades and standards ... phytosanitary
        standards"; 4.3: "meeting the pest control requirements of the United States
        Department of Agriculture"). Suppliers certify it (ClusterAgent.certify)."""
        self.standards[name] = (quality, process)
        old = self.kept
        self.standard = req_fn.standard_floors(*self.standard, quality, process)
        self.kept = req_fn.standard_floors(*self.kept, quality, process)
        self.journal.decided("requirements", self.id, f"standard:{name}", quality=self.kept[0],
                             process=self.kept[1], old_quality=old[0], old_process=old[1])

    def _compete(self) -> None:
        """Competition arrives (the buyer starts sourcing from an entrant): on the lines it
        keeps with its incumbents it now asks for "a new way of producing" (H&S 4.2),
        beyond the best of its current suppliers; the standard line keeps its terms."""
        self.competition = True
        lead = self.spec.competition_lead
        suppliers = [link.firm for link in self.links if link.active]
        if not self.spec.competition_jump or not suppliers:
            return
        caps = self.firms.caps
        best = (max(float(caps[i, PRODUCT]) for i in suppliers),
                max(float(caps[i, PROCESS]) for i in suppliers))
        old, old_pace = self.kept, self.pace
        self.kept = (min(1.0, max(old[0], best[0] + lead)), min(1.0, max(old[1], best[1] + lead)))
        self.pace = max(PACE_FLOOR, old_pace * (1.0 - self.spec.competition_cut))
        self.journal.decided("requirements", self.id, "competition", quality=self.kept[0],
                             process=self.kept[1], pace=self.pace, old_quality=old[0],
                             old_process=old[1], old_pace=old_pace)

