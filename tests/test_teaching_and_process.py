"""What buyers teach follows the link's governance now and the buyer's requirements
(rules/teaching.py); a process short of the buyer's process requirement fails orders
(technology.process_shortfall_probability). Tiny simulations and the pure rule."""

from __future__ import annotations

import pytest

from chainsim.engine.simulation import simulate
from chainsim.rules.teaching import TeachingView, by_governance, needs
from tests.test_mechanisms import lead_caps, scenario


def view(governance="quasi_hierarchy", share=1.0, process=0.3, product=0.3, design=0.2,
         quality_requirement=0.6, process_requirement=0.6):
    return TeachingView(governance, share, 30_000.0, 0.5, quality_requirement,
                        process_requirement, process, product, design, 3e-6)


def test_tight_governance_teaches_production_up_to_the_requirements_not_design():
    plan = by_governance(view())
    assert set(plan.gains) == {"process", "product"}
    assert plan.money == pytest.approx(30_000.0 * 0.5)


def test_a_network_also_needs_the_partners_design():
    assert "design" in by_governance(view("network", share=0.3)).gains


def test_at_arms_length_nothing_is_taught_and_nothing_spent():
    plan = by_governance(view("market", share=0.0))
    assert plan.money == 0.0 and plan.gains == {}


def test_a_supplier_that_meets_the_requirements_is_not_taught():
    assert needs(view(process=0.9, product=0.9, quality_requirement=0.5,
                      process_requirement=0.5)) == {}


def test_a_higher_requirement_brings_a_larger_gain():
    low = by_governance(view(process_requirement=0.5)).gains["process"]
    high = by_governance(view(process_requirement=0.9)).gains["process"]
    assert high > low > 0.0


def taught_process(requirement: float) -> float:
    s = scenario({"simulation.horizon_years": 3, "clusters.0.firms.0.process": 0.3,
                  "buyers.0.process_requirement": requirement,
                  "buyers.0.review_interval_years": 100,
                  "links.0.governance": "quasi_hierarchy"})
    caps = lead_caps(simulate(s))
    return float(caps["process"].iloc[-1] - caps["process"].iloc[0])


def test_the_buyer_teaches_toward_its_current_process_requirement():
    """A buyer asking more brings its supplier further; one asking for what the supplier
    already has teaches it nothing (H&S 4.2: buyers 'assisted them in making the switch')."""
    assert taught_process(0.9) > taught_process(0.5) + 0.05
    assert taught_process(0.05) == pytest.approx(0.0)


def failure_rate(process_sensitivity: float) -> float:
    s = scenario({"simulation.horizon_years": 3, "clusters.0.firms.0.process": 0.3,
                  "buyers.0.process_requirement": 0.8, "buyers.0.demand": 20_000.0,
                  "buyers.0.order_size": 1_000.0, "buyers.0.review_interval_years": 100,
                  "technology.process_sensitivity": process_sensitivity,
                  "technology.base_defect_rate": 0.0})
    orders = simulate(s).orders
    return orders["failed"] / (orders["failed"] + orders["delivered"])


def test_a_process_short_of_the_buyers_requirement_fails_orders():
    """Half a point of process below the requirement fails about half the orders (late or
    wrong-sized deliveries, H&S 3); with the sensitivity off almost none fail."""
    assert failure_rate(0.0) < 0.05
    assert 0.3 < failure_rate(1.0) < 0.7


def orders_per_year(pace_drift: float, years: int = 8) -> tuple[float, float]:
    s = scenario({"simulation.horizon_years": years, "buyers.0.demand": 10_000.0,
                  "buyers.0.order_size": 1_000.0, "buyers.0.lead_time_days": 200,
                  "buyers.0.pace_drift": pace_drift, "buyers.0.review_interval_years": 1,
                  "clusters.0.firms.0.capacity": 1_000.0})
    b = simulate(s).tables["buyers"]
    done = b["delivered"] + b["failed"]
    year = (b["time"] // 360).astype(int)
    per_year = done.groupby(year).sum()
    return float(per_year.iloc[1]), float(per_year.iloc[-2])


def test_kept_lines_ask_for_smaller_batches_over_time():
    """The batch a buyer orders from the suppliers it keeps shrinks (H&S 4.2: 'reducing
    batch size and increasing speed'): the same demand comes in more orders; with no pace
    drift the count stays."""
    early, late = orders_per_year(0.08)
    assert late >= early * 1.3
    early, late = orders_per_year(0.0)
    assert late == early
