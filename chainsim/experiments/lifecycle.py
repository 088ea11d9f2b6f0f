"""The experiment lifecycle: load configurations, open an executor, prepare `--out`, run
the replications, write the outputs. `chainsim.replicate`, `compare` and `sweep` and the
command line all go through `execute`, so an experiment run from Python and one run from
the shell write the same files and can resume each other.

Problems are raised, never printed: `ScenarioError` (a scenario or override), `OutputError`
(the output directory), `ExecutorUnavailable` (the backend) before anything runs, and
`ExperimentFailed` when a replication fails, a worker dies or the results cannot be
written, `ExperimentInterrupted` on Ctrl-C (finished replications stay saved under `out`
for a resume).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chainsim.experiments.runner import (
    Configuration,
    Experiment,
    ReplicationError,
    replicated_summary,
    resolve_configurations,
    run_experiment,
)
from chainsim.scenario import Scenario, apply_overrides, load_scenario, parse_scenario

Summarize = Callable[[Experiment], dict[str, Any]]


@dataclass(frozen=True)
class Execution:
    """Where and how replications run: `executor` is "serial", "process" or "dask";
    `workers` defaults to the CPU count; `scheduler` is a running Dask scheduler's address;
    `batch_size` replications go to a worker per task (default: about four batches per
    worker); `progress` shows a bar on a terminal's stderr; `series=False` keeps no
    per-period series when there is no `out` (with `out` they are always saved, and read
    back from it), so memory does not grow with them."""

    executor: str = "serial"
    workers: int | None = None
    scheduler: str | None = None
    batch_size: int | None = None
    progress: bool = False
    series: bool = True

    def manifest(self) -> dict[str, Any]:
        """The execution as the manifest records it."""
        return {"executor": self.executor, "workers": self.workers,
                "scheduler": self.scheduler, "batch_size": self.batch_size}


class ExperimentFailed(RuntimeError):
    """A replication raised; `out` is the directory holding the finished ones (or None)."""

    def __init__(self, message: str, out: Path | None):
        super().__init__(message)
        self.out = out


class ExperimentInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM, on the command line) stopped the experiment; `out` holds the
    replications saved so far (or is None). Still a KeyboardInterrupt."""

    def __init__(self, out: Path | None):
        super().__init__("interrupted")
        self.out = out


def run_settings(seed: int | None, horizon_years: float | None) -> list[str]:
    """`--seed` and `--horizon` as scenario overrides, so they are validated like `--set`."""
    extra = []
    if seed is not None:
        extra.append(f"simulation.seed={int(seed)}")
    if horizon_years is not None:
        extra.append(f"simulation.horizon_years={float(horizon_years)!r}")
    return extra


def check_runs(replications: int, configurations: int) -> None:
    """Refuse, before anything is built, more runs than `chainsim.limits` allows."""
    from chainsim.experiments.design import DesignError
    from chainsim.limits import MAX_REPLICATIONS

    if replications < 1:
        raise DesignError([f"--replications {replications}: must be at least 1"])
    if replications * configurations > MAX_REPLICATIONS:
        raise DesignError([f"--replications {replications:,} x {configurations:,} "
                           f"configurations = {replications * configurations:,} runs, above "
                           f"the limit of {MAX_REPLICATIONS:,} "
                           "(chainsim.limits.MAX_REPLICATIONS)"])


def load_configuration(name: str, scenario: Scenario | str | Path,
                       overrides: Sequence[str] = (), seed: int | None = None,
                       horizon_years: float | None = None,
                       params: dict[str, Any] | None = None) -> Configuration:
    """A named configuration from a scenario file or object, with overrides, seed and
    horizon applied and validated (ScenarioError lists every problem)."""
    extra = [*overrides, *run_settings(seed, horizon_years)]
    if isinstance(scenario, Scenario):
        source = "<scenario>"
        if extra:
            raw = apply_overrides(scenario.model_dump(mode="json"), extra, source)
            scenario = parse_scenario(raw, source)
    else:
        from chainsim.library import resolve

        source = str(scenario)
        scenario = load_scenario(resolve(scenario), extra)
    return Configuration(name, scenario, source, tuple(overrides), dict(params or {}))


