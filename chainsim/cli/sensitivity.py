"""`chainsim sensitivity`: Morris screening or Sobol indices of chosen outputs."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from chainsim.cli.common import bad_input, fail, load
from chainsim.cli.evidence_common import (
    execution_options,
    execution_problems,
    num,
    scenario_path,
)
from chainsim.cli.run import OneLineCommand
from chainsim.evidence.robustness import RangeError, load_ranges
from chainsim.evidence.sensitivity import (
    METHODS,
    SensitivityUnavailable,
    analyze,
    run_design,
    sample,
)
from chainsim.output import prepare_dir, to_json, write_csv, write_json


@click.command("sensitivity", cls=OneLineCommand)
@click.argument("scenario", default="sinos_valley")
@click.option("--method", type=click.Choice(METHODS), default="morris", show_default=True,
              help="Morris elementary effects (screening) or Sobol indices.")
@click.option("--output", "outputs", multiple=True, metavar="METRIC",
              help="A headline metric or dated spec (repeatable; default: "
                   "cluster.<first>.design_gain and process_gain).")
@click.option("--samples", type=int, default=10, show_default=True, metavar="N",
              help="Morris trajectories, or Sobol base samples (a power of 2).")
@click.option("--ranges", "ranges_file", type=click.Path(), metavar="FILE",
              help="Parameter ranges (default: chainsim/evidence/ranges.toml).")
@click.option("--design-seed", type=int, default=0, show_default=True)
@execution_options(default_replications=2)
def sensitivity_command(scenario: str, method: str, outputs: tuple[str, ...], samples: int,
                        ranges_file: str | None, design_seed: int, replications: int,
                        seed: int | None, workers: int | None, executor_kind: str,
                        as_json: bool, out_dir: str | None, quiet: bool) -> None:
    """Global sensitivity of SCENARIO's outputs (a library name or a TOML file) to the
    parameters the paper does not fix, with 95% bootstrap CIs (SALib)."""
    try:
        params = load_ranges(ranges_file)
    except RangeError as exc:
        fail(exc.problems)
    path = _check(scenario, method, samples, replications, workers, len(params))
    with bad_input():
        base = load(str(path), [], seed)
        out = prepare_dir(out_dir) if out_dir else None
    outputs = outputs or tuple(f"cluster.{base.clusters[0].id}.{k}"
                               for k in ("design_gain", "process_gain"))
    try:
        x = sample(method, params, samples, design_seed)
    except SensitivityUnavailable as exc:
        fail(str(exc))
    started = time.perf_counter()
    with bad_input():
        y = run_design(base, lambda ov: load(str(path), ov, seed), params, x, outputs,
                       replications, base.simulation.seed, executor_kind=executor_kind,
                       workers=workers, show_progress=not (quiet or as_json))
    result = {"scenario": path.stem, "method": method, "samples": samples,
              "points": len(x), "replications": replications,
              "wall_seconds": round(time.perf_counter() - started, 1),
              "ci": "95% bootstrap (SALib, 1,000 resamples)", "outputs": {}}
    for j, o in enumerate(outputs):
        ok = np.isfinite(y[:, j])
        result["outputs"][o] = (analyze(method, params, x, y[:, j], design_seed)
                                if ok.all() else {"note": "undefined at some points"})
    if out is not None:
        write_json(out / "sensitivity.json", result)
        write_csv(out / "design.csv", pd.DataFrame(
            np.column_stack([np.exp(x), y]), columns=[*(p.name for p in params), *outputs]))
    if as_json:
        sys.stdout.write(to_json(result) + "\n")
        return
    print_sensitivity(result)


def _check(scenario: str, method: str, samples: int, replications: int,
           workers: int | None, n_params: int) -> Path:
    """The scenario's path; exit 2 with one line per problem of the options."""
    path = scenario_path(scenario)
    problems = [] if path is not None else [
        f"{scenario}: neither a scenario of the library nor a .toml file"]
    problems += execution_problems(replications, workers, samples * (n_params + 2))
    if samples < 2 or (method == "sobol" and samples & (samples - 1)):
        problems.append(f"--samples {samples}: at least 2, and a power of 2 for sobol")
    if problems:
        fail(problems)
    return path


def print_sensitivity(result: dict) -> None:
    console = Console()
    console.print(f"{result['method']} on {result['scenario']}: {result['points']} points x "
                  f"{result['replications']} replications, {result['wall_seconds']:.0f} s; "
                  f"CIs: {result['ci']}", markup=False, highlight=False)
    for output, rows in result["outputs"].items():
        table = Table(title=output, title_justify="left")
        if isinstance(rows, dict):
            console.print(f"{output}: {rows['note']}", markup=False)
            continue
        cols = (("mu_star", "mu_star_conf", "mu*"), ("sigma", None, "sigma")) \
            if result["method"] == "morris" else (("S1", "S1_conf", "S1"), ("ST", "ST_conf",
                                                                         "ST"))
        table.add_column("parameter")
        for _, _, head in cols:
            table.add_column(head + (" +- CI" if _ else ""), justify="right")
        for r in rows:
            table.add_row(r["parameter"], *(
                f"{num(r[k])} +- {num(r[c], 2)}" if c else num(r[k]) for k, c, _ in cols))
        console.print(table, markup=False)
