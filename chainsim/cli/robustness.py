"""`chainsim robustness`: every proposition over a Latin hypercube of the parameters the
paper does not fix, paired under common random numbers at every point."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
import pandas as pd
from rich.console import Console
from rich.table import Table

from chainsim.cli.common import bad_input, fail
from chainsim.cli.evidence_common import (
    execution_options,
    execution_problems,
    library_dir,
    markdown_header,
    run_info,
)
from chainsim.cli.run import OneLineCommand
from chainsim.evidence.robustness import (
    DEFAULT_POINTS,
    DEFAULT_REPLICATIONS,
    TARGET,
    RangeError,
    default_props,
    discover,
    load_ranges,
    point_checks,
    run_robustness,
    summarize,
)
from chainsim.output import prepare_dir, to_json, write_csv, write_json
from chainsim.propositions import PROPOSITIONS
from chainsim.scenario import load_scenario

DEFAULT_SEED = 20000  # sinos_valley.toml's, as in chainsim propositions


@click.command("robustness", cls=OneLineCommand)
@click.option("--points", type=int, default=DEFAULT_POINTS, show_default=True, metavar="N",
              help="Points of the Latin hypercube.")
@click.option("--design-seed", type=int, default=0, show_default=True,
              help="Seed of the Latin hypercube.")
@click.option("--ranges", "ranges_file", type=click.Path(), metavar="FILE",
              help="Parameter ranges (default: chainsim/evidence/ranges.toml).")
@click.option("--proposition", "numbers", type=click.IntRange(1, len(PROPOSITIONS)),
              multiple=True, metavar="N", help="Only proposition N (repeatable).")
@click.option("--markdown", is_flag=True, help="Print the results as Markdown, with a run "
              "header (as in docs/propositions.md).")
@execution_options(default_replications=DEFAULT_REPLICATIONS)
def robustness_command(points: int, design_seed: int, ranges_file: str | None,
                       numbers: tuple[int, ...], markdown: bool, replications: int,
                       seed: int | None,
                       workers: int | None, executor_kind: str, as_json: bool,
                       out_dir: str | None, quiet: bool) -> None:
    """Run every check of the propositions at each point of a Latin hypercube of the
    uncertain parameters (both configurations of a check share the point and the
    replications), and report per check the share of points where the sign agrees with
    the paper and where the 95% CI excludes zero; where a check falls short of 90%, the
    conditions under which it fails.
    """
    try:
        params = load_ranges(ranges_file)
    except RangeError as exc:
        fail(exc.problems)
    problems = execution_problems(replications, workers, points * 13)
    if points < 2:
        problems.append(f"--points {points}: must be at least 2")
    if problems:
        fail(problems)
    props = default_props(numbers)
    lib = library_dir()
    out = None
    with bad_input():
        if out_dir:
            out = prepare_dir(out_dir)
    started, cpu = time.perf_counter(), time.process_time()
    with bad_input():
        run = run_robustness(props, params, points, replications,
                             DEFAULT_SEED if seed is None else seed,
                             lambda f, ov: load_scenario(str(lib / f), list(ov)),
                             design_seed, executor_kind=executor_kind, workers=workers,
                             show_progress=not (quiet or as_json))
    rows = point_checks(run, props)
    checks = summarize(rows)
    names = [p.name for p in params]
    for c in checks:
        if not c["meets_target"]:
            c["discovery"] = discover(rows, (c["proposition"], c["check"]), names)
    wall = time.perf_counter() - started
    result = {"run": run_info("robustness", replications, run.seed, wall),
              "points": points, "replications": replications, "runs": run.runs,
              "seed": run.seed, "design_seed": design_seed, "target": TARGET,
              "parameters": [{"name": p.name, "fields": list(p.fields), "low": p.low,
                              "high": p.high} for p in params],
              "ci": "95% paired t-interval per point, uncorrected (a share of points is "
                    "reported, not a test per point)",
              "wall_seconds": round(wall, 1),
              "main_cpu_seconds": round(time.process_time() - cpu, 1), "checks": checks}
    emit(result, rows, out, as_json, markdown)


def emit(result: dict, rows: list, out: Path | None, as_json: bool, markdown: bool) -> None:
    """Write the files under --out, then print JSON, Markdown or the tables."""
    if out is not None:
        write_json(out / "robustness.json", result)
        write_csv(out / "points.csv", pd.DataFrame(rows))
        (out / "robustness.md").write_text(markdown_page(result), encoding="utf-8")
    if as_json:
        sys.stdout.write(to_json(result) + "\n")
        return
    if markdown:
        sys.stdout.write(markdown_page(result))
        return
    print_robustness(result)
    if out is not None:
        click.echo(f"Written: {out / 'robustness.json'}, {out / 'points.csv'}, "
                   f"{out / 'robustness.md'}")


def markdown_page(result: dict) -> str:
    """The run header, the design, one row per check and the failing boxes."""
    met = sum(c["meets_target"] for c in result["checks"])
    lines = [markdown_header(result["run"]).rstrip("\n"), "",
             f"{result['points']} points x {result['replications']} replications "
             f"({result['runs']:,} runs, design seed {result['design_seed']}) over "
             f"{', '.join(p['name'] for p in result['parameters'])}. "
             f"**{met} of {len(result['checks'])} checks agree in sign at "
             f"{result['target']:.0%} of the points or more.** CI: {result['ci']}.", "",
             "| P | check | sign agrees | CI excludes 0 | target |", "|---|---|---|---|---|"]
    for c in result["checks"]:
        lines.append(f"| {c['proposition']} | {c['label']} | {c['sign_agrees']:.0%} | "
                     f"{c['ci_excludes_zero']:.0%} | "
                     f"{'met' if c['meets_target'] else 'short'} |")
    for c in result["checks"]:
        d = c.get("discovery")
        if not d:
            continue
        lines += ["", f"P{c['proposition']} {c['label']}: fails where"]
        lines += [f"- {' and '.join(b['conditions'])}: {b['failing']} of {b['points']} "
                  f"points fail ({b['share_of_failures']:.0%} of the failures)"
                  for b in d["boxes"]]
        if d.get("note"):
            lines.append(f"- ({d['note']})")
    return "\n".join(lines) + "\n"


def print_robustness(result: dict) -> None:
    console = Console()
    console.print(f"{result['points']} points x {result['replications']} replications "
                  f"({result['runs']:,} runs, {result['wall_seconds']:.0f} s) over "
                  f"{', '.join(p['name'] for p in result['parameters'])}; target: the "
                  f"sign agrees at {result['target']:.0%} of the points",
                  markup=False, highlight=False)
    table = Table(title="Share of points", title_justify="left")
    for col in ("P", "check", "sign agrees", "CI excludes 0", "target"):
        table.add_column(col, justify="left" if col == "check" else "right")
    for c in result["checks"]:
        table.add_row(str(c["proposition"]), c["label"], f"{c['sign_agrees']:.0%}",
                      f"{c['ci_excludes_zero']:.0%}", "met" if c["meets_target"] else
                      "short")
    console.print(table, markup=False)
    for c in result["checks"]:
        d = c.get("discovery")
        if not d:
            continue
        console.print(f"P{c['proposition']} {c['label']}: fails where", markup=False,
                      highlight=False)
        for box in d["boxes"]:
            console.print(f"  {' and '.join(box['conditions'])}: {box['failing']} of "
                          f"{box['points']} points fail ({box['share_of_failures']:.0%} "
                          "of the failures)", markup=False, highlight=False)
        if d.get("note"):
            console.print(f"  ({d['note']})", markup=False, highlight=False)
