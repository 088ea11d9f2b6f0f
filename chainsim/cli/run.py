"""`chainsim run FILE`: one run, a readable summary or JSON, optional files under --out.

With `--replications N` (N > 1) it runs replications 0..N-1 under common random numbers
(`chainsim.replicate`) and reports every headline metric as a mean with its 95%
confidence interval. The options multi-run commands share live in
`chainsim.cli.experiment`.
"""

from __future__ import annotations

import sys

import click

from chainsim.cli.common import (  # noqa: F401  (OneLineCommand: other commands import it here)
    OneLineCommand,
    OneLineError,
    bad_input,
    fail,
    load,
    set_option,
)
from chainsim.cli.experiment import (  # noqa: F401  (execute: chainsim propositions)
    EXIT_RUN_FAILED,
    execute,
    execution,
    execution_problems,
    experiment_errors,
    experiment_options,
)


@click.command("run", cls=OneLineCommand)
@click.argument("file", type=click.Path())
@click.option("--seed", type=int, help="Seed (default: simulation.seed in the file).")
@click.option("--horizon", type=float, metavar="YEARS", help="Years to simulate.")
@set_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object to stdout.")
@click.option("--out", "out_dir", type=click.Path(), help="Write summary, tables and log here.")
@click.option("--log", "log_file", type=click.Path(), help="Write the decision log (JSON lines).")
@experiment_options(default_replications=None)
def run_command(file: str, seed: int | None, horizon: float | None, overrides: tuple[str, ...],
                as_json: bool, out_dir: str | None, log_file: str | None,
                replications: int | None, workers: int | None, executor_kind: str,
                scheduler: str | None, batch_size: int | None, quiet: bool,
                resume: bool) -> None:
    """Run a scenario file and print what happened.

    With --replications N, run replications 0..N-1 (common random numbers) and report
    each headline metric's mean and 95% confidence interval.
    """
    problems = execution_problems(replications, workers, executor_kind, scheduler,
                                  batch_size, resume, out_dir)
    multi = replications is not None and replications > 1
    if not multi and resume:
        problems.append("--resume: needs --replications N with N above 1")
    if multi and log_file:
        problems.append("--log: writes the decision log of one run; with --replications "
                        "run one replication (chainsim run FILE --log ...)")
    if problems:
        fail(problems)
    if multi:
        from chainsim.api import replicate

        with experiment_errors(executor_kind, seed, horizon):
            result = replicate(file, replications, seed=seed, horizon_years=horizon,
                               overrides=overrides, out=out_dir, resume=resume,
                               execution=execution(executor_kind, workers, scheduler,
                                                   batch_size, quiet, series=False),
                               command=sys.argv)
        summary = result.summary()
        wrote(out_dir, result.experiment.files)
        if as_json:
            from chainsim.output import to_json

            sys.stdout.write(to_json(summary) + "\n")
        else:
            from chainsim.cli.tables import print_replicated

            print_replicated(summary, file)
        return
    run_once(file, list(overrides), seed, horizon, as_json, out_dir, log_file)


def run_once(file: str, overrides: list[str], seed: int | None, horizon: float | None,
             as_json: bool, out_dir: str | None, log_file: str | None) -> None:
    """One replication: the summary on stdout, files under --out, the log to --log."""
    from chainsim.api import run
    from chainsim.cli.tables import print_summary
    from chainsim.output import to_json
    from chainsim.results.summary import summarize

    with experiment_errors("serial", seed, horizon):  # bad input 2, a failed save 1
        scenario = load(file, overrides, seed, horizon)
        result = run(scenario, out=out_dir, log=log_file)
    summary = summarize(result)
    if as_json:
        sys.stdout.write(to_json(summary) + "\n")
    else:
        print_summary(summary, file)
    if out_dir:
        click.echo(f"wrote {out_dir}: summary.json, series/, records/, decisions.jsonl, "
                   "scenario.json", err=True)


def wrote(out: str | None, files: list[str]) -> None:
    """Say on stderr where the output files went (stdout may be JSON): each top-level
    file or directory once."""
    if out:
        names = dict.fromkeys(f.split("/", 1)[0] + ("/" if "/" in f else "") for f in files)
        click.echo(f"wrote {out}: {', '.join([*names, 'manifest.json'])}", err=True)
