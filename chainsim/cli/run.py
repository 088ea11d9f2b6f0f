"""`chainsim run FILE`: one run, a readable summary or JSON, optional files under --out."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from chainsim.cli.common import bad_input, load, set_option
from chainsim.cli.tables import print_summary
from chainsim.engine.simulation import simulate
from chainsim.output import prepare_dir, to_json, write_json, write_jsonl, write_parquet
from chainsim.results.summary import summarize


@click.command("run")
@click.argument("file", type=click.Path())
@click.option("--seed", type=int, help="Seed (default: simulation.seed in the file).")
@click.option("--horizon", type=float, metavar="YEARS", help="Years to simulate.")
@set_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object to stdout.")
@click.option("--out", "out_dir", type=click.Path(), help="Write summary, tables and log here.")
@click.option("--log", "log_file", type=click.Path(), help="Write the decision log (JSON lines).")
def run_command(file: str, seed: int | None, horizon: float | None, overrides: tuple[str, ...],
                as_json: bool, out_dir: str | None, log_file: str | None) -> None:
    """Run a scenario file and print what happened."""
    with bad_input():
        scenario = load(file, list(overrides), seed, horizon)
        out = prepare_dir(out_dir) if out_dir else None
        if log_file:
            prepare_dir(Path(log_file).resolve().parent)
    result = simulate(scenario)
    summary = summarize(result)
    if out is not None:
        write_json(out / "summary.json", summary)
        for name, table in result.tables.items():
            write_parquet(out / f"{name}.parquet", table)
        write_jsonl(out / "decisions.jsonl", result.decisions)
        write_json(out / "scenario.json", scenario.model_dump(mode="json"))
    if log_file:
        write_jsonl(log_file, result.decisions)
    if as_json:
        sys.stdout.write(to_json(summary) + "\n")
    else:
        print_summary(summary, file)
