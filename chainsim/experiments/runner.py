"""Replications of one or more configurations on any `concurrent.futures.Executor`.

Replication r of every configuration runs with the same seed and replication index, so it
draws from the same (agent, purpose) random streams (`chainsim.randomness`): common random
numbers. Comparing configurations replication by replication then removes the noise they
share (`chainsim.experiments.stats.paired_difference`).

A task is small and picklable (configuration name, frozen scenario, seed, replication,
horizon); the module-level worker `run_replication` sends back only the headline metrics
and the per-period series (`chainsim.experiments.series`), never the simulated world.
Tasks go out in batches (`run_batched`); with an output directory each finished
replication is saved at once, so an interrupted experiment resumes where it stopped, and
the main process keeps only each replication's row of headline metrics: the series stay
on disk until the tables are written (`StoredSeries`), so memory does not grow with the
number of replications beyond that row.
"""

from __future__ import annotations

import fnmatch
import hashlib
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import BrokenExecutor, Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from chainsim.engine.simulation import simulate
from chainsim.experiments.executors import SerialExecutor, progress, run_batched
from chainsim.experiments.series import run_series
from chainsim.experiments.stats import MeanCI, compare_configurations, mean_ci
from chainsim.experiments.units import bounds, difference_bounds
from chainsim.output import to_json
from chainsim.results.summary import BUYER_METRICS, CLUSTER_METRICS, headline
from chainsim.scenario import Scenario

ID_COLUMNS = ("config", "replication", "seed", "events", "wall_seconds")
SERIES_TABLES = ("clusters", "buyers", "governance", "markets")
DEFAULT_METRICS = (
    "cluster.*.price_decline", "cluster.*.process_gain", "cluster.*.product_gain",
    "cluster.*.design_gain", "cluster.*.marketing_gain", "cluster.*.functional_upgrading",
    "cluster.*.fair_share",
)
# Headline groups whose JSON key is plural, like the single-run summary.
GROUP_KEYS = {"cluster": "clusters", "buyer": "buyers"}


@dataclass(frozen=True)
class Configuration:
    """A named, validated scenario to replicate; `overrides` and `params` say how it
    differs from the file it came from (for the manifest and sweep tables)."""

    name: str
    scenario: Scenario
    source: str = "<scenario>"
    overrides: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Task:
    """One replication of one configuration: what a worker needs, nothing more."""

    config: str
    scenario: Scenario
    seed: int
    replication: int
    horizon_years: float
    series: bool = True  # False: the caller keeps no series, so none are computed


@dataclass
class ReplicationOutput:
    """What a worker sends back: identifiers, headline metrics, per-period series."""

    config: str
    replication: int
    seed: int
    events: int
    wall_seconds: float
    metrics: dict[str, float]
    series: dict[str, pd.DataFrame]


class ReplicationError(RuntimeError):
    """A replication raised; the message names the configuration and replication."""


class WorkersLost(ReplicationError):
    """A worker process died (killed, out of memory) or the cluster lost it: the
    replications it held did not finish; those saved before stay saved."""


class SaveFailed(ReplicationError):
    """A finished replication could not be saved (disk full, permissions); nothing of it
    was left half-written, and those saved before stay saved."""


def run_replication(task: Task) -> ReplicationOutput:
    """Simulate one replication and keep only its headline metrics and series."""
    try:
        result = simulate(task.scenario, seed=task.seed, replication=task.replication,
                          horizon_years=task.horizon_years)
        metrics = headline(result)
        series = run_series(result) if task.series else {}
    except Exception as exc:
        # Re-raised with a plain message so it pickles back from any worker.
        raise ReplicationError(f"configuration {task.config!r}, replication "
                               f"{task.replication} (seed {task.seed}): "
                               f"{type(exc).__name__}: {exc}") from None
    return ReplicationOutput(
        config=task.config, replication=task.replication, seed=task.seed,
        events=int(result.events), wall_seconds=float(result.wall_seconds),
        metrics=metrics, series=series,
    )


