"""A cluster and its firms' learning, investment and collective action.

Each period the cluster's firms learn by doing, imitate their leaders (spillovers: "new
ideas leak out and percolate", H&S 4.1) and draw on the technology centre (Table 5). Once
a year each firm may start a knowledge-changing investment (H&S 4.1, 4.5). The local
policy network proposes repositioning projects and lead firms vote on them (H&S 5).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from chainsim.rules.allegiance import VoteView
from chainsim.rules.investment import KINDS, InvestmentView
from chainsim.technology import (
    DESIGN,
    MARKETING,
    PROCESS,
    PRODUCT,
    YEAR,
    labour_cost,
    rung_from_capabilities,
)

if TYPE_CHECKING:
    from chainsim.engine.world import World
    from chainsim.scenario.model import Cluster

# Weight a firm gives to markets it does not yet serve (fairs, new buyers) when it values
# design and marketing; a modelling choice, documented in docs/model.md.
PROSPECT = 0.15
# Encroachment severity by what the buyer sees: own designs shown, ODM reached, own brand.
SEVERITY = {"fair": 0.4, "odm": 0.7, "obm": 1.0}
LEADER_SHARE = 0.1


def leaders(caps: np.ndarray) -> np.ndarray:
    """Best practice in the cluster: the mean of the top tenth of firms (at least one) in
    each capability. Spillovers pull the others toward it."""
    k = max(1, int(len(caps) * LEADER_SHARE))
    return np.partition(caps, len(caps) - k, axis=0)[-k:].mean(axis=0)


class ClusterAgent:
    def __init__(self, world: World, index: int, spec: Cluster, enters_later: bool):
        self.w = world
        self.index = index
        self.spec = spec
        self.id = spec.id
        f = world.firms
        self.members = np.flatnonzero(f.cluster == index)
        self.leads = self.members[f.lead[self.members]]
        self.wage = spec.wage
        self.transport_cost = spec.transport_cost
        self.transit_days = spec.transit_days
        self.reputation = spec.reputation
        self.volatility = spec.macro_volatility
        self.active = not enters_later and spec.active_from_year is None
        # H&S Table 5: in a collective cluster the business association organises the
        # marketing effort (a collective fair stand); in a hub-and-spoke cluster the lead
        # firms do it themselves, unless the institutions say otherwise.
        self.collective_stand = spec.institutions.collective_stand or (
            spec.form == "collective" and spec.institutions.business_association > 0.0)
        self.typical_design = self._typical_design()
        self.project_left = 0  # periods of a running repositioning project
        self.project_rate = (0.0, 0.0, 0.0)
        self._trigger = world.env.event()

    def _typical_design(self) -> float:
        """The median design capability of the cluster's exporters (its lead firms): what
        a buyer could get elsewhere in the cluster, the yardstick of a distinctive edge."""
        firms = self.leads if len(self.leads) else self.members
        return float(np.median(self.w.firms.caps[firms, DESIGN]))

    def start(self) -> None:
        if self.spec.active_from_year is not None:
            self.w.env.process(self._enter_at(self.spec.active_from_year))
        if self.spec.policy_network.enabled:
            self.w.env.process(self.policy_network())

    def _enter_at(self, year: float):
        yield self.w.env.timeout((year - self.w.scenario.simulation.start_year) * YEAR)
        self.enter()

    def enter(self) -> None:
        self.active = True
        self.w.log.add(self.w.env.now, "entrant", self.id, "shock", firms=len(self.members))

    # -- each period --------------------------------------------------------------------

    def learn(self, years: float) -> None:
        """Learning by doing, spillovers, technology centre, projects; then rung moves."""
        if not self.active:
            return
        w, f, m = self.w, self.w.firms, self.members
        tech = w.scenario.technology
        caps = f.caps[m]
        doing = tech.learning_by_doing * np.log1p(f.units_period[m] / tech.learning_volume)
        caps[:, PROCESS] += doing * (1.0 - caps[:, PROCESS])
        caps[:, PRODUCT] += 0.5 * doing * (1.0 - caps[:, PRODUCT])
        if self.spec.spillover > 0.0 and len(m) > 1:
            caps += self.spec.spillover * years * np.maximum(leaders(caps) - caps, 0.0)
        centre = self.spec.institutions.technology_centre
        if centre > 0.0:  # Table 5: "local technology institute" for production upgrading
            caps[:, PROCESS] += 0.1 * centre * years * (1.0 - caps[:, PROCESS])
            caps[:, PRODUCT] += 0.05 * centre * years * (1.0 - caps[:, PRODUCT])
        if self.project_left > 0:
            d, mk, rep = self.project_rate
            caps[:, DESIGN] += d * (1.0 - caps[:, DESIGN])
            caps[:, MARKETING] += mk * (1.0 - caps[:, MARKETING])
            self.reputation = min(1.0, self.reputation + rep)
            self.project_left -= 1
        np.clip(caps, 0.0, 1.0, out=caps)
        f.caps[m] = caps
        self.typical_design = self._typical_design()
        self._climb()

    def _climb(self) -> None:
        """Move firms up the functional ladder, one rung at a time (H&S 2.2)."""
        w, f, m = self.w, self.w.firms, self.members
        tech = w.scenario.technology
        old = f.rung[m].copy()
        new = rung_from_capabilities(f.caps[m], old, tech)
        f.rung[m] = new
        for j in np.flatnonzero(new != old):
            i = int(m[j])
            w.log.add(w.env.now, "rung_change", f.ids[i], "ladder", old=int(old[j]),
                      new=int(new[j]))
            if new[j] >= 2:
                trigger = "obm" if new[j] == 3 else "odm"
                for link in w.firm_links[i]:
                    if link.active:
                        w.buyers[link.buyer].react(link, SEVERITY[trigger], trigger)
        # Non-strategic services (logistics, packaging, certification) come with
        # integration into chains once production is mastered (H&S 2.2, footnote 25).
        served = np.array([any(link.active for link in w.firm_links[int(i)]) for i in m])
        f.services[m] |= served & (new >= 1) & (f.caps[m, PROCESS] >= 0.6)

    # -- once a year ----------------------------------------------------------------------

    def invest(self) -> None:
        """Each idle firm weighs one knowledge-changing investment (H&S 4.1, 4.5)."""
        if not self.active:
            return
        w, f = self.w, self.w.firms
        tech = w.scenario.technology
        rule = w.rules.investment
        premium = tech.rung_premium
        for i in self.members:
            if f.investing[i]:
                continue
            view = self._investment_view(int(i), premium)
            decision = rule(view)
            if decision.kind is None:
                continue
            w.log.add(w.env.now, "investment_start", f.ids[i], w.scenario.rules.investment,
                      **decision.record())
            w.ledger.firm_to_world("investment", int(i), decision.cost)
            f.investing[i] = True
            w.env.timeout(tech.investment_days, (int(i), KINDS.index(decision.kind))
                          ).callbacks.append(self._investment_done)

    def _investment_view(self, i: int, premium: tuple[float, ...]) -> InvestmentView:
        w, f = self.w, self.w.firms
        tech = w.scenario.technology
        main, share, access_design, access_brand = w.sales_profile(i)
        reaction = (w.buyers[main.buyer].reaction_probability(main, SEVERITY["odm"])
                    if main is not None else 0.0)
        rung = int(f.rung[i])
        thresholds = tech.rung_thresholds
        return InvestmentView(
            capabilities=tuple(float(x) for x in f.caps[i]),  # type: ignore[arg-type]
            annual_revenue=float(f.revenue_year[i]),
            annual_units=float(f.units_year[i]),
            labour_cost_per_unit=labour_cost(self.wage, 0.0, tech),
            quality_premium=tech.quality_premium,
            shortfall_cost=self._shortfall_cost(i),
            design_access=access_design,
            brand_access=access_brand,
            prospect=PROSPECT,
            rung_gain_design=max(0.0, premium[2] - premium[min(rung, 1)]),
            rung_gain_brand=max(0.0, premium[3] - premium[min(rung, 2)]),
            distance_design=max(0.0, thresholds[1] - f.caps[i, DESIGN]),
            distance_brand=max(0.0, thresholds[2] - f.caps[i, MARKETING]),
            reaction_probability=reaction,
            main_buyer_share=share,
            strategic_intent=float(f.intent[i]),
            spillover=self.spec.spillover,
            volatility=self.volatility,
            cost=tech.investment_cost * math.sqrt(f.capacity[i] / 100.0),
            step=tech.investment_step,
            success_probability=tech.investment_success,
            horizon_years=tech.investment_horizon_years,
            cash_available=float(f.cash[i] + tech.credit_line),
        )

    def _shortfall_cost(self, i: int) -> float:
        """Yearly cost of failed inspections per unit of product capability the firm lacks
        against its buyers' requirements: lost payments plus penalties."""
        w, f = self.w, self.w.firms
        tech = w.scenario.technology
        cost = 0.0
        for link in w.firm_links[i]:
            spec = w.buyers[link.buyer].spec
            if not link.active or f.caps[i, PRODUCT] >= spec.quality_requirement:
                continue
            units = link.revenue_last / max(link.price, 1e-9)
            cost += units * link.price * (1.0 + tech.penalty_rate) * tech.quality_sensitivity
        return cost

    def _investment_done(self, event) -> None:
        i, k = event.value
        w, f = self.w, self.w.firms
        tech = w.scenario.technology
        f.investing[i] = False
        rng = w.streams.get(f.ids[i], "investment")
        success = bool(rng.random() < tech.investment_success)
        gain = tech.investment_step * rng.uniform(0.5, 1.5) if success else 0.0
        f.caps[i, k] = min(1.0, f.caps[i, k] + gain)
        w.log.add(w.env.now, "investment_result", f.ids[i], w.scenario.rules.investment,
                  capability=KINDS[k], success=success, gain=gain)

    # -- policy network -----------------------------------------------------------------

    def shock(self) -> None:
        """A shock hit the cluster: the policy network may propose at once (H&S 4.2, 5)."""
        if not self._trigger.triggered:
            self._trigger.succeed()

    def policy_network(self):
        """Propose repositioning projects periodically and after shocks; lead firms vote."""
        w = self.w
        policy = self.spec.policy_network
        while True:
            timer = w.env.timeout(policy.proposal_interval_years * YEAR)
            if policy.propose_after_shock:
                yield timer | self._trigger
                if self._trigger.triggered:
                    self._trigger = w.env.event()
            else:
                yield timer
            if self.active and self.project_left == 0:
                self.propose()

    def propose(self) -> bool:
        """Put a project to the lead firms; fund it if backers hold enough of the output."""
        w, f = self.w, self.w.firms
        policy = self.spec.policy_network
        rule = w.rules.allegiance
        voters = self.leads
        revenue = np.array([w.annual_revenue(int(i)) for i in voters]) + 1e-9
        # Backing is weighed by output where lead firms are the gatekeepers (hub-and-spoke,
        # H&S 5); in a cluster of equals each firm counts the same.
        weight = revenue if self.spec.form == "hub_and_spoke" else np.ones(len(voters))
        contribution = policy.project_cost * (1.0 - policy.public_share) / max(len(voters), 1)
        backing = 0.0
        backers = []
        for i, rev, wt in zip(voters, revenue, weight, strict=True):
            main, share, _, _ = w.sales_profile(int(i))
            reaction = (w.buyers[main.buyer].reaction_probability(main, SEVERITY["obm"])
                        if main is not None else 0.0)
            vote = rule(VoteView(
                annual_revenue=float(rev), main_buyer_share=share,
                reaction_probability=reaction,
                capability_gain=policy.design_gain + policy.marketing_gain,
                value_per_capability=w.scenario.technology.rung_premium[2],
                contribution=contribution,
                horizon_years=w.scenario.technology.investment_horizon_years))
            w.log.add(w.env.now, "vote", f.ids[i], w.scenario.rules.allegiance,
                      main_buyer_share=share, reaction_probability=reaction, **vote.record())
            w.recorder.vote_rows.append((w.env.now, self.index, int(i), vote.back, share,
                                         vote.expected_gain, vote.expected_loss))
            if vote.back:
                backing += wt
                backers.append(int(i))
        support = backing / weight.sum()
        funded = support >= policy.backing_threshold and bool(backers)
        w.log.add(w.env.now, "project", self.id, w.scenario.rules.allegiance, support=support,
                  threshold=policy.backing_threshold, funded=funded, backers=len(backers))
        w.recorder.project_rows.append((w.env.now, self.index, support, funded, len(backers),
                                        len(voters)))
        if funded:
            for i in backers:
                w.ledger.firm_to_world("project", i, policy.project_cost
                                       * (1.0 - policy.public_share) / len(backers))
            periods = max(1, round(policy.duration_years * YEAR
                                   / w.scenario.simulation.period_days))
            self.project_left = periods
            self.project_rate = (policy.design_gain / periods, policy.marketing_gain / periods,
                                 policy.reputation_gain / periods)
            self.collective_stand = True
            for i in backers:
                for link in w.firm_links[i]:
                    if link.active:
                        w.buyers[link.buyer].react(link, SEVERITY["fair"], "project")
        return funded
