"""The investment rule's screen (rules/investment.py): on a column view it computes each
firm's net values to the same floats as the rule does firm by firm, and screens out
exactly the firms the rule leaves without an investment; a rule without a screen is
asked about every idle firm and gives the same run."""

from __future__ import annotations

import json
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from chainsim.agents.clusters import PROSPECT
from chainsim.engine.simulation import simulate, start_processes
from chainsim.engine.world import build_world
from chainsim.rules import RULES
from chainsim.rules.crisis import PressureView, upgrading_imperative
from chainsim.rules.encroachment import SEVERITY
from chainsim.rules.investment import (
    InvestmentView,
    expected_return,
    firm_view,
    net_values,
    screen_expected_return,
)
from chainsim.rules.ladder import market_reach
from chainsim.scenario.load import load_scenario
from chainsim.technology import DESIGN, MARKETING, YEAR, labour_cost

PER_FIRM = ("annual_revenue", "annual_units", "shortfall_cost", "design_access",
            "brand_access", "rung_gain_design", "rung_gain_brand", "distance_design",
            "distance_brand", "reaction_probability", "main_buyer_share", "strategic_intent",
            "cost", "cash_available", "defence_value")


@st.composite
def column_views(draw) -> InvestmentView:
    n = draw(st.integers(1, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = {"annual_revenue": 1e7, "annual_units": 1e6, "shortfall_cost": 1e6,
             "cost": 1e5, "cash_available": 2e5, "defence_value": 1e5}
    columns = {name: rng.random(n) * scale.get(name, 1.0) for name in PER_FIRM}
    # Some firms on the edge: no sales, exactly at a rung threshold, cash equal to cost.
    columns["annual_revenue"][rng.random(n) < 0.3] = 0.0
    columns["distance_design"][rng.random(n) < 0.3] = 0.0
    even = rng.random(n) < 0.3
    columns["cash_available"][even] = columns["cost"][even]
    return InvestmentView(
        capabilities=tuple(rng.random(n) for _ in range(4)),  # type: ignore[arg-type]
        labour_cost_per_unit=draw(st.floats(0.0, 10.0)),
        quality_premium=draw(st.floats(0.0, 1.0)), prospect=draw(st.floats(0.0, 0.5)),
        spillover=draw(st.floats(0.0, 0.3)), volatility=draw(st.floats(0.0, 1.0)),
        step=draw(st.floats(0.01, 0.5)), success_probability=draw(st.floats(0.0, 1.0)),
        horizon_years=draw(st.floats(0.5, 20.0)), **columns)


@settings(max_examples=200, deadline=None)
@given(column_views())
def test_the_screen_is_the_rule_itself(columns):
    per_column = net_values(columns)
    screened = screen_expected_return(columns)
    for j in range(len(columns.cost)):
        view = firm_view(columns, j)
        assert all(type(x) is float for x in view.capabilities)
        assert net_values(view) == tuple(float(values[j]) for values in per_column)
        assert bool(screened[j]) == (expected_return(view).kind is not None)


def test_a_rule_without_a_screen_gives_the_same_run(monkeypatch):
    monkeypatch.setitem(RULES["investment"], "unscreened", lambda v: expected_return(v))
    path = "scenarios/sinos_valley.toml"
    screened = simulate(load_scenario(path), horizon_years=8)
    plain = simulate(load_scenario(path, ["rules.investment=unscreened"]), horizon_years=8)
    assert screened.decision_counts["investment_start"] > 0

    def decisions(run):  # as text, so that NaN equals NaN
        return json.dumps([{k: v for k, v in row.items() if k != "rule"}
                           for row in run.decisions], default=str)

    assert decisions(plain) == decisions(screened)
    assert plain.money == screened.money


def one_firm_view(cluster, i: int) -> InvestmentView:
    """A firm's investment view built the plain way, one firm and one number at a time:
    the reference the cluster's column view must reproduce (H&S 4.1, 4.5)."""
    f, tech = cluster.firms, cluster.tech
    # The premium of the next rung needing design (marketing), by rung, and what it needs:
    # a lookup of the cluster's ladder (items 7, 2.7), not per-firm arithmetic.
    gain_design, need_design = cluster._rung_gain(DESIGN)
    gain_brand, need_brand = cluster._rung_gain(MARKETING)
    caps = [float(x) for x in f.caps[i]]
    if tech.brand_threshold > 0.0:  # a marketing step builds the firm's own brand
        caps[MARKETING] = min(caps[MARKETING], float(f.brand[i]))
    prospect = market_reach(caps[MARKETING], PROSPECT)  # markets its own channels reach
    main, share, access_design, access_brand = cluster.links.sales_profile(i)
    reaction = (cluster.buyers[main.buyer].reaction_probability(main, SEVERITY["odm"])
                if main is not None else 0.0)
    rung = int(f.rung[i])
    j = int(np.flatnonzero(cluster.members == i)[0])
    memory = cluster.memory  # the upgrading imperative, for this firm alone
    response = upgrading_imperative(PressureView(
        float(memory.pressure[j]), float(f.revenue_year[i]), tech.supplier_margin,
        float(memory.cost_gap[j]), float(memory.saving[j]), float(f.intent[i])))
    return InvestmentView(
        capabilities=tuple(caps),  # type: ignore[arg-type]
        annual_revenue=float(f.revenue_year[i]), annual_units=float(f.units_year[i]),
        labour_cost_per_unit=labour_cost(cluster.wage, 0.0, tech),
        quality_premium=tech.quality_premium, shortfall_cost=cluster.shortfall_cost(i),
        design_access=access_design, brand_access=access_brand, prospect=prospect,
        rung_gain_design=float(gain_design[rung]), rung_gain_brand=float(gain_brand[rung]),
        distance_design=max(0.0, need_design - caps[DESIGN]),
        distance_brand=max(0.0, need_brand - caps[MARKETING]),
        reaction_probability=reaction, main_buyer_share=share,
        strategic_intent=float(response.intent), spillover=cluster.spec.spillover,
        volatility=cluster.volatility,
        cost=tech.investment_cost * math.sqrt(f.capacity[i] / 100.0),
        step=tech.investment_step, success_probability=tech.investment_success,
        horizon_years=tech.investment_horizon_years,
        cash_available=float(f.cash[i] + tech.credit_line),
        defence_value=float(response.defence_value))


def test_column_views_are_the_views_built_firm_by_firm():
    """Every member's row of its cluster's column view equals the view built for that firm
    alone, at several points of a run: linked and unlinked firms, before and after the
    entrant, with buyers' reactions and quality shortfalls."""
    # A credit line, so that cash available is not just cash.
    w = build_world(load_scenario("scenarios/sinos_valley.toml",
                                  ["technology.credit_line=25000"]))
    start_processes(w)
    compared = 0
    for years in (0.5, 4.0, 12.0, 22.0):
        w.env.run(until=years * YEAR)
        for cluster in w.clusters:
            positions = np.arange(len(cluster.members))
            columns = cluster.investment_columns(positions)
            for j, i in enumerate(cluster.members.tolist()):
                assert firm_view(columns, j) == one_firm_view(cluster, i), (years, i)
                compared += 1
    assert compared > 4 * 200
