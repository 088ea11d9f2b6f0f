"""One lifecycle function: build, wire, run, collect (STYLE.md 3)."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from chainsim import __version__
from chainsim.agents.shocks import shocks
from chainsim.engine.calendar import periods
from chainsim.engine.world import World, build_world
from chainsim.results.records import exhibition_panel, project_panel, vote_panel
from chainsim.scenario.model import Scenario
from chainsim.technology import YEAR


@dataclass
class RunResult:
    """Everything a run leaves behind: the resolved scenario, seed, version, wall time,
    the counters, the per-period panels and the decision log."""

    scenario: Scenario
    seed: int
    replication: int
    horizon_years: float
    version: str
    wall_seconds: float
    events: int
    orders: dict[str, int]
    money: dict[str, float]
    imbalance: float
    decisions: list[dict[str, Any]]
    decision_counts: dict[str, int]
    tables: dict[str, pd.DataFrame] = field(repr=False)
    buyer_groups: dict[str, list[int]] = field(default_factory=dict, repr=False)
    buyer_ids: list[str] = field(default_factory=list, repr=False)  # one per buyer agent
    world: World | None = field(default=None, repr=False)


def simulate(scenario: Scenario, seed: int | None = None, replication: int = 0,
             horizon_years: float | None = None, keep_world: bool = False,
             decision_log: bool = True) -> RunResult:
    """Run one replication of a scenario and collect its records; without `decision_log`
    the decisions are counted but not kept (`RunResult.decisions` is empty), as for the
    replications of an evidence design, which read only the tables.

    Earlier runs' worlds are collected first: a world is a web of reference cycles
    (agents, links and processes point at each other), which `few_collections` keeps the
    collector away from while it runs, and which the collector's own schedule may then
    leave for thousands of runs. A worker of `chainsim robustness` running 1,760 runs grew
    to 12 GB and was killed; a full collection here costs about 40 ms of a 1 s Sinos run."""
    gc.collect()
    started = time.perf_counter()
    seed = scenario.simulation.seed if seed is None else int(seed)
    horizon = scenario.simulation.horizon_years if horizon_years is None else horizon_years
    w = build_world(scenario, replication=replication, seed=seed)
    w.journal.decisions.keep_rows = decision_log
    start_processes(w)
    with few_collections():
        w.env.run(until=horizon * YEAR)
    return collect(w, seed, replication, horizon, time.perf_counter() - started, keep_world)


@contextmanager
def few_collections() -> Iterator[None]:
    """Run with the cyclic garbage collector mostly out of the way: the world built so far
    is frozen (never rescanned) and young objects are collected less often. Events and
    orders hold no reference cycles worth chasing, and at 10,000 firms the collector's
    scans of hundreds of thousands of live timeouts cost about 15% of the run.

    Where objects are frozen already (a pool worker froze what it inherited,
    experiments/executors.py), the freeze is left as it is: unfreezing would undo the
    worker's, and a world frozen for good would never be freed."""
    old = gc.get_threshold()
    own_freeze = gc.get_freeze_count() == 0
    if own_freeze:
        gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        if own_freeze:
            gc.unfreeze()


def start_processes(w: World) -> None:
    for buyer in w.buyers:
        buyer.start()
    for cluster in w.clusters:
        cluster.start()
    for fair in w.fairs:
        fair.start()
    w.env.process(periods(w))
    if w.scenario.shocks:
        groups = {g: [w.buyers[b] for b in members] for g, members in w.buyer_groups.items()}
        w.env.process(shocks(w.env, w.scenario, w.clusters, groups, w.journal))


def events_processed(env) -> int:
    """SimPy events processed so far: every scheduled event draws an id from `env._eid`;
    those still in the queue have not been processed. Costs nothing while running."""
    scheduled = next(env._eid)
    return scheduled - len(env._queue)


class InvariantError(AssertionError):
    """A run broke one of the model's conservation laws: a bug, never input."""


def check_invariants(w: World) -> None:
    """Orders and money are conserved; capabilities stay in [0, 1]. Cheap: counters only."""
    broken = w.journal.book.conserved()
    led = w.journal.ledger
    scale = max(1.0, sum(abs(v) for v in led.totals.values())
                + sum(abs(c) for c in led.firm_cash) + sum(abs(c) for c in led.buyer_cash))
    if abs(led.imbalance()) > 1e-9 * scale:
        broken.append(f"money not conserved: imbalance {led.imbalance():.6g}")
    caps = w.firms.caps
    if caps.size and (caps.min() < 0.0 or caps.max() > 1.0):
        broken.append("a capability left [0, 1]")
    if broken:
        raise InvariantError("; ".join(broken))


def collect(w: World, seed: int, replication: int, horizon: float, wall: float,
            keep_world: bool = False) -> RunResult:
    check_invariants(w)
    f, rec, journal = w.firms, w.recorder, w.journal
    events = journal.tables
    tables = {
        "firms": rec.firm_panel(f.ids, f.cluster, f.lead),
        "clusters": rec.flow_panel(rec.cluster_rows, "cluster"),
        "buyers": rec.flow_panel(rec.buyer_rows, "buyer"),
        "links": rec.link_panel(),
        "fairs": pd.DataFrame(events.fairs, columns=["time", "fair", "cluster", "exhibitors",
                                                      "total"]),
        "exhibitions": exhibition_panel(events.exhibitions),
        "votes": vote_panel(events.votes),
        "projects": project_panel(events.projects),
    }
    ledger = journal.ledger
    return RunResult(
        scenario=w.scenario, seed=seed, replication=replication, horizon_years=horizon,
        version=__version__, wall_seconds=wall, events=events_processed(w.env),
        orders=journal.book.as_dict(), money=dict(ledger.totals), imbalance=ledger.imbalance(),
        decisions=journal.decisions.rows, decision_counts=dict(journal.decisions.counts),
        tables=tables,
        world=w if keep_world else None, buyer_groups=w.buyer_groups,
        buyer_ids=[b.id for b in w.buyers],
    )
