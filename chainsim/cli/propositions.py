"""`chainsim propositions`: the paper's propositions as paired comparisons, with verdicts."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from chainsim.api import DEFAULT_SCENARIO
from chainsim.cli.common import bad_input, fail, load
from chainsim.cli.run import OneLineCommand, execute, execution_problems, experiment_options
from chainsim.output import to_json
from chainsim.propositions import (
    by_proposition,
    configurations,
    configurations_needed,
    evaluate,
)

LIBRARY = DEFAULT_SCENARIO.parent


@click.command("propositions", cls=OneLineCommand)
@click.option("--scenarios", "library", type=click.Path(),
              help="Directory holding the scenario library (default: the one shipped with "
                   "chainsim, see chainsim scenarios).")
@click.option("--seed", type=int, help="Seed of every configuration (default: the first "
                                       "file's).")
@click.option("--horizon", type=float, metavar="YEARS",
              help="Years to simulate (default: each file's own).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object to stdout.")
@click.option("--out", "out_dir", type=click.Path(), help="Write tables and summary here.")
@experiment_options(default_replications=10)
def propositions_command(library: str, seed: int | None, horizon: float | None,
                         as_json: bool, out_dir: str | None, replications: int,
                         workers: int | None, executor_kind: str, scheduler: str | None,
                         batch_size: int | None, quiet: bool, resume: bool) -> None:
    """Run each of the paper's eight propositions (MODEL.md 7) as a paired comparison of
    two configurations over replications, and say whether the sign agrees with the paper.
    """
    problems = execution_problems(replications, workers, executor_kind, scheduler,
                                  batch_size, resume, out_dir,
                                  configurations=len(configurations_needed()))
    library = library or str(LIBRARY)
    if not Path(library).is_dir():
        problems.append(f"--scenarios {library}: not a directory")
    if problems:
        fail(problems)
    with bad_input():
        configs = configurations(Path(library), load, seed, horizon)

    def summarize(exp):
        return {"replications": exp.replications, "seed": exp.seed,
                "confidence": exp.confidence, "wall_seconds": round(exp.wall_seconds, 3),
                "propositions": by_proposition(evaluate(exp))}

    exp = execute("propositions", configs, replications, seed, horizon,
                  executor_kind=executor_kind, workers=workers, scheduler=scheduler,
                  batch_size=batch_size, quiet=quiet or as_json, resume=resume,
                  out_dir=out_dir, summarize_fn=summarize)
    summary = summarize(exp)
    if as_json:
        sys.stdout.write(to_json(summary) + "\n")
        return
    print_propositions(summary)


def print_propositions(summary: dict) -> None:
    console = Console()
    console.print(f"[bold]The paper's propositions[/bold]: {summary['replications']} "
                  f"replications per configuration, common random numbers, seed "
                  f"{summary['seed']}, {summary['wall_seconds']:.0f} s")
    for p in summary["propositions"]:
        table = Table(title=f"{p['proposition']}. {p['claim']}  [{p['verdict']}]",
                      title_justify="left", caption=f"{p['a']} (A) vs {p['b']} (B); "
                      f"{p['passage']}", caption_justify="left")
        for col in ("metric", "A", "B", "B - A [95% CI]", "paper", "verdict"):
            table.add_column(col, justify="left" if col in ("metric", "verdict") else "right")
        for c in p["checks"]:
            metric = c["metric_b"] if c["metric_a"] == c["metric_b"] else (
                f"{c['metric_a']} vs {c['metric_b']}")
            table.add_row(metric.replace("cluster.", ""), _n(c["mean_a"]), _n(c["mean_b"]),
                          f"{_n(c['mean'])} [{_n(c['ci_low'])}, {_n(c['ci_high'])}]",
                          "+" if c["expected_sign"] > 0 else "-", c["verdict"])
        console.print(table)


def _n(x) -> str:
    if x is None:
        return "-"
    return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:.4g}"