def replication_frames(out: ReplicationOutput) -> dict[str, pd.DataFrame]:
    """A replication as tables: a one-row `metrics` frame and the series, each with its
    `config` and `replication` columns. The same frames are cached on disk for --resume,
    so fresh and resumed replications are assembled identically."""
    ids = {"config": out.config, "replication": out.replication, "seed": out.seed,
           "events": out.events, "wall_seconds": out.wall_seconds}
    row = {**ids, **{k: float(v) for k, v in out.metrics.items()}}
    frames = {"metrics": pd.DataFrame([row]).astype(
        {"replication": "int64", "seed": "int64", "events": "int64"})}
    for name, table in out.series.items():
        frame = table.copy()
        frame.insert(0, "replication", np.int64(out.replication))
        frame.insert(0, "config", out.config)
        frames[name] = frame.astype({"replication": "int64"})
    return frames


def fingerprint(config: Configuration) -> str:
    """Identity of a resolved configuration (scenario incl. seed and horizon, version)."""
    from chainsim import __version__

    text = to_json({"scenario": config.scenario.model_dump(mode="json"),
                    "version": __version__}, indent=None)
    return hashlib.sha256(text.encode()).hexdigest()


def replication_identity(config: Configuration, seed: int) -> dict[str, Any]:
    """What a saved replication must prove to be reused (with its own index): the
    configuration's name, scenario fingerprint, overrides, seed and chainsim version."""
    from chainsim import __version__

    return {"config": config.name, "fingerprint": fingerprint(config),
            "overrides": list(config.overrides), "seed": int(seed), "version": __version__}


def with_run_settings(scenario: Scenario, seed: int, horizon_years: float) -> Scenario:
    """The scenario as it is run: seed and horizon resolved into it (for the manifest)."""
    sim = scenario.simulation.model_copy(update={"seed": seed, "horizon_years": horizon_years})
    return scenario.model_copy(update={"simulation": sim})


def resolve_configurations(configurations: Sequence[Configuration], seed: int | None = None,
                           horizon_years: float | None = None
                           ) -> tuple[int, list[Configuration]]:
    """The seed every configuration runs with (default: the first one's, so replication r
    of each shares its random streams) and the configurations with seed and horizon
    written into their scenarios. Idempotent."""
    seed = configurations[0].scenario.simulation.seed if seed is None else int(seed)
    out = []
    for c in configurations:
        horizon = c.scenario.simulation.horizon_years if horizon_years is None else horizon_years
        out.append(Configuration(c.name, with_run_settings(c.scenario, seed, horizon),
                                 c.source, c.overrides, dict(c.params)))
    return seed, out


@dataclass
class Experiment:
    """The replications of every configuration, as tidy tables."""

    kind: str
    configurations: list[Configuration]
    replications: int
    seed: int
    metrics: pd.DataFrame
    series: Mapping[str, pd.DataFrame]  # in memory, or read back from --out (StoredSeries)
    wall_seconds: float
    reused: int = 0
    confidence: float = 0.95
    # A metric compared under another column in some configurations (paired clusters):
    # name -> {config: column}. Written by `chainsim.experiments.lifecycle.execute`.
    aliases: dict[str, dict[str, str]] = field(default_factory=dict)
    out: Path | None = None  # where the outputs were written, if anywhere
    files: list[str] = field(default_factory=list)  # those outputs, relative to `out`

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.configurations]

    @property
    def baseline(self) -> str:
        return self.configurations[0].name

    def metric_names(self) -> list[str]:
        return [c for c in self.metrics.columns if c not in ID_COLUMNS]

    def select(self, patterns: Sequence[str] | None = None) -> list[str]:
        """Metric names matching any glob, in recorded order (default: DEFAULT_METRICS)."""
        return match_metrics(self.metric_names(), patterns or DEFAULT_METRICS)

    def samples(self, metric: str) -> dict[str, np.ndarray]:
        """Per configuration, the metric's values ordered by replication index (CRN pairs);
        an aliased metric reads each configuration's own column."""
        columns = self.aliases.get(metric, {})
        out = {}
        for name in self.names:
            rows = self.metrics[self.metrics["config"] == name].sort_values("replication")
            column = columns.get(name, metric)
            out[name] = rows[column].to_numpy(float) if column in rows else np.full(
                len(rows), np.nan)
        return out

    def summary(self, config: str | None = None) -> dict[str, MeanCI]:
        """Mean and CI of every metric for one configuration (default: the first)."""
        config = config or self.baseline
        rows = self.metrics[self.metrics["config"] == config]
        return {k: mean_ci(rows[k].to_numpy(float), self.confidence, bounds(k))
                for k in self.metric_names()}

    def comparisons(self, metrics: Sequence[str] | None = None) -> dict[str, list[dict]]:
        """Per metric, every configuration against the first: paired differences under
        CRN, CIs Bonferroni-widened and p-values Holm-adjusted over the configurations."""
        out = {}
        for metric in metrics if metrics is not None else self.metric_names():
            out[metric] = compare_configurations(self.samples(metric), self.baseline,
                                                 self.confidence, difference_bounds(metric))
        return out

    def summary_table(self) -> pd.DataFrame:
        """Tidy: one row per configuration and metric, with parameters for sweeps."""
        rows = []
        for cfg in self.configurations:
            for metric, ci in self.summary(cfg.name).items():
                rows.append({"config": cfg.name, **{f"param.{k}": v for k, v in
                                                    cfg.params.items()},
                             "metric": metric, **ci})
        return typed(pd.DataFrame(rows), SUMMARY_TYPES)

    def comparable(self) -> list[str]:
        """Metrics to compare: the aliases, then every column no alias stands for."""
        aliased = {c for columns in self.aliases.values() for c in columns.values()}
        return [*self.aliases, *(m for m in self.metric_names()
                                 if m not in aliased and m not in self.aliases)]

    def comparison_table(self) -> pd.DataFrame:
        rows = [{"metric": metric, **row}
                for metric, cmp in self.comparisons(self.comparable()).items()
                for row in cmp]
        return typed(pd.DataFrame(rows), COMPARISON_TYPES)

    def total_events(self) -> int:
        return int(self.metrics["events"].sum()) if not self.metrics.empty else 0


