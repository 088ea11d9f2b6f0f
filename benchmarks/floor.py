"""The order-flow floor: chainsim's own orders, routed with no model logic at all.

The raw SimPy model (`benchmarks.rawsimpy`) is the ceiling for events with *no* listener
work. Any model whose orders are SimPy events pays, on top, for a Python callback per event
that at least finds its order and routes it to the next stage. This module measures that
floor for the headline run: it records when each of chainsim's orders was placed, when its
sub-orders finished, when it was shipped and when it arrived (the run's order trace), then
replays exactly those events with callbacks that only count down sub-orders and schedule
the next stage: no prices, money, capabilities, draws or records.

floor / raw is what routing chainsim's own orders through Python callbacks costs beyond
bare SimPy, an upper bound on the ratio for any model that handles these orders event by
event (the floor has no periodic processes: 97,662 events against chainsim's 98,305);
chainsim / floor is the share of it the full model reaches.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import simpy

INF = float("inf")


@dataclass(slots=True)
class FloorOrder:
    """One traced order: its sub-orders' durations, then assembly and transit."""

    sub_days: list[float] = field(default_factory=list)
    assembly_days: float = INF
    transit_days: float = INF
    pending: int = 0


def trace_orders(scenario) -> tuple[list[tuple[float, list[FloorOrder]]], float, int]:
    """Run chainsim with its order trace on; return the accepted orders grouped by the
    instant they were placed, the horizon in days and chainsim's event count."""
    from chainsim.engine.simulation import events_processed, start_processes
    from chainsim.engine.world import build_world
    from chainsim.technology import YEAR

    w = build_world(scenario, replication=0, seed=scenario.simulation.seed)
    w.journal.trace = []
    start_processes(w)
    horizon = scenario.simulation.horizon_years * YEAR
    w.env.run(until=horizon)
    placed: dict[int, float] = {}
    last: dict[int, float] = {}  # when the order's last stage so far happened
    orders: dict[int, FloorOrder] = {}
    for time, stage, oid, *_ in w.journal.trace:
        if oid < 0:
            continue  # payments and decisions
        if stage == "placed":
            placed[oid] = last[oid] = time
        elif stage in ("accepted", "queued"):
            orders[oid] = FloorOrder()
        elif stage == "sub_placed":
            orders[oid].sub_days.append(INF)
        elif stage == "sub_done":
            o = orders[oid]
            o.sub_days[o.sub_days.index(INF)] = time - placed[oid]  # traced in finish order
            last[oid] = time
        elif stage == "shipped":
            orders[oid].assembly_days = time - last[oid]
            last[oid] = time
        elif stage in ("delivered", "failed"):
            orders[oid].transit_days = time - last[oid]
    by_time: dict[float, list[FloorOrder]] = defaultdict(list)
    for oid, order in orders.items():
        by_time[placed[oid]].append(order)
    return sorted(by_time.items()), horizon, events_processed(w.env)


def floor_model(schedule: list[tuple[float, list[FloorOrder]]]) -> tuple[simpy.Environment,
                                                                          list[int]]:
    """The traced orders as SimPy events with the least a lean order flow must do."""
    env = simpy.Environment()
    timeout = env.timeout
    delivered = [0]

    def arrive(event) -> None:
        delivered[0] += 1

    def ship(event) -> None:
        order = event._value
        if order.transit_days < INF:
            timeout(order.transit_days, order).callbacks.append(arrive)

    def assemble(order: FloorOrder) -> None:
        if order.assembly_days < INF:
            timeout(order.assembly_days, order).callbacks.append(ship)

    def sub_done(event) -> None:
        order = event._value
        order.pending -= 1
        if order.pending == 0:
            assemble(order)

    def place(order: FloorOrder) -> None:
        subs = [d for d in order.sub_days if d < INF]
        if not order.sub_days:
            assemble(order)
            return
        order.pending = len(order.sub_days)
        for days in subs:
            timeout(days, order).callbacks.append(sub_done)

    def buyers():
        for time, orders in schedule:
            yield timeout(time - env.now)
            for order in orders:
                place(order)

    env.process(buyers())
    return env, delivered


def run_floor(schedule: list[tuple[float, list[FloorOrder]]], horizon: float) -> int:
    """Replay the schedule to the horizon; return the events processed."""
    from chainsim.engine.simulation import events_processed

    for _, orders in schedule:
        for order in orders:
            order.pending = 0
    env, _ = floor_model(schedule)
    env.run(until=horizon)
    return events_processed(env)
