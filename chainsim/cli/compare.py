"""`chainsim compare`: configurations side by side, as paired differences under common
random numbers, with multiple-comparison correction beyond two configurations."""

from __future__ import annotations

import sys
from typing import Any

import click

from chainsim.cli.common import OneLineCommand, fail, set_option
from chainsim.cli.experiment import (
    execution,
    execution_problems,
    experiment_errors,
    experiment_options,
)
from chainsim.cli.run import wrote

DEFAULT_REPLICATIONS = 10  # chainsim.experiments.comparison.DEFAULT_REPLICATIONS


def metric_option(f: Any) -> Any:
    return click.option(
        "--metric", "metrics", multiple=True, metavar="GLOB",
        help="Metric to show (repeatable, shown in the order given; globs such as "
             "'cluster.*.price_decline'). Default: price decline, process/product/design/"
             "marketing gains, functional upgrading and fair share of each cluster.")(f)


@click.command("compare", cls=OneLineCommand)
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--variant", "variants", multiple=True, metavar="NAME:KEY=VALUE[,KEY=VALUE]",
              help="A configuration made from FILE by overrides (repeatable); FILE itself "
                   "is the baseline 'base'.")
@metric_option
@click.option("--pair", "pairs", multiple=True, metavar="ID=ID[=...]",
              help="Compare these clusters with each other, one id per configuration "
                   "(repeatable), e.g. --pair sinos=italy. Default: each file's first "
                   "cluster, and clusters with the same id in every file.")
@click.option("--seed", type=int, help="Seed of every configuration (default: the first "
                                       "file's).")
@click.option("--horizon", type=float, metavar="YEARS",
              help="Years to simulate (default: the first file's).")
@set_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object to stdout.")
@click.option("--out", "out_dir", type=click.Path(),
              help="Write tables, summary and manifest here.")
@experiment_options(default_replications=DEFAULT_REPLICATIONS)
def compare_command(files: tuple[str, ...], variants: tuple[str, ...],
                    metrics: tuple[str, ...], pairs: tuple[str, ...], seed: int | None,
                    horizon: float | None, overrides: tuple[str, ...], as_json: bool,
                    out_dir: str | None, replications: int, workers: int | None,
                    executor_kind: str, scheduler: str | None, batch_size: int | None,
                    quiet: bool, resume: bool) -> None:
    """Compare configurations: FILE_A FILE_B [FILE_C ...], or FILE --variant ... .

    Replication r of every configuration shares its random streams (common random
    numbers), so each difference is paired by replication. The first configuration is the
    baseline; with more than two configurations CIs are Bonferroni-widened and p-values
    Holm-adjusted over the comparisons.
    """
    from chainsim.api import compare

    n = 1 + len(variants) if variants else len(files)
    problems = execution_problems(replications, workers, executor_kind, scheduler,
                                  batch_size, resume, out_dir, configurations=n)
    if problems:
        fail(problems)
    with experiment_errors(executor_kind, seed, horizon):
        result = compare(list(files), variants=list(variants), metrics=list(metrics),
                         pairs=list(pairs), replications=replications, seed=seed,
                         horizon_years=horizon, overrides=list(overrides), out=out_dir,
                         resume=resume, command=sys.argv,
                         execution=execution(executor_kind, workers, scheduler, batch_size,
                                             quiet, series=False))
    summary = result.summary()
    wrote(out_dir, result.experiment.files)
    if as_json:
        from chainsim.output import to_json

        sys.stdout.write(to_json(summary) + "\n")
    else:
        print_comparison(summary)


def print_comparison(summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markup import escape

    from chainsim.cli.layout import comparison_lines
    from chainsim.cli.tables import replications_text

    console = Console()
    names = [c["name"] for c in summary["configurations"]]
    console.print(f"[bold]{len(names)} configurations[/bold], baseline "
                  f"[bold]{escape(summary['baseline'])}[/bold]; seed {summary['seed']}, "
                  f"{replications_text(summary['replications'])} shared by all (common "
                  f"random numbers); {summary['events']:,} SimPy events in "
                  f"{summary['wall_seconds']:.1f} s")
    for c in summary["configurations"]:
        what = ", ".join(c["overrides"]) or "as in the file"
        console.print(f"  {escape(c['name'])}: {escape(c['source'])} ({escape(what)})")
    for pair in summary.get("pairs", []):
        if "=" in pair["name"]:
            clusters = ", ".join(f"{i} ({n})" for n, i in pair["clusters"].items())
            console.print(f"  cluster pair {escape(pair['name'])}: {escape(clusters)}")
    many = len(names) > 2
    console.print(f"Paired differences from {escape(summary['baseline'])}: mean and "
                  f"{summary['confidence']:.0%} CI{' (Bonferroni-widened)' if many else ''}"
                  "; shares in %")
    for text in comparison_lines(summary, console.width):
        console.print(text, markup=False, highlight=False, soft_wrap=True)
    console.print("Cluster metrics are shown without their 'cluster.' prefix "
                  "(docs/metrics.md).")
