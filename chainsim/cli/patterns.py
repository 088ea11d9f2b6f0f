"""`chainsim patterns`: each case against the stylised facts the paper reports."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
import pandas as pd
from rich.console import Console
from rich.table import Table

from chainsim.cli.common import bad_input, fail, load
from chainsim.cli.evidence_common import (
    execution_options,
    execution_problems,
    markdown_header,
    mean_ci_text,
    run_info,
    scenario_path,
)
from chainsim.cli.run import OneLineCommand
from chainsim.evidence.patterns import (
    PatternError,
    check_all,
    check_ids,
    load_patterns,
    needed_cases,
    run_patterns,
    select,
    summary,
)
from chainsim.output import prepare_dir, to_json, write_csv, write_json


@click.command("patterns", cls=OneLineCommand)
@click.argument("scenarios", nargs=-1, metavar="[SCENARIO]...")
@click.option("--patterns", "pattern_file", type=click.Path(), metavar="FILE",
              help="A patterns file of your own (default: the one shipped, "
                   "chainsim/evidence/patterns.toml).")
@click.option("--markdown", is_flag=True, help="Print the results as a Markdown table "
              "(as in docs/patterns.md).")
@execution_options(default_replications=10)
def patterns_command(scenarios: tuple[str, ...], pattern_file: str | None, markdown: bool,
                     replications: int, seed: int | None, workers: int | None,
                     executor_kind: str, as_json: bool, out_dir: str | None,
                     quiet: bool) -> None:
    """Check each case (a library name such as sinos_valley, or a TOML file named like
    one; default: every case) against the patterns the paper reports, each with the
    passage it rests on, and say pass or fail with the mean and 95% CI over replications.
    """
    try:
        patterns = load_patterns(pattern_file)
    except PatternError as exc:
        fail(exc.problems)
    names, chosen, cases = _plan(patterns, scenarios, replications, workers)
    out = None
    with bad_input():
        loaded = {c: load(str(names.get(c) or scenario_path(c)), []) for c in cases}
        try:
            check_ids(chosen, loaded)
        except PatternError as exc:
            fail([f"{pattern_file}: {p}" if pattern_file else p for p in exc.problems])
        if out_dir:
            out = prepare_dir(out_dir)
    started, cpu = time.perf_counter(), time.process_time()
    run = run_patterns(chosen, loaded, replications, seed, executor_kind=executor_kind,
                       workers=workers, show_progress=not (quiet or as_json))
    rows = check_all(chosen, run)
    wall = time.perf_counter() - started
    # The seed each case ran with: --seed, or each file's own (they differ by case).
    distinct = set(run.seeds.values())
    used = (seed if seed is not None else distinct.pop() if len(distinct) == 1
            else run.seeds)
    result = {"run": run_info("patterns", replications, used, wall),
              "replications": replications, "seed": used, "seeds": run.seeds,
              "confidence": 0.95,
              "criterion": "pass when low < mean < high over the replications",
              "horizons": run.horizons, "events": run.events,
              "wall_seconds": round(wall, 2),
              "main_cpu_seconds": round(time.process_time() - cpu, 2),
              "summary": summary(rows), "patterns": rows}
    if out is not None:
        write_json(out / "patterns.json", result)
        write_csv(out / "patterns.csv", pd.DataFrame(rows))
        (out / "patterns.md").write_text(markdown_page(result), encoding="utf-8")
    if as_json:
        sys.stdout.write(to_json(result) + "\n")
        return
    if markdown:
        sys.stdout.write(markdown_page(result))
        return
    print_patterns(result)
    if out is not None:
        click.echo(f"Written: {out / 'patterns.json'}, {out / 'patterns.csv'}, "
                   f"{out / 'patterns.md'}")


def _plan(patterns: list, scenarios: tuple[str, ...], replications: int,
          workers: int | None) -> tuple[dict[str, Path], list, list[str]]:
    """The named files, the patterns chosen and every case they read; exit 2 with one
    line per problem."""
    names, problems = _named(scenarios)
    chosen = select(patterns, list(names) or None)
    known = sorted({p.case for p in patterns})
    problems += [f"{n}: no pattern is about this case; cases with patterns: "
                 f"{', '.join(known)}" for n in names if n not in known]
    cases = needed_cases(chosen)
    problems += execution_problems(replications, workers, len(cases))
    problems += [f"{c}: a pattern needs this case, which is not in the library"
                 for c in cases if c not in names and scenario_path(c) is None]
    if problems:
        fail(problems)
    return names, chosen, cases


def _named(scenarios: tuple[str, ...]) -> tuple[dict[str, Path], list[str]]:
    """Case name -> file for each SCENARIO argument, and a line for each unknown one."""
    names, problems = {}, []
    for s in scenarios:
        path = scenario_path(s)
        if path is None:
            problems.append(f"{s}: neither a scenario of the library nor a .toml file")
        else:
            names[path.stem] = path
    return names, problems


def markdown_page(result: dict) -> str:
    """The run header, the count of passes and the table (as in docs/patterns.md)."""
    s = result["summary"]
    return (markdown_header(result["run"])
            + f"**{s['pass']} of {s['patterns']} pass, {s['fail']} fail.**\n\n"
            + markdown_table(result["patterns"]))


def markdown_table(rows: list[dict]) -> str:
    lines = ["| case | pattern | period | band | mean [95% CI] | result |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        claim = r["claim"].replace("|", "/")
        lines.append(f"| {r['case']} | {claim} | {r['period']} | {r['band']} | "
                     f"{mean_ci_text(r)} | {r['verdict']} |")
    return "\n".join(lines) + "\n"


def print_patterns(result: dict) -> None:
    console = Console()
    s = result["summary"]
    console.print(f"{s['pass']} of {s['patterns']} patterns pass, {s['fail']} fail; "
                  f"{result['replications']} replications per case, "
                  f"{result['wall_seconds']:.0f} s; pass when the mean lies inside the "
                  "band", markup=False, highlight=False)
    for case in s["cases"]:
        table = Table(title=f"{case}: {s['cases'][case]['pass']} pass, "
                      f"{s['cases'][case]['fail']} fail", title_justify="left")
        table.add_column("pattern (paper)", ratio=3)
        table.add_column("period", ratio=1)
        table.add_column("band", ratio=1)
        table.add_column("mean [95% CI]", ratio=2)
        table.add_column("", no_wrap=True)
        for r in result["patterns"]:
            if r["case"] == case:
                table.add_row(r["claim"], r["period"], r["band"], mean_ci_text(r),
                              r["verdict"])
        console.print(table, markup=False)
