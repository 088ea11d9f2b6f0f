"""The order-flow floor: chainsim's own orders, routed with no model logic at all.

The raw SimPy model (`benchmarks.rawsimpy`) is the ceiling for events with *no* listener
work. Any model whose orders are SimPy events pays, on top, for a Python callback per event
that at least finds its order and routes it to the next stage. This module measures that
floor for the headline run: it records when each of chainsim's orders was placed, when it
was assembled (its spokes' parts delivered and paid), when it was shipped and when it
arrived (the run's order trace), then replays exactly those stages as SimPy timeouts with
callbacks that only schedule the next stage: no prices, money, capabilities, draws or
records. As in chainsim, an order is one timeout to the end of its assembly, one more
only when it is reworked, and one for transit.

floor / raw is what routing chainsim's own orders through Python callbacks costs beyond
bare SimPy, an upper bound on the ratio for any model that handles these orders event by
event (the floor has no periodic processes); chainsim / floor is the share of it the full
model reaches.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import simpy

INF = float("inf")


@dataclass(slots=True)
class FloorOrder:
    """One traced order: days to the end of its assembly, to shipping after that (rework;
    0 when it ships as assembled), then transit."""

    assembled_days: float = INF
    rework_days: float = INF
    transit_days: float = INF


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
        elif stage == "sub_done":  # at the end of the order's assembly
            orders[oid].assembled_days = time - placed[oid]
        elif stage == "shipped":
            o = orders[oid]
            if o.assembled_days == INF:  # no spokes: assume no rework (a lower bound)
                o.assembled_days = time - placed[oid]
            o.rework_days = time - placed[oid] - o.assembled_days
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

    def assembled(event) -> None:
        order = event._value
        if order.rework_days > 0.0:
            if order.rework_days < INF:
                timeout(order.rework_days, order).callbacks.append(ship)
            return
        ship(event)

    def place(order: FloorOrder) -> None:
        if order.assembled_days < INF:
            timeout(order.assembled_days, order).callbacks.append(assembled)

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

    env, _ = floor_model(schedule)
    env.run(until=horizon)
    return events_processed(env)