# One schema per table whatever the number of replications (docs/metrics.md): with one
# replication the CI bounds are missing (NaN), never a column of nulls of no type.
SUMMARY_TYPES = {"config": object, "metric": object, "mean": "float64", "ci_low": "float64",
                 "ci_high": "float64", "n": "int64"}
COMPARISON_TYPES = {"metric": object, "config": object, "baseline": object, "mean": "float64",
                    "ci_low": "float64", "ci_high": "float64", "n": "int64",
                    "p_value": "float64", "p_holm": "float64"}


def typed(frame: pd.DataFrame, types: dict[str, Any]) -> pd.DataFrame:
    """The frame with these columns of these types (missing values as NaN)."""
    for column, kind in types.items():
        if column not in frame:
            frame[column] = pd.Series(dtype=kind)
    return frame.astype({c: k for c, k in types.items()})


def match_metrics(names: Sequence[str], patterns: Sequence[str]) -> list[str]:
    """Names matching any of the globs, in the order of `names`."""
    return [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns)]


def expected_metrics(scenario: Scenario) -> list[str]:
    """The headline metric names a scenario will report, known before it runs (order
    counts by refusal reason, `orders.refused_<reason>`, appear only when they happen)."""
    from chainsim.journal import STAGES

    names = [f"cluster.{c.id}.{k}" for c in scenario.clusters for k in CLUSTER_METRICS]
    names += [f"buyer.{b.id}.{k}" for b in scenario.buyers for k in BUYER_METRICS]
    names += [f"orders.{s}" for s in (*STAGES, "in_production", "in_transit")]
    names.append("links.quasi_hierarchy_share")
    return names


