"""`chainsim sweep FILE`: a factorial grid or a Latin hypercube of scenario parameters,
replications per point, a tidy table of metrics per point."""

from __future__ import annotations

import sys
from typing import Any

import click
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from chainsim.cli.common import bad_input, fail, set_option
from chainsim.cli.compare import g, metric_option
from chainsim.cli.run import OneLineCommand, execute, execution_problems, experiment_options
from chainsim.experiments.design import (
    MAX_POINTS,
    DesignError,
    Point,
    factorial,
    integer_keys,
    latin_hypercube,
    parse_grid,
    parse_range,
)
from chainsim.experiments.runner import (
    DEFAULT_METRICS,
    Configuration,
    Experiment,
    sweep_summary,
    unmatched_patterns,
)
from chainsim.output import to_json
from chainsim.scenario import Problem, ScenarioError, apply_overrides, parse_scenario
from chainsim.scenario.load import read_toml

DEFAULT_REPLICATIONS = 3
SHOWN_POINTS = 40


def load_points(path: str, points: list[Point], overrides: list[str], seed: int | None,
                horizon: float | None) -> list[Configuration]:
    """Validate every point as a scenario; problems are reported once each, with the
    first point that shows them."""
    raw = read_toml(path)
    extra = []
    if seed is not None:
        extra.append(f"simulation.seed={seed}")
    if horizon is not None:
        extra.append(f"simulation.horizon_years={horizon}")
    seen: dict[tuple[str, str], Problem] = {}
    configs = []
    for point in points:
        every = [*overrides, *point.overrides, *extra]
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


@click.command("sweep", cls=OneLineCommand)
@click.argument("file", type=click.Path())
@click.option("--grid", "grids", multiple=True, metavar="KEY=V1,V2[,...]",
              help="A factor of a full factorial design (repeatable).")
@click.option("--lhs", "lhs", type=int, metavar="N",
              help="N points of a Latin hypercube over the --range parameters.")
@click.option("--range", "ranges", multiple=True, metavar="KEY=LOW:HIGH",
              help="A parameter range of the Latin hypercube (repeatable); keys whose value "
                   "in FILE is an integer are rounded.")
@click.option("--design-seed", type=int,
              help="Seed of the Latin hypercube (default: the simulation seed).")
@metric_option
@click.option("--seed", type=int, help="Seed of every point (default: the file's).")
@click.option("--horizon", type=float, metavar="YEARS", help="Years to simulate.")
@set_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object to stdout.")
@click.option("--out", "out_dir", type=click.Path(),
              help="Write tables, summary and manifest here.")
