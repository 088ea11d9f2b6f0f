"""Comparisons of configurations: which configurations, which metrics, which clusters
stand for each other across files, and the result a comparison returns.

Two files need not share cluster ids: the paper's central contrast sets the Sinos Valley
against an Italian district (H&S 4.2-4.3). A metric of a cluster is compared across
configurations through a *cluster pair*, one cluster id per configuration: the *focal*
clusters (each file's first cluster, the one the scenario is about) pair up when their
ids differ, and clusters with the same id in every configuration pair up by themselves;
`pairs=["sinos=italy"]` (`--pair`) pairs clusters by hand. A pair of different
ids is named by its ids joined with '=', so its metrics read `cluster.sinos=italy.fair_share`.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from chainsim.experiments.design import NAME, DesignError, parse_variant
from chainsim.experiments.runner import (
    Configuration,
    Experiment,
    comparison_summary,
    expected_metrics,
)
from chainsim.results.summary import CLUSTER_METRICS
from chainsim.scenario import Scenario, ScenarioError

# The default metrics, per cluster pair: price pressure, the four kinds of upgrading and
# fair presence (H&S 4.2-4.3).
DEFAULT_KINDS = ("price_decline", "process_gain", "product_gain", "design_gain",
                 "marketing_gain", "functional_upgrading", "fair_share")
DEFAULT_REPLICATIONS = 10


@dataclass(frozen=True)
class ClusterPair:
    """Clusters compared with each other: `clusters` maps configuration -> cluster id."""

    label: str
    clusters: dict[str, str]


def config_name(path: str | Path, taken: set[str]) -> str:
    """A configuration name from a file name: its stem, made safe and unique."""
    stem = re.sub(r"[^A-Za-z0-9_.\-]", "_", Path(path).stem).lstrip("._-")[:60] or "config"
    name, k = stem, 2
    while name in taken:
        name, k = f"{stem}-{k}", k + 1
    taken.add(name)
    return name


Source = Scenario | str | Path


def named_sources(scenarios: Sequence[Source] | Mapping[str, Source]) -> list[tuple[str, Source]]:
    """(name, scenario) pairs: a mapping's keys, else file stems (`config-2`... for
    scenario objects)."""
    if isinstance(scenarios, Mapping):
        items = [(str(k), v) for k, v in scenarios.items()]
        bad = [k for k, _ in items if not NAME.match(k)]
        if bad:
            raise DesignError([f"configuration name {k!r}: letters, digits, '_', '-' or '.'"
                               for k in bad])
        return items
    taken: set[str] = set()
    return [(config_name(s if not isinstance(s, Scenario) else "config", taken), s)
            for s in scenarios]


def variant_specs(base: Source, variants: Sequence[str] | Mapping[str, Sequence[str]],
                  overrides: Sequence[str]) -> list[tuple[str, Source, list[str]]]:
    """(name, scenario, overrides) of the baseline `base` and each variant; variants are
    `name:key=value[,key=value]` texts (`--variant`) or a mapping name -> overrides."""
    specs: list[tuple[str, Source, list[str]]] = [("base", base, list(overrides))]
    problems: list[str] = []
    items: list[tuple[str, tuple[str, ...]]] = []
    if isinstance(variants, Mapping):
        items = [(str(k), tuple(v)) for k, v in variants.items()]
    else:
        for spec in variants:
            try:
                items.append(parse_variant(spec))
            except DesignError as exc:
                problems.extend(exc.problems)
    taken = {"base"}
    for name, extra in items:
        if name in taken:
            problems.append(f"--variant {name}: name used twice (or 'base', the "
                            "baseline's name)")
        taken.add(name)
        specs.append((name, base, [*overrides, *extra]))
    if problems:
        raise DesignError(problems)
    return specs


def load_configurations(specs: Sequence[tuple[str, Source, Sequence[str]]],
                        seed: int | None, horizon_years: float | None
                        ) -> list[Configuration]:
    """Load every (name, scenario, overrides); all problems of all files are reported at
    once. Every configuration runs with the first one's seed and horizon unless given."""
    from chainsim.experiments.lifecycle import load_configuration

    problems: list[Any] = []
    configs: list[Configuration] = []
    for name, source, overrides in specs:
        try:
            config = load_configuration(name, source, overrides, seed, horizon_years)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        configs.append(config)
        if seed is None:
            seed = config.scenario.simulation.seed
        if horizon_years is None:
            horizon_years = config.scenario.simulation.horizon_years
    if problems:
        raise ScenarioError(problems)
    return configs


def _pair(ids: dict[str, str]) -> ClusterPair:
    distinct = list(dict.fromkeys(ids.values()))
    return ClusterPair(distinct[0] if len(distinct) == 1 else "=".join(ids.values()), ids)


def default_pairs(configs: Sequence[Configuration]) -> list[ClusterPair]:
    """The focal clusters (each configuration's first cluster) when their ids differ,
    then every cluster with the same id in every configuration."""
    focal = {cfg.name: cfg.scenario.clusters[0].id for cfg in configs}
    first = [c.id for c in configs[0].scenario.clusters]
    common = [i for i in first if all(i in {c.id for c in cfg.scenario.clusters}
                                      for cfg in configs[1:])]
    pairs = [_pair(focal)] if len(set(focal.values())) > 1 else []
    return pairs + [_pair({cfg.name: i for cfg in configs}) for i in common]