def execute(kind: str, configurations: Sequence[Configuration], replications: int, *,
            seed: int | None = None, horizon_years: float | None = None,
            execution: Execution | None = None, out: str | Path | None = None,
            resume: bool = False, design: dict[str, Any] | None = None,
            summarize: Summarize | None = None, command: list[str] | None = None,
            aliases: dict[str, dict[str, str]] | None = None) -> Experiment:
    """Run replications 0..N-1 of every configuration (common random numbers) and, with
    `out`, save each replication as it finishes and write the tables, `summary.json`
    (`summarize(experiment)`, by default the replicated-run layout) and the manifest.

    `aliases` names metrics compared across configurations under different columns
    (paired clusters, `chainsim.experiments.comparison`)."""
    from chainsim.experiments.executors import open_executor
    from chainsim.experiments.outputs import open_output

    check_runs(replications, len(configurations))
    execution = execution or Execution()
    seed, resolved = resolve_configurations(configurations, seed, horizon_years)
    out_path = None
    with ExitStack() as stack:
        # The pool first: its workers must not inherit the lock on `out`.
        pool = stack.enter_context(open_executor(
            execution.executor, execution.workers, execution.scheduler,
            tasks=replications * len(resolved)))
        output = None
        if out is not None:
            output = stack.enter_context(open_output(
                out, kind, resolved, seed, replications, resume, command=command,
                execution=execution.manifest(), design=design))
            out_path = output.path
        try:
            exp = run_experiment(resolved, replications, seed=seed, executor=pool,
                                 workers_hint=execution.workers,
                                 batch_size=execution.batch_size,
                                 store=output.store if output else None,
                                 show_progress=execution.progress, kind=kind,
                                 keep_series=execution.series)
            exp.aliases = dict(aliases or {})
            if output is not None:
                exp.files = output.write(exp, (summarize or replicated_summary)(exp))
                exp.out = out_path
        except ReplicationError as exc:
            raise ExperimentFailed(str(exc), out_path) from None
        except KeyboardInterrupt:
            raise ExperimentInterrupted(out_path) from None
    return exp


@dataclass
class Replications:
    """What `chainsim.replicate` returns: the experiment (every replication's metrics and
    series), and every headline metric's mean and CI."""

    experiment: Experiment

    @property
    def configuration(self) -> Configuration:
        """The configuration as run: its scenario with seed and horizon resolved."""
        return self.experiment.configurations[0]

    @property
    def out(self) -> Path | None:
        return self.experiment.out

    def summary(self) -> dict[str, Any]:
        """The JSON of `chainsim run --replications N --json` (docs/experiments.md)."""
        return replicated_summary(self.experiment)


def prepare_run(out: str | Path | None, log: str | Path | None) -> Path | None:
    """Check, before a single run starts, that `out` (a directory) and `log` (a file)
    can be written; OutputError names the one that cannot."""
    from chainsim.experiments.outputs import prepare_run_output
    from chainsim.output import prepare_file

    if log is not None:  # first: a bad --log must not leave --out created
        prepare_file(log, "--log")
    return prepare_run_output(out) if out is not None else None


def save_run(out: Path, result: Any) -> list[str]:
    """A single run's files under `out`, written together (staged, then renamed):
    `summary.json` (the layout of `chainsim run --json`), `series/*.parquet` (the
    per-period series, the same columns as an experiment's, with config `run`),
    `records/*.parquet` (the tables the run recorded), `decisions.jsonl` and
    `scenario.json` (the scenario as run)."""
    from chainsim.experiments.outputs import write_run_output
    from chainsim.experiments.runner import SERIES_TABLES, ReplicationOutput, replication_frames
    from chainsim.experiments.series import run_series
    from chainsim.output import to_json
    from chainsim.results.summary import summarize

    summary = to_json(summarize(result)) + "\n"
    frames = replication_frames(ReplicationOutput(
        "run", result.replication, result.seed, int(result.events),
        float(result.wall_seconds), {}, run_series(result)))
    decisions = "".join(to_json(row, indent=None) + "\n" for row in result.decisions)
    scenario = to_json(result.scenario.model_dump(mode="json")) + "\n"

    def tables(named: dict[str, Any]) -> Callable[[Path], None]:
        def write(path: Path) -> None:
            path.mkdir()
            for name, table in named.items():
                table.to_parquet(path / f"{name}.parquet", index=False)
        return write

    files = write_run_output(out, {
        "summary.json": lambda p: p.write_text(summary),
        "series": tables({k: frames[k] for k in SERIES_TABLES}),
        "records": tables(result.tables),
        "decisions.jsonl": lambda p: p.write_text(decisions),
        "scenario.json": lambda p: p.write_text(scenario),
    })
    return files


def write_log(log: str | Path, result: Any) -> None:
    """The decision log of a run as JSON lines (`--log`)."""
    from chainsim.output import write_jsonl

    write_jsonl(log, result.decisions)
