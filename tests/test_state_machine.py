"""A state machine over a small chain (issue 6, item 3; STYLE.md 8).

Hypothesis builds a buyer, a lead firm with two spokes (and a rival cluster, a fair and a
buyer met at fairs, so every process runs), starts the simulation's processes, then
interleaves at random: orders placed by hand, time advancing, and shocks injected from
outside (a devaluation, a lost market, a capacity loss, a cluster closing, a link ended).
After every step the orders are conserved (the book agrees with the work SimPy holds in
its queue), nothing is negative, capabilities are in bounds and every account reconciles.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from chainsim.engine.simulation import start_processes
from chainsim.engine.world import build_world
from chainsim.scenario import parse_scenario
from tests.test_properties import audit_money, record_transfers, state_problems

GOVERNANCE = ("market", "modular", "network", "quasi_hierarchy", "hierarchy")


def chain(governance: str, rule_name: str, seed: int) -> dict:
    return {
        "simulation": {"start_year": 2000, "horizon_years": 5, "seed": seed,
                       "seasons_per_year": 2, "period_days": 30},
        "rules": {"governance": rule_name},
        "clusters": [
            {"id": "home", "wage": 1.0, "transit_days": 12.0,
             "policy_network": {"enabled": True, "proposal_interval_years": 0.5,
                                "project_cost": 20_000.0},
             "firms": [
                 {"id": "lead", "role": "lead", "capacity": 120.0, "cash": 10_000.0,
                  "outsourcing": 0.5, "spokes_per_order": 2},
                 {"id": "spoke", "role": "spoke", "count": 2, "capacity": 60.0,
                  "process": {"dist": "uniform", "low": 0.1, "high": 0.6}},
             ]},
            {"id": "rival", "wage": 0.4, "firms": [{"id": "cheap", "capacity": 200.0}]},
        ],
        "buyers": [
            {"id": "buyer", "demand": 12_000.0, "order_size": 3_000.0, "lead_time_days": 90,
             "scouting": {"interval_years": 0.5, "candidates": 2}},
            {"id": "walk-in", "arrival": "fair", "demand": 2_000.0, "order_size": 1_000.0,
             "product_definition": "supplier", "scouting": {"enabled": False}},
        ],
        "links": [{"buyer": "buyer", "firms": ["lead"], "governance": governance}],
        "fairs": [{"id": "fair", "months": [2, 8], "stand_cost": 1_000.0,
                   "contact_rate": 3.0}],
    }


class SmallChain(RuleBasedStateMachine):
    @initialize(governance=st.sampled_from(GOVERNANCE),
                rule_name=st.sampled_from(("hs2000", "ghs2005")),
                seed=st.integers(0, 2**32))
    def build(self, governance: str, rule_name: str, seed: int) -> None:
        scenario = parse_scenario(chain(governance, rule_name, seed), "<state machine>")
        self.w = w = build_world(scenario)
        self.start_cash = np.array(w.firms.cash, dtype=float)
        self.transfers = record_transfers(w)
        self.receipts = 0
        receive = w.production.receive

        def counted(link, qty, price, lead_time, n=1):
            self.receipts += n  # a buyer places its like orders for a link in one call
            return receive(link, qty, price, lead_time, n)

        w.production.receive = counted  # the buyers' own orders are counted too
        start_processes(w)
        self.link = w.links[0]
        self.cluster = w.clusters[0]
        self.buyer = w.buyers[0]

    # -- what the outside world does -----------------------------------------------------

    @rule(qty=st.floats(1.0, 20_000.0), price=st.floats(0.5, 50.0),
          lead_time=st.floats(1.0, 400.0), n=st.integers(1, 8))
    def place_order(self, qty: float, price: float, lead_time: float, n: int) -> None:
        self.w.production.receive(self.link, qty, price, lead_time, n)

    @rule(days=st.floats(0.01, 60.0))
    def advance(self, days: float) -> None:
        self.w.env.run(until=self.w.env.now + days)

    @rule(factor=st.floats(0.2, 3.0))
    def devaluation(self, factor: float) -> None:
        self.cluster.wage *= factor

    @rule()
    def market_loss(self) -> None:
        self.buyer.demand_factor = 0.0

    @rule(level=st.floats(0.0, 2.0))
    def demand_returns(self, level: float) -> None:
        self.buyer.demand_factor = level

    @rule(level=st.floats(0.0, 1.0))
    def volatility(self, level: float) -> None:
        self.cluster.volatility = level

    @rule(factor=st.floats(0.01, 2.0), firm=st.integers(0, 2))
    def capacity_shock(self, factor: float, firm: int) -> None:
        self.w.production.scale_capacity(firm, factor)

    @rule()
    def cluster_closes_or_reopens(self) -> None:
        self.cluster.active = not self.cluster.active

    @precondition(lambda self: self.link.active)
    @rule()
    def buyer_ends_the_link(self) -> None:
        """Orders in flight on an ended link must still arrive and be counted."""
        self.link.active = False
        self.link.share = 0.0

    @rule()
    def policy_network_proposes(self) -> None:
        if self.cluster.active and self.cluster.project_left == 0:
            self.cluster.propose()

    # -- what must hold after every step ---------------------------------------------------

    @invariant()
    def conserved_and_bounded(self) -> None:
        problems = state_problems(self.w)
        assert not problems, f"day {self.w.env.now:.2f}: {problems}"
        assert self.w.book.placed == self.receipts

    @invariant()
    def accounts_reconcile(self) -> None:
        audit_money(self.w, self.transfers, self.start_cash)


TestSmallChain = SmallChain.TestCase
