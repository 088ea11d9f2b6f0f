"""`chainsim propositions`: the paper's propositions as paired comparisons, with verdicts."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from chainsim.api import DEFAULT_SCENARIO
from chainsim.cli.common import bad_input, fail, load
from chainsim.cli.evidence_common import num
from chainsim.cli.run import OneLineCommand, execute, execution_problems, experiment_options
from chainsim.output import to_json
from chainsim.propositions import (
    CORRECTION,
    PROPOSITIONS,
    by_proposition,
    chosen,
    configurations,
    configurations_needed,
    evaluate_samples,
    experiment_samples,
)

LIBRARY = DEFAULT_SCENARIO.parent


@click.command("propositions", cls=OneLineCommand)
@click.option("--scenarios", "library", type=click.Path(),
              help="Directory holding the scenario library (default: the one shipped with "
                   "chainsim, see chainsim scenarios).")
@click.option("--seed", type=int, help="Seed of every configuration (default: "
                                       "sinos_valley.toml's, 20000).")
@click.option("--horizon", type=float, metavar="YEARS",
              help="Years to simulate (default: each configuration's own; the dated "
                   "checks need runs to 1999).")
@click.option("--proposition", "numbers", type=click.IntRange(1, len(PROPOSITIONS)),
              multiple=True, metavar="N", help="Run only proposition N (repeatable; "
              "the correction then counts only their checks).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object to stdout.")
@click.option("--out", "out_dir", type=click.Path(), help="Write tables and summary here.")
@experiment_options(default_replications=10)
def propositions_command(library: str | None, seed: int | None, horizon: float | None,
                         numbers: tuple[int, ...], as_json: bool, out_dir: str | None,
                         replications: int,
                         workers: int | None, executor_kind: str, scheduler: str | None,
                         batch_size: int | None, quiet: bool, resume: bool) -> None:
    """Run each of the paper's eight propositions (docs/propositions.md) as paired
    comparisons of configurations that differ only in a cause the paper names, and say
    whether the sign agrees with the paper (Bonferroni-corrected CIs and p-values).
    """
    library = library or str(LIBRARY)
    props = chosen(numbers)
    problems = execution_problems(replications, workers, executor_kind, scheduler,
                                  batch_size, resume, out_dir,
                                  configurations=len(configurations_needed(props)))
    if not Path(library).is_dir():
        problems.append(f"--scenarios {library}: not a directory")
    if problems:
        fail(problems)
    with bad_input():
        configs = configurations(Path(library), load, seed, horizon, props)

    done: dict[int, dict] = {}

    def summarize(exp):
        if id(exp) in done:  # once for --out, once to print
            return done[id(exp)]
        get = experiment_samples(exp)
        rows = evaluate_samples(get, exp.confidence, props)
        out = {"replications": exp.replications, "seed": exp.seed,
               "confidence": exp.confidence, "correction": CORRECTION,
               "comparisons": rows[0]["comparisons"] if rows else 0,
               "wall_seconds": round(exp.wall_seconds, 3),
               "propositions": by_proposition(rows, get, exp.confidence, props)}
        return done.setdefault(id(exp), out)

    exp = execute("propositions", configs, replications, seed, horizon,
                  executor_kind=executor_kind, workers=workers, scheduler=scheduler,
                  batch_size=batch_size, quiet=quiet or as_json, resume=resume,
                  out_dir=out_dir, summarize_fn=summarize)
    summary = summarize(exp)
    if as_json:
        sys.stdout.write(to_json(summary) + "\n")
        return
    print_propositions(summary)


def _metric(c: dict) -> str:
    return f"{c['label']} (mechanism)" if c.get("role") == "mechanism" else c["label"]


def print_propositions(summary: dict) -> None:
    console = Console()
    console.print(f"The paper's propositions: {summary['replications']} replications per "
                  f"configuration, common random numbers, seed {summary['seed']}, "
                  f"{summary['wall_seconds']:.0f} s. CIs and p: {summary['correction']} "
                  f"(m = {summary['comparisons']}); the verdict reads the same CI.",
                  markup=False, highlight=False)
    for p in summary["propositions"]:
        table = Table(title=f"{p['proposition']}. {p['claim']}  [{p['verdict']}]",
                      title_justify="left", caption=f"A: {p['a']}, B: {p['b']}; cause: "
                      f"{p['cause']}; {p['passage']}", caption_justify="left")
        for col in ("metric", "A", "B", "B - A [CI]", "p", "paper", "verdict"):
            table.add_column(col, justify="left" if col in ("metric", "verdict") else "right")
        for c in p["checks"]:
            table.add_row(_metric(c), num(c["mean_a"]), num(c["mean_b"]),
                          f"{num(c['mean'])} [{num(c['ci_low'])}, {num(c['ci_high'])}]",
                          num(c["p_adjusted"], 2), "+" if c["expected_sign"] > 0 else "-",
                          c["verdict"])
        console.print(table, markup=False)
        if "dose" in p:
            console.print(dose_table(p["dose"]), markup=False)


def dose_table(dose: dict) -> Table:
    """Levels of the cause down, outcomes across: mean [95% CI]."""
    table = Table(title=f"dose-response: {dose['cause']}", title_justify="left")
    table.add_column("level")
    for label in dose["outcomes"]:
        table.add_column(label, justify="right")
    for row in dose["levels"]:
        table.add_row(row["level"], *(num(row[o]["mean"]) for o in dose["outcomes"]))
    return table