def unmatched_patterns(patterns: Sequence[str], scenarios: Sequence[Scenario]) -> list[str]:
    """Patterns that match no metric of every scenario (`orders.*` names always pass)."""
    known = set.intersection(*(set(expected_metrics(s)) for s in scenarios))
    return [p for p in patterns
            if not p.startswith("orders.") and not match_metrics(sorted(known), [p])]


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """`cluster.sinos.price_decline` -> {"clusters": {"sinos": {"price_decline": ...}}}."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        group, _, rest = key.partition(".")
        group = GROUP_KEYS.get(group, group)
        if group in ("clusters", "buyers"):
            agent, _, metric = rest.partition(".")
            out.setdefault(group, {}).setdefault(agent, {})[metric] = value
        else:
            out.setdefault(group, {})[rest] = value
    return out


class MetricRows:
    """Each replication's headline metrics, kept compactly (one float array per row,
    column names shared) and assembled into one table at the end exactly as stacking the
    one-row frames would (`_concat`): columns in the first row's order, then any others
    sorted; a metric a row lacks is NaN."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, int], tuple[int, float]] = {}
        self._values: dict[tuple[str, int], tuple[int, np.ndarray]] = {}
        self._columns: dict[tuple[str, ...], int] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, key: tuple[str, int]) -> bool:
        return key in self._ids

    def add(self, frame: pd.DataFrame) -> None:
        """Keep the one-row metrics frame of a replication."""
        row = frame.iloc[0]
        names = tuple(c for c in frame.columns if c not in ID_COLUMNS)
        kind = self._columns.setdefault(names, len(self._columns))
        key = (str(row["config"]), int(row["replication"]))
        self._ids[key] = (int(row["events"]), float(row["wall_seconds"]))
        self._values[key] = (kind, frame[list(names)].to_numpy(float)[0])

    def table(self, order: Sequence[tuple[str, int]], seed: int) -> pd.DataFrame:
        """The rows of `order` as one frame (ID_COLUMNS, then the metrics)."""
        names = list(self._columns)  # in first-seen order
        first = list(names[0]) if names else []
        extra = sorted({c for n in names for c in n} - set(first))
        columns = first + extra
        position = {c: i for i, c in enumerate(columns)}
        values = np.full((len(order), len(columns)), np.nan)
        for i, key in enumerate(order):
            kind, row = self._values[key]
            values[i, [position[c] for c in names[kind]]] = row
        ids = {"config": np.array([k[0] for k in order], dtype=object),
               "replication": np.array([k[1] for k in order], dtype="int64"),
               "seed": np.full(len(order), seed, dtype="int64"),
               "events": np.array([self._ids[k][0] for k in order], dtype="int64"),
               "wall_seconds": np.array([self._ids[k][1] for k in order], dtype=float)}
        metrics = pd.DataFrame(values, columns=columns)
        return pd.concat([pd.DataFrame(ids), metrics], axis=1)


class StoredSeries(Mapping[str, pd.DataFrame]):
    """The per-period series of an experiment whose replications are on disk: each
    table is read and stacked only when asked for (`parts` yields it replication by
    replication, `tables` as Arrow tables, for writing without holding it whole)."""

    def __init__(self, store: Any, order: Sequence[tuple[str, int]]):
        self.store = store
        self.order = list(order)

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in SERIES_TABLES:
            raise KeyError(name)
        return _concat(list(self.parts(name)))

    def __iter__(self) -> Iterator[str]:
        return iter(SERIES_TABLES)

    def __len__(self) -> int:
        return len(SERIES_TABLES)

    def parts(self, name: str) -> Iterator[pd.DataFrame]:
        for config, replication in self.order:
            yield self.store.read_table(config, replication, name)

    def tables(self, name: str) -> Iterator[Any]:
        """The parts as Arrow tables, as saved (for streaming them into one file)."""
        for config, replication in self.order:
            yield self.store.read_arrow(config, replication, name)


