"""The crisis response of issue 12 item 3, in tiny simulations: the collective programme
blocked by the influential exporters (H&S 4.2, footnote 31), investment that answers price
pressure (H&S 4.2: "The upgrading imperative was clear") and lead firms' co-operation
with their spokes (H&S 2.1). Each test fails when its mechanism is switched off."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest

from chainsim.engine.simulation import simulate
from chainsim.results.metrics import cooperation
from chainsim.rules import crisis
from chainsim.rules.investment import InvestmentView, expected_return
from chainsim.scenario import parse_scenario
from tests.helpers import TINY


def programme_world(influential_share: float | None) -> dict:
    """Four large lead firms locked into one quasi-hierarchical buyer that would withdraw,
    eight smaller ones selling at arm's length to buyers that pay for their designs; the
    policy network proposes once, after three years."""
    raw = copy.deepcopy(TINY)
    raw["simulation"].update(horizon_years=3.5, seasons_per_year=2)
    raw["clusters"][0].update(policy_network={
        "enabled": True, "proposal_interval_years": 3.0, "project_cost": 200_000.0,
        "influential_share": influential_share})
    lead = {"role": "lead", "process": 0.7, "product": 0.7, "design": 0.2,
            "marketing": 0.1, "cash": 1e6, "outsourcing": 0.0, "spokes_per_order": 0}
    raw["clusters"][0]["firms"] = [
        {**lead, "id": "large", "count": 4, "capacity": 400.0},
        {**lead, "id": "small", "count": 8, "capacity": 150.0}]
    buyer = {"lead_time_days": 120, "quality_requirement": 0.4, "process_requirement": 0.4,
             "scouting": {"enabled": False}, "review_interval_years": 100.0}
    raw["buyers"] = [
        {**buyer, "id": "main", "demand": 200_000.0, "order_size": 10_000.0,
         "encroachment_sensitivity": 1.0, "capability_investment": 100_000.0,
         "quality_requirement": 0.8, "process_requirement": 0.8},
        {**buyer, "id": "open", "demand": 300_000.0, "order_size": 5_000.0,
         "encroachment_sensitivity": 0.0, "buys_brands": 1.0}]
    raw["links"] = [{"buyer": "main", "firms": ["large"], "governance": "quasi_hierarchy"},
                    {"buyer": "open", "firms": ["small"], "governance": "market"}]
    return raw


def put(influential_share: float | None) -> tuple[dict, list[dict]]:
    r = simulate(parse_scenario(programme_world(influential_share), "programme"))
    projects = [d for d in r.decisions if d["decision"] == "project"]
    votes = [d for d in r.decisions if d["decision"] == "vote"]
    assert len(projects) == 1
    return projects[0], votes


def test_the_influential_exporters_block_a_programme_a_majority_backs():
    project, votes = put(0.25)
    backs = {v["agent"]: v["back"] for v in votes}
    assert not any(b for a, b in backs.items() if a.startswith("large"))
    assert all(b for a, b in backs.items() if a.startswith("small"))
    assert project["support"] >= 0.5 and project["influential_support"] == 0.0
    assert len(project["influential"]) == 3  # a quarter of twelve, the largest
    assert all(firm.startswith("large") for firm in project["influential"])
    assert not project["funded"]


def test_without_influential_exporters_the_backing_threshold_decides():
    project, _ = put(None)
    assert project["support"] >= 0.5 and project["funded"]


# --- the rules on their own -----------------------------------------------------------


def test_coalition_needs_the_influential_exporters_unless_none_are_named():
    from chainsim.rules.allegiance import coalition

    # eight large firms against, sixteen smaller ones for: a majority of output backs
    # the project, not the influential exporters (H&S 4.2)
    sizes = [3.0] * 8 + [1.8] * 16
    backs = [False] * 8 + [True] * 16
    weights = [1.0] * 8 + [1.0] * 16
    blocked = coalition(backs, weights, sizes, 0.5, 0.25)
    assert blocked.support > 0.5 and blocked.influential_support == 0.0
    assert not blocked.funded and blocked.influential == tuple(range(6))
    assert coalition(backs, weights, sizes, 0.5, None).funded
    assert coalition([True] * 24, weights, sizes, 0.5, 0.25).funded
    assert not coalition([], [], [], 0.5).funded


def test_the_vote_weighs_the_premium_where_design_is_paid_against_the_withdrawal():
    from chainsim.rules.allegiance import VoteView, margin_weighed

    locked = VoteView(annual_revenue=1e7, main_buyer_share=1.0, reaction_probability=0.5,
                      capability_gain=0.3, value_per_capability=0.25, contribution=40_000.0,
                      horizon_years=5.0, design_access=0.0, prospect=0.15, premium=0.2,
                      withdrawal=1_000_000.0)
    assert not margin_weighed(locked).back
    free = VoteView(**{**{f: getattr(locked, f) for f in locked.__slots__},
                       "design_access": 0.6, "withdrawal": 50_000.0})
    assert margin_weighed(free).back


# --- the upgrading imperative and vertical co-operation ---------------------------------


def entrant_world(seed: int) -> dict:
    """Four lead firms, each with two weaker spokes, selling to one buyer that holds them
    under quasi-hierarchy (design is not paid for) and scouts every year; a cheaper
    cluster enters in year 3 and the buyer squeezes the incumbents' prices."""
    raw = copy.deepcopy(TINY)
    raw["simulation"].update(horizon_years=7, seasons_per_year=2, seed=seed)
    raw["technology"].update(labour_per_unit=4.0, materials_per_unit=3.0,
                             investment_cost=25_000.0, learning_by_doing=0.0)
    lead = {"role": "lead", "process": 0.5, "product": 0.7, "design": 0.1,
            "marketing": 0.05, "cash": 1e6, "outsourcing": 0.0, "capacity": 600.0,
            "strategic_intent": 0.3}
    spoke = {"role": "spoke", "count": 8, "process": 0.3, "product": 0.3, "capacity": 50.0}
    raw["clusters"] = [
        {"id": "home", "wage": 1.0, "transport_cost": 0.5, "transit_days": 10.0,
         "spillover": 0.0, "macro_volatility": 0.4,
         "firms": [{**lead, "id": "lead", "count": 4}, {**spoke, "id": "spoke"}]},
        {"id": "entrant", "wage": 0.7, "transport_cost": 0.8, "transit_days": 10.0,
         "spillover": 0.0, "firms": [{**lead, "id": "cn", "count": 2, "process": 0.4}]}]
    raw["buyers"] = [{"id": "buyer", "demand": 400_000.0, "order_size": 10_000.0,
                      "lead_time_days": 120, "quality_requirement": 0.4,
                      "process_requirement": 0.4,
                      "scouting": {"interval_years": 1.0, "candidates": 2, "threshold": 0.1}}]
    raw["links"] = [{"buyer": "buyer", "firms": ["lead"], "governance": "quasi_hierarchy"}]
    raw["rules"] = {"governance": "fixed"}
    raw["shocks"] = [{"year": 2003, "kind": "entrant", "cluster": "entrant"}]
    return raw


