"""Order flow as tiny simulations (SimPy's test style): build a buyer, a lead firm and two
spokes, run a few weeks, and assert the exact sequence of what happened."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainsim.engine.simulation import collect, simulate, start_processes
from chainsim.engine.world import build_world
from chainsim.output import to_json
from chainsim.results.summary import summarize
from chainsim.scenario.load import load_scenario
from tests.helpers import tiny

ROOT = Path(__file__).resolve().parent.parent


def run_traced(scenario, days: float):
    w = build_world(scenario)
    w.journal.trace = []
    start_processes(w)
    w.env.run(until=days)
    result = collect(w, scenario.simulation.seed, 0, days / 360, 0.0, keep_world=True)
    return w, result


def orders(w) -> list[tuple[float, str, str]]:
    """The journal's order entries: (day, what happened, to whom)."""
    return [(round(e.time, 3), e.event, e.agent) for e in w.journal.trace if e.order >= 0]


def stages(w) -> list[str]:
    return [event for _, event, _ in orders(w)]


def test_one_order_flows_through_spokes_assembly_and_transit():
    w, result = run_traced(tiny(), 60)
    stages = orders(w)
    # Own share: 1,000 pairs at 100/day x (0.6 + 0.4 x 0.5) = 80/day -> 12.5 days.
    # Each spoke: 500 pairs at 50/day x 0.8 = 40/day -> 12.5 days. Assembly: 5 days.
    # The lead firm takes delivery of the parts, and pays for them, as it assembles the
    # order (docs/model.md, the order path): the spokes' parts are done at 17.5.
    assert stages[:5] == [
        (0.0, "placed", "lead"),
        (0.0, "accepted", "lead"),
        (0.0, "sub_placed", "spoke-1"),
        (0.0, "sub_placed", "spoke-2"),
        (17.5, "sub_done", "spoke-1"),
    ]
    assert stages[5] == (17.5, "sub_done", "spoke-2")
    assert stages[6] == (17.5, "shipped", "lead")
    time, stage, agent = stages[7]
    assert stage == "delivered" and agent == "buyer"
    assert 17.5 + 10 * 0.5 < time < 17.5 + 10 * 2.0  # transit: 10 days, lognormal spread
    assert len(stages) == 8
    assert result.orders["placed"] == result.orders["delivered"] == 1
    assert result.orders["sub_placed"] == result.orders["sub_done"] == 2


def test_waits_for_the_slowest_spoke():
    slow = tiny(clusters__0__firms__1__capacity=25.0)  # spokes now need 25 days
    w, _ = run_traced(slow, 60)
    shipped = [t for t, stage, _ in orders(w) if stage == "shipped"]
    assert shipped == [pytest.approx(25.0 + 5.0)]


def test_payments_flow_back_down_the_chain():
    _, result = run_traced(tiny(), 60)
    money = result.money
    # Buyer paid the lead firm for 2,000 pairs; the lead firm paid its spokes for 1,000.
    assert money["buyer_payment"] == pytest.approx(2000 * 10.0, rel=0.2)
    f = result.world.firms
    lead, spokes = 0, [1, 2]
    tech = result.scenario.technology
    spoke_cost = 1.0 * tech.labour_per_unit * (1 - 0.25) + tech.materials_per_unit
    assert money["spoke_payment"] == pytest.approx(1000 * spoke_cost * (1 + tech.supplier_margin))
    assert sum(f.revenue_year[s] for s in spokes) == pytest.approx(money["spoke_payment"])
    assert f.revenue_year[lead] == pytest.approx(money["buyer_payment"])
    assert abs(result.imbalance) < 1e-6


def test_refuses_an_order_it_cannot_deliver_in_time_and_records_why():
    tight = tiny(buyers__0__lead_time_days=10.0, technology__late_tolerance_days=0.0)
    w, result = run_traced(tight, 60)
    assert stages(w) == ["placed", "refused:capacity"]
    assert result.orders["refused"] == 1 and result.orders["refused_capacity"] == 1
    assert result.orders["accepted"] == 0


def test_second_order_queues_behind_the_first():
    two = tiny(buyers__0__order_size=1000.0)  # the season's 2,000 pairs as two orders
    w, result = run_traced(two, 60)
    assert [s for s in stages(w) if s in ("accepted", "queued")] == ["accepted", "queued"]
    shipped = [t for t, s, _ in orders(w) if s == "shipped"]
    # Own shares: 500 pairs take 6.25 days each, back to back; spokes alternate the same way.
    assert shipped == [pytest.approx(6.25 + 5.0), pytest.approx(12.5 + 5.0)]
    assert result.orders["queued"] == 1


def test_failed_order_costs_the_buyer_its_loss_and_the_supplier_a_penalty():
    bad = tiny(buyers__0__quality_requirement=1.0, technology__quality_sensitivity=10.0)
    w, result = run_traced(bad, 60)
    assert stages(w)[-1] == "failed"
    assert result.money["failure_loss"] == bad.buyers[0].loss_per_failed_order
    assert result.money["penalty"] > 0
    assert "buyer_payment" not in result.money