def parse_pairs(specs: Sequence[str], configs: Sequence[Configuration]) -> list[ClusterPair]:
    """`id_a=id_b[=...]` texts, one cluster id per configuration in order (`--pair`)."""
    problems, pairs = [], []
    for spec in specs:
        ids = [s.strip() for s in spec.split("=")]
        if len(ids) != len(configs) or not all(ids):
            names = ", ".join(c.name for c in configs)
            problems.append(f"--pair {spec!r}: give one cluster id per configuration, "
                            f"joined by '=' ({len(configs)}: {names})")
            continue
        missing = [(cfg, i) for cfg, i in zip(configs, ids, strict=True)
                   if i not in {c.id for c in cfg.scenario.clusters}]
        for cfg, i in missing:
            known = ", ".join(c.id for c in cfg.scenario.clusters)
            problems.append(f"--pair {spec!r}: {cfg.name} has no cluster {i!r} "
                            f"(its clusters: {known})")
        if not missing:
            pairs.append(_pair({cfg.name: i for cfg, i in zip(configs, ids, strict=True)}))
    if problems:
        raise DesignError(problems)
    return pairs


def cluster_pairs(configs: Sequence[Configuration], specs: Sequence[str] = ()
                  ) -> list[ClusterPair]:
    """The pairs given by hand, then the default ones they do not repeat."""
    given = parse_pairs(specs, configs)
    seen = {tuple(p.clusters.values()) for p in given}
    return [*given, *(p for p in default_pairs(configs)
                      if tuple(p.clusters.values()) not in seen)]


def aliases(pairs: Sequence[ClusterPair]) -> dict[str, dict[str, str]]:
    """Metric name -> {configuration: column} for every pair of different ids."""
    out = {}
    for pair in pairs:
        if len(set(pair.clusters.values())) > 1:
            for k in CLUSTER_METRICS:
                out[f"cluster.{pair.label}.{k}"] = {cfg: f"cluster.{i}.{k}"
                                                    for cfg, i in pair.clusters.items()}
    return out


def candidate_metrics(configs: Sequence[Configuration], pairs: Sequence[ClusterPair],
                      recorded: Sequence[str] = ()) -> list[str]:
    """Every metric a comparison can show: each pair's cluster metrics, then the other
    metrics every configuration reports (`recorded`: columns known after the run)."""
    names = [f"cluster.{p.label}.{k}" for p in pairs for k in CLUSTER_METRICS]
    per = [set(expected_metrics(c.scenario)) for c in configs]
    for name in [*expected_metrics(configs[0].scenario), *recorded]:
        if (not name.startswith("cluster.") and name not in names
                and (name.startswith("orders.") or all(name in s for s in per))):
            names.append(name)
    return names


def default_metrics(pairs: Sequence[ClusterPair]) -> list[str]:
    """The default metrics of each cluster pair."""
    return [f"cluster.{p.label}.{k}" for p in pairs for k in DEFAULT_KINDS]


def select_metrics(candidates: Sequence[str], patterns: Sequence[str],
                   columns: Mapping[str, Mapping[str, str]] | None = None
                   ) -> tuple[list[str], list[str]]:
    """(metrics matching the globs, in the order of the globs; globs matching nothing).
    A glob matches a metric's name or, for an aliased metric, any of its columns."""
    columns = columns or {}
    selected: list[str] = []
    unmatched = []
    for pattern in patterns:
        hits = [m for m in candidates
                if fnmatch.fnmatchcase(m, pattern)
                or any(fnmatch.fnmatchcase(c, pattern) for c in columns.get(m, {}).values())]
        if not hits:
            unmatched.append(pattern)
        selected += [m for m in hits if m not in selected]
    return selected, unmatched


def metric_problems(unmatched: Sequence[str]) -> list[str]:
    """One line per `--metric` glob that matches nothing."""
    return [f"--metric {p!r}: matches no metric of every configuration (names look like "
            "cluster.<id>.price_decline, or cluster.<a>=<b>.price_decline for a --pair; "
            "see docs/metrics.md)" for p in unmatched
            if not p.startswith("orders.")]


@dataclass
class Comparison:
    """What `chainsim.compare` returns: the experiment (tables of every replication), the
    metrics shown, the cluster pairs, and per metric each configuration's mean and CI and
    its paired difference from the baseline."""

    experiment: Experiment
    metrics: list[str]
    pairs: list[ClusterPair]

    @property
    def configurations(self) -> list[Configuration]:
        """The configurations as run: scenarios with seed and horizon resolved."""
        return self.experiment.configurations

    @property
    def out(self) -> Path | None:
        return self.experiment.out

    def summary(self) -> dict[str, Any]:
        """The JSON of `chainsim compare --json` (docs/experiments.md)."""
        return comparison_json(self.experiment, self.metrics, self.pairs)

    def differences(self) -> pd.DataFrame:
        """One row per metric and configuration other than the baseline."""
        rows = []
        for metric, block in self.summary()["metrics"].items():
            for d in block["differences"]:
                rows.append({"metric": metric, **d})
        return pd.DataFrame(rows)


def comparison_json(exp: Experiment, metrics: Sequence[str], pairs: Sequence[ClusterPair]
                    ) -> dict[str, Any]:
    """`comparison_summary` with the cluster pairs and each metric's columns."""
    out = comparison_summary(exp, metrics)
    out["pairs"] = [{"name": p.label, "clusters": dict(p.clusters)} for p in pairs]
    for metric, block in out["metrics"].items():
        block["columns"] = exp.aliases.get(metric, {n: metric for n in exp.names})
    return out
