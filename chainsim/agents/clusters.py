"""A cluster and its firms' learning, investment and collective action.

Each period the cluster's firms learn by doing, imitate their leaders (spillovers: "new
ideas leak out and percolate", H&S 4.1) and draw on the technology centre (Table 5). Once
a year each firm may start a knowledge-changing investment (H&S 4.1, 4.5). The local
policy network proposes repositioning projects and lead firms vote on them (H&S 5).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from chainsim.agents.pressure import PriceMemory, cost_gaps, home_shares, sales_now
from chainsim.journal import WORLD, firm_account
from chainsim.rules.allegiance import VoteView, coalition
from chainsim.rules.chains import own_design_learning
from chainsim.rules.crisis import (
    CrisisResponse,
    PressureView,
    upgrading_imperative,
    vertical_cooperation,
)
from chainsim.rules.encroachment import SEVERITY, withdrawal_cost
from chainsim.rules.investment import KINDS, InvestmentView, firm_view
from chainsim.rules.ladder import OccupyView, market_reach, occupy_if_it_pays
from chainsim.rules.requirements import CertificationView, certify
from chainsim.technology import (
    DESIGN,
    MARKETING,
    PROCESS,
    PRODUCT,
    YEAR,
    labour_cost,
    ladder_of,
    rung_from_capabilities,
)

if TYPE_CHECKING:
    from types import SimpleNamespace

    import simpy

    from chainsim.agents.firms import FirmTable
    from chainsim.agents.links import Links
    from chainsim.agents.roles import Customer
    from chainsim.journal import Journal
    from chainsim.randomness import Streams
    from chainsim.scenario.model import Cluster, Scenario

# Weight a firm gives to markets it does not yet serve (fairs, new buyers) when it values
# design and marketing; a modelling choice, documented in docs/model.md.
PROSPECT = 0.15
LEADER_SHARE = 0.1


def median(values: list[float]) -> float:
    """The median of a few numbers, as numpy computes it (the mean of the middle two when
    they are even), without numpy's overhead on small arrays."""
    ordered = sorted(values)
    half = len(ordered) // 2
    if not ordered:
        return float("nan")
    if len(ordered) % 2:
        return ordered[half]
    return (ordered[half - 1] + ordered[half]) / 2.0


def leaders(caps: np.ndarray) -> np.ndarray:
    """Best practice in the cluster: the mean of the top tenth of firms (at least one) in
    each capability. Spillovers pull the others toward it."""
    k = max(1, int(len(caps) * LEADER_SHARE))
    return np.partition(caps, len(caps) - k, axis=0)[-k:].mean(axis=0)