def run_experiment(
    configurations: Sequence[Configuration],
    replications: int,
    *,
    seed: int | None = None,
    horizon_years: float | None = None,
    executor: Executor | None = None,
    workers_hint: int | None = None,
    batch_size: int | None = None,
    store: Any = None,
    show_progress: bool = False,
    kind: str = "run",
    on_saved: Callable[[int], None] | None = None,
    keep_series: bool = True,
) -> Experiment:
    """Run replications 0..N-1 of every configuration with common random numbers.

    `seed` (default: the first configuration's) and `horizon_years` (default: each
    scenario's) apply to every configuration. `store` (an `outputs.ReplicationStore`)
    saves each replication as it finishes and supplies those already saved that prove
    they belong to this experiment (`replication_identity`); with a store the series are
    read back from it when needed (`StoredSeries`). Without a store, `keep_series=False`
    computes no series at all (the command line without --out).
    """
    _check_arguments(configurations, replications)
    started = time.perf_counter()
    seed, configs = resolve_configurations(configurations, seed, horizon_years)
    identities = {c.name: replication_identity(c, seed) for c in configs}
    keep_series = keep_series or store is not None
    rows = MetricRows()
    held: dict[tuple[str, int], dict[str, pd.DataFrame]] = {}
    tasks = _tasks_to_run(configs, replications, seed, store, identities, rows, keep_series)
    reused = len(rows)

    def save(_start: int, outputs: list[ReplicationOutput]) -> None:
        for out in outputs:
            f = replication_frames(out)
            if store is not None:
                _save(store, out, f, identities[out.config])
            elif keep_series:
                held[(out.config, out.replication)] = f
            rows.add(f["metrics"])
        if on_saved is not None:
            on_saved(len(outputs))

    if tasks:
        _run_tasks(tasks, executor, batch_size, workers_hint, show_progress, save)
    order = [(c.name, r) for c in configs for r in range(replications)]
    metrics = rows.table(order, seed)
    orders = [c for c in metrics.columns if c.startswith("orders.")]
    metrics[orders] = metrics[orders].fillna(0.0)  # a refusal reason that never happened
    series: Mapping[str, pd.DataFrame]
    if store is not None:
        series = StoredSeries(store, order)
    else:
        series = {name: _concat([held[k][name] for k in order]) if keep_series
                  else pd.DataFrame() for name in SERIES_TABLES}
    return Experiment(kind=kind, configurations=configs, replications=replications,
                      seed=seed, metrics=metrics, series=series,
                      wall_seconds=time.perf_counter() - started, reused=reused)


def _check_arguments(configurations: Sequence[Configuration], replications: int) -> None:
    if not configurations:
        raise ValueError("no configurations to run")
    names = [c.name for c in configurations]
    if len(set(names)) != len(names):
        raise ValueError(f"configuration names must be unique: {names}")
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")


def _tasks_to_run(configs: list[Configuration], replications: int, seed: int, store: Any,
                  identities: dict[str, dict[str, Any]], rows: MetricRows,
                  keep_series: bool) -> list[Task]:
    """The replications not already saved; the saved ones' metrics go into `rows`."""
    tasks = []
    for c in configs:
        for r in range(replications):
            cached = store.load_metrics(c.name, r, identities[c.name]) if store else None
            if cached is not None:
                rows.add(cached)
            else:
                tasks.append(Task(c.name, c.scenario, seed, r,
                                  c.scenario.simulation.horizon_years, keep_series))
    return tasks


def _save(store: Any, out: ReplicationOutput, frames: dict[str, pd.DataFrame],
          identity: dict[str, Any]) -> None:
    try:
        store.save(out.config, out.replication, frames, identity)
    except OSError as exc:
        raise SaveFailed(f"cannot save replication {out.replication} of configuration "
                         f"{out.config!r} under {store.root}: "
                         f"{exc.strerror or exc}") from None


def _run_tasks(tasks: list[Task], executor: Executor | None, batch_size: int | None,
               workers_hint: int | None, show_progress: bool,
               save: Callable[[int, list[ReplicationOutput]], None]) -> None:
    """Run the tasks in batches; a dead worker becomes `WorkersLost`."""
    from chainsim.experiments.executors import default_batch_size

    pool = executor if executor is not None else SerialExecutor()
    if batch_size is None:
        batch_size = default_batch_size(len(tasks), workers_hint)
    try:
        with progress(len(tasks), f"{len(tasks)} replications", show_progress) as advance:
            run_batched(run_replication, tasks, pool, batch_size, on_done=advance,
                        on_batch=save, keep_results=False)
    except BrokenExecutor:
        raise WorkersLost("a worker process died (killed, or out of memory?)") from None
    except Exception as exc:
        lost = _lost_worker(exc)
        if lost is None:
            raise
        raise WorkersLost(lost) from None


