"""What every subcommand shares: loading scenarios with one line per problem, exit 2.

Bad input never ends in a traceback: every problem is one line on stderr,
`error: FILE: dotted.path: message`, and the exit status is 2, before any output file is
created. A file with very many problems shows the first `MAX_PROBLEMS_SHOWN` and counts
the rest.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click

from chainsim.limits import MAX_PROBLEMS_SHOWN

EXIT_BAD_INPUT = 2


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
    from chainsim.output import OutputError
    from chainsim.scenario import ScenarioError

    try:
        yield
    except ScenarioError as exc:
        fail([str(p) for p in exc.problems])
    except OutputError as exc:
        fail(str(exc))


def option_problems(problems: Sequence[Any], seed: int | None = None,
                    horizon: float | None = None) -> list[Any]:
    """Problems of the seed or horizon the user gave as `--seed`/`--horizon`, reported as
    that option and the value typed, not as the scenario field it overrides."""
    from chainsim.scenario import Problem

    given = {"simulation.seed": None if seed is None else f"--seed {seed}",
             "simulation.horizon_years": None if horizon is None else f"--horizon {horizon:g}"}
    return [Problem(given[p.path], "", p.message) if given.get(p.path) else p
            for p in problems]


def load(path: str, overrides: list[str], seed: int | None = None,
         horizon: float | None = None) -> Any:
    """Load a scenario with `--set`, `--seed` and `--horizon` applied as validated
    overrides; a bad `--seed` or `--horizon` is reported as the option."""
    from chainsim.experiments.lifecycle import run_settings
    from chainsim.library import resolve
    from chainsim.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(resolve(path), [*overrides, *run_settings(seed, horizon)])
    except ScenarioError as exc:
        raise ScenarioError(option_problems(exc.problems, seed, horizon)) from None


set_option = click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
                          help="Override a scenario field by dotted path (repeatable); list "
                               "items by index or id, e.g. buyers.us-main.price=9.")