@experiment_options(default_replications=DEFAULT_REPLICATIONS)
def sweep_command(file: str, grids: tuple[str, ...], lhs: int | None,
                  ranges: tuple[str, ...], design_seed: int | None, metrics: tuple[str, ...],
                  seed: int | None, horizon: float | None, overrides: tuple[str, ...],
                  as_json: bool, out_dir: str | None, replications: int,
                  workers: int | None, executor_kind: str, scheduler: str | None,
                  batch_size: int | None, quiet: bool, resume: bool) -> None:
    """Sweep scenario parameters: --grid KEY=V1,V2 ... (every combination) or --lhs N
    --range KEY=LOW:HIGH ... (Latin hypercube). Every point runs replications 0..N-1 with
    the same seed (common random numbers), so points are paired by replication.
    """
    problems: list[str] = []
    if grids and (lhs is not None or ranges):
        problems.append("--grid cannot be combined with --lhs/--range: choose one design")
    elif not grids and lhs is None and not ranges:
        problems.append("sweep: give --grid KEY=V1,V2 or --lhs N with --range KEY=LOW:HIGH")
    elif not grids and (lhs is None) != (not ranges):
        problems.append("--lhs N needs at least one --range KEY=LOW:HIGH, and --range needs "
                        "--lhs N")
    if lhs is not None and not 1 <= lhs <= MAX_POINTS:
        problems.append(f"--lhs {lhs}: the number of points must be 1 to {MAX_POINTS:,}")
    if design_seed is not None and (lhs is None or design_seed < 0):
        problems.append(f"--design-seed {design_seed}: needs --lhs and a seed >= 0")
    factors: list[tuple[str, list[str]]] = []
    bounds: list[tuple[str, float, float]] = []
    try:
        factors = parse_grid(grids)
    except DesignError as exc:
        problems.extend(exc.problems)
    try:
        bounds = parse_range(ranges)
    except DesignError as exc:
        problems.extend(exc.problems)
    if problems:
        fail(problems)
    with bad_input():
        raw = read_toml(file)
    try:
        if factors:
            points = factorial(factors)
            design: dict[str, Any] = {"kind": "grid",
                                      "factors": {k: v for k, v in factors}}
        else:
            keys = [k for k, _, _ in bounds]
            dseed = design_seed if design_seed is not None else int(
                seed if seed is not None else raw.get("simulation", {}).get("seed", 1))
            ints = integer_keys(apply_overrides(raw, list(overrides), file), keys)
            points = latin_hypercube(bounds, int(lhs or 0), dseed, ints)
            design = {"kind": "latin_hypercube", "points": lhs, "design_seed": dseed,
                      "ranges": {k: [lo, hi] for k, lo, hi in bounds},
                      "integer_keys": sorted(ints)}
    except (DesignError, ScenarioError) as exc:
        fail([str(p) for p in exc.problems])
    problems = execution_problems(replications, workers, executor_kind, scheduler,
                                  batch_size, resume, out_dir, configurations=len(points))
    if problems:
        fail(problems)
    with bad_input():
        configs = load_points(file, points, list(overrides), seed, horizon)
    patterns = list(metrics) or list(DEFAULT_METRICS)
    unknown = unmatched_patterns(patterns, [configs[0].scenario])
    if unknown:
        fail([f"--metric {p!r}: matches no metric (names look like "
              "cluster.<id>.price_decline; see docs/metrics.md)" for p in unknown])

    def summarize(exp: Experiment) -> dict[str, Any]:
        return sweep_summary(exp, exp.select(patterns), design)

    exp = execute("sweep", configs, replications, seed, horizon, executor_kind=executor_kind,
                  workers=workers, scheduler=scheduler, batch_size=batch_size, quiet=quiet,
                  resume=resume, out_dir=out_dir, design=design, summarize_fn=summarize)
    summary = summarize(exp)
    if as_json:
        sys.stdout.write(to_json(summary) + "\n")
    else:
        print_sweep(summary, out_dir)


def header(key: str) -> str:
    """A two-line column header from a dotted name: the last two parts."""
    parts = key.removeprefix("cluster.").split(".")
    return "\n".join(parts[-2:]) if len(parts) > 1 else key


def print_sweep(summary: dict[str, Any], out_dir: str | None) -> None:
    console = Console()
    points = summary["points"]
    design = summary["design"]
    console.print(f"[bold]{escape(summary['scenario'])}[/bold]: {len(points)} points "
                  f"({design['kind'].replace('_', ' ')}), replications "
                  f"0..{summary['replications'] - 1} per point, seed {summary['seed']} "
                  f"(common random numbers); {summary['events']:,} SimPy events in "
                  f"{summary['wall_seconds']:.1f} s")
    params = list(points[0]["params"]) if points else []
    metrics = list(points[0]["metrics"]) if points else []
    for p in params:
        console.print(f"  parameter {escape(header(p).replace(chr(10), '.'))}: {escape(p)}")
    table = Table(title=f"Mean over replications ({summary['confidence']:.0%} CIs in --json "
                        "and --out)", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("point")
    for p in params:
        table.add_column(escape(header(p)), justify="right", style="cyan")
    for m in metrics:
        table.add_column(escape(header(m)), justify="right")
    for point in points[:SHOWN_POINTS]:
        cells = [g(v) if isinstance(v, int | float) and not isinstance(v, bool) else escape(str(v))
                 for v in point["params"].values()]
        table.add_row(escape(point["point"]), *cells,
                      *(g(point["metrics"][m]["mean"]) for m in metrics))
    console.print(table)
    if len(points) > SHOWN_POINTS:
        where = f"{escape(out_dir)}/summary.csv" if out_dir else "--json or --out DIR"
        console.print(f"... {len(points) - SHOWN_POINTS} more points: see {where}")