def crisis_runs(monkeypatch, imperative: bool, vertical: bool) -> list:
    if not imperative:  # no value of defended sales, no intent raised
        monkeypatch.setattr(crisis, "AT_RISK", 0.0)
        monkeypatch.setattr(crisis, "INTENT_GAIN", 0.0)
    if not vertical:
        monkeypatch.setattr(crisis, "VERTICAL_RATE", 0.0)
    return [simulate(parse_scenario(entrant_world(seed), "entrant")) for seed in (1, 2)]


def lead_investments(result, first_year: float, last_year: float) -> int:
    return sum(d["decision"] == "investment_start" and d["agent"].startswith("lead")
               and first_year * 360 <= d["time"] < last_year * 360 for d in result.decisions)


@pytest.mark.parametrize("imperative", [True, False])
def test_investment_answers_the_price_pressure_of_an_entrant(monkeypatch, imperative):
    """H&S 4.2: "faced with sharply declining prices ... The upgrading imperative was
    clear". Before the entrant no lead firm invests; after it, with the imperative, they
    invest in production (process and product), not without it."""
    runs = crisis_runs(monkeypatch, imperative, vertical=True)
    before = sum(lead_investments(r, 0, 3) for r in runs)
    after = sum(lead_investments(r, 3, 6) for r in runs)
    pressed = [d for r in runs for d in r.decisions if d["decision"] == "price_pressure"
               and d["agent"] == "home"]
    assert before == 0 and pressed and max(d["high"] for d in pressed) == 1.0
    kinds = {d["capability"] for r in runs for d in r.decisions
             if d["decision"] == "investment_start"}
    if imperative:
        assert after > 0 and kinds <= {"process", "product"}
    else:
        assert after == 0


def spokes_gain(result) -> float:
    f = result.tables["firms"]
    spokes = f[~f["lead"] & (f["cluster"] == 0)]
    by_period = spokes.groupby("period")["process"].mean()
    return float(by_period.iloc[-1] - by_period.iloc[0])