def _lost_worker(exc: BaseException) -> str | None:
    """A message if `exc` says a Dask worker or the scheduler was lost (Dask's own
    exception types, matched by name so Dask stays optional)."""
    name = type(exc).__name__
    if name == "KilledWorker":
        return "a Dask worker died repeatedly (killed, or out of memory?)"
    if name in ("CommClosedError", "CancelledError", "FutureCancelledError"):
        return f"the Dask cluster stopped answering ({name})"
    return None


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack replications; columns in first-seen order, then any extra ones sorted."""
    if not parts:
        return pd.DataFrame()
    first = list(parts[0].columns)
    extra = sorted({c for p in parts for c in p.columns} - set(first))
    out = pd.concat(parts, ignore_index=True, sort=False)
    return out[first + extra]


def ci_dict(values: MeanCI) -> dict[str, Any]:
    """A MeanCI as the JSON object of issue 4: mean, ci_low, ci_high, n."""
    return {"mean": _finite(values["mean"]), "ci_low": _finite(values["ci_low"]),
            "ci_high": _finite(values["ci_high"]), "n": int(values["n"])}


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def replicated_summary(exp: Experiment, config: str | None = None) -> dict[str, Any]:
    """`chainsim run --replications N --json`: the single-run layout with every headline
    metric as {mean, ci_low, ci_high, n}."""
    config = config or exp.baseline
    cfg = next(c for c in exp.configurations if c.name == config)
    rows = exp.metrics[exp.metrics["config"] == config]
    flat = {k: ci_dict(v) for k, v in exp.summary(config).items()}
    nested = nest(flat)
    from chainsim import __version__

    return {
        "scenario": cfg.scenario.simulation.name,
        "seed": exp.seed,
        "replications": exp.replications,
        "start_year": cfg.scenario.simulation.start_year,
        "horizon_years": cfg.scenario.simulation.horizon_years,
        "version": __version__,
        "confidence": exp.confidence,
        "events": int(rows["events"].sum()),
        "wall_seconds": round(exp.wall_seconds, 4),
        "orders": nested.get("orders", {}),
        "clusters": nested.get("clusters", {}),
        "buyers": nested.get("buyers", {}),
        "links": nested.get("links", {}),
    }


def comparison_summary(exp: Experiment, metrics: Sequence[str]) -> dict[str, Any]:
    """`chainsim compare --json`: per metric, each configuration's mean and CI and its
    paired difference from the baseline."""
    from chainsim import __version__

    out_metrics = {}
    for metric in metrics:
        samples = exp.samples(metric)
        out_metrics[metric] = {
            "configurations": {name: ci_dict(mean_ci(v, exp.confidence, bounds(metric)))
                               for name, v in samples.items()},
            "differences": [
                {**ci_dict(d), "config": d["config"], "baseline": d["baseline"],
                 "p_value": _finite(d["p_value"]), "p_holm": _finite(d["p_holm"])}
                for d in compare_configurations(samples, exp.baseline, exp.confidence,
                                                difference_bounds(metric))
            ],
        }
    return {
        "baseline": exp.baseline,
        "configurations": [{"name": c.name, "source": c.source,
                            "overrides": list(c.overrides),
                            "scenario": c.scenario.simulation.name}
                           for c in exp.configurations],
        "seed": exp.seed,
        "replications": exp.replications,
        "version": __version__,
        "confidence": exp.confidence,
        "correction": ("Bonferroni-widened CIs and Holm-adjusted p-values over the "
                       f"{len(exp.configurations) - 1} comparisons with the baseline"
                       if len(exp.configurations) > 2 else "none (one comparison)"),
        "events": exp.total_events(),
        "wall_seconds": round(exp.wall_seconds, 4),
        "metrics": out_metrics,
    }


def sweep_summary(exp: Experiment, metrics: Sequence[str], design: dict[str, Any]
                  ) -> dict[str, Any]:
    """`chainsim sweep --json`: each point's parameters and the selected metrics."""
    from chainsim import __version__

    points = []
    for cfg in exp.configurations:
        rows = exp.metrics[exp.metrics["config"] == cfg.name]
        points.append({
            "point": cfg.name, "params": cfg.params,
            "metrics": {m: ci_dict(mean_ci(rows[m].to_numpy(float), exp.confidence,
                                           bounds(m)))
                        for m in metrics},
        })
    return {
        "scenario": exp.configurations[0].scenario.simulation.name,
        "design": design,
        "seed": exp.seed,
        "replications": exp.replications,
        "version": __version__,
        "confidence": exp.confidence,
        "events": exp.total_events(),
        "wall_seconds": round(exp.wall_seconds, 4),
        "points": points,
    }