def test_lead_firm_without_spokes_makes_everything_itself():
    alone = tiny(clusters__0__firms=[TINY_LEAD_ONLY])
    w, result = run_traced(alone, 60)
    assert stages(w)[:3] == ["placed", "accepted", "shipped"]
    assert result.orders["sub_placed"] == 0


TINY_LEAD_ONLY = {"id": "lead", "role": "lead", "capacity": 100.0, "process": 0.5,
                  "product": 0.5}


def test_events_per_order_item_stay_lean():
    result = simulate(tiny(simulation__horizon_years=3, buyers__0__order_size=200.0))
    items = result.orders["placed"] + result.orders["sub_placed"]
    assert items > 20
    assert result.events / items < 3.0


def test_same_seed_same_summary_and_another_seed_differs():
    scenario = tiny(simulation__horizon_years=3, buyers__0__order_size=250.0,
                    technology__base_defect_rate=0.3)

    def clean(s):
        out = summarize(simulate(s))
        out.pop("wall_seconds")
        return json.loads(to_json(out))

    assert clean(scenario) == clean(scenario)
    other = scenario.model_copy(update={"simulation": scenario.simulation.model_copy(
        update={"seed": 8})})
    assert clean(other) != clean(scenario)


# -- a batch of like orders is n single orders -----------------------------------------


def _order_flow_state(w) -> tuple:
    """Everything the order flow told the journal, and the schedules it keeps."""
    j = w.journal
    return (j.trace, j.book.as_dict(), dict(j.ledger.totals), list(w.firms.cash),
            list(w.lead_firms.busy), list(w.lead_firms.turn), w.lead_firms.orders_made,
            list(j.flows.cluster["refused"]))


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_a_batch_of_orders_is_the_same_as_one_call_per_order(data):
    """`receive(..., n)` reads the firm's constants once; nothing else may differ from n
    calls: acceptance, queueing, refusal for capacity part-way through, order ids, spoke
    rotation, payments, and everything that follows until the last order has arrived."""
    scenario = load_scenario(ROOT / "scenarios" / "sinos_valley.toml")
    batched, single = build_world(scenario), build_world(scenario)
    busy = data.draw(st.lists(st.sampled_from([0.0, 30.0, 90.0, 150.0]),
                              min_size=len(batched.firms), max_size=len(batched.firms)))
    for w in (batched, single):
        w.journal.trace = []
        w.lead_firms.busy[:] = busy
    links = batched.links.all
    for _ in range(data.draw(st.integers(1, 5))):
        link = data.draw(st.integers(0, len(links) - 1))
        qty, price = data.draw(st.floats(100.0, 30_000.0)), data.draw(st.floats(1.0, 20.0))
        lead_time, n = data.draw(st.floats(20.0, 200.0)), data.draw(st.integers(1, 12))
        if data.draw(st.booleans()) and data.draw(st.booleans()):
            for w in (batched, single):
                w.clusters[0].active = not w.clusters[0].active
        batched.lead_firms.receive(links[link], qty, price, lead_time, n)
        for _ in range(n):
            single.lead_firms.receive(single.links.all[link], qty, price, lead_time)
        until = batched.env.now + data.draw(st.floats(0.01, 30.0))
        batched.env.run(until=until)
        single.env.run(until=until)
        assert _order_flow_state(batched) == _order_flow_state(single)
    for w in (batched, single):  # let every accepted order arrive
        w.env.run(until=w.env.now + 2 * 360)
    assert _order_flow_state(batched) == _order_flow_state(single)
    assert batched.journal.book.placed > 0
    assert batched.journal.book.in_production == batched.journal.book.in_transit == 0


def test_a_due_event_takes_the_place_a_timeout_would():
    """The order path's light timeouts (engine/due.py) are processed where SimPy's own
    Timeout with the same delay would be, ties in scheduling order, and counted alike."""
    import simpy

    from chainsim.engine.due import Due
    from chainsim.engine.simulation import events_processed

    env = simpy.Environment()
    seen = []
    env.timeout(1.0).callbacks.append(lambda e: seen.append("timeout 1"))
    Due(env, 1.0, (lambda e: seen.append(e.value),), "due")
    env.timeout(1.0).callbacks.append(lambda e: seen.append("timeout 2"))
    Due(env, 0.5, (lambda e: seen.append(e.value),), "early")
    env.run()
    assert seen == ["early", "timeout 1", "due", "timeout 2"]
    assert events_processed(env) == 4 and env.now == 1.0


def test_an_order_costs_two_events_whatever_its_parts(monkeypatch):
    """The order path schedules one event when an order is assembled (its spokes' parts
    delivered and paid with it) and one on arrival, a third only for rework."""
    from chainsim.agents import lead_firms

    made = []
    real = lead_firms.Due

    def due(env, delay, callbacks, value):
        made.append(callbacks)
        return real(env, delay, callbacks, value)

    monkeypatch.setattr(lead_firms, "Due", due)
    result = simulate(tiny(simulation__horizon_years=3, buyers__0__order_size=200.0))
    accepted = result.orders["accepted"]
    assert result.orders["sub_placed"] == 2 * accepted  # two spokes per order
    assert 2 * accepted <= len(made) < 2.2 * accepted
