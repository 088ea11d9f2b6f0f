"""What the multi-run commands share: their options, the checks of those options, and
the translation of the library's exceptions into one line each and an exit status.

The experiment itself runs in the library (`chainsim.experiments.lifecycle`); nothing
here runs, writes or resumes anything.
"""

from __future__ import annotations

import shlex
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from chainsim.cli.common import fail, option_problems
from chainsim.experiments.executors import EXECUTOR_KINDS, MAX_WORKERS
from chainsim.limits import MAX_REPLICATIONS

EXIT_RUN_FAILED = 1
EXIT_INTERRUPTED = 130  # the shell's status for a command stopped by Ctrl-C


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
    return problems + out_problems(resume, out_dir)


def out_problems(resume: bool, out_dir: str | None) -> list[str]:
    """`--out ''` (it was silently ignored) and `--resume` without `--out`."""
    if out_dir is not None and not out_dir.strip():
        return ["--out: empty path; give a directory"]
    if resume and not out_dir:
        return ["--resume: needs --out DIR (the directory to resume)"]
    return []


def execution(executor_kind: str, workers: int | None, scheduler: str | None,
              batch_size: int | None, quiet: bool, series: bool = True) -> Any:
    """The execution options as the library's `Execution` (`series=False`: the command
    prints no series, so none are kept without --out)."""
    from chainsim.experiments.lifecycle import Execution

    return Execution(executor_kind, workers, scheduler, batch_size, progress=not quiet,
                     series=series)


@contextmanager
def experiment_errors(executor_kind: str, seed: int | None = None,
                      horizon: float | None = None) -> Iterator[None]:
    """Bad input: one line per problem, exit 2 (`--seed` and `--horizon` problems name
    the option). A failing replication, a dead worker, a full disk: its message, what
    --out holds and the command that finishes the run, exit 1; Ctrl-C or SIGTERM the
    same, exit 130."""
    import threading

    from chainsim.experiments.design import DesignError
    from chainsim.experiments.executors import ExecutorUnavailable
    from chainsim.experiments.lifecycle import ExperimentFailed, ExperimentInterrupted
    from chainsim.output import OutputError
    from chainsim.scenario import ScenarioError

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if main else None
    try:
        yield
    except ScenarioError as exc:
        fail(option_problems(exc.problems, seed, horizon))
    except (DesignError, OutputError) as exc:
        fail(getattr(exc, "problems", None) or [str(exc)])
    except ExecutorUnavailable as exc:
        fail(f"--executor {executor_kind}: {exc}")
    except ExperimentFailed as exc:
        stopped(str(exc), exc.out, EXIT_RUN_FAILED)
    except ExperimentInterrupted as exc:
        stopped("interrupted", exc.out, EXIT_INTERRUPTED)
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)


def stopped(message: str, out: Any, status: int) -> None:
    """An experiment that stopped: one line why; with --out, what it holds and the
    command that finishes the run; then exit."""
    from chainsim.experiments.outputs import output_state

    click.echo(f"error: {message}", err=True)
    if out is not None:
        click.echo(f"{output_state(out)}; to finish the run:\n"
                   f"  {resume_command(sys.argv)}", err=True)
    sys.exit(status)


def resume_command(argv: list[str]) -> str:
    """The command line that was run, as `chainsim ...`, with --resume."""
    args = ["chainsim", *argv[1:]]
    if "--resume" not in args:
        args.append("--resume")
    return shlex.join(args)


def _terminated(signum: int, frame: Any) -> None:
    """SIGTERM stops an experiment like Ctrl-C: workers stopped, state and resume said."""
    signal.raise_signal(signal.SIGINT)


def execute(kind: str, configurations: list[Any], replications: int,
            seed: int | None, horizon: float | None, *, executor_kind: str,
            workers: int | None, scheduler: str | None, batch_size: int | None, quiet: bool,
            resume: bool, out_dir: str | None, design: dict[str, Any] | None = None,
            summarize_fn: Callable[[Any], dict[str, Any]]) -> Any:
    """Run an experiment of configurations loaded by the caller (`chainsim propositions`)
    through the library lifecycle; bad input exits 2 before anything is written, a failing
    replication exits 1 (finished ones stay saved)."""
    from chainsim.experiments.lifecycle import execute as run

    with experiment_errors(executor_kind, seed, horizon):
        return run(kind, configurations, replications, seed=seed, horizon_years=horizon,
                   execution=execution(executor_kind, workers, scheduler, batch_size, quiet),
                   out=out_dir, resume=resume, design=design, summarize=summarize_fn,
                   command=sys.argv)
