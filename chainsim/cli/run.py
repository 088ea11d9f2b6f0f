"""`chainsim run FILE`: one run, a readable summary or JSON, optional files under --out.

With `--replications N` (N > 1) it runs replications 0..N-1 under common random numbers
and reports every headline metric as a mean with its 95% confidence interval. The options
and helpers for multi-run work (executor, workers, --out, --resume) live here and are
shared by `chainsim compare` and `chainsim sweep`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from chainsim.cli.common import bad_input, fail, load, set_option
from chainsim.cli.tables import (
    BUYER_ROWS,
    CLUSTER_ROWS,
    ORDER_STAGES,
    agent_table,
    fmt,
    print_summary,
)
from chainsim.engine.simulation import simulate
from chainsim.experiments.executors import (
    EXECUTOR_KINDS,
    MAX_WORKERS,
    ExecutorUnavailable,
    open_executor,
)
from chainsim.experiments.outputs import prepare_output, write_outputs
from chainsim.experiments.runner import (
    Configuration,
    Experiment,
    ReplicationError,
    replicated_summary,
    resolve_configurations,
    run_experiment,
)
from chainsim.limits import MAX_REPLICATIONS
from chainsim.output import (
    prepare_dir,
    prepare_file,
    to_json,
    write_json,
    write_jsonl,
    write_parquet,
)
from chainsim.results.summary import summarize

EXIT_RUN_FAILED = 1


class OneLineError(click.ClickException):
    """A usage error printed as one line, `error: ...`, with exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class OneLineCommand(click.Command):
    """A command whose usage errors (bad option value, missing argument) are one line."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise OneLineError(exc.format_message()) from None


def experiment_options(default_replications: int | None) -> Callable[[Callable], Callable]:
    """The options every multi-run command shares."""
    shown = f" (default {default_replications})" if default_replications else ""
    options = [
        click.option("--replications", type=int, default=default_replications, metavar="N",
                     help=f"Replications 0..N-1 of each configuration{shown}; at most "
                          f"{MAX_REPLICATIONS:,}."),
        click.option("--workers", type=int, metavar="N",
                     help="Parallel workers (default: all cores)."),
        click.option("--executor", "executor_kind", type=click.Choice(EXECUTOR_KINDS),
                     default="process", show_default=True,
                     help="Where replications run: here, a local process pool, or Dask."),
        click.option("--scheduler", metavar="ADDRESS",
                     help="Address of a running Dask scheduler (with --executor dask; "
                          "without it a local cluster is started)."),
        click.option("--batch-size", type=int, metavar="K",
                     help="Replications per task sent to a worker (default: about four "
                          "batches per worker)."),
        click.option("--quiet", is_flag=True, help="No progress bar."),
        click.option("--resume", is_flag=True,
                     help="Reuse the replications already finished under --out."),
    ]

    def decorate(f: Callable) -> Callable:
        for option in reversed(options):
            f = option(f)
        return f

    return decorate


def execution_problems(replications: int | None, workers: int | None, executor_kind: str,
                       scheduler: str | None, batch_size: int | None, resume: bool,
                       out_dir: str | None, configurations: int = 1) -> list[str]:
    """Every problem with the execution options, one line each (checked before any run)."""
    problems = []
    if replications is not None:
        if replications < 1:
            problems.append(f"--replications {replications}: must be at least 1")
        elif replications > MAX_REPLICATIONS:
            problems.append(f"--replications {replications:,}: above the limit of "
                            f"{MAX_REPLICATIONS:,} (chainsim.limits.MAX_REPLICATIONS)")
        elif replications * configurations > MAX_REPLICATIONS:
            problems.append(f"--replications {replications:,} x {configurations:,} "
                            f"configurations = {replications * configurations:,} runs, above "
                            f"the limit of {MAX_REPLICATIONS:,} "
                            "(chainsim.limits.MAX_REPLICATIONS)")
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        problems.append(f"--workers {workers}: must be between 1 and {MAX_WORKERS}")
    if batch_size is not None and batch_size < 1:
        problems.append(f"--batch-size {batch_size}: must be at least 1")
    if scheduler is not None and executor_kind != "dask":
        problems.append(f"--scheduler {scheduler}: needs --executor dask")
    if scheduler is not None and not scheduler.strip():
        problems.append("--scheduler: empty address")
    if resume and not out_dir:
        problems.append("--resume: needs --out DIR (the directory to resume)")
    return problems


def execute(kind: str, configurations: list[Configuration], replications: int,
            seed: int | None, horizon: float | None, *, executor_kind: str,
            workers: int | None, scheduler: str | None, batch_size: int | None, quiet: bool,
            resume: bool, out_dir: str | None, design: dict[str, Any] | None = None,
            summarize_fn: Callable[[Experiment], dict[str, Any]]) -> Experiment:
    """Open the executor, prepare --out, run, write outputs. Bad input exits 2 before
    anything is written; a failing replication exits 1 (finished ones stay saved)."""
    seed, resolved = resolve_configurations(configurations, seed, horizon)
    with ExitStack() as stack:
        try:
            pool = stack.enter_context(open_executor(executor_kind, workers, scheduler))
        except ExecutorUnavailable as exc:
            fail(f"--executor {executor_kind}: {exc}")
        out = store = manifest = None
        if out_dir:
            with bad_input():
                out, store, manifest = prepare_output(
                    out_dir, kind, resolved, seed, replications, resume, command=sys.argv,
                    execution={"executor": executor_kind, "workers": workers,
                               "scheduler": scheduler, "batch_size": batch_size},
                    design=design)
        try:
            exp = run_experiment(resolved, replications, seed=seed, executor=pool,
                                 workers_hint=workers, batch_size=batch_size, store=store,
                                 show_progress=not quiet, kind=kind)
        except ReplicationError as exc:
            click.echo(f"error: {exc}", err=True)
            if out is not None:
                click.echo(f"finished replications are saved under {out}; rerun with "
                           "--resume to continue", err=True)
            sys.exit(EXIT_RUN_FAILED)
    if out is not None:
        write_outputs(out, exp, summarize_fn(exp), manifest)
    return exp


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
        with bad_input():
            scenario = load(file, list(overrides), seed, horizon)
        config = Configuration("run", scenario, file, tuple(overrides))
        exp = execute("run", [config], replications, seed, horizon,
                      executor_kind=executor_kind, workers=workers, scheduler=scheduler,
                      batch_size=batch_size, quiet=quiet, resume=resume, out_dir=out_dir,
                      summarize_fn=replicated_summary)
        summary = replicated_summary(exp)
        if as_json:
            sys.stdout.write(to_json(summary) + "\n")
        else:
            print_replicated(summary, file)
        return

    with bad_input():
        scenario = load(file, list(overrides), seed, horizon)
        out = prepare_dir(out_dir) if out_dir else None
        if log_file:
            prepare_file(log_file, "--log")
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


# -- terminal tables for replicated results ---------------------------------------------


def fmt_ci(ci: dict[str, Any] | None, kind: str = "num") -> str:
    """`mean ± half-width` of a {mean, ci_low, ci_high, n} object."""
    if not ci or ci.get("mean") is None:
        return "-"
    mean, low, high = ci["mean"], ci.get("ci_low"), ci.get("ci_high")
    if low is None or high is None:
        return fmt(mean, kind)
    half = (high - low) / 2
    if kind == "pct":
        return f"{100 * mean:.1f}% ± {100 * half:.1f}"
    if abs(mean) >= 1e6:  # both on the mean's scale, so the columns stay narrow
        return f"{mean / 1e6:,.1f}M ± {half / 1e6:,.1f}M"
    if abs(mean) >= 1e3 or kind == "int":
        return f"{mean:,.0f} ± {half:,.0f}"
    return f"{mean:.2f} ± {half:.2f}"


def agent_ci_table(title: str, agents: dict[str, dict[str, Any]], rows: tuple) -> Table:
    return agent_table(title, agents, rows, cell=fmt_ci, only_present=True)


def print_replicated(summary: dict[str, Any], source: str) -> None:
    console = Console()
    n = summary["replications"]
    console.print(f"[bold]{escape(summary['scenario'])}[/bold]")
    console.print(f"{escape(source)}, seed {summary['seed']}, replications 0..{n - 1} "
                  f"(common random numbers), {summary['horizon_years']:g} years, chainsim "
                  f"{summary['version']}: {summary['events']:,} SimPy events in "
                  f"{summary['wall_seconds']:.2f} s")
    console.print(f"Each cell: mean ± half-width of the {summary['confidence']:.0%} "
                  f"confidence interval over {n} replications.")
    orders = Table(title="Orders by stage (per run)", title_justify="left")
    orders.add_column("stage")
    orders.add_column("orders", justify="right")
    for stage in ORDER_STAGES:
        if stage in summary["orders"]:
            orders.add_row(stage.replace("_", " "), fmt_ci(summary["orders"][stage]))
    console.print(orders)
    console.print(agent_ci_table("Clusters", summary["clusters"], CLUSTER_ROWS))
    console.print(agent_ci_table("Buyers", summary["buyers"], BUYER_ROWS))
