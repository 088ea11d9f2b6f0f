"""What the evidence commands (patterns, robustness, sensitivity) share: the library of
scenarios by name, execution options, and numbers printed with significant digits."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from chainsim.experiments.executors import EXECUTOR_KINDS, MAX_WORKERS
from chainsim.limits import MAX_REPLICATIONS


def library_dir() -> Path:
    """The shipped scenario library (`chainsim.library`)."""
    from chainsim.library import library_dir as shipped

    return shipped()


def scenario_path(name: str) -> Path | None:
    """A library name (`sinos_valley`) or a path to a TOML file; None if neither."""
    path = Path(name)
    if path.suffix == ".toml" and path.is_file():
        return path
    candidate = library_dir() / f"{name}.toml"
    return candidate if candidate.is_file() else None


def execution_options(default_replications: int) -> Callable[[Callable], Callable]:
    options = [
        click.option("--replications", type=int, default=default_replications,
                     show_default=True, metavar="N", help="Replications 0..N-1 of each "
                     "configuration (common random numbers)."),
        click.option("--seed", type=int, help="Seed of every run (default: each file's)."),
        click.option("--workers", type=int, metavar="N",
                     help="Parallel workers (default: all cores)."),
        click.option("--executor", "executor_kind", type=click.Choice(EXECUTOR_KINDS),
                     default="process", show_default=True, help="Where replications run."),
        click.option("--json", "as_json", is_flag=True, help="Print one JSON object."),
        click.option("--out", "out_dir", type=click.Path(), metavar="DIR",
                     help="Write the results (JSON and CSV) into DIR."),
        click.option("--quiet", is_flag=True, help="No progress bar."),
    ]

    def decorate(f: Callable) -> Callable:
        for option in reversed(options):
            f = option(f)
        return f

    return decorate


def execution_problems(replications: int, workers: int | None, runs: int) -> list[str]:
    problems = []
    if replications < 1:
        problems.append(f"--replications {replications}: must be at least 1")
    elif replications * max(runs, 1) > MAX_REPLICATIONS:
        problems.append(f"--replications {replications:,}: {replications * runs:,} runs, "
                        f"above the limit of {MAX_REPLICATIONS:,}")
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        problems.append(f"--workers {workers}: must be between 1 and {MAX_WORKERS}")
    return problems


def code_version() -> str:
    """chainsim's version and, in a git checkout, the commit (with `+dirty` when the
    working tree has changes), so a result file says which code made it."""
    import subprocess

    from chainsim import __version__

    root = Path(__file__).resolve().parents[2]
    try:
        sha = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=5, check=True)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True, text=True,
                               timeout=5, check=True)
    except (OSError, subprocess.SubprocessError):
        return f"chainsim {__version__}"
    commit = sha.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    return f"chainsim {__version__} at {commit}" if commit else f"chainsim {__version__}"


def run_info(command: str, replications: int, seed: Any, wall_seconds: float) -> dict:
    """What a results file says about the run that made it: the command, when (UTC),
    which code, replications, seed(s) and wall time."""
    import datetime
    import sys

    return {"command": " ".join(["chainsim", command, *sys.argv[2:]])
            if len(sys.argv) > 1 and sys.argv[1] == command else f"chainsim {command}",
            "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "code": code_version(), "replications": replications, "seed": seed,
            "wall_seconds": round(float(wall_seconds), 1)}


def markdown_header(info: dict) -> str:
    """A run header for a Markdown results page: one line a reader can reproduce from."""
    seed = info["seed"]
    seeds = (", ".join(f"{k} {v}" for k, v in seed.items()) if isinstance(seed, dict)
             else str(seed))
    return (f"`{info['command']}`: {info['date']}, {info['code']}, "
            f"{info['replications']} replications, seed {seeds}, "
            f"{info['wall_seconds']:,.0f} s wall.\n\n")


def num(x: Any, digits: int = 3) -> str:
    """A number with `digits` significant digits (0.000072 stays 7.2e-05, never 0.0)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    x = float(x)
    if x == 0:
        return "0"
    if abs(x) >= 1e4:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def mean_ci_text(row: dict[str, Any]) -> str:
    """`mean [low, high]` of a {mean, ci_low, ci_high} row."""
    if row.get("mean") is None:
        return "-"
    if row.get("ci_low") is None:
        return num(row["mean"])
    return f"{num(row['mean'])} [{num(row['ci_low'])}, {num(row['ci_high'])}]"
