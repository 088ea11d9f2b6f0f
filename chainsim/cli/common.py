"""What every subcommand shares: loading scenarios with one line per problem, exit 2."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from chainsim.output import OutputError
from chainsim.scenario import Scenario, ScenarioError, load_scenario

EXIT_BAD_INPUT = 2


def fail(lines: list[str] | str) -> None:
    """Print each problem on its own line to stderr and exit with status 2."""
    for line in [lines] if isinstance(lines, str) else lines:
        click.echo(f"error: {line}", err=True)
    sys.exit(EXIT_BAD_INPUT)


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
