"""The raw SimPy ceiling: a model-free SimPy run with chainsim's event census.

``census`` runs chainsim once with an instrumented ``env.step`` and counts every processed
event by kind (what it is and who listens to it) and the depth of the event queue.
``raw_model`` then builds a plain SimPy model that processes the same number of events of
each kind at about the same mean queue depth, with no model logic: callbacks that only
schedule the next timeout, processes that only yield. Timing it in the same process gives
the ceiling chainsim's events per second is compared against.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import asdict, dataclass, field

import simpy
from simpy.events import Condition, Initialize, Process, Timeout

# The kinds of processed events the census tells apart, and the raw model reproduces.
KINDS = (
    "timeout_callback",    # a timeout whose listener is a plain callback (lean order flow)
    "timeout_process",     # a timeout a process yielded
    "timeout_condition",   # a timeout inside an AnyOf/AllOf
    "condition",           # the AnyOf/AllOf itself
    "event_condition",     # a plain event inside an AnyOf/AllOf (a shock trigger)
    "event",               # other plain events (the run's `until`)
    "process_start",       # Initialize: a process starting
    "process_end",         # a Process event: a process returning
    "store_put",
    "store_get",
    "other",
)


@dataclass
class Census:
    counts: dict[str, int] = field(default_factory=dict)
    events: int = 0
    mean_queue: float = 0.0
    max_queue: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _listener(cb) -> str:
    owner = getattr(cb, "__self__", None)
    if isinstance(owner, Process):
        return "process"
    if isinstance(owner, Condition):
        return "condition"
    return "callback"


def classify(event) -> str:
    cls = type(event)
    name = cls.__name__
    if cls is Initialize:
        return "process_start"
    if cls is Process:
        return "process_end"
    if isinstance(event, Condition):
        return "condition"
    if name in ("StorePut", "FilterStorePut", "PriorityStorePut"):
        return "store_put"
    if name in ("StoreGet", "FilterStoreGet", "PriorityStoreGet"):
        return "store_get"
    listeners = {_listener(cb) for cb in (event.callbacks or ())}
    if isinstance(event, Timeout):
        if "process" in listeners:
            return "timeout_process"
        if "condition" in listeners:
            return "timeout_condition"
        return "timeout_callback"
    if cls is simpy.Event:
        return "event_condition" if "condition" in listeners else "event"
    return "other"


def census(scenario, horizon_years: float | None = None) -> Census:
    """Run chainsim once, counting processed events by kind and sampling the queue depth."""
    from chainsim.engine.simulation import events_processed, start_processes
    from chainsim.engine.world import build_world
    from chainsim.technology import YEAR

    horizon = scenario.simulation.horizon_years if horizon_years is None else horizon_years
    w = build_world(scenario, replication=0, seed=scenario.simulation.seed)
    start_processes(w)
    env = w.env
    queue = env._queue
    counts: Counter[str] = Counter()
    depth = [0, 0]  # sum, max
    step = env.step

    def counting_step() -> None:
        if queue:
            n = len(queue)
            depth[0] += n
            if n > depth[1]:
                depth[1] = n
            counts[classify(queue[0][3])] += 1
        step()

    env.step = counting_step  # type: ignore[method-assign]
    env.run(until=horizon * YEAR)
    total = events_processed(env)
    return Census(counts={k: counts.get(k, 0) for k in KINDS}, events=total,
                  mean_queue=depth[0] / max(1, sum(counts.values())), max_queue=depth[1])


def raw_model(c: Census, seed: int = 1) -> simpy.Environment:
    """A model-free SimPy environment that will process ``c``'s events, kind by kind.

    - callback timeouts: ``round(mean_queue)`` concurrent chains, each callback scheduling
      the next timeout (with a value, as chainsim's do) until the budget is spent;
    - processes: one per ``process_start``, yielding the process timeouts and the
      AnyOf(timeout, never-triggered event) conditions between them, spread over the
      same span as the chains; ``process_end`` of them return, the others park forever;
    - plain events are triggered up front; store puts/gets by a producer and a consumer.
    Returns the environment ready to ``run()``; the ``until`` event counts as one event.
    """
    k = c.counts
    rng = random.Random(seed)
    delays = [rng.uniform(0.5, 1.5) for _ in range(4093)]
    n_delays = len(delays)
    env = simpy.Environment()
    timeout = env.timeout

    n_cb = k.get("timeout_callback", 0)
    chains = max(1, min(n_cb, round(c.mean_queue)))
    span = max(1.0, n_cb / chains)
    budget = [n_cb]
    turn = [0]

    def callback(event) -> None:
        if budget[0] > 0:
            budget[0] -= 1
            i = turn[0] = (turn[0] + 1) % n_delays
            timeout(delays[i], event.value).callbacks.append(callback)

    for j in range(min(chains, n_cb)):
        budget[0] -= 1
        timeout(delays[j % n_delays], j).callbacks.append(callback)

    n_proc = max(0, k.get("process_start", 0) - 2 * bool(k.get("store_put")))
    n_yield = k.get("timeout_process", 0)
    n_cond = k.get("timeout_condition", 0)  # conditions a trigger fires are added below
    n_end = min(n_proc, k.get("process_end", 0))
    n_trig = k.get("event_condition", 0)
    never = env.event()

    def process(index: int, yields: int, conds: int, ends: bool):
        per = span / max(1, yields + conds)
        for y in range(yields + conds):
            d = per * delays[(index * 7 + y) % n_delays]
            if y < conds:
                yield timeout(d) | never
            else:
                yield timeout(d)
        if not ends:
            yield env.event()  # parks forever, like chainsim's `while True` processes

    for p in range(n_proc):
        yields = n_yield // n_proc + (p < n_yield % n_proc) if n_proc else 0
        conds = n_cond // n_proc + (p < n_cond % n_proc) if n_proc else 0
        env.process(process(p, yields, conds, p < n_end))

    # Plain events inside a condition (shock triggers): an AnyOf that waits on them.
    for _ in range(n_trig):
        trigger = env.event()
        env.any_of([trigger, env.event()])
        trigger.succeed()
    for _ in range(max(0, k.get("event", 0) - 1)):  # less the `until` event
        env.event().succeed()

    n_put = k.get("store_put", 0)
    if n_put:
        store = simpy.Store(env)

        def producer():
            for i in range(n_put):
                yield store.put(i)

        def consumer():
            for _ in range(k.get("store_get", 0)):
                yield store.get()

        env.process(producer())
        env.process(consumer())
    return env


def run_raw(c: Census, seed: int = 1) -> int:
    """Build and run the raw model; return the events it processed."""
    from chainsim.engine.simulation import events_processed

    env = raw_model(c, seed)
    env.run(until=float("1e18"))
    return events_processed(env)


def raw_census(c: Census, seed: int = 1) -> Census:
    """The raw model's own census, to check it reproduces chainsim's event mix."""
    env = raw_model(c, seed)
    queue = env._queue
    counts: Counter[str] = Counter()
    step = env.step
    depth = [0, 0]

    def counting_step() -> None:
        if queue:
            depth[0] += len(queue)
            depth[1] = max(depth[1], len(queue))
            counts[classify(queue[0][3])] += 1
        step()

    env.step = counting_step  # type: ignore[method-assign]
    env.run(until=float("1e18"))
    from chainsim.engine.simulation import events_processed

    return Census(counts={kk: counts.get(kk, 0) for kk in KINDS}, events=events_processed(env),
                  mean_queue=depth[0] / max(1, sum(counts.values())), max_queue=depth[1])