class ClusterAgent:
    """A cluster: its member firms' learning and investment, and its policy network."""

    def __init__(self, index: int, spec: Cluster, enters_later: bool, *,
                 env: simpy.Environment, scenario: Scenario, rules: SimpleNamespace,
                 streams: Streams, firms: FirmTable, links: Links, buyers: list[Customer],
                 journal: Journal, spokes: list[list[int]] | None = None):
        self.index = index
        self.spec = spec
        self.id = spec.id
        self.env, self.scenario, self.rules, self.streams = env, scenario, rules, streams
        self.tech = scenario.technology
        self.ladder = ladder_of(self.tech)
        self.firms, self.links, self.buyers, self.journal = firms, links, buyers, journal
        self.certificates: dict[int, set[str]] = {}  # firm -> the standards it certified
        f = firms
        self.members = np.flatnonzero(f.cluster == index)
        self.leads = self.members[f.lead[self.members]]
        # The members' rows: a slice when they are contiguous (as expand_firms lays them
        # out), so the per-period updates work on views of the firm table, not copies.
        contiguous = len(self.members) and self.members[-1] - self.members[0] == len(
            self.members) - 1
        self.rows = (slice(int(self.members[0]), int(self.members[-1]) + 1) if contiguous
                     else self.members)
        self._linked = np.zeros(len(self.members), dtype=bool)  # members with a buyer link
        self._links_seen = -1  # len(links) when _linked was last brought up to date
        self.wage = spec.wage
        self.transport_cost = spec.transport_cost
        self.transit_days = spec.transit_days
        self.reputation = spec.reputation
        self.volatility = spec.macro_volatility
        self.active = not enters_later and spec.active_from_year is None
        self.entrant = not self.active  # enters later: a new low-wage source (H&S 4.2)
        # H&S Table 5: in a collective cluster the business association organises the
        # marketing effort (a collective fair stand); in a hub-and-spoke cluster the lead
        # firms do it themselves, unless the institutions say otherwise.
        self.collective_stand = spec.institutions.collective_stand or (
            spec.form == "collective" and spec.institutions.business_association > 0.0)
        self.typical_design = self._typical_design()
        self.project_left = 0  # periods of a running repositioning project
        self.project_rate = (0.0, 0.0, 0.0)
        self._trigger = env.event()
        # The crisis response (rules/crisis.py): what the members remember of their prices
        # and shares, and which spoke works for which lead firm (member positions).
        self.memory = PriceMemory(len(self.members))
        self.spokes = spokes or [[] for _ in range(len(firms))]
        self._pairs = self._spoke_pairs()

    def _typical_design(self) -> float:
        """The median design capability of the cluster's exporters (its lead firms): what
        a buyer could get elsewhere in the cluster, the yardstick of a distinctive edge."""
        firms = self.exporters()
        firms = firms if len(firms) else self.members
        return median(self.firms.caps[firms, DESIGN].tolist())

    def exporters(self) -> np.ndarray:
        """The lead firms still in business (agents/demography.py): those buyers scout,
        that exhibit at fairs and that vote in the policy network."""
        return self.leads[self.firms.alive[self.leads]]

    def start(self) -> None:
        if self.spec.active_from_year is not None:
            self.env.process(self._enter_at(self.spec.active_from_year))
        if self.spec.policy_network.enabled:
            self.env.process(self.policy_network())

    def _enter_at(self, year: float):
        yield self.env.timeout((year - self.scenario.simulation.start_year) * YEAR)
        self.enter()

    def enter(self) -> None:
        """The cluster starts selling (a new low-wage entrant, H&S 4.2)."""
        self.active = True
        self.journal.decided("entrant", self.id, "shock", firms=len(self.members))

    # -- each period --------------------------------------------------------------------

    def learn(self, years: float) -> None:
        """Learning by doing, spillovers, technology centre, projects; then rung moves.

        Making its own collections (units sold to buyers that do not define the product)
        also teaches a firm design and marketing (`rules/chains.own_design_learning`): the
        capabilities are the firm's, so they count in every chain it sells into."""
        if not self.active:
            return
        f, rows, tech = self.firms, self.rows, self.tech
        caps = f.caps[rows]  # a view when the rows are a slice, else a copy written back
        gone = ~f.alive[rows]  # firms that exited learn nothing more
        kept = caps[gone] if gone.any() else None
        units = f.column("units_period")[rows]
        doing = tech.learning_by_doing * np.log1p(units / tech.learning_volume)
        quality, process = self.practice()
        caps[:, PROCESS] += doing * np.maximum(process - caps[:, PROCESS], 0.0)
        caps[:, PRODUCT] += 0.5 * doing * np.maximum(quality - caps[:, PRODUCT], 0.0)
        if tech.own_design_learning > 0.0:  # making one's own collections (H&S 4.3)
            design, marketing = own_design_learning(
                f.column("own_design_units_period")[rows], tech.learning_volume,
                tech.learning_by_doing, caps[:, DESIGN], caps[:, MARKETING],
                tech.own_design_learning)
            caps[:, DESIGN] += design
            caps[:, MARKETING] += marketing
        if self.spec.spillover > 0.0 and len(caps) - int(gone.sum()) > 1:
            best = leaders(caps if kept is None else caps[~gone])
            caps += self.spec.spillover * years * np.maximum(best - caps, 0.0)
        collective = self._collective(caps, years)
        if self._pairs[0].size and self.memory.pressure.any():
            self._help_spokes(caps, years)
        if kept is not None:
            caps[gone] = kept
        np.clip(caps, 0.0, 1.0, out=caps)
        if collective:
            self.journal.cooperated(self.index, multilateral=collective)
        if not isinstance(rows, slice):
            f.caps[rows] = caps
        # A brand fades unless renewed (marketing channels must be kept up, H&S 4.1, 4.4).
        f.brand[rows] *= (1.0 - min(1.0, tech.brand_depreciation)) ** years
        self.typical_design = self._typical_design()
        self._climb()

    def practice(self) -> tuple[float, float]:
        """The product and process practice the cluster's firms can reach by doing and
        circulating what they know: the highest requirements of the buyers sourcing here,
        plus `technology.learning_headroom` (H&S 4.1: clusters are "very good at using,
        replicating and circulating knowledge", but upgrading "involves more than the
        passive acquisition and circulation of knowledge acquired through participation in
        global markets"; going beyond takes knowledge-changing investment, a buyer's
        teaching or the technology centre). When a buyer asks for more (a competition
        jump, a standard) the practice rises with it: the upgrading imperative opens room.
        A headroom of 1 leaves learning by doing bounded only by full capability."""
        room = self.tech.learning_headroom
        if room >= 1.0:
            return 1.0, 1.0
        quality = process = 0.0
        cluster_of, me = self.firms.cluster_of, self.index
        for buyer in self.buyers:
            for link in self.links.of_buyer[buyer.index]:
                if link.active and cluster_of[link.firm] == me:
                    q, p = buyer.requirement(link)
                    quality, process = max(quality, q), max(process, p)
        return min(1.0, quality + room), min(1.0, process + room)

    def _collective(self, caps: np.ndarray, years: float) -> float:
        """What the cluster's collective institutions pass on to every member this period:
        the technology centre (Table 5: "local technology institute" for production
        upgrading) and a funded repositioning project. Returns the capability gained in
        all (multilateral co-operation, H&S 2.1)."""
        gained = 0.0
        centre = self.spec.institutions.technology_centre
        if centre > 0.0:
            process = 0.1 * centre * years * (1.0 - caps[:, PROCESS])
            product = 0.05 * centre * years * (1.0 - caps[:, PRODUCT])
            caps[:, PROCESS] += process
            caps[:, PRODUCT] += product
            gained += float(process.sum() + product.sum())
        if self.project_left > 0:
            d, mk, rep = self.project_rate
            design = d * (1.0 - caps[:, DESIGN])
            marketing = mk * (1.0 - caps[:, MARKETING])
            caps[:, DESIGN] += design
            caps[:, MARKETING] += marketing
            self.reputation = min(1.0, self.reputation + rep)
            self.project_left -= 1
            gained += float(design.sum() + marketing.sum())
        return gained

    def _spoke_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(lead, spoke) member positions of every spoke working for a lead firm here."""
        position = {int(i): j for j, i in enumerate(self.members.tolist())}
        pairs = [(position[int(lead)], position[s]) for lead in self.exporters().tolist()
                 for s in self.spokes[int(lead)] if s in position]
        if not pairs:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
        lead, spoke = zip(*pairs, strict=True)
        return np.array(lead, dtype=np.intp), np.array(spoke, dtype=np.intp)

    def _help_spokes(self, caps: np.ndarray, years: float) -> None:
        """Lead firms under price pressure close part of their spokes' process gap (H&S
        2.1: vertical co-operation "spearheaded by some of the larger local manufactures";
        4.2: "By reorganising their factories and local supply chains"). A spoke working
        for several lead firms takes the most any of them gives. Bilateral co-operation."""
        lead, spoke = self._pairs
        gains = vertical_cooperation(self.memory.pressure[lead], caps[lead, PROCESS],
                                     caps[spoke, PROCESS], years)
        best = np.zeros(len(caps))
        np.maximum.at(best, spoke, gains)
        best = np.minimum(best, 1.0 - caps[:, PROCESS])
        caps[:, PROCESS] += best
        helped = float(best.sum())
        if helped > 0.0:
            self.journal.cooperated(self.index, bilateral=helped)

    def _climb(self) -> None:
        """Move firms up the functional ladder, one rung at a time (H&S 2.2)."""
        f, m, rows, ladder = self.firms, self.members, self.rows, self.ladder
        old = f.rung[rows].copy()
        new = np.where(f.alive[rows], rung_from_capabilities(  # exited firms stay put
            f.caps[rows], old, self.tech, f.brand[rows], f.certified[rows]), old)
        for j in np.flatnonzero((new > old) & (new >= ladder.strategic_from)).tolist():
            if not self._occupies(int(m[j]), int(new[j])):
                new[j] = old[j]
        f.rung[rows] = new
        for j in np.flatnonzero(new != old).tolist():
            i = int(m[j])
            rung = int(new[j])
            self.journal.decided("rung_change", f.ids[i], "ladder", old=int(old[j]), new=rung)
            if rung >= ladder.strategic_from:
                trigger = "obm" if ladder.rungs[rung].brand else "odm"
                for link in self.links.of_firm[i]:
                    if link.active:
                        self.buyers[link.buyer].react(link, SEVERITY[trigger], trigger)
        self._add_services(new)

    def _occupies(self, i: int, rung: int) -> bool:
        """A firm able to design (or to sell its own brand) takes up the function only if
        the premium, where it is paid, beats what its buyers would withdraw (H&S 4.2:
        firms "refrain from or are prevented from occupying the strategic functions")."""
        f, tech, ladder = self.firms, self.tech, self.ladder
        brand = ladder.rungs[rung].brand
        severity = SEVERITY["obm" if brand else "odm"]
        main, share, design_access, brand_access = self.links.sales_profile(i)
        marketing = float(f.caps[i, MARKETING])  # its own channels (investment_columns)
        if tech.brand_threshold > 0.0:
            marketing = min(marketing, float(f.brand[i]))
        withdrawal = self.withdrawal(i, severity, share)
        decision = occupy_if_it_pays(OccupyView(
            ladder.premiums[rung] - ladder.premiums[rung - 1],
            brand_access if brand else design_access, market_reach(marketing),
            f.annual_revenue(i), withdrawal, tech.investment_horizon_years))
        if not decision.occupy:
            self.journal.decided("strategic_rung_declined", f.ids[i], "ladder", decision,
                                 rung=rung)
        return decision.occupy

    def _add_services(self, rung: np.ndarray) -> None:
        """Non-strategic services (logistics, packaging, certification) come with
        integration into chains once production is mastered (H&S 2.2, footnote 25): a
        member past assembly, with process capability of 0.6 or more and an active buyer
        link, offers them from then on. Only members that could newly qualify are checked
        for an active link."""
        f, m, rows = self.firms, self.members, self.rows
        if not self.ladder.services:
            return  # the services are the ladder's rungs (fresh fruit)
        ready = self.linked() & (rung >= 1) & (f.caps[rows, PROCESS] >= 0.6) & ~f.services[rows]
        for j in np.flatnonzero(ready).tolist():
            i = int(m[j])
            if any(link.active for link in self.links.of_firm[i]):
                f.services[i] = True

    def linked(self) -> np.ndarray:
        """Which members have (or had) a buyer link, one flag per member; brought up to
        date only when links were added (links are never removed, only made inactive)."""
        links = self.links
        if self._links_seen != len(links):
            self._links_seen = len(links)
            self._linked = np.array([bool(links.of_firm[i]) for i in self.members.tolist()],
                                    dtype=bool)
        return self._linked

    # -- once a year ----------------------------------------------------------------------

    def remember_prices(self) -> None:
        """At the year end each member sets this year's agreed price and order share
        against what it remembers of them: the price pressure it feels (rules/crisis.py,
        H&S 4.2). Also where each stands against its buyers' lowest offers."""
        if not self.active:
            return
        m = self.members
        home = home_shares(self.links.all, self.firms.cluster_of, self.index)
        price, share = sales_now(m, self.links, home)
        memory = self.memory
        memory.close_year(price, share)
        memory.output = self.firms.column("units_year")[m]
        memory.cost_gap, memory.saving = cost_gaps(m, self.firms, self.links, self.buyers,
                                                   self.wage, self.transport_cost, self.tech)
        self._pairs = self._spoke_pairs()  # the spokes may have changed
        pressed = memory.pressure > 0.0
        if pressed.any():
            self.journal.decided("price_pressure", self.id, "crisis",
                                 firms=int(pressed.sum()),
                                 mean=float(memory.pressure[pressed].mean()),
                                 high=float(memory.pressure.max()))

    def invest(self) -> None:
        """Each idle firm weighs one knowledge-changing investment (H&S 4.1, 4.5).

        The firms' views are built as columns, once for the cluster; a rule with a screen
        (rules/investment.py) rules out in bulk the firms it would leave without an
        investment, and is asked firm by firm, in member order, about the others."""
        if not self.active:
            return
        self.certify()
        f, tech, rule = self.firms, self.tech, self.rules.investment
        idle = np.flatnonzero(~f.investing[self.rows] & f.alive[self.rows])  # member positions
        if not len(idle):
            return
        columns = self.investment_columns(idle)
        idle = self.members[idle]
        screen = getattr(rule, "screen", None)
        asked = range(len(idle)) if screen is None else np.flatnonzero(screen(columns))
        for j in asked:
            decision = rule(firm_view(columns, int(j)))
            if decision.kind is None:
                continue
            i = int(idle[j])
            self.journal.decided("investment_start", f.ids[i], self.scenario.rules.investment,
                                 decision)
            self.journal.paid("investment", firm_account(i), WORLD, decision.cost)
            f.investing[i] = True
            self.env.timeout(tech.investment_days, (i, KINDS.index(decision.kind))
                             ).callbacks.append(self._investment_done)

    def certify(self) -> None:
        """Each lead firm that meets a standard one of its buyers imposes certifies it, once,
        when it can pay (H&S 3: "some means by which the buyer can be confident about the
        quality of the product"; 4.3: USDA pest control). A testing and certification
        facility lowers the cost (H&S 5: "training, testing and certification
        facilities"). Its failure record with the buyers imposing the standard starts
        afresh: the buyer now knows it meets it."""
        f, tech = self.firms, self.tech
        facility = self.spec.institutions.testing_certification
        for i in self.exporters().tolist():
            for name, (quality, process) in self._standards_of(i).items():
                decision = certify(CertificationView(
                    float(f.caps[i, PRODUCT]), float(f.caps[i, PROCESS]), quality, process,
                    facility, tech.certification_cost, f.cash[i] + tech.credit_line))
                if not decision.certified:
                    continue
                self.journal.paid("certification", firm_account(i), WORLD, decision.cost)
                self.journal.decided("certified", f.ids[i], "certify", decision,
                                     standard=name)
                self.certificates.setdefault(i, set()).add(name)
                f.certified[i] = True
                for link in self.links.of_firm[i]:
                    if name in self.buyers[link.buyer].standards:
                        link.orders = link.failures = 0.0

    def _standards_of(self, i: int) -> dict[str, tuple[float, float]]:
        """The standards the firm's active buyers impose that it has not certified yet."""
        held = self.certificates.get(i, ())
        out: dict[str, tuple[float, float]] = {}
        for link in self.links.of_firm[i]:
            if link.active:
                for name, floors in self.buyers[link.buyer].standards.items():
                    if name not in held:
                        out[name] = floors
        return out

    def _buyer_columns(self, firms: np.ndarray, linked: np.ndarray) -> tuple[np.ndarray, ...]:
        """Per firm: the main buyer's share of its sales, the shares of sales to chains that
        pay for design and for brands, the main buyer's chance of reacting to an ODM move,
        and the yearly cost of quality shortfalls. Only firms with links are worked out;
        the others sell to no buyer."""
        n = len(firms)
        share, design_access, brand_access, reaction, shortfall = (np.zeros(n) for _ in range(5))
        totals: dict[int, float] = {}  # each main buyer's active shares, summed once
        for j in np.flatnonzero(linked).tolist():
            i = int(firms[j])
            main, share[j], design_access[j], brand_access[j] = self.links.sales_profile(i)
            shortfall[j] = self.shortfall_cost(i)
            if main is None:
                continue
            buyer = self.buyers[main.buyer]
            if buyer.index not in totals:
                totals[buyer.index] = buyer.active_share()
            reaction[j] = buyer.reaction_probability(main, SEVERITY["odm"], totals[buyer.index])
        return share, design_access, brand_access, reaction, shortfall

    def investment_columns(self, positions: np.ndarray) -> InvestmentView:
        """The investment views of the members at `positions` as one column view
        (rules/investment.py): per-firm numbers as arrays, cluster-wide ones as numbers."""
        f, tech = self.firms, self.tech
        firms = self.members[positions]
        share, design_access, brand_access, reaction, shortfall = self._buyer_columns(
            firms, self.linked()[positions])
        caps = f.caps[firms]
        if tech.brand_threshold > 0.0:
            # What a marketing investment adds to is the firm's own marketing channels, its
            # brand: marketing knowledge that leaked in from neighbours (H&S 4.1) leaves a
            # firm without a brand of its own still worth building one (H&S 4.4).
            caps[:, MARKETING] = np.minimum(caps[:, MARKETING], f.brand[firms])
        # New markets count only as far as the firm can reach them through channels of its
        # own (rules/ladder.py, H&S 4.4: "investing in designers who travel to Europe and
        # have first hand knowledge of the final market").
        prospect = market_reach(caps[:, MARKETING], PROSPECT)
        rung = f.rung[firms]
        gain_design, need_design = self._rung_gain(DESIGN)
        gain_brand, need_brand = self._rung_gain(MARKETING)
        cash = np.fromiter((f.cash[i] for i in firms.tolist()), dtype=np.float64,
                           count=len(firms))
        crisis = self.crisis_response(positions)
        return InvestmentView(
            capabilities=tuple(caps[:, k] for k in range(4)),  # type: ignore[arg-type]
            annual_revenue=f.column("revenue_year")[firms],
            annual_units=f.column("units_year")[firms],
            labour_cost_per_unit=labour_cost(self.wage, 0.0, tech),
            quality_premium=tech.quality_premium,
            shortfall_cost=shortfall,
            design_access=design_access,
            brand_access=brand_access,
            prospect=prospect,
            rung_gain_design=gain_design[rung],
            rung_gain_brand=gain_brand[rung],
            distance_design=np.maximum(0.0, need_design - caps[:, DESIGN]),
            distance_brand=np.maximum(0.0, need_brand - caps[:, MARKETING]),  # own channels
            reaction_probability=reaction,
            main_buyer_share=share,
            strategic_intent=crisis.intent,
            spillover=self.spec.spillover,
            volatility=self.volatility,
            cost=tech.investment_cost * np.sqrt(f.capacity[firms] / 100.0),
            step=tech.investment_step,
            success_probability=tech.investment_success,
            horizon_years=tech.investment_horizon_years,
            cash_available=cash + tech.credit_line,
            defence_value=crisis.defence_value,
        )  # type: ignore[arg-type]

    def _rung_gain(self, capability: int) -> tuple[np.ndarray, float]:
        """By the current rung, the premium gained at the first rung that needs design (or
        marketing), and what that rung needs of it. On the fruit ladder no rung needs
        design, so design is worth nothing (H&S 4.3: market knowledge, not design)."""
        ladder = self.ladder
        target = ladder.next_needing(0, capability)
        if target is None:
            return np.zeros(len(ladder)), 0.0
        p = ladder.premiums
        gain = np.array([max(0.0, p[target] - p[min(r, target - 1)]) for r in range(len(ladder))])
        return gain, ladder.threshold(target, capability)

    def crisis_response(self, positions: np.ndarray) -> CrisisResponse:
        """The upgrading imperative of the members at `positions`, as columns: the value a
        step defends under the pressure each feels, and its raised intent (H&S 4.2, 4.5)."""
        f, memory, firms = self.firms, self.memory, self.members[positions]
        return upgrading_imperative(PressureView(
            pressure=memory.pressure[positions],
            annual_revenue=f.column("revenue_year")[firms],
            margin=self.tech.supplier_margin,
            cost_gap=memory.cost_gap[positions],
            saving_per_step=memory.saving[positions],
            strategic_intent=f.intent[firms]))

    def shortfall_cost(self, i: int) -> float:
        """Yearly cost of failed inspections per unit of product capability the firm lacks
        against its buyers' requirements: lost payments plus penalties."""
        tech = self.tech
        product = float(self.firms.caps[i, PRODUCT])
        cost = 0.0
        for link in self.links.of_firm[i]:
            if not link.active or product >= self.buyers[link.buyer].requirement(link)[0]:
                continue
            units = link.revenue_last / max(link.price, 1e-9)
            cost += units * link.price * (1.0 + tech.penalty_rate) * tech.quality_sensitivity
        return cost

    def _investment_done(self, event) -> None:
        i, k = event.value
        f, tech = self.firms, self.tech
        f.investing[i] = False
        rng = self.streams.get(f.ids[i], "investment")
        success = bool(rng.random() < tech.investment_success)
        gain = tech.investment_step * rng.uniform(0.5, 1.5) if success else 0.0
        f.caps[i, k] = min(1.0, f.caps[i, k] + gain)
        if k == MARKETING:  # marketing channels of its own: the firm's brand (H&S 4.4)
            f.brand[i] = min(1.0, f.brand[i] + gain)
        self.journal.decided("investment_result", f.ids[i], self.scenario.rules.investment,
                             capability=KINDS[k], success=success, gain=gain)

    # -- policy network -----------------------------------------------------------------

    def shock(self) -> None:
        """A shock hit the cluster: the policy network may propose at once (H&S 4.2, 5)."""
        if not self._trigger.triggered:
            self._trigger.succeed()

    def policy_network(self):
        """Propose repositioning projects periodically and after shocks; lead firms vote."""
        policy = self.spec.policy_network
        while True:
            timer = self.env.timeout(policy.proposal_interval_years * YEAR)
            if policy.propose_after_shock:
                yield timer | self._trigger
                if self._trigger.triggered:
                    self._trigger = self.env.event()
            else:
                yield timer
            if self.active and self.project_left == 0:
                self.propose()

    def propose(self) -> bool:
        """Put a project to the lead firms; fund it if backers hold enough of the output
        and, where the scenario names influential exporters, enough of theirs (H&S 5:
        which is stronger, the lead firms' allegiance to the local policy network or to
        their customers in the global chain? H&S 4.2 and footnote 31: not without the
        very influential export manufacturers)."""
        policy = self.spec.policy_network
        voters = self.exporters().tolist()
        if not voters:
            return False  # every lead firm has exited: no one to put a project to
        revenue = [self.firms.annual_revenue(i) + 1e-9 for i in voters]
        # Backing is weighed by output where lead firms are the gatekeepers (hub-and-spoke,
        # H&S 5); in a cluster of equals each firm counts the same.
        weight = revenue if self.spec.form == "hub_and_spoke" else [1.0] * len(voters)
        contribution = policy.project_cost * (1.0 - policy.public_share) / max(len(voters), 1)
        backs = [self._vote(i, rev, contribution) for i, rev in zip(voters, revenue, strict=True)]
        # The influential exporters are the largest, by their output in the last full year
        # (capacity before one has passed): H&S 4.2, the buyers' volumes "led to the
        # growth of large firms", and the main buyer took 80% of their output.
        size = self._output_of(voters)
        outcome = coalition(backs, weight, size, policy.backing_threshold,
                            policy.influential_share)
        backers = [i for i, back in zip(voters, backs, strict=True) if back]
        self.journal.project_put(self.index, self.id, self.scenario.rules.allegiance,
                                 outcome.support, policy.backing_threshold, outcome.funded,
                                 len(backers), len(voters), outcome.influential_support,
                                 [self.firms.ids[voters[j]] for j in outcome.influential])
        if outcome.funded:
            self._fund(backers)
        return outcome.funded

    def _output_of(self, firms: list[int]) -> list[float]:
        """The firms' output in the last full year (their capacity until one has passed)."""
        output = self.memory.output[np.searchsorted(self.members, firms)]
        return (output if output.sum() > 0.0 else self.firms.capacity[firms]).tolist()

    def _vote(self, i: int, revenue: float, contribution: float) -> bool:
        """A lead firm weighs the project's gain, where design is paid for, against the
        margin its buyers would withdraw should it move into design and marketing."""
        policy, tech = self.spec.policy_network, self.tech
        main, share, design_access, _ = self.links.sales_profile(i)
        reaction = (self.buyers[main.buyer].reaction_probability(main, SEVERITY["obm"])
                    if main is not None else 0.0)
        # What the project opens: the scenario ladder's first strategic rung (ODM on the
        # shoe ladder, own marketing on the fruit ladder), over the firm's rung below it.
        rung, top = int(self.firms.rung[i]), self.ladder.strategic_from
        premiums = self.ladder.premiums
        vote = self.rules.allegiance(VoteView(
            annual_revenue=revenue, main_buyer_share=share,
            reaction_probability=reaction,
            capability_gain=policy.design_gain + policy.marketing_gain,
            value_per_capability=premiums[top],
            contribution=contribution,
            horizon_years=tech.investment_horizon_years,
            design_access=design_access, prospect=PROSPECT,
            premium=max(0.0, premiums[top] - premiums[min(rung, top - 1)]),
            withdrawal=self.withdrawal(i, SEVERITY["obm"], share)))
        self.journal.voted(self.index, i, self.scenario.rules.allegiance, share, reaction, vote)
        return vote.back

    def withdrawal(self, i: int, severity: float, share: float) -> float:
        """The margin firm i expects its buyers (those it did not meet at fairs) to
        withdraw, for as long as the sales take to replace, should it make a move of this
        severity (rules/encroachment.withdrawal_cost, summed over its buyers)."""
        tech, marketing = self.tech, float(self.firms.caps[i, MARKETING])
        total = 0.0
        dependence = self.links.dependences(i)
        for link in self.links.of_firm[i]:
            buyer = self.buyers[link.buyer]
            if link.active and buyer.spec.arrival != "fair":
                p = buyer.reaction_probability(link, severity, dependence=dependence[link.id])
                total += withdrawal_cost(p, link.revenue_last or link.revenue_year,
                                         tech.supplier_margin, share, marketing)
        return total

    def _fund(self, backers: list[int]) -> None:
        """Backers pay their part; the project runs for its duration, the association runs
        a collective stand, and the backers' buyers see the move."""
        policy = self.spec.policy_network
        for i in backers:
            self.journal.paid("project", firm_account(i), WORLD,
                              policy.project_cost * (1.0 - policy.public_share) / len(backers))
        periods = max(1, round(policy.duration_years * YEAR
                               / self.scenario.simulation.period_days))
        self.project_left = periods
        self.project_rate = (policy.design_gain / periods, policy.marketing_gain / periods,
                             policy.reputation_gain / periods)
        self.collective_stand = True
        for i in backers:
            for link in self.links.of_firm[i]:
                if link.active:
                    self.buyers[link.buyer].react(link, SEVERITY["fair"], "project")

