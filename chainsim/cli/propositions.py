"""`chainsim propositions`: the paper's propositions as paired comparisons, with verdicts."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from chainsim.api import DEFAULT_SCENARIO
from chainsim.cli.common import bad_input, fail, load
from chainsim.cli.evidence_common import markdown_header, num, run_info
from chainsim.cli.run import OneLineCommand, execute, execution_problems, experiment_options
from chainsim.output import to_json
from chainsim.propositions import (
    CORRECTION,
    PROPOSITIONS,
    by_proposition,
    chosen,
    configurations,
    configurations_needed,
    distinct,
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
@click.option("--out", "out_dir", type=click.Path(), help="Write tables and summary here "
              "(and propositions.md, the Markdown page).")
@click.option("--markdown", is_flag=True, help="Print the results as Markdown, with a run "
              "header (as in docs/propositions.md).")
@experiment_options(default_replications=10)
def propositions_command(library: str | None, seed: int | None, horizon: float | None,
                         numbers: tuple[int, ...], as_json: bool, out_dir: str | None,
                         markdown: bool, replications: int,
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
        configs, alias = distinct(configurations(Path(library), load, seed, horizon, props))

    done: dict[int, dict] = {}

    def summarize(exp):
        if id(exp) in done:  # once for --out, once to print
            return done[id(exp)]
        get = experiment_samples(exp, alias)
        rows = evaluate_samples(get, exp.confidence, props)
        out = {"run": run_info("propositions", exp.replications, exp.seed,
                               exp.wall_seconds),
               "replications": exp.replications, "seed": exp.seed,
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
    if out_dir:
        (Path(out_dir) / "propositions.md").write_text(markdown_page(summary),
                                                       encoding="utf-8")
    if as_json:
        sys.stdout.write(to_json(summary) + "\n")
        return
    if markdown:
        sys.stdout.write(markdown_page(summary))
        return
    print_propositions(summary)


def _cell(text: str) -> str:
    return str(text).replace("|", "/")


def markdown_page(summary: dict) -> str:
    """The run header, one row per proposition (its checks: B - A [corrected CI] and
    verdict), then each dose-response as a table of means."""
    verdicts = [p["verdict"] for p in summary["propositions"]]
    counts = ", ".join(f"{verdicts.count(v)} {v}" for v in dict.fromkeys(verdicts))
    lines = [markdown_header(summary["run"]).rstrip("\n"), "",
             f"**{counts}** (m = {summary['comparisons']} checks; {summary['correction']}).",
             "", "| # | proposition | configurations (A -> B) | B - A [corrected CI] | verdict |",
             "|---|---|---|---|---|"]
    for p in summary["propositions"]:
        checks = "; ".join(
            f"{_metric(c)} {num(c['mean'])} [{num(c['ci_low'])}, {num(c['ci_high'])}] "
            f"({c['verdict']})" for c in p["checks"])
        lines.append(f"| {p['proposition']} | {_cell(p['claim'])} | {p['a']} -> {p['b']} | "
                     f"{_cell(checks)} | {p['verdict']} |")
    for p in summary["propositions"]:
        dose = p.get("dose")
        if not dose:
            continue
        labels = list(dose["outcomes"])
        lines += ["", f"P{p['proposition']} dose-response: {dose['cause']} (mean [95% CI])",
                  "", "| level | " + " | ".join(labels) + " |",
                  "|---|" + "---|" * len(labels)]
        for row in dose["levels"]:
            cells = [f"{num(row[o]['mean'])} [{num(row[o]['ci_low'])}, "
                     f"{num(row[o]['ci_high'])}]" for o in labels]
            lines.append(f"| {row['level']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


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
