"""The investment rule's screen (rules/investment.py): on a column view it computes each
firm's net values to the same floats as the rule does firm by firm, and screens out
exactly the firms the rule leaves without an investment; a rule without a screen is
asked about every idle firm and gives the same run."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from chainsim.engine.simulation import simulate
from chainsim.rules import RULES
from chainsim.rules.investment import (
    InvestmentView,
    expected_return,
    firm_view,
    net_values,
    screen_expected_return,
)
from chainsim.scenario.load import load_scenario

PER_FIRM = ("annual_revenue", "annual_units", "shortfall_cost", "design_access",
            "brand_access", "rung_gain_design", "rung_gain_brand", "distance_design",
            "distance_brand", "reaction_probability", "main_buyer_share", "strategic_intent",
            "cost", "cash_available")


@st.composite
def column_views(draw) -> InvestmentView:
    n = draw(st.integers(1, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = {"annual_revenue": 1e7, "annual_units": 1e6, "shortfall_cost": 1e6,
             "cost": 1e5, "cash_available": 2e5}
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
