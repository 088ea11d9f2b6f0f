"""Replications for evidence commands: each worker runs one replication and sends back
only the few numbers asked for (headline metrics by name and pattern metrics), so a
design of hundreds of points costs no more memory or transfer than its numbers.

Replication r of every configuration runs with the same seed and replication index, so
the configurations share their (agent, purpose) random streams: common random numbers
(`chainsim.randomness`). Tasks go out in batches on the project's executors
(`chainsim.experiments.executors`), with a rich progress bar on a terminal.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chainsim.engine.simulation import simulate
from chainsim.evidence.metrics import METRICS, RunTables
from chainsim.experiments.executors import open_executor, progress, run_batched
from chainsim.results.summary import ClusterTables, cluster_metrics, headline
from chainsim.scenario import Scenario


@dataclass(frozen=True)
class Term:
    """A pattern metric: a function of `chainsim.evidence.metrics` and its arguments."""

    metric: str
    args: str  # JSON, so the term is hashable and pickles small

    @classmethod
    def of(cls, metric: str, args: dict[str, Any]) -> Term:
        return cls(metric, json.dumps(args, sort_keys=True))

    @property
    def key(self) -> str:
        return f"{self.metric}({self.args})"

    def __call__(self, rt: RunTables) -> float:
        return float(METRICS[self.metric](rt, **json.loads(self.args)))


@dataclass(frozen=True)
class MetricTask:
    """One replication of one configuration and the numbers wanted from it."""

    config: str
    scenario: Scenario
    seed: int
    replication: int
    horizon_years: float
    headline: tuple[str, ...] = ()
    terms: tuple[Term, ...] = ()
    specs: tuple[str, ...] = ()  # proposition metrics (chainsim.evidence.specs)


def run_metric_task(task: MetricTask) -> dict[str, float]:
    """Simulate one replication; return the named headline metrics (NaN when a scenario
    lacks one) and the pattern terms by key."""
    result = simulate(task.scenario, seed=task.seed, replication=task.replication,
                      horizon_years=task.horizon_years, decision_log=False)
    out: dict[str, float] = {}
    if task.headline or task.specs:
        h = headline_subset(result, (*task.headline, *task.specs))
        out.update({k: float(h.get(k, math.nan)) for k in task.headline})
        if task.specs:
            out.update(spec_values(task.specs, h, result))
    if task.terms:
        rt = RunTables.of(result)
        out.update({t.key: t(rt) for t in task.terms})
    out["_cpu_events"] = float(result.events)
    return out


def headline_subset(result: Any, names: Sequence[str]) -> dict[str, float]:
    """The headline metrics among `names`, computing only the clusters they name (the
    same numbers as `headline`, at a fraction of its cost on many-cluster scenarios)."""
    from chainsim.evidence import specs

    if any(not n.startswith("cluster.") and specs.parse(n) is None for n in names):
        return headline(result)  # a buyer, order or link metric: all of them
    wanted = [n for n in names if n.startswith("cluster.")]
    ids = [c.id for c in result.scenario.clusters]
    shared = ClusterTables.of(result.tables, result.scenario.technology.ladder)
    out: dict[str, float] = {}
    for cid in dict.fromkeys(n.split(".")[1] for n in wanted):
        if cid in ids:
            mine = {n.split(".", 2)[2] for n in wanted if n.split(".")[1] == cid}
            for k, v in cluster_metrics(result, ids.index(cid), shared, mine).items():
                out[f"cluster.{cid}.{k}"] = v
    return out


def spec_values(names: Sequence[str], head: dict[str, float], result: Any
                ) -> dict[str, float]:
    """Proposition metrics of one run, read as `chainsim propositions` reads them from
    an experiment's stored series."""
    from chainsim.evidence import specs
    from chainsim.experiments.series import buyer_markets, cluster_series, market_series

    sc = result.scenario
    ids, start = [c.id for c in sc.clusters], float(sc.simulation.start_year)
    clusters = markets = None
    if any(specs.parse(n) is not None and not specs.needs_markets(n) for n in names):
        clusters = cluster_series(result.tables, ids, start, sc.technology.ladder)
    if any(specs.needs_markets(n) for n in names):
        markets = market_series(result.tables, ids, buyer_markets(sc), start)
    return {n: specs.value(n, head, clusters, sc, markets) for n in names}


def run_tasks(tasks: Sequence[MetricTask], *, executor_kind: str = "process",
              workers: int | None = None, batch_size: int | None = None,
              show_progress: bool = False, description: str = "replications"
              ) -> list[dict[str, float]]:
    """Run every task on an executor, results in task order."""
    if not tasks:
        return []
    workers = min(workers or _cpus(), len(tasks))
    # The longest runs first, so the last batches are short ones and no worker waits long
    # for the others at the end; results come back in the caller's order.
    order = sorted(range(len(tasks)), key=lambda i: -expected_cost(tasks[i]))
    with open_executor(executor_kind, workers) as pool, \
            progress(len(tasks), description, show_progress) as advance:
        if batch_size is None:
            # Small batches keep the bar moving and the load even; a task is a whole
            # simulation (0.1-5 s), so the per-batch cost of a few ms does not show. At
            # most 4 tasks a batch: with 8 batches per worker a design of thousands of
            # runs had batches of minutes, and a minute's wait at the end.
            batch_size = max(1, min(4, math.ceil(len(tasks) / (8 * workers))))
        done = run_batched(run_metric_task, [tasks[i] for i in order], pool, batch_size,
                           on_done=advance)
    out: list[dict[str, float]] = [{}] * len(tasks)
    for i, res in zip(order, done, strict=True):
        out[i] = res
    return out


def expected_cost(task: MetricTask) -> float:
    """A rough guide to a task's run time, only to order the tasks: simulated years times
    the agents (a buyer weighs about as much as fifty firms: it scouts, orders and
    governs every link)."""
    sc = task.scenario
    firms = sum(f.count for c in sc.clusters for f in c.firms)
    buyers = sum(b.count for b in sc.buyers)
    return task.horizon_years * (firms + 50.0 * buyers)


def _cpus() -> int:
    import os

    return os.cpu_count() or 1
