"""`chainsim sweep FILE`: a factorial grid or a Latin hypercube of scenario parameters,
replications per point, a tidy table of metrics per point."""

from __future__ import annotations

import sys
from typing import Any

import click

from chainsim.cli.common import OneLineCommand, fail, set_option
from chainsim.cli.compare import metric_option
from chainsim.cli.experiment import (
    execution,
    execution_problems,
    experiment_errors,
    experiment_options,
)
from chainsim.cli.run import wrote

DEFAULT_REPLICATIONS = 3  # chainsim.experiments.sweep.DEFAULT_REPLICATIONS
SHOWN_POINTS = 40


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
@click.option("--design", "design_file", type=click.Path(), metavar="FILE.csv",
              help="An external design (SALib, EMA Workbench): a CSV whose header holds "
                   "dotted keys and each row a point.")
@metric_option
@click.option("--seed", type=int, help="Seed of every point (default: the file's).")
@click.option("--horizon", type=float, metavar="YEARS", help="Years to simulate.")
@set_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object to stdout.")
@click.option("--out", "out_dir", type=click.Path(),
              help="Write tables, summary and manifest here.")
@experiment_options(default_replications=DEFAULT_REPLICATIONS)
def sweep_command(file: str, grids: tuple[str, ...], lhs: int | None,
                  ranges: tuple[str, ...], design_seed: int | None, design_file: str | None,
                  metrics: tuple[str, ...],
                  seed: int | None, horizon: float | None, overrides: tuple[str, ...],
                  as_json: bool, out_dir: str | None, replications: int,
                  workers: int | None, executor_kind: str, scheduler: str | None,
                  batch_size: int | None, quiet: bool, resume: bool) -> None:
    """Sweep scenario parameters: --grid KEY=V1,V2 ... (every combination), --lhs N
    --range KEY=LOW:HIGH ... (Latin hypercube) or --design FILE.csv (an external design,
    one row per point). Every point runs replications 0..N-1 with
    the same seed (common random numbers), so points are paired by replication.
    """
    from chainsim.api import sweep

    problems = execution_problems(replications, workers, executor_kind, scheduler,
                                  batch_size, resume, out_dir)
    if problems:
        fail(problems)
    with experiment_errors(executor_kind, seed, horizon):
        result = sweep(file, grid=list(grids), lhs=lhs, ranges=list(ranges),
                       design_seed=design_seed, design_file=design_file,
                       metrics=list(metrics),
                       replications=replications, seed=seed, horizon_years=horizon,
                       overrides=list(overrides), out=out_dir, resume=resume,
                       command=sys.argv,
                       execution=execution(executor_kind, workers, scheduler, batch_size,
                                           quiet, series=False))
    summary = result.summary()
    wrote(out_dir, result.experiment.files)
    if as_json:
        from chainsim.output import to_json

        sys.stdout.write(to_json(summary) + "\n")
    else:
        print_sweep(summary, out_dir)


def print_sweep(summary: dict[str, Any], out_dir: str | None) -> None:
    from rich.console import Console
    from rich.markup import escape

    from chainsim.cli.layout import sweep_tables
    from chainsim.cli.tables import replications_text
    from chainsim.cli.validate import plural

    console = Console()
    points = summary["points"]
    design = summary["design"]
    console.print(f"[bold]{escape(summary['scenario'])}[/bold]: "
                  f"{plural(len(points), 'point')} ({design['kind'].replace('_', ' ')}), "
                  f"{replications_text(summary['replications'])} per point, seed "
                  f"{summary['seed']} (common random numbers); {summary['events']:,} SimPy "
                  f"events in {summary['wall_seconds']:.1f} s")
    for k, p in enumerate(points[0]["params"] if points else []):
        console.print(f"  P{k + 1}: {escape(p)}")
    for table in sweep_tables(summary, console.width, SHOWN_POINTS):
        console.print(table)
    if len(points) > SHOWN_POINTS:
        where = f"{escape(out_dir)}/summary.csv" if out_dir else "--json or --out DIR"
        console.print(f"... {len(points) - SHOWN_POINTS} more points: see {where}")