@pytest.mark.parametrize("vertical", [True, False])
def test_lead_firms_under_pressure_close_their_spokes_gap(monkeypatch, vertical):
    """H&S 2.1: "This increase in vertical co-operation was spearheaded by some of the
    larger local manufactures". The spokes learn nothing on their own here (no orders, no
    spillover, no centre); with the lead firms' help they gain after the shock, and the
    co-operation metric counts it as bilateral."""
    runs = crisis_runs(monkeypatch, imperative=True, vertical=vertical)
    for r in runs:
        coop = cooperation(r.tables["clusters"], 0, 2000).set_index("year")
        before, after = coop.loc[2000:2002, "bilateral"], coop.loc[2003:2006, "bilateral"]
        if vertical:  # the buyer teaches its lead firms all along; their help comes on top
            assert spokes_gain(r) > 0.02
            assert after.mean() > before.mean() + 0.02 * 8 / 4
        else:
            assert spokes_gain(r) == 0.0
        assert coop["multilateral"].sum() == 0.0


# --- the crisis rules on numbers and columns ---------------------------------------------


def test_pressure_is_the_larger_of_price_fall_and_order_loss():
    assert crisis.pressure(8.0, 10.0, 1.0, 1.0) == pytest.approx(1.0)  # a 20% fall is full
    assert crisis.pressure(9.0, 10.0, 1.0, 1.0) == pytest.approx(0.5)
    assert crisis.pressure(9.0, 10.0, 0.67, 1.0) == pytest.approx(1.0)
    assert crisis.pressure(10.0, 10.0, 1.0, 1.0) == 0.0
    assert crisis.pressure(12.0, 10.0, 1.2, 1.0) == 0.0  # rising prices press nobody
    nan = float("nan")
    # nothing remembered or nothing sold: no pressure; columns give the same numbers
    assert list(crisis.pressure(np.array([8.0, nan, 9.0]), np.array([10.0, 10.0, nan]),
                                np.ones(3), np.ones(3))) == [pytest.approx(1.0), 0.0, 0.0]


def test_the_memory_moves_a_third_of_the_way_and_starts_with_what_it_first_sees():
    nan = float("nan")
    out = crisis.remember(np.array([nan, 10.0, 10.0]), np.array([9.0, 7.0, nan]))
    assert list(out) == [9.0, pytest.approx(9.0), 10.0]


def test_the_imperative_values_the_defence_of_sales_and_raises_intent():
    view = crisis.PressureView(pressure=1.0, annual_revenue=10_000_000.0, margin=0.1,
                               cost_gap=1.0, saving_per_step=0.2, strategic_intent=0.4)
    r = crisis.upgrading_imperative(view)
    assert float(r.intent) == pytest.approx(0.7)
    assert float(r.steps_needed) == pytest.approx(5.0)
    assert float(r.defence_value) == pytest.approx(0.5 * 10_000_000.0 * 0.1 / 5.0)
    level = crisis.upgrading_imperative(dataclasses.replace(view, cost_gap=0.0))
    assert float(level.defence_value) == pytest.approx(0.5 * 10_000_000.0 * 0.1)
    calm = crisis.upgrading_imperative(dataclasses.replace(view, pressure=0.0))
    assert float(calm.defence_value) == 0.0 and float(calm.intent) == 0.4


def test_under_pressure_the_investment_rule_invests_where_it_did_not():
    """A firm whose labour savings alone do not pay for a process step invests once the
    step also defends its sales (rules/investment.py) - even near the frontier."""
    base = InvestmentView(
        capabilities=(0.93, 0.95, 0.1, 0.05), annual_revenue=5_000_000.0,
        annual_units=400_000.0, labour_cost_per_unit=4.0, quality_premium=0.0,
        shortfall_cost=0.0, design_access=0.0, brand_access=0.0, prospect=0.0,
        rung_gain_design=0.2, rung_gain_brand=0.25, distance_design=0.4,
        distance_brand=0.45, reaction_probability=0.0, main_buyer_share=1.0,
        strategic_intent=0.4, spillover=0.05, volatility=0.6, cost=70_000.0, step=0.1,
        success_probability=0.7, horizon_years=5.0, cash_available=1e6)
    assert expected_return(base).kind is None
    r = crisis.upgrading_imperative(crisis.PressureView(1.0, 5_000_000.0, 0.1, 0.0, 0.2, 0.4))
    pressed = dataclasses.replace(base, defence_value=float(r.defence_value),
                                  strategic_intent=float(r.intent))
    assert expected_return(pressed).kind == "process"


def test_vertical_cooperation_only_under_pressure_and_toward_the_lead():
    assert crisis.vertical_cooperation(0.0, 0.9, 0.5, 1.0) == 0.0
    assert crisis.vertical_cooperation(1.0, 0.9, 0.5, 1.0) == pytest.approx(0.08)
    assert crisis.vertical_cooperation(1.0, 0.4, 0.5, 1.0) == 0.0
    half = crisis.vertical_cooperation(1.0, 0.9, 0.5, 0.5)
    two = 0.5 + half + crisis.vertical_cooperation(1.0, 0.9, 0.5 + half, 0.5)
    assert two == pytest.approx(0.58)  # the cut of time does not matter
