"""What every subcommand shares: loading scenarios with one line per problem, exit 2.

Bad input never ends in a traceback: every problem is one line on stderr,
`error: FILE: dotted.path: message`, and the exit status is 2, before any output file is
created. A file with very many problems shows the first `MAX_PROBLEMS_SHOWN` and counts
the rest.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from chainsim.limits import MAX_PROBLEMS_SHOWN
from chainsim.output import OutputError
from chainsim.scenario import Scenario, ScenarioError, load_scenario

EXIT_BAD_INPUT = 2


def fail(lines: list[str] | str) -> None:
    """Print each problem on its own line to stderr and exit with status 2."""
    echo_problems([lines] if isinstance(lines, str) else lines)
    sys.exit(EXIT_BAD_INPUT)


def echo_problems(lines: list[str] | list[object]) -> None:
    """`error: ...` lines on stderr, at most MAX_PROBLEMS_SHOWN of them and a count."""
    lines = [str(line) for line in lines]
    for line in lines[:MAX_PROBLEMS_SHOWN]:
        click.echo(f"error: {line}", err=True)
    if len(lines) > MAX_PROBLEMS_SHOWN:
        click.echo(f"error: ... and {len(lines) - MAX_PROBLEMS_SHOWN:,} more problems "
                   f"(the first {MAX_PROBLEMS_SHOWN} are shown)", err=True)


@contextmanager
def bad_input() -> Iterator[None]:
    """Turn scenario and output problems into clean messages and exit status 2."""
    try:
        yield
    except ScenarioError as exc:
        fail([str(p) for p in exc.problems])
    except OutputError as exc:
        fail(str(exc))


def load(path: str, overrides: list[str], seed: int | None = None,
         horizon: float | None = None) -> Scenario:
    """Load a scenario with `--set`, `--seed` and `--horizon` applied as validated overrides."""
    extra = list(overrides)
    if seed is not None:
        extra.append(f"simulation.seed={seed}")
    if horizon is not None:
        extra.append(f"simulation.horizon_years={horizon}")
    return load_scenario(path, extra)


set_option = click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
                          help="Override a scenario field by dotted path (repeatable); list "
                               "items by index or id, e.g. buyers.us-main.price=9.")
