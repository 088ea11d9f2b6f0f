"""Firms grow with their orders and exit when they keep losing money (issue 12 item 6;
H&S 4.2: the buyers' volumes "led to the growth of large firms"; 2.2, Gibbon: exclusion).

The rules on their own, then tiny simulations: one firm asked for twice what it can make
grows (and not with growth off); one whose price is held below its cost exits after two
year-ends, with every payment, capex and exit included, audited from the journal."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import numpy as np
import pytest

from chainsim.engine.simulation import collect, start_processes
from chainsim.engine.world import build_world
from chainsim.rules import demography
from chainsim.scenario import parse_scenario
from chainsim.technology import YEAR
from tests.helpers import set_path
from tests.test_properties import audit_money, start_audit, state_problems

# -- the rules ------------------------------------------------------------------------------

GROW = demography.GrowthView(capacity=1000.0, units_made=300_000.0, units_refused=20_000.0,
                             working_days=360.0, speed=0.9, cash_available=1e7,
                             capex_per_unit=2_000.0)


class TestRules:
    def test_firms_grow_with_their_orders_when_they_can_pay(self):
        d = demography.grow_with_orders(GROW)
        assert d.utilisation == pytest.approx(320_000.0 / 324_000.0)
        assert d.capacity == pytest.approx(1150.0) and d.cost == pytest.approx(300_000.0)
        broke = demography.grow_with_orders(dataclasses.replace(GROW, cash_available=0.0))
        assert broke.change == 0.0

    def test_a_firm_turning_orders_away_in_season_grows_though_idle_between(self):
        seasonal = dataclasses.replace(GROW, units_made=150_000.0, units_refused=30_000.0)
        d = demography.grow_with_orders(seasonal)
        assert d.utilisation < 0.85 and d.change == pytest.approx(150.0)
        calm = dataclasses.replace(seasonal, units_refused=10_000.0)
        assert demography.grow_with_orders(calm).change == 0.0

    def test_idle_firms_shed_capacity(self):
        d = demography.grow_with_orders(dataclasses.replace(GROW, units_made=50_000.0,
                                                            units_refused=0.0))
        assert d.change == pytest.approx(-100.0)

    def test_a_column_of_firms_at_once(self):
        v = dataclasses.replace(GROW, capacity=np.array([1000.0, 1000.0, 1000.0]),
                                units_made=np.array([300_000.0, 200_000.0, 50_000.0]),
                                units_refused=np.zeros(3))
        assert demography.grow_with_orders(v).change.tolist() == pytest.approx(
            [150.0, 0.0, -100.0])

    def test_exit_after_two_years_of_losses_or_of_failing_without_buyers(self):
        v = demography.ExitView(cash=-5e5, credit_line=1e5, years_below_credit=2,
                                orders_year=10, failures_year=1, has_links=True,
                                years_failing=0)
        assert demography.exit_when_failing(v).record()["reason"] == "losses"
        v = dataclasses.replace(v, years_below_credit=1, years_failing=2, has_links=False)
        assert demography.exit_when_failing(v).record()["reason"] == "failures"
        assert not demography.exit_when_failing(dataclasses.replace(v, has_links=True)).exit
        assert not demography.exit_when_failing(dataclasses.replace(v, exit_years=0)).exit


# -- tiny simulations -----------------------------------------------------------------------

ONE_FIRM: dict[str, Any] = {
    "simulation": {"start_year": 2000, "horizon_years": 5, "seed": 3, "seasons_per_year": 4,
                   "period_days": 90},
    "technology": {"base_defect_rate": 0.0, "quality_sensitivity": 0.0, "assembly_days": 0.0,
                   "late_tolerance_days": 0.0, "capex_per_unit": 100.0},
    "clusters": [{"id": "home", "transit_days": 0.0, "spillover": 0.0, "firms": [
        {"id": "lead", "capacity": 100.0, "process": 0.5, "product": 0.5, "outsourcing": 0.0,
         "spokes_per_order": 0, "cash": 1e6}]}],
    # Twice what the firm can make: 80 units a day (100 at process 0.5) for 360 days.
    "buyers": [{"id": "buyer", "demand": 2 * 80.0 * YEAR, "order_size": 800.0,
                "lead_time_days": 45.0, "price": 12.0, "scouting": {"enabled": False},
                "requirement_drift": 0.0}],
    "links": [{"buyer": "buyer", "firms": ["lead"], "governance": "market"}],
}


def run(raw: dict[str, Any], **changes: Any):
    """Run a tiny world with dotted-key changes, checking the invariants every month."""
    raw = copy.deepcopy(raw)
    for dotted, value in changes.items():
        set_path(raw, dotted.split("__"), value)
    scenario = parse_scenario(raw, "tiny")
    w = build_world(scenario)
    start_cash = np.array(w.firms.cash, dtype=float)
    audit = start_audit(w)
    start_processes(w)
    end = scenario.simulation.horizon_years * YEAR
    for t in np.arange(30.0, end + 1.0, 30.0):
        w.env.run(until=float(t))
        assert not state_problems(w, audit)
    audit_money(w, start_cash)
    return w, collect(w, 0, 0, scenario.simulation.horizon_years, 0.0)


def decided(w, kind: str) -> list:
    return [e for e in w.journal.trace if e.event == "decided" and e.numbers["kind"] == kind]


def test_a_firm_asked_for_twice_its_capacity_grows_and_pays_for_it():
    w, result = run(ONE_FIRM)
    grown = decided(w, "capacity")
    # Every year end within the five years (the run stops at the fifth, day 1,800).
    assert [round(e.time) for e in grown] == [360, 720, 1080, 1440]
    assert w.firms.capacity[0] == pytest.approx(100.0 * 1.15 ** 4)
    capex = [e.numbers["amount"] for e in w.journal.trace
             if e.event == "paid" and e.agent == "capex"]
    added = [e.numbers["change"] for e in grown]
    assert capex == pytest.approx([100.0 * a for a in added])
    # The order path reads the new capacity: more is made in the fifth year than the first.
    firms = result.tables["firms"]
    units = firms.groupby(firms["period"] // 4)["units"].sum()
    assert units.iloc[3] > 1.3 * units.iloc[0]
    assert firms["capacity"].iloc[-1] == pytest.approx(w.firms.capacity[0])


def test_with_growth_off_the_firm_stays_its_size():
    w, _ = run(ONE_FIRM, technology__growth_step=0.0)
    assert w.firms.capacity[0] == 100.0 and not decided(w, "capacity")


def test_with_a_price_below_cost_the_firm_exits_after_two_years():
    """Unit cost at process 0.5 is 1 x 1 x 0.75 + 2 = 2.75; the buyer pays 1.5."""
    w, result = run(ONE_FIRM, buyers__0__price=1.5, buyers__0__demand=0.5 * 80.0 * YEAR,
                    clusters__0__firms__0__cash=0.0)
    exits = decided(w, "exit")
    assert [(round(e.time), e.agent, e.numbers["reason"]) for e in exits] == [
        (720, "lead", "losses")]
    assert not w.firms.alive[0] and not any(link.active for link in w.links.all)
    # No order after the exit; its debt was written off by the world (orders in flight
    # still arrive and are paid for after).
    assert not [e for e in w.journal.trace if e.event == "placed" and e.time > 720.0]
    settled = [e for e in w.journal.trace if e.event == "paid" and e.agent == "exit"]
    assert len(settled) == 1 and settled[0].numbers["payee"][0] == 0
    assert settled[0].numbers["amount"] == pytest.approx(-exits[0].numbers["cash"])
    alive = result.tables["clusters"]["firms_alive"].tolist()
    assert alive[:7] == [1] * 7 and set(alive[8:]) == {0}


def test_with_exit_off_the_losing_firm_stays():
    w, _ = run(ONE_FIRM, buyers__0__price=1.5, buyers__0__demand=0.5 * 80.0 * YEAR,
               clusters__0__firms__0__cash=0.0, technology__exit_after_years=0)
    assert w.firms.alive[0] and not decided(w, "exit")


TWO_LEADS: dict[str, Any] = {
    **ONE_FIRM,
    "clusters": [{"id": "home", "transit_days": 0.0, "spillover": 0.0, "firms": [
        {"id": "lead", "count": 2, "capacity": 100.0, "process": 0.5, "product": 0.5,
         "outsourcing": 0.5, "spokes_per_order": 1, "cash": 1e6},
        {"id": "spoke", "role": "spoke", "count": 2, "capacity": 100.0, "process": 0.5}]}],
    "buyers": [{**ONE_FIRM["buyers"][0], "demand": 40.0 * YEAR}],
    "links": [{"buyer": "buyer", "firms": ["lead"], "governance": "market"}],
}


def test_an_exited_lead_firms_spokes_work_for_the_other():
    """Each lead firm starts with one spoke; when lead-1 leaves, lead-2 takes its spoke
    and the buyer's orders, and both spokes go on making parts."""
    raw = copy.deepcopy(TWO_LEADS)
    scenario = parse_scenario(raw, "tiny")
    w = build_world(scenario)
    start_cash = np.array(w.firms.cash, dtype=float)
    audit = start_audit(w)
    start_processes(w)
    assert w.spokes[:2] == [[2], [3]]
    w.env.run(until=100.0)
    w.demography.exit(0, "test", 0.0)
    assert w.spokes[1] == [3, 2]
    w.env.run(until=2 * YEAR)
    assert not state_problems(w, audit)
    audit_money(w, start_cash)
    late = [e for e in w.journal.trace if e.event == "sub_placed" and e.time > 100.0]
    assert {e.agent for e in late} == {"spoke-1", "spoke-2"}
    assert not [e for e in w.journal.trace
                if e.event == "placed" and e.time > 100.0 and e.agent == "lead-1"]


def test_a_refused_order_counts_against_every_firm_that_would_be_late():
    """Both spokes are too slow for the order and the lead firm is not: the work turned
    away is counted at each spoke (their part), none at the lead firm."""
    raw = copy.deepcopy(TWO_LEADS)
    raw["clusters"][0]["firms"] = [
        {"id": "lead", "capacity": 1000.0, "process": 0.5, "outsourcing": 0.5,
         "spokes_per_order": 2, "cash": 1e6},
        {"id": "spoke", "role": "spoke", "count": 2, "capacity": 1.0, "process": 0.5}]
    w = build_world(parse_scenario(raw, "tiny"))
    w.lead_firms.receive(w.links.all[0], 800.0, 12.0, 45.0)
    assert w.journal.book.refused_by_reason["capacity"] == 1
    assert w.firms.refused_year == [0.0, 200.0, 200.0]
    assert w.firms.made_year == [0.0, 0.0, 0.0]
