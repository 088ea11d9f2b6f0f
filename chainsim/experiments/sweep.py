"""Sweeps: a factorial grid or a Latin hypercube over scenario parameters, each point a
configuration validated like `--set`, and the result a sweep returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from chainsim.experiments.design import (
    MAX_POINTS,
    DesignError,
    Point,
    factorial,
    integer_keys,
    latin_hypercube,
    parse_grid,
    parse_range,
    read_design,
)
from chainsim.experiments.runner import (
    Configuration,
    Experiment,
    sweep_summary,
)
from chainsim.scenario import Problem, ScenarioError, apply_overrides, parse_scenario
from chainsim.scenario.load import read_toml

DEFAULT_REPLICATIONS = 3


def design_problems(grid: Sequence[str], lhs: int | None, ranges: Sequence[str],
                    design_seed: int | None, design_file: str | None = None) -> list[str]:
    """Every problem with the choice of design, one line each."""
    if design_file is not None:
        return (["--design cannot be combined with --grid or --lhs/--range"]
                if grid or lhs is not None or ranges else [])
    return _generated_problems(grid, lhs, ranges, design_seed)


def _generated_problems(grid: Sequence[str], lhs: int | None, ranges: Sequence[str],
                        design_seed: int | None) -> list[str]:
    problems = []
    if grid and (lhs is not None or ranges):
        problems.append("--grid cannot be combined with --lhs/--range: choose one design")
    elif not grid and lhs is None and not ranges:
        problems.append("sweep: give --grid KEY=V1,V2 or --lhs N with --range KEY=LOW:HIGH")
    elif not grid and (lhs is None) != (not ranges):
        problems.append("--lhs N needs at least one --range KEY=LOW:HIGH, and --range needs "
                        "--lhs N")
    if lhs is not None and not 1 <= lhs <= MAX_POINTS:
        problems.append(f"--lhs {lhs}: the number of points must be 1 to {MAX_POINTS:,}")
    if design_seed is not None and (lhs is None or design_seed < 0):
        problems.append(f"--design-seed {design_seed}: needs --lhs and a seed >= 0")
    return problems


def parse_design(grid: Sequence[str], lhs: int | None, ranges: Sequence[str],
                 design_seed: int | None, design_file: str | None = None
                 ) -> tuple[list[tuple[str, list[str]]], list[tuple[str, float, float]]]:
    """The factors of a grid and the ranges of a hypercube; DesignError lists every
    problem with the options."""
    problems = design_problems(grid, lhs, ranges, design_seed, design_file)
    factors: list[tuple[str, list[str]]] = []
    bounds: list[tuple[str, float, float]] = []
    try:
        factors = parse_grid(list(grid))
    except DesignError as exc:
        problems.extend(exc.problems)
    try:
        bounds = parse_range(list(ranges))
    except DesignError as exc:
        problems.extend(exc.problems)
    if problems:
        raise DesignError(problems)
    return factors, bounds


def build_design(path: str | Path, factors: list[tuple[str, list[str]]],
                 bounds: list[tuple[str, float, float]], lhs: int | None,
                 design_seed: int | None, seed: int | None, overrides: Sequence[str],
                 design_file: str | None = None) -> tuple[list[Point], dict[str, Any]]:
    """The points of the design and its description for the manifest. The hypercube's
    seed defaults to the simulation seed (`seed`, else the file's)."""
    raw = read_toml(path)
    if factors:
        return factorial(factors), {"kind": "grid", "factors": dict(factors)}
    if design_file is not None:
        points = read_design(design_file)
        return points, {"kind": "external", "file": str(design_file),
                        "keys": sorted({k for p in points for k in p.params})}
    keys = [k for k, _, _ in bounds]
    dseed = design_seed if design_seed is not None else int(
        seed if seed is not None else raw.get("simulation", {}).get("seed", 1))
    ints = integer_keys(apply_overrides(raw, list(overrides), str(path)), keys)
    points = latin_hypercube(bounds, int(lhs or 0), dseed, ints)
    return points, {"kind": "latin_hypercube", "points": lhs, "design_seed": dseed,
                    "ranges": {k: [lo, hi] for k, lo, hi in bounds},
                    "integer_keys": sorted(ints)}


def load_points(path: str | Path, points: list[Point], overrides: Sequence[str],
                settings: Sequence[str]) -> list[Configuration]:
    """Validate every point as a scenario (`settings`: seed and horizon overrides);
    problems are reported once each, with the first point that shows them."""
    path = str(path)
    raw = read_toml(path)
    seen: dict[tuple[str, str], Problem] = {}
    configs = []
    for point in points:
        every = [*overrides, *point.overrides, *settings]
        try:
            scenario = parse_scenario(apply_overrides(raw, every, path), path)
        except ScenarioError as exc:
            label = ", ".join(point.overrides)
            for p in exc.problems:
                seen.setdefault((p.path, p.message), Problem(
                    p.source, p.path, f"{p.message} (sweep point {point.name}: {label})"))
            continue
        configs.append(Configuration(point.name, scenario, path,
                                     (*overrides, *point.overrides), point.params))
    if seen:
        raise ScenarioError(list(seen.values()))
    return configs


@dataclass
class Sweep:
    """What `chainsim.sweep` returns: the experiment (every replication of every point),
    the design, the metrics shown, and each point's parameters, means and CIs."""

    experiment: Experiment
    metrics: list[str]
    design: dict[str, Any]

    @property
    def configurations(self) -> list[Configuration]:
        """The points as run: scenarios with seed and horizon resolved."""
        return self.experiment.configurations

    @property
    def out(self) -> Path | None:
        return self.experiment.out

    def summary(self) -> dict[str, Any]:
        """The JSON of `chainsim sweep --json` (docs/experiments.md)."""
        return sweep_summary(self.experiment, self.metrics, self.design)

    def table(self) -> pd.DataFrame:
        """Tidy: one row per point and metric, with the point's parameters."""
        table = self.experiment.summary_table()
        return table[table["metric"].isin(self.metrics)].reset_index(drop=True)
